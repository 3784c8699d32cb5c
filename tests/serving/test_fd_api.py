"""The FinancialDatasets-compatible surface, point by point against fd-api.md §6, with values from the lake."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar.testing import TestClient

from lake.delta import read_table
from lake.prices.query import price_bars
from lake.registry import table
from lake.storage import Lake
from lake.tables import FINANCIAL_METRIC_FIELDS, INCOME_FIELDS
from serving.fd.schemas import InsiderTrade

Client = TestClient  # type: ignore[type-arg]


def test_both_trailing_slash_forms_answer_the_same(client: Client) -> None:
    """§6.1: every path with and without a trailing slash."""
    for path in ("/financials/income-statements", "/company/facts", "/insider-trades", "/filings", "/news"):
        with_slash = client.get(path + "/", params={"ticker": "AAPL" if "news" not in path else "BKE"})
        without = client.get(path, params={"ticker": "AAPL" if "news" not in path else "BKE"})
        assert with_slash.status_code == without.status_code
        assert with_slash.json() == without.json()


def test_every_documented_key_is_present(client: Client) -> None:
    """§6.3: statement rows carry every FD field (null when unknown), currency a string, filing stamps."""
    body = client.get(
        "/financials/income-statements/", params={"ticker": "AAPL", "period": "quarterly", "limit": 3}
    ).json()
    rows = body["income_statements"]
    assert len(rows) == 3
    for row in rows:
        assert set(INCOME_FIELDS) <= row.keys()
        assert {
            "ticker",
            "report_period",
            "fiscal_period",
            "period",
            "currency",
            "filing_date",
            "filing_datetime",
        } <= row.keys()
        assert isinstance(row["currency"], str)
    assert [r["report_period"] for r in rows] == ["2025-06-28", "2025-03-29", "2024-09-28"]  # newest first
    assert rows[0]["revenue"] == 94036000000.0
    metrics = client.get("/financial-metrics/", params={"ticker": "AAPL", "period": "ttm", "limit": 1}).json()
    assert set(FINANCIAL_METRIC_FIELDS) <= metrics["financial_metrics"][0].keys()


def test_statement_values_equal_the_lake(client: Client, built_lake: Lake) -> None:
    """Revenue and net income of every annual AAPL row equal the lake's latest version."""
    body = client.get(
        "/financials/income-statements", params={"ticker": "AAPL", "period": "annual", "limit": 10}
    ).json()
    lake_rows = {
        r["report_period"].isoformat(): r
        for r in read_table(built_lake, "income_statements", filters=[("cik", "=", 320193)]).to_pylist()
        if r["period"] == "annual" and r["version"] == "latest"
    }
    assert len(body["income_statements"]) == len(lake_rows) == 5
    for row in body["income_statements"]:
        assert (row["revenue"], row["net_income"]) == (
            lake_rows[row["report_period"]]["revenue"],
            lake_rows[row["report_period"]]["net_income"],
        )


def test_filing_date_lte_gives_the_version_public_then(client: Client, built_lake: Lake) -> None:
    """§6.5: with filing_date_lte before a restating filing, the row is the first-reported version."""
    rows = read_table(
        built_lake, "income_statements", filters=[("cik", "=", 320193), ("period", "=", "quarterly")]
    )
    by_version = {r["version"]: r for r in rows.to_pylist() if r["report_period"].isoformat() == "2024-09-28"}
    assert by_version["first"]["filing_date"].isoformat() == "2024-11-01"
    assert by_version["latest"]["filing_date"].isoformat() == "2025-08-01"
    params = {"ticker": "AAPL", "period": "quarterly", "limit": 1, "report_period_lte": "2024-09-28"}
    early = client.get(
        "/financials/income-statements", params={**params, "filing_date_lte": "2024-12-31"}
    ).json()
    late = client.get("/financials/income-statements", params=params).json()
    assert early["income_statements"][0]["accession_number"] == by_version["first"]["accession_number"]
    assert late["income_statements"][0]["accession_number"] == by_version["latest"]["accession_number"]
    metrics = client.get(
        "/financial-metrics", params={"ticker": "AAPL", "filing_date_lte": "2024-12-31", "limit": 10}
    ).json()
    assert metrics["financial_metrics"] and all(
        m["filing_date"] <= "2024-12-31" for m in metrics["financial_metrics"]
    )


