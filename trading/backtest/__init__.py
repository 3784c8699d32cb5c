"""Backtests: the vectorized engine, its naive reference, metrics, storage in the lake and the CLI."""
