"""Insider trades (Forms 3/4/5), insider ownership, 13F institutional holdings and ownership."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, get

from serving.context import Context, capped, context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    apply_filters,
    check_limit,
    date_filters,
    decode_offset,
    iso,
    need_ticker,
    page,
    records,
)
from serving.query import Snapshot, Store

_TRADE_FIELDS = (
    "ticker", "issuer", "name", "title", "is_board_director", "transaction_date", "transaction_shares",
    "transaction_price_per_share", "transaction_value", "shares_owned_before_transaction",
    "shares_owned_after_transaction", "security_title", "filing_date", "transaction_type", "form", "accession",
)  # fmt: skip
HOLDING_FORMS = ("3", "3/A", "5", "5/A")


def _paged(
    ctx: Context, request: Request[Any, Any, Any], rows: Sequence[Any], path: str, cursor: str | None
) -> tuple[list[Any], str | None]:
    chunk, next_url = page(
        rows,
        offset=decode_offset(cursor),
        page_size=ctx.page_size,
        base_url=ctx.settings.public_url,
        path=path,
        query=list(request.query_params.items()),
    )
    return list(chunk), next_url


def insider_rows(
    store: Store, ticker: str, request: Request[Any, Any, Any], name: str | None
) -> list[dict[str, Any]]:
    """A ticker's Form 3/4/5 rows (newest filing first) passing the filing-date and name filters."""
    rows = records(store.rows("insider_trades", ticker), _TRADE_FIELDS)
    rows = apply_filters(rows, date_filters("filing_date", request.query_params, "filing_date"))
    if name:
        rows = [r for r in rows if (r["name"] or "").lower() == name.lower()]
    return rows


def _trade(row: dict[str, Any], ticker: str) -> s.InsiderTrade:
    return s.InsiderTrade(
        ticker=row["ticker"] or ticker,
        issuer=row["issuer"],
        name=row["name"] or "",
        title=row["title"],
        is_board_director=row["is_board_director"],
        transaction_date=iso(row["transaction_date"]),
        transaction_shares=row["transaction_shares"],
        transaction_price_per_share=row["transaction_price_per_share"],
        transaction_value=row["transaction_value"],
        shares_owned_before_transaction=row["shares_owned_before_transaction"],
        shares_owned_after_transaction=row["shares_owned_after_transaction"],
        security_title=row["security_title"],
        filing_date=iso(row["filing_date"]) or "",
        transaction_type=row["transaction_type"],
        form_type=row["form"],
        accession_number=row["accession"],
    )


@get(["/insider-trades", "/insider-trades/"], tags=["ownership"])
async def get_insider_trades(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    limit: int | None = None,
    name: str | None = None,
    transaction_type: str | None = None,
    filing_date: str | None = None,
    filing_date_gte: str | None = None,
    filing_date_lte: str | None = None,
    filing_date_gt: str | None = None,
    filing_date_lt: str | None = None,
    cursor: str | None = None,
) -> Response[s.InsiderTradesResponse]:
    """Insider trades of a ticker, newest filing first (``limit`` in total, pages linked by next_page_url)."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        symbol = need_ticker(ticker)
        n = check_limit(limit, 10, 1000)
        if not ctx.store.rows("insider_trades", symbol).num_rows:
            raise not_found(f"No insider trades found for ticker {symbol}")
        rows = insider_rows(ctx.store, symbol, request, name)
        if transaction_type:
            rows = [r for r in rows if (r["transaction_type"] or "").lower() == transaction_type.lower()]
        trades = [_trade(r, symbol) for r in rows[:n]]
        chunk, next_url = _paged(ctx, request, trades, "/insider-trades/", cursor)
        return s.InsiderTradesResponse(chunk, next_url), len(chunk)

    return await serve(request, ["insider_trades"], compute)


@get(["/insider-trades/names", "/insider-trades/names/"], tags=["ownership"])
async def get_insider_names(
    request: Request[Any, Any, Any], ticker: str | None = None
) -> Response[s.NamesResponse]:
    """Names of a ticker's insiders."""

    def compute() -> tuple[Any, int]:
        symbol = need_ticker(ticker)
        rows = records(context(request).store.rows("insider_trades", symbol), ["name"])
        if not rows:
            raise not_found(f"No insider trades found for ticker {symbol}")
        names = sorted({r["name"] for r in rows if r["name"]})
        names = capped(names)
        return s.NamesResponse(names), len(names)

    return await serve(request, ["insider_trades"], compute)


