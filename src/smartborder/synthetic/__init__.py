"""Realistic generated data, deterministic for a seed, for demos, tests and benchmarks."""
