"""The full offline build: values from the real mirror, re-runs that change nothing, bad input that loses nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from lake.delta import read_table, table_version
from lake.duck import connect
from lake.frames import scan
from lake.registry import TableSpec, all_tables
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX_FILES, EDGAR_INVENTORY, FILINGS, RAW_DOCUMENTS
from tests.support.build import build_lake

MIRROR = Settings.from_env().edgar_mirror


def _rows(lake: Lake, spec: TableSpec) -> list[dict[str, Any]]:
    table = read_table(lake, spec)
    return sorted(table.to_pylist(), key=lambda r: tuple(str(r[k]) for k in spec.primary_key))


def _filing(lake: Lake, filing_id: str) -> dict[str, Any]:
    rows = [r for r in _rows(lake, FILINGS) if r["filing_id"] == filing_id]
    assert len(rows) == 1, filing_id
    return rows[0]


def test_filings_carry_identity_from_the_best_source(built_lake: Lake) -> None:
    # Apple 10-K FY2023: document (dei) matched to the submissions feed; the feed's "Z" times are Eastern
    apple = _filing(built_lake, "0000320193-23-000106")
    assert (apple["cik"], apple["form"], apple["period_of_report"]) == (320193, "10-K", date(2023, 9, 30))
    assert apple["filing_date"] == date(2023, 11, 3)
    assert apple["acceptance_utc"] == datetime(2023, 11, 2, 22, 8, 27, tzinfo=UTC)
    assert (apple["acceptance_basis"], apple["acceptance_flag"]) == ("submissions-json:eastern", None)
    assert (apple["metadata_source"], apple["filing_quarter"], apple["status"]) == (
        "submissions-json",
        "2023Q4",
        "ok",
    )
    assert apple["fiscal_year"] == 2023 and apple["fiscal_period"] == "FY"
    # Tesla 10-Q Q2 2024: its feed's times are true UTC
    tesla = _filing(built_lake, "0001628280-24-032662")
    assert tesla["acceptance_utc"] == datetime(2024, 7, 23, 23, 41, 9, tzinfo=UTC)
    assert tesla["acceptance_basis"] == "submissions-json:utc"
    # a full SGML submission: the header's ACCEPTANCE-DATETIME (Eastern) -> UTC
    lts = _filing(built_lake, "0001894188-23-000007")
    assert (lts["form"], lts["cik"], lts["filing_date"]) == ("13F-HR", 1894188, date(2023, 11, 14))
    assert lts["acceptance_utc"] == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)
    assert lts["acceptance_basis"] == "sgml-header"
    # a .nc dissemination file has no acceptance time: null and flagged, never guessed
    acorn = _filing(built_lake, "0001951757-25-000093")
    assert (acorn["filing_date"], acorn["acceptance_utc"], acorn["acceptance_flag"]) == (
        date(2025, 1, 22),
        None,
        "unknown",
    )


def test_filings_without_sec_metadata_get_no_invented_accession_or_date(built_lake: Lake) -> None:
    netflix = [
        r
        for r in _rows(built_lake, FILINGS)
        if r["cik"] == 1065280 and r["period_of_report"] == date(2023, 12, 31)
    ]
    assert len(netflix) == 1
    row = netflix[0]
    assert row["filing_id"].startswith("local-") and row["accession"] is None
    assert (row["filing_date"], row["acceptance_utc"], row["acceptance_flag"]) == (None, None, "unknown")
    assert (row["partition_basis"], row["filing_quarter"], row["form"]) == (
        "period_of_report",
        "2023Q4",
        "10-K",
    )
    assert row["document_count"] == 6  # instance, schema and four linkbases
    assert any("no SEC filing metadata" in w for w in row["warnings"])


def test_two_representations_of_one_filing_are_one_filing(built_lake: Lake) -> None:
    # xbrl/aapl-10k-2022-09-24/ and xbrl/single/apple-10k-instance.xml are the same SEC filing
    docs = [r for r in _rows(built_lake, RAW_DOCUMENTS) if r["filing_id"] == "0000320193-22-000108"]
    assert sorted(d["name"] for d in docs) == [
        "aapl-20220924.xsd.xml",
        "aapl-20220924_cal.xml",
        "aapl-20220924_def.xml",
        "aapl-20220924_htm.xml",
        "aapl-20220924_lab.xml",
        "aapl-20220924_pre.xml",
        "apple-10k-instance.xml",
    ]
    assert _filing(built_lake, "0000320193-22-000108")["document_count"] == 7


def test_raw_documents_are_content_addressed_copies_of_the_sources(built_lake: Lake) -> None:
    docs = _rows(built_lake, RAW_DOCUMENTS)
    assert len(docs) == 148
    for doc in docs:
        data = built_lake.get_object(doc["object_key"])
        assert hashlib.sha256(data).hexdigest() == doc["sha256"]
        assert len(data) == doc["size"]
        assert doc["object_key"] == f"filings/{doc['cik']}/{doc['filing_id']}/{doc['sha256']}/{doc['name']}"
        if doc["container"] is None and doc["source"] and not doc["source"].startswith("/"):
            assert data == (MIRROR / doc["source"]).read_bytes()
    # the SGML 8-K: the submission itself plus each embedded document (uuencoded images decoded)
    abvc = [d for d in docs if d["filing_id"] == "0001213900-25-032135"]
    assert len(abvc) == 15
    assert {d["doc_type"] for d in abvc if d["container"]} >= {"8-K", "EX-99.1"}


def test_index_files_report_bad_indexes_with_file_and_line(built_lake: Lake) -> None:
    status = {r["index_file"]: r for r in _rows(built_lake, EDGAR_INDEX_FILES)}
    assert (status["index/form.20200318.idx"]["status"], status["index/form.20200318.idx"]["rows"]) == (
        "ok",
        4084,
    )
    assert (status["index/company.20221003.idx"]["status"], status["index/company.20221003.idx"]["rows"]) == (
        "ok",
        4925,
    )
    bad = status["index/bad/badform.idx.txt"]
    assert (bad["status"], bad["rows"], bad["filing_quarter"]) == ("error", 0, "2021Q1")
    assert bad["error"].startswith("badform.idx.txt line 17: ")
    empty = status["index/bad/empty-form.idx"]
    assert (empty["status"], empty["error"]) == (
        "error",
        "empty-form.idx line 10: no entries after the header at line 10",
    )


def test_inventory_says_why_a_file_group_is_not_a_filing(built_lake: Lake) -> None:
    inventory = {r["source_path"]: r for r in _rows(built_lake, EDGAR_INVENTORY)}
    assert len(inventory) == 126
    schedule = inventory["13dg/schedule13d.xml"]
    assert (schedule["kind"], schedule["group_quarter"], schedule["cik"]) == ("schedule13-xml", None, None)
    assert schedule["unplaced_reason"] == (
        "no document in the group states who filed it or when (kinds: schedule13-xml)"
    )
    infotable = inventory["13f/13f-hr-infotable.xml"]
    assert infotable["kind"] == "13f-infotable" and infotable["group_quarter"] is None
    assert infotable["unplaced_reason"].startswith("no document in the group states who filed it or when")
    linkbase = inventory["xbrl/tsla-10q-2024-06-30/tsla-20240630_cal.xml"]
    assert (linkbase["group"], linkbase["group_quarter"], linkbase["cik"]) == (
        "xbrl/tsla-10q-2024-06-30",
        "2024Q3",
        None,
    )


def test_duckdb_and_polars_read_the_same_lake(built_lake: Lake) -> None:
    con = connect(built_lake)
    try:
        by_form = dict(con.execute("select form, count(*) from filings group by form").fetchall())
        assert (by_form["10-K"], by_form["10-Q"], by_form["13F-HR"], by_form["8-K"]) == (12, 16, 5, 7)
        assert con.execute(
            "select count(*) from companies where cik = 320193 and 'AAPL' = any(tickers)"
        ).fetchone() == (1,)
    finally:
        con.close()
    frame = scan(built_lake, "filings").collect()
    assert frame.height == 50
    assert frame.filter(frame["form"] == "10-K").height == 12


def test_rebuild_changes_nothing(built_lake: Lake) -> None:
    before = {spec.name: (table_version(built_lake, spec), _rows(built_lake, spec)) for spec in all_tables()}
    assert build_lake(built_lake.uri).success
    for spec in all_tables():
        version, rows = before[spec.name]
        assert table_version(built_lake, spec) == version, f"{spec.name} got a new version"
        assert _rows(built_lake, spec) == rows, f"{spec.name} changed"


def _mirror_copy(target: Path) -> Path:
    """A mirror of symlinks to the real files, so a test can add bad files without touching ../shared."""
    for path in MIRROR.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(MIRROR)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target


def test_bad_input_is_an_error_of_its_item_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    mirror = _mirror_copy(shared / "edgar")
    monkeypatch.setenv("AIHF_SHARED_DIR", str(shared))
    uri = str(tmp_path / "lakehouse")
    assert build_lake(uri).success
    lake = Lake(uri)
    first = {r["filing_id"]: r for r in _rows(lake, FILINGS)}
    first_docs = _rows(lake, RAW_DOCUMENTS)

    # a non-XML file in a filing folder (real bytes: the start of a daily index, named .xml)
    (mirror / "xbrl/tsla-10q-2024-06-30/tsla-20240630_notes.xml").write_bytes(
        (MIRROR / "index/form.20200318.idx").read_bytes()[:3000]
    )
    # a truncated instance (the first half of a real one) as a filing folder of its own
    real = (MIRROR / "xbrl/nflx-10q-2024-03-31/nflx-20240331_htm.xml").read_bytes()
    (mirror / "xbrl/nflx-truncated").mkdir()
    (mirror / "xbrl/nflx-truncated/nflx-20240331_htm.xml").write_bytes(real[: len(real) // 2])
    # a malformed daily index for a quarter that has good data too (real lines, cut mid-row)
    good_index = (MIRROR / "index/form.20200318.idx").read_bytes()
    (mirror / "index/form.20200319.idx").write_bytes(good_index[: good_index.index(b"\n", 5000) - 20] + b"\n")

    result = build_lake(uri)
    assert result.success
    second = {r["filing_id"]: r for r in _rows(lake, FILINGS)}
    tesla = second["0001628280-24-032662"]
    assert tesla["status"] == "partial"
    assert any("tsla-20240630_notes.xml" in e and "not XML" in e for e in tesla["errors"])
    assert tesla["document_count"] == 7
    # every other filing is exactly as before
    for filing_id, row in first.items():
        if filing_id != "0001628280-24-032662":
            assert second[filing_id] == row
    # nothing stored before is lost
    for doc in first_docs:
        assert lake.object_exists(doc["object_key"])
    truncated = {r["source_path"]: r for r in _rows(lake, EDGAR_INVENTORY)}[
        "xbrl/nflx-truncated/nflx-20240331_htm.xml"
    ]
    assert truncated["group_quarter"] is None
    assert "nflx-20240331_htm.xml line" in truncated["error"] and "truncated" in truncated["error"]
    status = {r["index_file"]: r for r in _rows(lake, EDGAR_INDEX_FILES)}
    assert status["index/form.20200319.idx"]["status"] == "error"
    assert status["index/form.20200319.idx"]["error"].startswith("form.20200319.idx line ")
    assert status["index/form.20200318.idx"]["rows"] == 4084  # the good index of the same quarter is kept


def test_a_schema_violation_fails_the_write_and_keeps_the_table(built_lake: Lake) -> None:
    from lake.delta import SchemaMismatch, write_partition

    version = table_version(built_lake, FILINGS)
    bad = pa.table({"filing_id": ["x"], FILINGS.partition_by[0]: ["2023Q4"]})
    with pytest.raises(SchemaMismatch):
        write_partition(built_lake, FILINGS, bad, partitions={"filing_quarter": ["2023Q4"]})
    assert table_version(built_lake, FILINGS) == version
    assert len(_rows(built_lake, FILINGS)) == 50
