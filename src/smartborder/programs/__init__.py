"""Trusted travellers: NEXUS and FAST, vetted by both countries."""