@get(["/insider-trades/tickers", "/insider-trades/tickers/"], tags=["ownership"])
async def get_insider_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Tickers with insider trades."""

    def compute() -> tuple[Any, int]:
        found = sorted(
            k for k in context(request).store.snapshot("insider_trades").index if isinstance(k, str)
        )
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, ["insider_trades"], compute)


@get(["/insider-ownership", "/insider-ownership/"], tags=["ownership"])
async def get_insider_ownership(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    limit: int | None = None,
    name: str | None = None,
    form_type: str | None = None,
    filing_date: str | None = None,
    filing_date_gte: str | None = None,
    filing_date_lte: str | None = None,
    filing_date_gt: str | None = None,
    filing_date_lt: str | None = None,
    cursor: str | None = None,
) -> Response[s.InsiderOwnershipResponse]:
    """Holdings reported on Forms 3 and 5 (initial and annual statements), newest filing first."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        symbol = need_ticker(ticker)
        n = check_limit(limit, 10, 1000)
        if form_type and form_type.upper() not in ("3", "3A", "5", "5A", "3/A", "5/A"):
            raise bad_param("form_type", "form_type must be 3, 3A, 5 or 5A.")
        forms = HOLDING_FORMS if not form_type else (form_type.upper().replace("A", "/A").replace("//", "/"),)
        rows = [r for r in insider_rows(ctx.store, symbol, request, name) if r["form"] in forms]
        if not rows:
            raise not_found(f"No insider ownership found for ticker {symbol}")
        out = [
            s.InsiderOwnership(
                ticker=r["ticker"] or symbol,
                issuer=r["issuer"],
                name=r["name"] or "",
                title=r["title"],
                is_board_director=r["is_board_director"],
                security_title=r["security_title"],
                shares_owned=r["shares_owned_after_transaction"],
                as_of_date=iso(r["transaction_date"]) or iso(r["filing_date"]),
                filing_date=iso(r["filing_date"]) or "",
                form_type=r["form"],
                accession_number=r["accession"],
            )
            for r in rows[:n]
        ]
        chunk, next_url = _paged(ctx, request, out, "/insider-ownership/", cursor)
        return s.InsiderOwnershipResponse(chunk, next_url), len(chunk)

    return await serve(request, ["insider_trades"], compute)


# --- 13F ---------------------------------------------------------------------------------------------------

#: A position is the lake's ``holdings_quarter`` row (amendments applied); its subsidiaries are the information
#: table rows it sums, read from ``institutional_holdings`` of the filings it came from.
_QUARTER_COLS = (
    "filer_cik", "period_of_report", "cusip", "put_call", "issuer_name", "title_of_class",
    "shares_or_principal", "value_usd", "filing_ids", "applied",
)  # fmt: skip
_ROW_COLS = (
    "filing_id", "row", "cusip", "put_call", "value_usd", "shares_or_principal", "sh_prn", "investment_discretion",
    "other_managers", "voting_sole", "voting_shared", "voting_none",
)  # fmt: skip


def _filer_names(snap: Snapshot) -> dict[int, str]:
    rows = records(snap.data, ["filer_cik", "filer_name"])
    return {r["filer_cik"]: r["filer_name"] for r in rows if r["filer_cik"]}


def _filings(snap: Snapshot) -> dict[str, dict[str, Any]]:
    rows = records(snap.data, ["filing_id", "accession", "form", "filing_date"])
    return {r["filing_id"]: r for r in rows}


def _cusip_tickers(snap: Snapshot) -> dict[str, str]:
    rows = records(snap.data, ["cusip", "ticker"])
    return {r["cusip"]: r["ticker"] for r in rows if r["ticker"]}


