"""10-K / 10-Q item sections in the lake: the built lake's tables, and one bad document not stopping the others."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assets.events.reports import filing_rows, read_report
from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import FILING_QUARTER, REPORT_ITEM_FILINGS, REPORT_ITEMS

APPLE_10K = "0000320193-24-000123"
APPLE_10Q = "0000320193-25-000057"
Q = "\u2019"


def test_report_items_of_the_built_lake(built_lake: Lake) -> None:
    statuses = read_table(built_lake, REPORT_ITEM_FILINGS).to_pylist()
    # every 10-K / 10-Q of the mirror has a status row: 15 primary HTML documents read, 13 reports stored as XBRL
    # only (nothing to split into items)
    assert len(statuses) == 28
    by_status: dict[str, list[str]] = {}
    for s in statuses:
        by_status.setdefault(s["status"], []).append(s["document"])
    assert sorted(by_status) == ["no-document", "ok"]
    assert len(by_status["ok"]) == 15 and by_status["no-document"] == [None] * 13
    apple = next(s for s in statuses if s["filing_id"] == APPLE_10K)
    assert (apple["document"], apple["items"], apple["toc_entries"], apple["error"]) == (
        "apple-10k-2024-09-28.htm",
        23,
        23,
        None,
    )
    xbrl_only = next(s for s in statuses if s["filing_id"] == "0000320193-23-000106")
    assert (
        xbrl_only["error"]
        == "no HTML document (among the 6 stored: xbrl-instance, xbrl-linkbase, xbrl-schema)"
    )

    items = read_table(built_lake, REPORT_ITEMS).to_pylist()
    assert len(items) == 228
    tenk = {r["name"]: r for r in items if r["filing_id"] == APPLE_10K}
    risk = tenk["Item-1A"]
    assert (risk["accession"], risk["cik"], risk["form"], risk["part"], risk["item"], risk["ordinal"]) == (
        APPLE_10K,
        320193,
        "10-K",
        "I",
        "1A",
        2,
    )
    assert (risk["filing_date"], risk["acceptance_utc"], risk["fiscal_year"], risk[FILING_QUARTER]) == (
        date(2024, 11, 1),
        datetime(2024, 11, 1, 10, 1, 36, tzinfo=UTC),
        2024,
        "2024Q4",
    )
    assert risk["title"] == "Risk Factors"
    assert risk["text"].startswith(
        f"The Company{Q}s business, reputation, results of operations, financial condition"
    )
    assert list(tenk) == ["Item-1", "Item-1A", "Item-1B", "Item-1C", "Item-2", "Item-3", "Item-4", "Item-5",
                          "Item-6", "Item-7", "Item-7A", "Item-8", "Item-9", "Item-9A", "Item-9B", "Item-9C",
                          "Item-10", "Item-11", "Item-12", "Item-13", "Item-14", "Item-15", "Item-16"]  # fmt: skip
    tenq = {r["name"]: r for r in items if r["filing_id"] == APPLE_10Q}
    assert (tenq["Part-1,Item-2"]["ordinal"], tenq["Part-2,Item-1"]["title"]) == (2, "Legal Proceedings")
    assert tenq["Part-2,Item-1"]["text"].startswith("Digital Markets Act Investigations")
    assert tenq["Part-2,Item-1A"]["fiscal_period"] == "Q2"


def _filing(filing_id: str, form: str, primary: str) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "accession": None,
        "cik": 1,
        "form": form,
        "filing_date": None,
        "acceptance_utc": None,
        "period_of_report": None,
        "fiscal_year": None,
        "fiscal_period": None,
        "primary_document": primary,
        FILING_QUARTER: "2024Q4",
    }


def _doc(store: Lake, filing_id: str, name: str, data: bytes, kind: str = "inline-xbrl") -> dict[str, Any]:
    stored = store.put_object(f"filings/1/{filing_id}", name, data)
    return {"name": name, "kind": kind, "doc_type": None, "object_key": stored.key}


def test_a_bad_document_is_its_filings_status(tmp_path: Path) -> None:
    mirror = Settings.from_env().edgar_mirror
    store = Lake(str(tmp_path / "lake"))
    simple = (mirror / "ixbrl" / "simple.htm").read_bytes()
    apple = (mirror / "ixbrl" / "apple-10q-2024-06-29.htm").read_bytes()
    cases = {
        "empty-file": ("10-K", [_doc(store, "empty-file", "e.htm", b" \n")]),
        "no-items": ("10-K", [_doc(store, "no-items", "simple.htm", simple)]),
        "missing": ("10-Q", [{"name": "gone.htm", "kind": "html", "doc_type": None, "object_key": "filings/x/gone.htm"}]),
        "xbrl-only": ("10-Q", [_doc(store, "xbrl-only", "a.xml", b"<xbrl/>", kind="xbrl-instance")]),
        "good": ("10-Q", [_doc(store, "good", "ex-99.htm", b"<p>Item 1. x</p>", kind="html") | {"doc_type": "EX-99.1"},
                          _doc(store, "good", "apple-10q-2024-06-29.htm", apple)]),
    }  # fmt: skip
    got = {}
    for filing_id, (form, docs) in cases.items():
        filing = _filing(filing_id, form, "aapl-20240629.htm")
        rows, status = filing_rows(filing, read_report(store, filing, docs))
        got[filing_id] = (status["status"], status["document"], status["items"], status["error"], len(rows))
    assert got["empty-file"] == ("error", "e.htm", None, "ParseError: e.htm: empty document", 0)
    assert got["no-items"] == (
        "empty",
        "simple.htm",
        0,
        "no item headings (no block starting 'Item <number>' among 11 text blocks)",
        0,
    )
    assert got["missing"][:3] == ("error", "gone.htm", None) and got["missing"][3].startswith(
        "FileNotFoundError"
    )
    assert got["xbrl-only"] == (
        "no-document",
        None,
        None,
        "no HTML document (among the 1 stored: xbrl-instance)",
        0,
    )
    # the exhibit is not the report; the report's 11 items are read whatever the other filings did
    assert got["good"] == ("ok", "apple-10q-2024-06-29.htm", 11, None, 11)
