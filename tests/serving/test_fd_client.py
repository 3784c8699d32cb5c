"""ai-hedge-fund v2's own FinancialDatasets client, unmodified, against our server on a loopback port.

The client is read from AIHF_SHARED_DIR/clients/ai-hedge-fund-v2 (never copied); the only change a user makes
is ``FDClient.BASE_URL``. Every ``get_*`` method is called for tickers of the offline lake, its pydantic models
must parse, the values must equal the lake's, and ``next_page_url`` walks must end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake


@pytest.fixture(scope="module")
def fd(served: str) -> Iterator[Any]:
    """An FDClient of the real ai-hedge-fund v2 code pointed at our server, recording every URL it requests."""
    root = str(Path(Settings.from_env().shared_dir) / "clients" / "ai-hedge-fund-v2")
    sys.path.insert(0, root)
    try:
        from hedge_fund.data.client import FDClient

        FDClient.BASE_URL = served  # the one line a user changes
        client = FDClient(api_key="any-key")
        client.urls = []  # type: ignore[attr-defined]
        client._session.hooks["response"].append(lambda r, *a, **k: client.urls.append(r.url))  # type: ignore[attr-defined]
        yield client
        client.close()
    finally:
        sys.path.remove(root)
        for name in [m for m in sys.modules if m == "hedge_fund" or m.startswith("hedge_fund.")]:
            del sys.modules[name]


def _rows(lake: Lake, name: str, **equal: Any) -> list[dict[str, Any]]:
    rows = read_table(lake, name).to_pylist()
    return [r for r in rows if all(r.get(k) == v for k, v in equal.items())]


def test_insider_trades_parse_equal_the_lake_and_pages_walk(fd: Any, served: str, built_lake: Lake) -> None:
    """ARW's Form 4 rows arrive one per page (API_PAGE_SIZE=1), newest first, equal to the lake's."""
    fd.urls.clear()
    trades = fd.get_insider_trades("ARW", end_date="2025-12-31", start_date="2025-01-01")
    lake_rows = _rows(built_lake, "insider_trades", ticker="ARW")
    assert len(trades) == len(lake_rows) == 2
    assert {(t.name, t.transaction_shares, t.filing_date) for t in trades} == {
        (r["name"], r["transaction_shares"], r["filing_date"].isoformat()) for r in lake_rows
    }
    assert trades[0].name == "Jean-Claude Carine Lamercie"
    assert trades[0].transaction_shares == -1009.0
    assert trades[0].transaction_price_per_share == 106.82
    assert trades[0].issuer == "ARROW ELECTRONICS, INC."
    assert (
        len(fd.urls) == 2 and fd.urls[1].startswith(served + "/insider-trades/?") and "cursor=" in fd.urls[1]
    )
    assert fd.get_insider_trades("ARW", end_date="2025-02-12") == []  # filed 2025-02-13: after the bound


def test_company_facts_and_market_cap(fd: Any, built_lake: Lake) -> None:
    """Company facts come from the companies table (cik as text, as the v2 model types it)."""
    facts = fd.get_company_facts("AAPL")
    row = _rows(built_lake, "companies", cik=320193)[0]
    assert (
        (facts.ticker, facts.name, facts.cik)
        == ("AAPL", row["name"], "320193")
        == ("AAPL", "Apple Inc.", "320193")
    )
    assert facts.sic_code == row["sic"] == "3571"
    assert fd.get_company_facts("ZZZZZ") is None  # 404 = no data
    # The client's own bug: its CompanyFacts model has no market_cap field, so get_market_cap raises whenever
    # /company/facts answers (against FinancialDatasets too). Our response does carry the key.
    with pytest.raises(AttributeError, match="market_cap"):
        fd.get_market_cap("AAPL", "2025-12-31")
    body = fd._session.get(fd.BASE_URL + "/company/facts/", params={"ticker": "AAPL"}).json()
    assert "market_cap" in body["company_facts"]


def test_news_earnings_and_history(fd: Any, built_lake: Lake) -> None:
    """BKE's 8-K earnings release is its news item and its earnings record."""
    news = fd.get_news("BKE", end_date="2025-12-31", start_date="2024-01-01")
    lake_news = _rows(built_lake, "news", ticker="BKE")
    assert [(n.title, n.date) for n in news] == [(r["title"], r["date"].isoformat()) for r in lake_news]
    assert news[0].title == "THE BUCKLE, INC. REPORTS THIRD QUARTER NET INCOME"
    earnings = fd.get_earnings("BKE")
    assert (earnings.ticker, earnings.report_period) == ("BKE", "2024-11-22")
    history = fd.get_earnings_history("BKE")
    assert [(h.source_type, h.report_period) for h in history] == [("8-K", "2024-11-22")]
    assert fd.get_earnings("AAPL") is None  # no earnings release of AAPL in the lake


def test_prices_parse_and_equal_the_lake(fd: Any, built_lake: Lake) -> None:
    """Daily bars parse as the v2 Price model and equal the lake's bars (an empty list when it has none)."""
    bars = fd.get_prices("AAPL", "2024-01-02", "2024-01-12")
    lake_bars = sorted(
        (
            r
            for r in _rows(built_lake, "prices", ticker="AAPL")
            if "2024-01-02" <= r["date"].isoformat() <= "2024-01-12"
        ),
        key=lambda r: r["date"],
    )
    assert [(b.time[:10], b.close, b.volume) for b in bars] == [
        (r["date"].isoformat(), r["close"], r["volume"]) for r in lake_bars
    ]
    assert all(isinstance(b.volume, int) for b in bars)


def test_financial_metrics_point_in_time(fd: Any, built_lake: Lake) -> None:
    """Metrics rows (when the metrics table exists) are only those filed by end_date."""
    metrics = fd.get_financial_metrics("AAPL", end_date="2024-12-31", period="ttm", limit=4)
    assert all(m.filing_date is None or m.filing_date <= "2024-12-31" for m in metrics)
    assert all(m.ticker == "AAPL" for m in metrics)


def test_statements_through_the_client_walk(fd: Any, built_lake: Lake) -> None:
    """The client's own GET + next_page_url machinery on /financials/income-statements returns the lake's revenue."""
    rows = fd._get(
        "/financials/income-statements/",
        {"ticker": "AAPL", "period": "annual", "limit": 2, "filing_date_lte": "2024-12-31"},
        response_key="income_statements",
    )
    assert [(r["report_period"], r["revenue"]) for r in rows] == [
        ("2024-09-28", 391035000000.0),
        ("2023-09-30", 383285000000.0),
    ]
    lake_row = next(
        r
        for r in _rows(built_lake, "income_statements", cik=320193, period="annual", version="latest")
        if r["report_period"].isoformat() == "2024-09-28"
    )
    assert rows[0]["revenue"] == lake_row["revenue"]
