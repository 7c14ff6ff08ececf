"""Benchmarks: run with `make bench`; each prints ratios measured in one run, never asserts on time."""
