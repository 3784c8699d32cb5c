from __future__ import annotations

import pytest

from lake import registry
from lake.delta import merge_upsert, write_partition
from lake.duck import connect
from lake.registry import TableSpec
from lake.storage import Lake
from tests.lake._data import filings_rows, filings_spec


def test_views_query_the_tables(lake: Lake, filings: TableSpec) -> None:
    write_partition(
        lake,
        filings,
        filings_rows("2023Q3", "a1", "a2", amount=2.0),
        partitions={"filing_quarter": ["2023Q3"]},
    )
    write_partition(
        lake, filings, filings_rows("2023Q4", "b1", amount=5.0), partitions={"filing_quarter": ["2023Q4"]}
    )
    with connect(lake, tables=[filings]) as con:
        rows = con.sql(
            "select filing_quarter, count(*), sum(amount) from test_filings group by 1 order by 1"
        ).fetchall()
        assert rows == [("2023Q3", 2, 4.0), ("2023Q4", 1, 5.0)]
        filtered = con.sql(
            "select accession from test_filings where filing_quarter = '2023Q4' and cik = 1"
        ).fetchall()
        assert filtered == [("b1",)]


def test_views_see_upserted_rows_and_filter_on_strings(lake: Lake, filings: TableSpec) -> None:
    merge_upsert(lake, filings, filings_rows("2023Q3", "a1", "a2"))
    merge_upsert(lake, filings, filings_rows("2023Q3", "a2", amount=9.0))
    with connect(lake, tables=[filings]) as con:
        assert con.sql("select amount from test_filings where accession = 'a2'").fetchall() == [(9.0,)]


def test_missing_tables_are_empty_views_with_the_schema(lake: Lake) -> None:
    spec = filings_spec("test_missing")
    with connect(lake, tables=[spec]) as con:
        assert con.sql("select count(*) from test_missing").fetchall() == [(0,)]
        described = con.sql("describe test_missing").fetchall()
        assert [(r[0], r[1]) for r in described] == [
            ("filing_quarter", "VARCHAR"),
            ("accession", "VARCHAR"),
            ("cik", "BIGINT"),
            ("form", "VARCHAR"),
            ("amount", "DOUBLE"),
        ]


def test_registered_tables_by_name_and_by_default(
    lake: Lake, filings: TableSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.all_tables()
    monkeypatch.setitem(registry.TABLES, filings.name, filings)
    write_partition(lake, filings, filings_rows("2023Q3", "a1"), partitions={"filing_quarter": ["2023Q3"]})
    with connect(lake, tables=["test_filings"]) as con:
        assert con.sql("select accession from test_filings").fetchall() == [("a1",)]
    with connect(lake) as con:
        names = {r[0] for r in con.sql("select view_name from duckdb_views() where not internal").fetchall()}
        assert names == set(registry.TABLES)
        assert con.sql("select count(*) from test_filings").fetchall() == [(1,)]


def test_a_view_is_the_version_at_connect_time(lake: Lake, filings: TableSpec) -> None:
    write_partition(lake, filings, filings_rows("2023Q3", "a1"), partitions={"filing_quarter": ["2023Q3"]})
    with connect(lake, tables=[filings]) as con:
        write_partition(
            lake, filings, filings_rows("2023Q4", "b1"), partitions={"filing_quarter": ["2023Q4"]}
        )
        assert con.sql("select count(*) from test_filings").fetchall() == [(1,)]
    with connect(lake, tables=[filings]) as con:
        assert con.sql("select count(*) from test_filings").fetchall() == [(2,)]


def test_unknown_table_name(lake: Lake) -> None:
    with pytest.raises(KeyError, match="unknown table 'nope'"):
        connect(lake, tables=["nope"])
