"""Benchmarks: they print figures and ratios, never verdicts."""
