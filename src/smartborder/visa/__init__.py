"""Visa policy coordination: requirement snapshots, convergence, consultations, screening."""
