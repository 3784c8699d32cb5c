"""The plan's rows-per-response cap holds on every list endpoint of both faces (one mechanism: serve's row_cap).

A caller whose plan allows 1 row gets at most 1 row in every list of every list endpoint, where an uncapped
caller gets several; paginated lists continue at their next page. Every GET/POST route of the app is either
checked here or listed as not a list (so a new list endpoint cannot be forgotten).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from litestar.testing import TestClient

from lake.storage import Lake
from serving.access import Principal
from serving.app import create_app
from tests.serving.conftest import lake_settings


class CapAccess:
    """Key 'capped' is a 1-row plan, any other key unlimited."""

    async def authenticate(self, api_key: str | None, path: str, client: str | None = None) -> Principal:
        if api_key == "capped":
            return Principal(key_id="c", plan="tiny", max_rows=1)
        return Principal(key_id="o", plan="open")

    async def meter(self, principal: Principal, path: str, status: int, rows: int) -> None:
        return None

    async def usage(self, principal: Principal, days: int = 7) -> dict[str, Any]:
        return {}

    @property
    def on_startup(self) -> Sequence[Callable[[], Awaitable[None]]]:
        return ()

    @property
    def on_shutdown(self) -> Sequence[Callable[[], Awaitable[None]]]:
        return ()


#: (method, URL, JSON body) of a request to every list endpoint that has several rows in the test lake
LISTS: list[tuple[str, str, Any]] = [
    ("GET", "/prices?ticker=AAPL&start_date=2024-01-01&end_date=2024-12-31", None),
    ("GET", "/prices?ticker=AAPL&start_date=2024-01-01&end_date=2024-12-31&interval=week", None),
    ("GET", "/prices/tickers", None),
    ("GET", "/prices/snapshot/tickers", None),
    ("GET", "/financials/income-statements?ticker=AAPL&period=quarterly&limit=8", None),
    ("GET", "/financials/balance-sheets?ticker=AAPL&period=quarterly&limit=8", None),
    ("GET", "/financials/cash-flow-statements?ticker=AAPL&period=quarterly&limit=8", None),
    ("GET", "/financials?ticker=AAPL&period=quarterly&limit=8", None),
    ("GET", "/financials/tickers", None),
    ("GET", "/financials/income-statements/tickers", None),
    ("GET", "/financials/balance-sheets/tickers", None),
    ("GET", "/financials/cash-flow-statements/tickers", None),
    (
        "POST",
        "/financials/search/line-items",
        {"tickers": ["AAPL", "NFLX", "NVDA"], "line_items": ["revenue"], "period": "annual", "limit": 5},
    ),
    ("GET", "/financial-metrics?ticker=AAPL&period=quarterly&limit=8", None),
    ("GET", "/financial-metrics/tickers", None),
    ("POST", "/financials/search/screener", {"filters": [], "limit": 10}),
    ("GET", "/insider-trades?ticker=ARW&limit=10", None),
    ("GET", "/insider-trades/names?ticker=SNOW", None),
    ("GET", "/insider-trades/tickers", None),
    ("GET", "/insider-ownership?ticker=SNOW&limit=10", None),
    ("GET", "/institutional-holdings?filer_cik=123456789&limit=50", None),
    ("GET", "/institutional-holdings/investors", None),
    ("GET", "/institutional-ownership/investors", None),
    ("GET", "/institutional-ownership?ticker=AAPL&limit=50", None),
    ("GET", "/institutional-ownership/tickers", None),
    ("GET", "/institutional-holdings/tickers", None),
    ("GET", "/filings?ticker=AAPL&limit=10", None),
    ("GET", "/company/facts/tickers", None),
    ("GET", "/earnings/press-releases?ticker=BKE&limit=10", None),
    ("GET", "/news?ticker=BKE&limit=10", None),
    ("GET", "/news/tickers", None),
    ("GET", "/earnings/tickers", None),
    ("GET", "/v1/companies/search?q=a", None),
    ("GET", "/v1/filings?limit=10", None),
    ("GET", "/v1/companies/320193/filings?limit=10", None),
    ("GET", "/v1/statements?ticker=AAPL&stmt=income&limit=10", None),
    ("GET", "/v1/statements/{statement_filing}", None),
    ("GET", "/v1/holdings/13f?ticker=AAPL&limit=10", None),
    ("GET", "/v1/holdings/13f/{holdings_filing}", None),
    ("GET", "/v1/signals?limit=10", None),
    ("GET", "/v1/signals/{signal_filing}", None),
    ("GET", "/v1/factors?limit=10", None),
]

#: list endpoints whose every answer in the test lake has one row (only the cap's upper bound is checked)
ONE_ROW_IN_LAKE = {"/earnings/press-releases", "/news", "/v1/signals/{signal_filing}"}

#: routes that are not lists of rows: one object, or a fixed structure of one document
NOT_LISTS = {
    "/health", "/health/floor", "/prices/snapshot", "/financial-metrics/snapshot", "/company/facts",
    "/financials/search/screener/filters", "/filings/items", "/filings/items/types", "/earnings",
    "/v1/companies/{cik:int}", "/v1/filings/{accession:str}", "/v1/filings/{accession:str}/raw", "/v1/usage",
    "/v1/auth/token", "/v1/billing/webhook",
}  # fmt: skip


def _lists(body: Any, depth: int = 0) -> list[list[Any]]:
    """Every list in the top two levels of a JSON body."""
    found: list[list[Any]] = []
    if isinstance(body, dict) and depth < 2:
        for value in body.values():
            if isinstance(value, list):
                found.append(value)
            else:
                found += _lists(value, depth + 1)
    return found


def _route(url: str) -> str:
    return url.split("?")[0]


@pytest.fixture(scope="module")
def api(built_lake: Lake) -> Any:
    app = create_app(lake_settings(built_lake, AIHF_AUTH="on"), built_lake, CapAccess(), page_size=1000)
    with TestClient(app, base_url="http://testserver.local") as client:
        open_ = {"x-api-key": "open"}
        signals = client.get("/v1/signals?limit=1000", headers=open_).json()["data"]
        ids = {
            "statement_filing": client.get(
                "/v1/statements?ticker=AAPL&stmt=income&limit=1", headers=open_
            ).json()["data"][0]["accession_number"],
            "signal_filing": Counter(r["accession"] for r in signals).most_common(1)[0][0],
        }
        holdings = client.get("/v1/holdings/13f?ticker=AAPL&limit=1", headers=open_).json()["data"]
        ids["holdings_filing"] = holdings[0]["filing_ids"][0]
        yield client, ids


def test_every_route_is_checked_or_not_a_list(built_lake: Lake) -> None:
    app = create_app(lake_settings(built_lake), built_lake)
    routes = {r.path for r in app.routes if not r.path.startswith("/schema")}
    routes = {r.rstrip("/") or "/" for r in routes}
    checked = {_route(url).replace("{statement_filing}", "{filing_id:str}") for _, url, _ in LISTS}
    checked = {c.replace("{signal_filing}", "{filing_id:str}").replace("{holdings_filing}", "{filing_id:str}")
               for c in checked}  # fmt: skip
    checked = {c.replace("/320193/", "/{cik:int}/") for c in checked}
    assert routes - checked - NOT_LISTS == set()


@pytest.mark.parametrize(("method", "url", "body"), LISTS, ids=[f"{m} {_route(u)}" for m, u, _ in LISTS])
def test_list_endpoint_holds_the_plan_cap(api: Any, method: str, url: str, body: Any) -> None:
    client, ids = api
    route, url = _route(url), url.format(**ids)
    answers = {}
    for key in ("open", "capped"):
        response = client.request(method, url, json=body, headers={"x-api-key": key})
        assert response.status_code == 200, (key, response.text[:300])
        answers[key] = response.json()
    if route not in ONE_ROW_IN_LAKE:
        assert max(len(rows) for rows in _lists(answers["open"])) > 1, "the test needs several rows"
    assert max(len(rows) for rows in _lists(answers["capped"])) == 1
    if route in ONE_ROW_IN_LAKE:
        return
    more = answers["capped"].get("next_page_url") or (answers["capped"].get("meta") or {}).get("has_more")
    paginated = "next_page_url" in answers["open"] or "meta" in answers["open"]
    if paginated and url.startswith(("/prices", "/v1/")):
        assert more, "a capped page says where the rest is"


def test_free_prices_walk_in_capped_pages(api: Any) -> None:
    """/prices under a 1-row plan: pages of 1 bar, and following next_page_url gives every bar once."""
    client, _ = api
    url = "/prices?ticker=AAPL&start_date=2024-01-02&end_date=2024-01-12"
    everything = client.get(url, headers={"x-api-key": "open"}).json()["prices"]
    walked: list[Any] = []
    while url:
        page = client.get(url, headers={"x-api-key": "capped"}).json()
        assert len(page["prices"]) == 1
        walked += page["prices"]
        url = page["next_page_url"]
    assert len(everything) > 3 and walked == everything
