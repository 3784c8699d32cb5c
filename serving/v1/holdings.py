"""/v1/holdings/13f: 13F positions by filer or issuer with the quarter-over-quarter change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter

from serving.context import context, principal
from serving.errors import bad_param, not_found
from serving.fd.common import companies, parse_date, records
from serving.query import Snapshot
from serving.v1.envelope import Envelope, check_limit, check_sort, paginate, respond, versions_of


class Holding(msgspec.Struct, kw_only=True):
    """One 13F position (a filer's rows of one CUSIP, class and put/call in one report) and its change."""

    filing_id: str
    accession: str | None = None
    filer_cik: int | None = None
    filer_name: str | None = None
    form: str | None = None
    period_of_report: dt.date | None = None
    filing_date: dt.date | None = None
    cusip: str | None = None
    issuer_name: str | None = None
    issuer_cik: int | None = None
    ticker: str | None = None
    title_of_class: str | None = None
    put_call: str | None = None
    shares: int | None = None
    value_usd: int | None = None
    prev_period: dt.date | None = None
    prev_shares: int | None = None
    change_shares: int | None = None
    change_pct: float | None = None
    status: str | None = None


_TABLES = ["institutional_holdings", "thirteenf_filings", "cusip_map"]
_COLS = ("filing_id", "accession", "filer_cik", "form", "period_of_report", "filing_date", "issuer_name",
         "title_of_class", "cusip", "value_usd", "shares_or_principal", "put_call")  # fmt: skip


def build_positions(snap: Snapshot) -> list[dict[str, Any]]:
    """Every 13F position with its change on the filer's previous report (amended reports: newest filing wins).

    ``status``: new (not held in the previous report), increased, decreased, unchanged; null without a
    previous report of the filer in the lake. Positions sold out entirely appear with status ``exited``.
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    newest: dict[tuple[Any, Any], tuple[Any, str]] = {}
    for r in records(snap.data, _COLS):
        stamp = (r["filing_date"], r["filing_id"])
        key = (r["filer_cik"], r["period_of_report"])
        if key not in newest or stamp > newest[key]:
            newest[key] = stamp
    for r in records(snap.data, _COLS):
        if newest[(r["filer_cik"], r["period_of_report"])][1] != r["filing_id"]:
            continue
        k = (r["filer_cik"], r["period_of_report"], r["cusip"], r["title_of_class"], r["put_call"])
        g = groups.get(k)
        if g is None:
            g = groups[k] = {c: r[c] for c in _COLS if c not in ("shares_or_principal", "value_usd")}
            g["shares"], g["value_usd"] = 0, 0
        g["shares"] += r["shares_or_principal"] or 0
        g["value_usd"] += r["value_usd"] or 0
    periods: dict[Any, list[Any]] = {}
    for filer, period in newest:
        periods.setdefault(filer, []).append(period)
    previous = {}
    for filer, ps in periods.items():
        ordered = sorted(p for p in ps if p is not None)
        previous.update({(filer, p): ordered[i - 1] if i else None for i, p in enumerate(ordered)})
    out = []
    for (filer, period, cusip, cls, pc), g in groups.items():
        prev = previous.get((filer, period))
        before = groups.get((filer, prev, cusip, cls, pc)) if prev else None
        g["prev_period"] = prev
        g["prev_shares"] = before["shares"] if before else (0 if prev else None)
        if prev is None:
            g["change_shares"] = g["change_pct"] = g["status"] = None
        else:
            g["change_shares"] = g["shares"] - g["prev_shares"]
            g["change_pct"] = g["change_shares"] / g["prev_shares"] if g["prev_shares"] else None
            g["status"] = (
                "new"
                if not before
                else "increased"
                if g["change_shares"] > 0
                else "decreased"
                if g["change_shares"] < 0
                else "unchanged"
            )
        out.append(g)
    return out


@get("/v1/holdings/13f", tags=["v1"])
async def list_holdings(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1, description="Filer (institution) CIK"),
    issuer_cik: int | None = Parameter(default=None, ge=1),
    ticker: str | None = None,
    from_: str | None = Parameter(default=None, query="from"),
    to: str | None = None,
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Holding]:
    """13F positions of a filer (``cik``) or of an issuer (``issuer_cik`` or ``ticker``).

    Report periods in [from, to]; each position carries its change on the filer's previous report.
    """

    def compute() -> tuple[Any, int]:
        store = context(request).store
        if sum(x is not None for x in (cik, issuer_cik, ticker)) != 1:
            raise bad_param("cik", "Provide exactly one of cik (filer), issuer_cik or ticker.")
        field, direction = check_sort(
            sort_by, order, ("value_usd", "shares", "change_shares", "period_of_report"), "value_usd"
        )
        n = check_limit(limit, principal(request).max_rows)
        start, end = parse_date("from", from_), parse_date("to", to)
        cusips = records(store.snapshot("cusip_map").data, ["cusip", "cik", "ticker"])
        by_cusip = {c["cusip"]: c for c in cusips}
        rows = store.derived("institutional_holdings", build_positions)
        if cik is not None:
            rows = [r for r in rows if r["filer_cik"] == cik]
        else:
            symbol = (ticker or "").upper()
            target = issuer_cik if issuer_cik is not None else companies(store).cik_of.get(symbol)
            wanted = {
                c["cusip"]
                for c in cusips
                if (target is not None and c["cik"] == target)
                or (symbol and (c["ticker"] or "").upper() == symbol)
            }
            rows = [r for r in rows if r["cusip"] in wanted]
        rows = [
            r
            for r in rows
            if (start is None or r["period_of_report"] >= start)
            and (end is None or r["period_of_report"] <= end)
        ]
        if not rows:
            raise not_found("No 13F holdings match")
        names = {
            f["filer_cik"]: f["filer_name"]
            for f in records(store.snapshot("thirteenf_filings").data, ["filer_cik", "filer_name"])
        }
        enriched = [{**r, "filer_name": names.get(r["filer_cik"]), "issuer_cik": (by_cusip.get(r["cusip"]) or {}).get("cik"),
                     "ticker": (by_cusip.get(r["cusip"]) or {}).get("ticker")} for r in rows]  # fmt: skip
        page, meta = paginate(enriched, sort_by=field, order=direction, key=("filing_id", "cusip", "title_of_class", "put_call"),
                              limit=n, cursor=cursor, versions=versions_of(request, _TABLES))  # fmt: skip
        return Envelope(msgspec.convert(page, list[Holding]), meta), len(page)

    return await respond(request, [*_TABLES, "companies"], compute)  # type: ignore[return-value]


@get("/v1/holdings/13f/{filing_id:str}", tags=["v1"])
async def filing_holdings(
    request: Request[Any, Any, Any], filing_id: str, limit: int | None = None, cursor: str | None = None
) -> Envelope[Holding]:
    """The positions of one 13F filing (accession number or filing id), largest value first."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        n = check_limit(limit, principal(request).max_rows)
        rows = [
            r
            for r in store.derived("institutional_holdings", build_positions)
            if filing_id in (r["filing_id"], r["accession"])
        ]
        if not rows:
            raise not_found(f"13F filing {filing_id} not found")
        page, meta = paginate(rows, sort_by="value_usd", order="desc", key=("cusip", "title_of_class", "put_call"),
                              limit=n, cursor=cursor, versions=versions_of(request, _TABLES))  # fmt: skip
        return Envelope(msgspec.convert(page, list[Holding]), meta), len(page)

    return await respond(request, _TABLES, compute)  # type: ignore[return-value]


ROUTES = [list_holdings, filing_holdings]
