"""Dagster software-defined assets, one package per domain; pure logic lives in ``edgar`` and ``lake``."""
