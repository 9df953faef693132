"""Benchmarks of the stack on loopback: `python -m benchmarks` (or `make bench`) runs them all."""
