"""API and PNR intake (PAXLST, PNRGOV, JSON): parsing, storage, resolved identities."""
