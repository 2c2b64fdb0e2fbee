"""Risk models for API/PNR targeting (not traffic modelling, which is ``smartborder.modeling``):
typed conditions, versioned indicator sets, the condition builder and joint co-signing."""
