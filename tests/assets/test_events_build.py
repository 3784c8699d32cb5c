"""8-K items, press releases, earnings releases and news in the built lake: what the filings state, nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lake.delta import read_table
from lake.storage import Lake
from lake.tables import EARNINGS, EIGHTK_ITEMS, NEWS, PRESS_RELEASES

ABVC = "0001213900-25-032135"
ACORN = "0001493152-25-001317"
ABVC_RELEASE = "ea023837201ex99-1_abvcbio.htm"
ABVC_TITLE = "ABVC BioPharma Announces 2024 Financial Results"
BUCKLE_TITLE = "THE BUCKLE, INC. REPORTS THIRD QUARTER NET INCOME"


def _rows(lake: Lake, spec: Any) -> list[dict[str, Any]]:
    return read_table(lake, spec).to_pylist()


def _items(rows: list[dict[str, Any]], filing_id: str) -> list[str]:
    return sorted(r["item"] for r in rows if r["filing_id"] == filing_id)


def test_8k_items_come_from_the_header_and_the_text(built_lake: Lake) -> None:
    items = _rows(built_lake, EIGHTK_ITEMS)
    # ABVC 4 + Acorn 2 + Buckle 2 + Nordstrom 2 + Oracle 1 + 1-800-Flowers 1; the Waters 8-K is an XBRL instance
    # alone (no 8-K document to read): reported, no rows
    assert len(items) == 12
    assert _items(items, ABVC) == ["2.02", "4.02", "7.01", "9.01"]
    abvc = {r["item"]: r for r in items if r["filing_id"] == ABVC}
    results = abvc["2.02"]
    assert (results["title"], results["in_header"], results["in_text"]) == (
        "Results of Operations and Financial Condition",
        True,
        True,
    )
    assert results["text"].startswith("On April 15, 2025, ABVC BioPharma")
    assert (results["accession"], results["cik"], results["form"], results["filing_quarter"]) == (
        ABVC,
        1173313,
        "8-K",
        "2025Q2",
    )
    assert results["company_name"] == "ABVC BIOPHARMA, INC."
    assert results["filing_date"] == date(2025, 4, 15)
    assert results["acceptance_utc"] == datetime(2025, 4, 15, 20, 30, 25, tzinfo=UTC)
    # the .nc submission states no acceptance time: null, not guessed
    assert _items(items, ACORN) == ["5.02", "9.01"]
    acorn = [r for r in items if r["filing_id"] == ACORN]
    assert {(r["cik"], r["filing_date"], r["acceptance_utc"]) for r in acorn} == {
        (880984, date(2025, 1, 8), None)
    }
    assert all(r["in_header"] and r["in_text"] for r in acorn)
    # primary documents alone: items from the text only, no SEC metadata
    by_cik = {
        cik: sorted(r["item"] for r in items if r["cik"] == cik) for cik in (72333, 1341439, 1084869, 885245)
    }
    assert by_cik == {72333: ["5.02", "9.01"], 1341439: ["5.07"], 1084869: ["5.07"], 885245: ["2.02", "9.01"]}
    local = [r for r in items if r["filing_id"].startswith("local-")]
    assert {(r["accession"], r["filing_date"], r["acceptance_utc"], r["in_header"]) for r in local} == {
        (None, None, None, False)
    }


def test_press_releases_embedded_and_stand_alone(built_lake: Lake) -> None:
    releases = {r["filing_id"]: r for r in _rows(built_lake, PRESS_RELEASES)}
    assert len(releases) == 2
    abvc = releases[ABVC]
    assert (abvc["document"], abvc["exhibit_type"], abvc["title"], abvc["date"], abvc["is_earnings"]) == (
        ABVC_RELEASE,
        "EX-99.1",
        ABVC_TITLE,
        date(2025, 4, 16),
        True,
    )
    assert abvc["text"].startswith("Exhibit 99.1 ABVC BioPharma Announces 2024 Financial Results")
    # Buckle's EX-99.1 is its own file in the mirror, grouped with buckle-8k.htm
    (buckle,) = (r for r in releases.values() if r["cik"] == 885245)
    assert (buckle["document"], buckle["title"], buckle["date"], buckle["is_earnings"]) == (
        "buckle-8k-ex99-1.htm",
        BUCKLE_TITLE,
        date(2024, 11, 22),
        True,
    )
    assert (buckle["accession"], buckle["filing_date"], buckle["acceptance_utc"]) == (None, None, None)


def test_earnings_are_the_8ks_that_announce_results(built_lake: Lake) -> None:
    earnings = {r["ticker"]: r for r in _rows(built_lake, EARNINGS)}
    # Nordstrom, Oracle, 1-800-Flowers and Acorn report items but no results
    assert sorted(earnings) == ["ABVC", "BKE"]
    abvc = earnings["ABVC"]
    assert (abvc["filing_id"], abvc["accession"], abvc["cik"], abvc["source_type"], abvc["title"]) == (
        ABVC,
        ABVC,
        1173313,
        "8-K",
        ABVC_TITLE,
    )
    assert (abvc["report_date"], abvc["filing_date"], abvc["filing_quarter"]) == (
        date(2025, 4, 16),
        date(2025, 4, 15),
        "2025Q2",
    )
    assert abvc["acceptance_utc"] == datetime(2025, 4, 15, 20, 30, 25, tzinfo=UTC)
    assert abvc["filing_url"] == (
        "https://www.sec.gov/Archives/edgar/data/1173313/000121390025032135/ea0238372-8k_abvcbio.htm"
    )
    buckle = earnings["BKE"]
    assert (buckle["cik"], buckle["title"], buckle["report_date"]) == (
        885245,
        BUCKLE_TITLE,
        date(2024, 11, 22),
    )
    # no SEC metadata for this filing: nothing invented
    assert (buckle["accession"], buckle["filing_date"], buckle["acceptance_utc"], buckle["filing_url"]) == (
        None,
        None,
        None,
        None,
    )


def test_news_are_sec_press_releases_in_fd_shape(built_lake: Lake) -> None:
    news = {r["ticker"]: r for r in _rows(built_lake, NEWS)}
    assert sorted(news) == ["ABVC", "BKE"]
    fd = ("ticker", "title", "author", "source", "date", "url", "sentiment")
    assert {k: news["ABVC"][k] for k in fd} == {
        "ticker": "ABVC",
        "title": ABVC_TITLE,
        "author": None,
        "source": "SEC 8-K",
        "date": date(2025, 4, 16),
        "url": f"https://www.sec.gov/Archives/edgar/data/1173313/000121390025032135/{ABVC_RELEASE}",
        "sentiment": None,
    }
    assert {k: news["BKE"][k] for k in fd} == {
        "ticker": "BKE",
        "title": BUCKLE_TITLE,
        "author": None,
        "source": "SEC 8-K",
        "date": date(2024, 11, 22),
        "url": None,
        "sentiment": None,
    }
