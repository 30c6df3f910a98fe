"""Benchmarks: each measures the platform beside a raw baseline in the same run and prints the ratio."""
