"""Asylum: Safe Third Country Agreement determinations (and, to come, claims and the Asylum
Annex's claimant exchange)."""
