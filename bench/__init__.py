"""Benchmarks of the engine against real servers (not part of the test suite)."""
