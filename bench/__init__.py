"""Benchmarks: timings and sizes measured outside the test suite (`make bench`)."""
