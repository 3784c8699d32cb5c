"""Bounded-memory writers and checks: batched facts commits, per-filing rewrites, checks over the stored files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from assets.checks import stored_check_results, table_check_results
from assets.xbrl.factrows import fact_table, footnote_table
from assets.xbrl.factwriter import FactWriter
from edgar.xbrl.factset import FactSet
from edgar.xbrl.model import Fact
from lake.delta import read_table
from lake.registry import TableSpec
from lake.storage import Lake
from lake.tables import FACTS, XBRL_FILINGS

UTC = dt.UTC


def _filing(i: int) -> dict:
    return {
        "filing_id": f"f{i:03d}",
        "accession": f"0000000000-24-{i:06d}",
        "cik": 1000 + i % 3,
        "form": "10-Q",
        "filing_date": dt.date(2024, 8, 1),
        "acceptance_utc": dt.datetime(2024, 8, 1, 12, tzinfo=UTC),
        "filing_quarter": "2024Q3",
    }


def _facts(i: int, n: int = 4, bump: int = 0) -> list[Fact]:
    return [
        Fact(
            concept=f"us-gaap:C{k}",
            value=str(i * 100 + k + bump),
            numeric=True,
            unit="USD",
            period_type="instant",
            end=dt.date(2024, 6, 30),
            dimensions=(("a:Axis", "a:M"),) if k == 0 else (),
            context_id="c",
        )
        for k in range(n)
    ]


def _status(filing: dict, facts: int) -> dict:
    return {
        **filing,
        "document": "x.xml",
        "document_kind": "xbrl-instance",
        "facts": facts,
        "status": "ok",
        "error": None,
        "warnings": [],
        "sec_compared": None,
        "sec_equal": None,
        "fingerprint": "v2:x",
    }


def _write(
    store: Lake, every: int, bumps: dict[int, int] | None = None, previous: set[str] = frozenset()
) -> FactWriter:
    writer = FactWriter(store, ["2024Q3"], set(previous), every_filings=every, every_bytes=10**9)
    for i in range(6):
        if bumps is not None and i not in bumps:
            continue
        filing = _filing(i)
        facts = fact_table(filing, "x.xml", _facts(i, bump=(bumps or {}).get(i, 0)))
        notes = footnote_table(filing, FactSet(source="x.xml", kind="xbrl-instance", facts=[]))
        writer.add(_status(filing, facts.num_rows), facts, notes)
    writer.finish({_filing(i)["filing_id"] for i in range(6)})
    return writer


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([("filing_id", "ascending"), ("fact_key", "ascending")])


def test_batched_facts_equal_one_shot(tmp_path: Path) -> None:
    """Committing one filing at a time stores exactly the rows of one commit of all filings."""
    one, many = Lake(str(tmp_path / "one")), Lake(str(tmp_path / "many"))
    _write(one, every=100)
    writer = _write(many, every=1)
    assert writer.commits[FACTS.name] == 6
    a, b = read_table(one, FACTS), read_table(many, FACTS)
    assert a.num_rows == b.num_rows == 24
    assert _sorted(a).equals(_sorted(b))
    assert (
        read_table(many, FACTS).column("dimensions").to_pylist().count([{"axis": "a:Axis", "member": "a:M"}])
        == 6
    )


def test_changed_filing_rewrites_only_its_rows(tmp_path: Path) -> None:
    """A second run with one re-parsed filing adds only that filing's rows; the others' files are untouched."""
    store = Lake(str(tmp_path / "lake"))
    _write(store, every=1)
    before = read_table(store, FACTS)
    path = store.table_uri(FACTS)
    files_before = set(DeltaTable(path).file_uris())
    version = DeltaTable(path).version()
    writer = _write(store, every=100, bumps={2: 7}, previous={_filing(i)["filing_id"] for i in range(6)})
    table = DeltaTable(path)
    assert table.version() == version + 1
    assert writer.written[FACTS.name] == 4
    added = set(table.file_uris()) - files_before
    removed = files_before - set(table.file_uris())
    assert len(added) == 1 and len(removed) == 1
    after = read_table(store, FACTS)
    assert after.num_rows == before.num_rows
    changed = after.filter(pa.compute.equal(after["filing_id"], "f002"))
    assert sorted(changed["value"].to_pylist()) == ["207", "208", "209", "210"]
    others = lambda t: _sorted(t.filter(pa.compute.not_equal(t["filing_id"], "f002")))  # noqa: E731
    assert others(after).equals(others(before))
    assert read_table(store, XBRL_FILINGS).num_rows == 6


def test_stale_filing_rows_are_deleted(tmp_path: Path) -> None:
    """A filing no longer in the quarter loses its facts and status rows."""
    store = Lake(str(tmp_path / "lake"))
    _write(store, every=2)
    writer = FactWriter(
        store, ["2024Q3"], {_filing(i)["filing_id"] for i in range(6)}, every_filings=5, every_bytes=10**9
    )
    writer.finish({_filing(i)["filing_id"] for i in range(5)})
    assert sorted(set(read_table(store, FACTS)["filing_id"].to_pylist())) == [f"f{i:03d}" for i in range(5)]
    assert read_table(store, XBRL_FILINGS).num_rows == 5


def test_stored_checks_equal_in_memory_checks(tmp_path: Path) -> None:
    """Checks over the stored files (Delta stats + DuckDB) give the in-memory results: duplicates and null keys."""
    spec = TableSpec(
        name="check_probe",
        layer="silver",
        schema=pa.schema(
            [pa.field("a", pa.string()), pa.field("b", pa.int64()), pa.field("v", pa.float64())]
        ),
        primary_key=("a", "b"),
        description="probe",
    )
    data = pa.table(
        {
            "a": ["x", "x", "x", None, None, "y", "y"],
            "b": [1, 1, 1, None, None, 2, 3],
            "v": [1.0, None, 2.0, 3.0, None, 4.0, 5.0],
        },
        schema=spec.schema,
    )
    store = Lake(str(tmp_path / "lake"))
    write_deltalake(store.table_uri(spec), data.slice(0, 4))
    write_deltalake(store.table_uri(spec), data.slice(4), mode="append")
    rows, stored = stored_check_results(store, spec)
    memory = table_check_results(spec, data)
    assert rows == 7
    assert [(r.check_name, r.passed, r.metadata) for r in stored] == [
        (r.check_name, r.passed, r.metadata) for r in memory
    ]
    assert stored[2].metadata["duplicate_rows"].value == 3
