"""Joint targeting: screening and scoring of every traveller filed, the analysts' queue,
board / no-board at check-in (CUSRES) and high-risk travellers shared with the partner."""
