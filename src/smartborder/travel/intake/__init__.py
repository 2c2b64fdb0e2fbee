"""API/PNR intake: UN/EDIFACT PAXLST and PNRGOV (and their JSON form) read, filed and resolved
to travellers across messages; the quarantine and holds."""