def _subsidiaries(store: Store, q: dict[str, Any]) -> list[s.Subsidiary]:
    sources = set(q["filing_ids"] or ())
    return [
        s.Subsidiary(
            row_num=r["row"],
            shares=r["shares_or_principal"],
            value_usd=r["value_usd"],
            shares_principal_amount_type=r["sh_prn"],
            investment_discretion=r["investment_discretion"],
            voting_authority_sole=r["voting_sole"],
            voting_authority_shared=r["voting_shared"],
            voting_authority_none=r["voting_none"],
            other_managers=list(r["other_managers"] or []),
        )
        for r in sorted(
            records(store.rows("institutional_holdings", q["cusip"]), _ROW_COLS),
            key=lambda r: (r["filing_id"], r["row"]),
        )
        if r["filing_id"] in sources and (r["put_call"] or "") == q["put_call"]
    ]


def positions(store: Store, rows: list[dict[str, Any]]) -> list[s.InstitutionalHolding]:
    """``holdings_quarter`` rows as FD holdings, by value descending.

    Filing date, form and accession are those of the last applied filing the position's rows come from (the
    restatement, not the original it replaced).
    """
    names = store.derived("thirteenf_filings", _filer_names)
    filings = store.derived("thirteenf_filings", _filings)
    tickers = store.derived("cusip_map", _cusip_tickers)
    out = []
    for q in rows:
        sources = set(q["filing_ids"] or ())
        source = filings.get(next((f for f in reversed(q["applied"] or []) if f in sources), ""), {})
        shares, value = q["shares_or_principal"], q["value_usd"]
        out.append(
            s.InstitutionalHolding(
                ticker=tickers.get(q["cusip"]),
                name_of_issuer=q["issuer_name"],
                cusip=q["cusip"],
                report_period=iso(q["period_of_report"]),
                filing_date=iso(source.get("filing_date")),
                form_type=source.get("form"),
                accession_number=source.get("accession"),
                title_of_class=q["title_of_class"],
                put_call=q["put_call"] or None,
                shares=shares,
                value_usd=value,
                reported_price=value / shares if shares and value is not None else None,
                filer_cik=q["filer_cik"],
                filer_name=names.get(q["filer_cik"]),
                subsidiaries=_subsidiaries(store, q),
            )
        )
    out.sort(key=lambda h: (-(h.value_usd or 0), h.report_period or "", h.cusip or "", h.filer_cik or 0))
    return out


_13F_TABLES = ["holdings_quarter", "institutional_holdings", "thirteenf_filings", "cusip_map"]


def holdings_rows(
    store: Store, ticker: str | None, filer_cik: int | None, request: Request[Any, Any, Any]
) -> list[dict[str, Any]]:
    """Quarter positions (amendments applied) of an issuer (its CUSIPs) or of a filer.

    Each filer's latest period unless report_period* filters are given.
    """
    if ticker:
        cusips = [c for c, t in store.derived("cusip_map", _cusip_tickers).items() if t == ticker]
        rows = [r for c in cusips for r in records(store.rows("holdings_quarter", c), _QUARTER_COLS)]
    else:
        data = store.snapshot("holdings_quarter").data
        rows = [r for r in records(data, _QUARTER_COLS) if r["filer_cik"] == filer_cik]
    filters = date_filters("period_of_report", request.query_params, "report_period")
    if filters:
        return apply_filters(rows, filters)
    latest: dict[Any, Any] = {}
    for r in rows:
        if latest.get(r["filer_cik"]) is None or r["period_of_report"] > latest[r["filer_cik"]]:
            latest[r["filer_cik"]] = r["period_of_report"]
    return [r for r in rows if r["period_of_report"] == latest.get(r["filer_cik"])]


def _who(
    store: Store, ticker: str | None, filer_cik: str | None, investor: str | None = None
) -> tuple[str | None, int | None]:
    given = [v for v in (ticker, filer_cik, investor) if v]
    if len(given) != 1:
        raise bad_param("ticker", "Provide exactly one of ticker or filer_cik.")
    if ticker:
        return need_ticker(ticker), None
    value = filer_cik or investor or ""
    try:
        return None, int(value)
    except ValueError:
        name = value.upper()
        for cik, filer in store.derived("thirteenf_filings", _filer_names).items():
            if (filer or "").upper() == name:
                return None, cik
        raise not_found(f"Investor {value} not found") from None