def test_prices_volume_int_and_next_page_url_walks(client: Client, built_lake: Lake) -> None:
    """§6.3/§6.6: volume is an int; pages (2 bars here) link by an absolute next_page_url until the end."""
    url: str | None = (
        "/prices/?ticker=AAPL&interval=day&interval_multiplier=1&start_date=2024-01-02&end_date=2024-01-08"
    )
    bars: list[dict[str, Any]] = []
    pages = 0
    while url:
        body = client.get(url).json()
        bars += body["prices"]
        url = body.get("next_page_url")
        assert url is None or url.startswith("http://testserver.local/prices/?")
        pages += 1
    lake_bars = sorted(
        (r for r in read_table(built_lake, "prices", filters=[("ticker", "=", "AAPL"), ("year", "=", 2024)]).to_pylist()
         if "2024-01-02" <= r["date"].isoformat() <= "2024-01-08"),
        key=lambda r: r["date"],
    )  # fmt: skip
    assert pages == 3 and len(bars) == len(lake_bars) == 5
    assert [(b["time"][:10], b["close"], b["volume"]) for b in bars] == [
        (r["date"].isoformat(), r["close"], r["volume"]) for r in lake_bars
    ]
    assert all(type(b["volume"]) is int for b in bars)
    assert bars[0]["close"] == 185.639999  # AAPL close on 2024-01-02 in ../shared/prices


def test_weekly_bars_aggregate_the_days(client: Client) -> None:
    """interval=week: first open, highest high, lowest low, last close, summed volume of the week's days."""
    days = client.get(
        "/prices", params={"ticker": "AAPL", "start_date": "2024-01-08", "end_date": "2024-01-12"}
    ).json()
    url = days["next_page_url"]
    while url:  # the test client pages 2 bars at a time
        body = client.get(url).json()
        days["prices"] += body["prices"]
        url = body["next_page_url"]
    weeks = client.get(
        "/prices",
        params={"ticker": "AAPL", "start_date": "2024-01-08", "end_date": "2024-01-12", "interval": "week"},
    ).json()
    d, (w,) = days["prices"], weeks["prices"]
    assert (w["open"], w["close"]) == (d[0]["open"], d[-1]["close"])
    assert w["high"] == max(x["high"] for x in d) and w["low"] == min(x["low"] for x in d)
    assert w["volume"] == sum(x["volume"] for x in d)


def test_multi_period_bars_are_the_lakes_resampling(client: Client, built_lake: Lake) -> None:
    """interval_multiplier: the API's bars are lake.prices.query's, bucket for bucket (one definition)."""
    start, end = date(2023, 1, 1), date(2023, 12, 31)
    for interval, multiplier in (("month", 2), ("week", 3), ("day", 5), ("year", 1)):
        body = client.get(
            "/prices",
            params={"ticker": "AAPL", "start_date": start.isoformat(), "end_date": end.isoformat(),
                    "interval": interval, "interval_multiplier": multiplier},
        ).json()  # fmt: skip
        bars = body["prices"]
        url = body["next_page_url"]
        while url:
            body = client.get(url).json()
            bars += body["prices"]
            url = body["next_page_url"]
        lake_bars = price_bars(built_lake, "AAPL", interval, multiplier, start, end).to_pylist()
        assert [(b["time"][:10], b["open"], b["high"], b["low"], b["close"], b["volume"]) for b in bars] == [
            (b["time"].isoformat(), b["open"], b["high"], b["low"], b["close"], b["volume"])
            for b in lake_bars
        ], (interval, multiplier)
        if (interval, multiplier) == ("month", 2):  # Jan-Feb, Mar-Apr... of 2023, from the first bar's month
            assert [b["time"][:10] for b in bars] == [
                "2023-01-03", "2023-03-01", "2023-05-01", "2023-07-03", "2023-09-01", "2023-11-01"
            ]  # fmt: skip


def test_intraday_intervals_are_refused_plainly(client: Client) -> None:
    """The lake holds daily bars: minute bars are a 400 that says so, not an empty list."""
    response = client.get(
        "/prices",
        params={"ticker": "AAPL", "start_date": "2024-01-02", "end_date": "2024-01-05", "interval": "minute"},
    )
    assert response.status_code == 400
    assert "daily bars only" in response.json()["message"]
    response = client.get(
        "/prices",
        params={
            "ticker": "AAPL",
            "start_date": "2024-01-02",
            "end_date": "2024-01-05",
            "interval_multiplier": 0,
        },
    )
    assert response.status_code == 400
    assert "interval_multiplier" in response.json()["message"]


