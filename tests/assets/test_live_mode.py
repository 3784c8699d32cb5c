"""Live mode end to end: the real EDGAR assets against the loopback SEC (real sockets, the real HTTP client).

The loopback server answers SEC URL paths from the offline mirror and 404s everything else, so a live build of
2020Q1 sees exactly one published daily index (2020-03-18), Tesla's newest submissions feed (with its overflow
page) and no full submission of the watched 10-K filer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow.compute as pc
import pytest

from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, EDGAR_INDEX_FILES, EDGAR_INVENTORY, FILINGS, SEC_SUBMISSIONS
from tests.support.build import build_lake
from tests.support.sec_server import SecServer

TESLA = 1318605
#: 89bio, Inc.: files a 10-K (and an 8-K, an S-8) on 2020-03-18; the mirror has none of its submissions.
BIO89 = 1785173
BIO89_10K = "0001564590-20-011636"
USER_AGENT = "AIHF tests tests@example.com"
DAILY_INDEX_DIR = "/Archives/edgar/daily-index/2020/QTR1"


def _weekdays(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5]


def _open(uri: str) -> Lake:
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))


def _failure_messages(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Step key -> the error message (with its causes) of every failed step."""
    messages = {}
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        parts = []
        while error is not None:
            parts.append(error.message)
            error = error.cause
        messages[event.step_key or ""] = "\n".join(parts)
    return messages


@pytest.fixture
def live_env(monkeypatch: pytest.MonkeyPatch, sec_server: SecServer) -> SecServer:
    """Live mode pointed at the loopback SEC, watching Tesla and 89bio, keeping only 10-Ks."""
    monkeypatch.setenv("EDGAR_SOURCE", "live")
    monkeypatch.setenv("SEC_USER_AGENT", USER_AGENT)
    monkeypatch.setenv("SEC_WWW_URL", sec_server.base_url)
    monkeypatch.setenv("SEC_DATA_URL", sec_server.base_url)
    monkeypatch.setenv("EDGAR_CIKS", f"{TESLA},{BIO89}")
    monkeypatch.setenv("EDGAR_FORMS", "10-K")
    monkeypatch.setenv(
        "EDGAR_FETCH", "full"
    )  # the full .txt (documents mode: tests/assets/test_selective_fetch.py)
    return sec_server


