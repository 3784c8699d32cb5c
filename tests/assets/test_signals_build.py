"""The ``signals`` table of the built lake: every signal the mirror's filings give, with its score."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from assets.signals.build import eightk_item_rows, filing_records
from lake.delta import read_table
from lake.storage import Lake
from lake.tables import SIGNALS


def _signals(lake: Lake) -> list[dict[str, Any]]:
    return read_table(lake, SIGNALS).to_pylist()


def _one(rows: list[dict[str, Any]], kind: str, accession: str) -> dict[str, Any]:
    (row,) = [r for r in rows if r["kind"] == kind and r["accession"] == accession]
    return row


def test_signals_of_the_mirror(built_lake: Lake) -> None:
    rows = _signals(built_lake)
    assert Counter(r["kind"] for r in rows) == {
        # Carbo's 10-K FY2019 and its first 10-Q of 1996; Tesla's 2010-2013 reports were timely under the
        # category in force then (no annual report yet) or the NT 10-K extension
        "late_filing": 2,
        "late_filing_notice": 2,
        "amended_report": 8,
        "non_reliance": 2,  # Tesla 2013 (from the submissions feed) and ABVC 2025 (from its 8-K's items)
        "restatement": 5,
    }
    # too few Form 4 purchases and 13F quarters in the mirror for a cluster or a flow
    assert not [r for r in rows if r["kind"] in ("insider_cluster", "abnormal_13f_flow")]
    assert len({r["signal_id"] for r in rows}) == len(rows)
    assert all(0 <= r["score"] <= 1 and 0 <= r["confidence"] <= 1 for r in rows)


def test_carbo_nt_10k_and_late_10k_for_2019(built_lake: Lake) -> None:
    rows = _signals(built_lake)
    notice = _one(rows, "late_filing_notice", "0001564590-20-013837")
    assert (notice["cik"], notice["score"], notice["confidence"]) == (1009672, 1.0, 1.0)
    late = _one(rows, "late_filing", "0001564590-20-025870")
    details = json.loads(late["details"])
    assert (details["deadline"], details["extended_deadline"], details["days_late"]) == (
        "2020-03-30",
        "2020-04-14",
        31,
    )
    assert (details["category_source"], details["late_under_any_category"]) == ("submissions", True)
    assert (late["score"], late["confidence"]) == (1.0, 0.9)
    assert late["as_of"] == datetime(2020, 5, 15, 21, 31, 5, tzinfo=UTC)
    assert late["created_from"] == ["0001564590-20-025870"]
    # Carbo's 10-K FY2017 (accelerated filer on its cover) and Apple's 10-K FY2023 were on time
    on_time = {"0001564590-18-004771", "0000320193-23-000106"}
    assert not [r for r in rows if r["accession"] in on_time]


def test_tesla_2013_non_reliance_and_timely_10k(built_lake: Lake) -> None:
    rows = _signals(built_lake)
    non_reliance = _one(rows, "non_reliance", "0001193125-13-096223")
    assert (non_reliance["ticker"], non_reliance["score"]) == ("TSLA", 1.0)
    assert json.loads(non_reliance["details"])["items"] == ["4.02"]
    assert _one(rows, "late_filing_notice", "0001193125-13-088624")["as_of"] == datetime(
        2013, 3, 4, 11, 8, 26, tzinfo=UTC
    )
    # the NT 10-K of Monday 2013-03-04 extended the due date (Friday 2013-03-01) to 2013-03-18: timely
    assert not [r for r in rows if r["kind"] == "late_filing" and r["cik"] == 1318605]


def test_restatements_weighted_by_relative_change(built_lake: Lake) -> None:
    rows = _signals(built_lake)
    scores = {
        r["accession"]: (r["ticker"], round(r["score"], 4), r["confidence"])
        for r in rows
        if r["kind"] == "restatement"
    }
    assert scores == {
        "0000320193-24-000081": ("AAPL", 0.0309, 0.7),
        "0000320193-24-000123": ("AAPL", 0.0286, 0.7),
        "0001628280-25-003063": ("TSLA", 0.0107, 0.7),
        "0001045810-25-000023": ("NVDA", 0.0354, 0.7),
        "0001628280-25-035806": ("TSLA", 0.0674, 1.0),
    }
    nvidia = json.loads(_one(rows, "restatement", "0001045810-25-000023")["details"])
    # EPS 1.74 -> 0.17 and the other per-share values: the 2024 10-for-1 split, not a restatement
    assert (nvidia["restated_values"], nvidia["split_adjustments"]) == (2, 5)


def test_eightk_items_are_optional_and_merged_by_accession(built_lake: Lake) -> None:
    abvc = [r for r in eightk_item_rows(built_lake) if r["filing_id"] == "0001213900-25-032135"]
    assert sorted(r["item"] for r in abvc) == ["2.02", "4.02", "7.01", "9.01"]
    filings = [
        {
            "filing_id": "0001213900-25-032135",
            "accession": "0001213900-25-032135",
            "cik": 1173313,
            "form": "8-K",
            "period_of_report": None,
            "filing_date": datetime(2025, 4, 15).date(),
            "acceptance_utc": datetime(2025, 4, 15, 20, 30, 25, tzinfo=UTC),
        }
    ]
    items = [
        {"filing_id": "0001213900-25-032135", "item": number} for number in ("2.02", "4.02", "7.01", "9.01")
    ]
    (record,) = filing_records(filings, [], items)
    assert record.items == ("2.02", "4.02", "7.01", "9.01")
    (listed,) = filing_records(filings, [], [{"accession": "0001213900-25-032135", "items": ["4.02"]}])
    assert listed.items == ("4.02",)