def test_line_items_limit_per_ticker_and_echo(client: Client) -> None:
    """§6.4: limit applies per ticker; every requested item is echoed, derived ones computed or null."""
    items = ["revenue", "gross_margin", "operating_margin", "debt_to_equity", "ebitda", "working_capital",
             "book_value_per_share", "free_cash_flow", "return_on_invested_capital", "outstanding_shares"]  # fmt: skip
    body = client.post(
        "/financials/search/line-items",
        json={
            "tickers": ["AAPL", "NVDA"],
            "line_items": items,
            "period": "annual",
            "limit": 2,
            "end_date": "2025-06-30",
        },
    ).json()
    results = body["search_results"]
    assert [r["ticker"] for r in results] == ["AAPL", "AAPL", "NVDA", "NVDA"]
    for row in results:
        assert set(items) <= row.keys() and isinstance(row["currency"], str)
    aapl = results[0]
    assert aapl["report_period"] == "2024-09-28" and aapl["revenue"] == 391035000000.0
    assert aapl["gross_margin"] == 180683000000.0 / 391035000000.0
    unknown = client.post(
        "/financials/search/line-items", json={"tickers": ["AAPL"], "line_items": ["nonsense"]}
    )
    assert unknown.status_code == 400 and set(unknown.json()) == {"error", "message"}


def test_insider_trades_newest_first_with_every_key(client: Client) -> None:
    """§6.6: insider trades newest filing first; rows carry every InsiderTrade key."""
    body = client.get("/insider-trades", params={"ticker": "ARW", "limit": 10}).json()
    rows = (
        body["insider_trades"] + client.get(body["next_page_url"]).json()["insider_trades"]
        if body["next_page_url"]
        else body["insider_trades"]
    )
    assert [r["filing_date"] for r in rows] == sorted((r["filing_date"] for r in rows), reverse=True)
    assert all(set(InsiderTrade.__struct_fields__) <= r.keys() for r in rows)


def test_institutional_ownership_hyphenated_key(client: Client, built_lake: Lake) -> None:
    """§6.9: the older 13F endpoint answers under the literal key 'institutional-ownership'."""
    body = client.get("/institutional-ownership", params={"ticker": "AAPL"}).json()
    rows = body["institutional-ownership"]
    holdings = [
        r for r in read_table(built_lake, "institutional_holdings").to_pylist() if r["cusip"] == "037833100"
    ]
    assert rows and rows[0]["shares"] == sum(
        r["shares_or_principal"] for r in holdings if r["filer_cik"] == 1994827
    )


def test_errors_have_fd_shape(client: Client) -> None:
    """§6.7 and bad parameters: 404 for a ticker without data, 400 for bad dates/limits, always {error, message}."""
    cases = [
        ("/financials/income-statements?ticker=ZZZZZ", 404),
        ("/insider-trades?ticker=ZZZZZ", 404),
        ("/prices?ticker=AAPL&start_date=2024-13-01&end_date=2024-12-31", 400),
        ("/prices?ticker=AAPL&start_date=2024-02-01&end_date=2024-01-01", 400),
        ("/financials/income-statements?ticker=AAPL&limit=100000", 400),
        ("/financials/income-statements?ticker=AAPL&period=weekly", 400),
        ("/financials/income-statements?ticker=AAPL&limit=abc", 400),
        ("/company/facts", 400),
    ]
    for url, status in cases:
        response = client.get(url)
        assert response.status_code == status, url
        assert set(response.json()) == {"error", "message"}, url


def test_statement_rows_narrowed_by_limit_equal_the_full_answer(built_lake: Lake) -> None:
    """Narrowing to the newest ``limit`` report periods before building dicts changes no answer."""
    from serving.fd.statements import STATEMENTS, period_rows
    from serving.layouts import LAYOUTS
    from serving.query import Store

    store = Store(built_lake, LAYOUTS, refresh_s=0)
    compared = 0
    for name in [spec[0] for spec in STATEMENTS.values()] + ["financial_metrics"]:
        for cik in sorted(set(read_table(built_lake, table(name)).column("cik").to_pylist())):
            for period in ("annual", "quarterly", "ttm"):
                full = period_rows(store, name, cik, period, [])
                for limit in (1, 3, 8):
                    assert period_rows(store, name, cik, period, [], limit)[:limit] == full[:limit]
                    compared += 1
    assert compared > 100
    store.close()
