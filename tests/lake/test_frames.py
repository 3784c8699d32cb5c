from __future__ import annotations

import polars as pl

from lake.delta import merge_upsert, write_partition
from lake.frames import scan
from lake.registry import TableSpec
from lake.storage import Lake
from tests.lake._data import filings_rows, filings_spec


def test_scan_reads_the_latest_version(lake: Lake, filings: TableSpec) -> None:
    write_partition(
        lake,
        filings,
        filings_rows("2023Q3", "a1", "a2", amount=2.0),
        partitions={"filing_quarter": ["2023Q3"]},
    )
    merge_upsert(lake, filings, filings_rows("2023Q4", "b1", amount=5.0))
    frame = scan(lake, filings)
    assert isinstance(frame, pl.LazyFrame)
    result = (
        frame.filter(pl.col("accession") != "a1").select("accession", "amount").sort("accession").collect()
    )
    assert result.rows() == [("a2", 2.0), ("b1", 5.0)]


def test_scan_of_a_missing_table_is_empty_with_the_schema(lake: Lake) -> None:
    frame = scan(lake, filings_spec("test_missing")).collect()
    assert frame.height == 0
    assert frame.schema == pl.Schema(
        {
            "filing_quarter": pl.String,
            "accession": pl.String,
            "cik": pl.Int64,
            "form": pl.String,
            "amount": pl.Float64,
        }
    )