@get(["/institutional-holdings", "/institutional-holdings/"], tags=["ownership"])
async def get_institutional_holdings(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    filer_cik: str | None = None,
    limit: int | None = None,
    report_period: str | None = None,
    report_period_gte: str | None = None,
    report_period_lte: str | None = None,
    report_period_gt: str | None = None,
    report_period_lt: str | None = None,
    cursor: str | None = None,
) -> Response[s.InstitutionalHoldingsResponse]:
    """13F positions of an issuer or of a filer (largest value first)."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        who, filer = _who(ctx.store, ticker, filer_cik)
        n = check_limit(limit, 10, 200)
        rows = holdings_rows(ctx.store, who, filer, request)
        if not rows:
            raise not_found(f"No institutional holdings found for {who or filer}")
        held = positions(ctx.store, rows)[:n]
        chunk, next_url = _paged(ctx, request, held, "/institutional-holdings/", cursor)
        return s.InstitutionalHoldingsResponse(who, filer, chunk, next_url), len(chunk)

    return await serve(request, _13F_TABLES, compute)


@get(["/institutional-holdings/investors", "/institutional-holdings/investors/",
      "/institutional-ownership/investors", "/institutional-ownership/investors/"], tags=["ownership"])  # fmt: skip
async def get_investors(
    request: Request[Any, Any, Any], name: str | None = None
) -> Response[s.InvestorsResponse]:
    """13F filers (name prefix filter, case-insensitive)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        filers = store.derived("thirteenf_filings", _filer_names)
        prefix = (name or "").upper()
        found = [
            s.Investor(c, n)
            for c, n in sorted(filers.items(), key=lambda kv: kv[1] or "")
            if (n or "").upper().startswith(prefix)
        ]
        found = capped(found)
        return s.InvestorsResponse(found), len(found)

    return await serve(request, _13F_TABLES, compute)


@get(["/institutional-ownership", "/institutional-ownership/"], tags=["ownership"])
async def get_institutional_ownership(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    investor: str | None = None,
    limit: int | None = None,
    report_period: str | None = None,
    report_period_gte: str | None = None,
    report_period_lte: str | None = None,
    report_period_gt: str | None = None,
    report_period_lt: str | None = None,
    cursor: str | None = None,
) -> Response[s.InstitutionalOwnershipResponse]:
    """The older 13F endpoint: rows {ticker, investor, report_period, price, shares, market_value}."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        who, filer = _who(ctx.store, ticker, None, investor)
        n = check_limit(limit, 10, 1000)
        rows = holdings_rows(ctx.store, who, filer, request)
        if not rows:
            raise not_found(f"No institutional ownership found for {who or investor}")
        out = [
            s.OwnershipRow(h.ticker, h.filer_name, h.report_period, h.reported_price, h.shares, h.value_usd)
            for h in positions(ctx.store, rows)[:n]
        ]
        chunk, next_url = _paged(ctx, request, out, "/institutional-ownership/", cursor)
        return s.InstitutionalOwnershipResponse(chunk, next_url), len(chunk)

    return await serve(request, _13F_TABLES, compute)


@get(["/institutional-ownership/tickers", "/institutional-ownership/tickers/",
      "/institutional-holdings/tickers", "/institutional-holdings/tickers/"], tags=["ownership"])  # fmt: skip
async def get_institutional_tickers(request: Request[Any, Any, Any]) -> Response[s.TickersResponse]:
    """Tickers held in 13F filings (CUSIPs mapped to a ticker)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        held = set(store.snapshot("holdings_quarter").index)
        found = sorted({t for c, t in store.derived("cusip_map", _cusip_tickers).items() if c in held})
        found = capped(found)
        return s.TickersResponse(found), len(found)

    return await serve(request, _13F_TABLES, compute)


ROUTES = [
    get_insider_trades,
    get_insider_names,
    get_insider_tickers,
    get_insider_ownership,
    get_institutional_holdings,
    get_investors,
    get_institutional_ownership,
    get_institutional_tickers,
]
