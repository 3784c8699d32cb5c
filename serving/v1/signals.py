"""/v1/signals, /v1/factors and /v1/usage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter

from serving.context import capped, context, principal
from serving.errors import bad_param, not_found
from serving.fd.common import companies, parse_date, records
from serving.v1.envelope import (
    Envelope,
    Meta,
    Single,
    check_limit,
    check_sort,
    cursor_types,
    paginate,
    respond,
    versions_of,
)


class Signal(msgspec.Struct, kw_only=True):
    """A point-in-time signal (late filing, restatement, 13F flow, insider cluster...)."""

    signal_id: str
    kind: str
    cik: int | None = None
    ticker: str | None = None
    accession: str | None = None
    subject: str | None = None
    score: float
    confidence: float
    details: Any = None
    as_of: dt.datetime


_SIGNAL_TYPES = cursor_types(Signal)


def _signal(row: dict[str, Any]) -> dict[str, Any]:
    details = row.get("details")
    try:
        parsed = msgspec.json.decode(details) if details else None
    except msgspec.DecodeError:
        parsed = details
    return {**{k: row.get(k) for k in Signal.__struct_fields__}, "details": parsed}


@get("/v1/signals", tags=["v1"])
async def list_signals(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1),
    ticker: str | None = None,
    kind: list[str] | None = None,
    from_: str | None = Parameter(default=None, query="from"),
    to: str | None = None,
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Signal]:
    """Signals, filtered by company, kind (repeatable) and as-of date range; newest first by default."""

    def compute() -> tuple[Any, int]:
        field, direction = check_sort(sort_by, order, ("as_of", "score", "confidence"), "as_of")
        n = check_limit(limit)
        start, end = parse_date("from", from_), parse_date("to", to)
        rows = records(context(request).store.snapshot("signals").data)
        if cik is not None:
            rows = [r for r in rows if r["cik"] == cik]
        if ticker:
            rows = [r for r in rows if (r["ticker"] or "").upper() == ticker.upper()]
        if kind:
            rows = [r for r in rows if r["kind"] in kind]
        rows = [
            r
            for r in rows
            if (start is None or r["as_of"].date() >= start) and (end is None or r["as_of"].date() <= end)
        ]
        page, meta = paginate(rows, sort_by=field, order=direction, key=("signal_id",), limit=n, cursor=cursor,
                              versions=versions_of(request, ["signals"]), types=_SIGNAL_TYPES)  # fmt: skip
        return Envelope(msgspec.convert([_signal(r) for r in page], list[Signal]), meta), len(page)

    return await respond(request, ["signals"], compute)  # type: ignore[return-value]


@get("/v1/signals/{filing_id:str}", tags=["v1"])
async def filing_signals(request: Request[Any, Any, Any], filing_id: str) -> Envelope[Signal]:
    """Signals triggered by one filing (accession number)."""

    def compute() -> tuple[Any, int]:
        rows = [
            r for r in records(context(request).store.snapshot("signals").data) if r["accession"] == filing_id
        ]
        if not rows:
            raise not_found(f"No signals for filing {filing_id}")
        rows.sort(key=lambda r: (r["as_of"], r["signal_id"]), reverse=True)
        shown = capped(rows)
        return Envelope(
            msgspec.convert([_signal(r) for r in shown], list[Signal]),
            Meta(len(shown), None, len(shown) < len(rows)),
        ), len(shown)

    return await respond(request, ["signals"], compute)  # type: ignore[return-value]


class FactorScores(msgspec.Struct, kw_only=True):
    """A ticker's factor exposures at a month-end (raw value and cross-sectional z-score)."""

    ticker: str
    date: dt.date
    scores: dict[str, float | None]


_FACTOR_TYPES = cursor_types(FactorScores)
FACTOR_NAMES = ("value", "quality", "momentum", "size", "low_vol", "growth")


@get("/v1/factors", tags=["v1"])
async def list_factors(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1),
    ticker: str | None = None,
    date: str | None = None,
    factors: str | None = Parameter(default=None, description="Comma-separated factor names (default all)"),
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[FactorScores]:
    """Factor scores at the latest month-end on or before ``date`` (default: the latest), of one company or all."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        n = check_limit(limit)
        day = parse_date("date", date)
        wanted = [f.strip() for f in (factors or "").split(",") if f.strip()] or list(FACTOR_NAMES)
        unknown = [f for f in wanted if f.removesuffix("_raw") not in FACTOR_NAMES]
        if unknown:
            raise bad_param(
                "factors",
                f"Unknown factor(s) {', '.join(unknown)}; known: {', '.join(FACTOR_NAMES)} (+ _raw).",
            )
        symbol = ticker.upper() if ticker else None
        if cik is not None:
            tickers = (companies(store).row_of.get(cik) or {}).get("tickers") or []
            if not tickers:
                raise not_found(f"Company with CIK {cik} not found")
            symbol = tickers[0].upper()
        snap = store.snapshot("factors")
        rows = records(snap.rows(symbol)) if symbol else records(snap.data)
        rows = [r for r in rows if day is None or r["date"] <= day]
        if not rows:
            raise not_found("No factor scores match")
        latest: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["ticker"] not in latest or r["date"] > latest[r["ticker"]]["date"]:
                latest[r["ticker"]] = r
        out = [
            {"ticker": t, "date": r["date"], "scores": {f: r.get(f) for f in wanted}}
            for t, r in latest.items()
        ]
        field, direction = check_sort("ticker", "asc", ("ticker",), "ticker")
        page, meta = paginate(out, sort_by=field, order=direction, key=(), limit=n, cursor=cursor,
                              versions=versions_of(request, ["factors"]), types=_FACTOR_TYPES)  # fmt: skip
        return Envelope(msgspec.convert(page, list[FactorScores]), meta), len(page)

    return await respond(request, ["factors", "companies"], compute)  # type: ignore[return-value]


class Usage(msgspec.Struct):
    """The caller's usage (from the accounts module; in-memory counts without it)."""

    usage: dict[str, Any]


@get("/v1/usage", tags=["v1"])
async def get_usage(request: Request[Any, Any, Any], days: int = 7) -> Single[Usage]:
    """The caller's API usage per UTC day over the last ``days`` days (1-366, today included)."""
    from serving.errors import bad_param, request_id_of

    if not 1 <= days <= 366:
        raise bad_param("days", f"days must be between 1 and 366, not {days}.")
    data = await context(request).access.usage(principal(request), days)

    return Single(Usage(data), request_id_of(request))


ROUTES = [list_signals, filing_signals, list_factors, get_usage]
