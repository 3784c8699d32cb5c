"""Test-only table specs and rows (never registered in the global registry)."""

from __future__ import annotations

import pyarrow as pa

from lake.registry import TableSpec


def filings_spec(name: str = "test_filings") -> TableSpec:
    """Filings partitioned by quarter, keyed by accession."""
    return TableSpec(
        name=name,
        layer="bronze",
        schema=pa.schema(
            [
                pa.field("filing_quarter", pa.string(), nullable=False),
                pa.field("accession", pa.string(), nullable=False),
                pa.field("cik", pa.int64()),
                pa.field("form", pa.string()),
                pa.field("amount", pa.float64()),
            ]
        ),
        partition_by=("filing_quarter",),
        primary_key=("accession",),
        description="Test filings.",
    )


def filings_rows(quarter: str, *accessions: str, amount: float = 1.0, form: str = "10-K") -> pa.Table:
    """Rows for :func:`filings_spec`: one per accession, cik = position + 1."""
    return pa.table(
        {
            "filing_quarter": [quarter] * len(accessions),
            "accession": list(accessions),
            "cik": [i + 1 for i in range(len(accessions))],
            "form": [form] * len(accessions),
            "amount": [amount] * len(accessions),
        }
    )
