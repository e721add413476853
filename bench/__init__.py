"""Benchmarks of cadence-py (not tests): see bench/README.md."""
