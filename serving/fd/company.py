"""``/company/facts``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from serving.context import capped, context, serve
from serving.errors import not_found
from serving.fd import schemas as s
from serving.fd.common import companies, records, resolve_cik
from serving.fd.prices import daily_bars, latest_shares
from serving.query import Store


def company_facts(store: Store, cik: int, ticker: str) -> s.CompanyFacts:
    """A company's facts from the companies table; market cap = latest close x latest shares outstanding."""
    row = companies(store).row_of.get(cik)
    if row is None:
        raise not_found(f"Company {ticker} not found")
    tickers = row.get("tickers") or []
    symbol = ticker if ticker in tickers else (tickers[0] if tickers else ticker)
    shares = latest_shares(store, cik)
    bars = daily_bars(store, symbol)
    weighted = None
    for r in records(store.rows("income_statements", cik), ["version", "weighted_average_shares"]):
        if r["version"] == "latest" and r["weighted_average_shares"] is not None:
            weighted = r["weighted_average_shares"]
            break
    return s.CompanyFacts(
        ticker=symbol,
        name=row.get("name"),
        cik=str(cik),
        category=row.get("filer_category"),
        exchange=(row.get("exchanges") or [None])[0],
        is_active=True,
        sec_filings_url=f"https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK={cik:010d}",
        sic_code=row.get("sic"),
        sic_industry=row.get("sic_description"),
        market_cap=bars[-1]["close"] * shares if bars and shares else None,
        weighted_average_shares=weighted,
    )


@get(["/company/facts", "/company/facts/"], tags=["company"])
async def get_company_facts(
    request: Request[Any, Any, Any], ticker: str | None = None, cik: str | None = None
) -> Response[s.CompanyFactsResponse]:
    """Facts about a company (ticker or cik)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        number, label = resolve_cik(store, ticker, cik)
        return s.CompanyFactsResponse(company_facts(store, number, label)), 1

    return await serve(request, ["companies", "balance_sheets", "income_statements", "prices"], compute)


@get(["/company/facts/tickers", "/company/facts/tickers/"], tags=["company"])
async def get_company_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Every ticker of the companies table."""

    def compute() -> tuple[Any, int]:
        found = sorted(companies(context(request).store).cik_of)
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, ["companies"], compute)


ROUTES = [get_company_facts, get_company_tickers]