def test_live_build_of_2020q1_against_the_loopback_sec(live_env: SecServer, tmp_path: Path) -> None:
    uri = str(tmp_path / "lakehouse")
    result = build_lake(uri, quarters=("2020Q1", "2020Q1"), raise_on_error=False)

    # a filing that cannot be fetched is a row with status 'error', not a failed run; the only failed checks
    # are the non-blocking non_empty ones of edgar_inventory (live mode has no mirror to inventory) and of
    # raw_documents (the one filing had no document to store), and so of everything parsed from documents
    # (the metrics too; the factor panel has rows: momentum and volatility need prices only)
    assert result.success, _failure_messages(result)
    failed_checks = sorted(
        (str(e.asset_key.to_user_string()), e.check_name)
        for e in result.get_asset_check_evaluations()
        if not e.passed
    )
    empty = [
        "balance_sheets",
        "cash_flow_statements",
        "edgar_inventory",
        "fact_footnotes",
        "facts",
        "income_statements",
    ]
    empty += ["concept_labels", "linkbase_arcs", "raw_documents", "restatements", "statement_values"]
    empty += ["cusip_map", "insider_trades", "institutional_holdings", "thirteenf_filings"]
    empty += ["holdings_changes", "holdings_quarter"]
    empty += ["earnings", "eightk_items", "news", "press_releases", "report_items"]
    empty += [
        "financial_metrics",
        "financial_metrics_snapshot",
        "valuation_daily",
    ]  # no statements: no metrics
    assert failed_checks == [(name, "non_empty") for name in sorted(empty)]
    # the 10-K that could not be fetched is reported by the XBRL stage too, not silently absent
    xbrl = read_table(_open(uri), "xbrl_filings").to_pylist()
    assert [(r["form"], r["status"]) for r in xbrl] == [("10-K", "no-xbrl")]
    lake = _open(uri)
    assert read_table(lake, EDGAR_INVENTORY).num_rows == 0

    # sec_submissions: Tesla's newest feed (tesla-2026: 1,002 recent filings) plus its overflow page (720);
    # 89bio's feed is a 404 and is skipped
    subs = read_table(lake, SEC_SUBMISSIONS)
    assert subs.num_rows == 1722
    assert set(subs["cik"].to_pylist()) == {TESLA}
    assert max(subs["filing_date"].to_pylist()) == date(2026, 2, 27)
    assert min(subs["filing_date"].to_pylist()) == date(2005, 2, 17)
    by_accession = {r["accession"]: r for r in subs.to_pylist()}
    q2_2024 = by_accession["0001628280-24-032662"]
    assert q2_2024["form"] == "10-Q"
    assert q2_2024["acceptance_raw"] == "2024-07-23T23:41:09.000Z"
    assert q2_2024["acceptance_utc"] == datetime(2024, 7, 23, 23, 41, 9, tzinfo=UTC)
    assert q2_2024["source"] == "/submissions/CIK0001318605.json"
    # the 2019 10-K: the 2026 feed's 12:12:18Z is true UTC (its SGML header says 07:12:18 Eastern)
    assert by_accession["0001564590-20-004475"]["acceptance_utc"] == datetime(
        2020, 2, 13, 12, 12, 18, tzinfo=UTC
    )

    # edgar_index_files: every weekday of 2020Q1 was asked for; only 2020-03-18 is published on the loopback
    files = {r["index_file"]: r for r in read_table(lake, EDGAR_INDEX_FILES).to_pylist()}
    weekdays = _weekdays(date(2020, 1, 1), date(2020, 3, 31))
    assert len(weekdays) == 65
    assert set(files) == {f"{DAILY_INDEX_DIR}/form.{d:%Y%m%d}.idx" for d in weekdays}
    ok = files.pop(f"{DAILY_INDEX_DIR}/form.20200318.idx")
    assert (ok["status"], ok["rows"], ok["index_date"], ok["filing_quarter"], ok["error"]) == (
        "ok",
        4084,
        date(2020, 3, 18),
        "2020Q1",
        None,
    )
    assert {r["status"] for r in files.values()} == {"missing"}
    assert {r["rows"] for r in files.values()} == {0}
    assert files[f"{DAILY_INDEX_DIR}/form.20200102.idx"]["index_date"] == date(2020, 1, 2)

    # edgar_index: the 2020-03-18 entries, all forms (the form filter applies to what is fetched); the index
    # lists some fund filings once per series (same accession, CIK and form), kept once: 4,084 lines, 4,031 rows;
    # 3,890 of them were filed that day, the others earlier (late dissemination)
    index = read_table(lake, EDGAR_INDEX)
    assert index.num_rows == 4031
    assert set(index["index_file"].to_pylist()) == {f"{DAILY_INDEX_DIR}/form.20200318.idx"}
    assert set(index["filing_quarter"].to_pylist()) == {"2020Q1"}
    assert index.filter(pc.field("date_filed") == date(2020, 3, 18)).num_rows == 3890
    bio = sorted((r["form"], r["accession"]) for r in index.to_pylist() if r["cik"] == BIO89)
    assert bio == [
        ("10-K", BIO89_10K),
        ("8-K", "0001193125-20-077146"),
        ("S-8", "0001193125-20-077307"),
    ]

    # filings: the one 10-K of the watched filers, which the SEC (loopback) does not have
    filings = read_table(lake, FILINGS).to_pylist()
    assert len(filings) == 1
    filing = filings[0]
    submission = f"/Archives/edgar/data/{BIO89}/{BIO89_10K.replace('-', '')}/{BIO89_10K}.txt"
    assert (filing["filing_id"], filing["accession"], filing["cik"], filing["form"]) == (
        BIO89_10K,
        BIO89_10K,
        BIO89,
        "10-K",
    )
    assert (filing["status"], filing["document_count"], filing["filing_quarter"]) == ("error", 0, "2020Q1")
    assert filing["company_name"] == "89bio, Inc."
    assert filing["filing_date"] == date(2020, 3, 18)
    assert filing["source"] == submission
    assert len(filing["errors"]) == 1
    error = filing["errors"][0]
    assert error.startswith(f"{submission}: GET {live_env.base_url}{submission} failed after 1 attempt")
    assert "404" in error
    assert "not in the offline EDGAR mirror" not in error  # the body is not the reason; the status is
    assert read_table(lake, "raw_documents").num_rows == 0

    # the wire: the one 404 was not retried, every request declared itself, at most 10 in any second
    requests = live_env.requests
    assert len(live_env.requests_for(submission)) == 1
    paths = [r.path for r in requests]
    assert sorted(p for p in paths if p.startswith("/submissions/")) == [
        "/submissions/CIK0001318605-submissions-001.json",
        "/submissions/CIK0001318605.json",
        "/submissions/CIK0001785173.json",
    ]
    assert paths.count("/files/company_tickers.json") == 1
    assert len([p for p in paths if p.startswith(DAILY_INDEX_DIR)]) == 65
    assert len(requests) == 65 + 3 + 1 + 1
    assert {r.headers.get("User-Agent") for r in requests} == {USER_AGENT}
    times = sorted(r.t for r in requests)
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    assert busiest <= 10
    assert times[-1] - times[0] >= 6.0  # 70 requests at <= 10/s cannot take less than ~6 s

    # a second run does not fetch an index it already read; it retries the missing days and the failed filing
    seen = len(requests)
    assert build_lake(uri, quarters=("2020Q1", "2020Q1"), raise_on_error=False).success
    again = [r.path for r in live_env.requests[seen:]]
    assert f"{DAILY_INDEX_DIR}/form.20200318.idx" not in again
    assert len([p for p in again if p.startswith(DAILY_INDEX_DIR)]) == 64
    assert again.count(submission) == 1
    assert read_table(lake, "edgar_index").num_rows == 4031


def test_live_mode_without_user_agent_fails_and_says_how_to_fix_it(
    live_env: SecServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEC_USER_AGENT", "")  # empty in the environment wins over any .env value
    result = build_lake(str(tmp_path / "lakehouse"), quarters=("2020Q1", "2020Q1"), raise_on_error=False)

    assert not result.success
    messages = _failure_messages(result)
    # the two root assets that open the SEC source fail before sending anything; the rest never start
    assert set(messages) == {"sec_reference", "edgar_daily_index"}
    assert result.get_asset_materialization_events() == []
    for step, message in messages.items():
        assert "set SEC_USER_AGENT=" in message, (step, message)
        assert (
            "ValueError: the SEC requires a User-Agent that names you and gives an e-mail address" in message
        )
    assert live_env.requests == []
