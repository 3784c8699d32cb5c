"""``/filings``, ``/filings/items`` (10-K, 10-Q and 8-K items) and ``/filings/items/types``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from litestar import Request, Response, get

from lake.items import (
    ANNUAL_ITEMS,
    QUARTERLY_FORMS,
    QUARTERLY_ITEMS,
    REPORT_FORMS,
    ReportItem,
    form_items,
    parse_item_name,
)
from serving.context import context, serve
from serving.errors import bad_param, not_found
from serving.fd import schemas as s
from serving.fd.common import (
    apply_filters,
    check_limit,
    date_filters,
    decode_offset,
    iso,
    page,
    records,
    resolve_cik,
    ticker_of,
)
from serving.query import Snapshot, Store

_FILING_COLS = ("filing_id", "accession", "cik", "form", "period_of_report", "filing_date", "document_count",
                "primary_document", "status")  # fmt: skip


def archive_url(cik: int | None, accession: str | None, document: str | None = None) -> str | None:
    """The SEC archive URL of a filing (its index page, or ``document`` in it); None without an accession."""
    if not cik or not accession:
        return None
    folder = f"https://www.sec.gov/Archives/edgar/data/{cik}/{accession.replace('-', '')}"
    return f"{folder}/{document}" if document else f"{folder}/{accession}-index.htm"


def to_filing(row: dict[str, Any], ticker: str | None) -> s.Filing:
    """A lake filing as FinancialDatasets' Filing."""
    period = iso(row["period_of_report"])
    return s.Filing(
        cik=row["cik"],
        accession_number=row["accession"],
        filing_type=row["form"],
        filing_date=iso(row["filing_date"]),
        report_date=period,
        report_period=period,
        ticker=ticker,
        url=archive_url(row["cik"], row["accession"], row["primary_document"]),
        document_count=row["document_count"],
    )


@get(["/filings", "/filings/"], tags=["filings"])
async def get_filings(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    cik: str | None = None,
    filing_type: list[str] | None = None,
    limit: int | None = None,
    filing_date: str | None = None,
    filing_date_gte: str | None = None,
    filing_date_lte: str | None = None,
    filing_date_gt: str | None = None,
    filing_date_lt: str | None = None,
    cursor: str | None = None,
) -> Response[s.FilingsResponse]:
    """SEC filings of a company, newest first (``filing_type`` repeatable)."""

    def compute() -> tuple[Any, int]:
        ctx = context(request)
        number, label = resolve_cik(ctx.store, ticker, cik)
        n = check_limit(limit, 10, 1000)
        rows = records(ctx.store.rows("filings", number), _FILING_COLS)
        if not rows:
            raise not_found(f"No filings found for {label}")
        if filing_type:
            wanted = {f.upper() for f in filing_type}
            rows = [r for r in rows if (r["form"] or "").upper() in wanted]
        rows = apply_filters(rows, date_filters("filing_date", request.query_params, "filing_date"))
        out = [to_filing(r, ticker_of(ctx.store, number)) for r in rows[:n]]
        chunk, next_url = page(
            out,
            offset=decode_offset(cursor),
            page_size=ctx.page_size,
            base_url=ctx.settings.public_url,
            path="/filings/",
            query=list(request.query_params.items()),
        )
        return s.FilingsResponse(list(chunk), next_url), len(chunk)

    return await serve(request, ["filings", "companies"], compute)


def filings_by_accession(snap: Snapshot) -> dict[str, dict[str, Any]]:
    """Accession number -> the filing's row (the columns of ``/filings``) of every filing with an accession."""
    return {r["accession"]: r for r in records(snap.data, _REPORT_FILING_COLS) if r["accession"]}


_ITEM_COLS = ("filing_id", "accession", "cik", "form", "filing_date", "item", "title", "text")
_REPORT_FILING_COLS = (*_FILING_COLS, "fiscal_year", "fiscal_period")
_REPORT_ITEM_COLS = ("filing_id", "name", "title", "text", "ordinal")
_EIGHT_K = ("8-K", "8-K/A")
_FORMS = ", ".join((*REPORT_FORMS, *_EIGHT_K))


@get(["/filings/items", "/filings/items/"], tags=["filings"])
async def get_filing_items(
    request: Request[Any, Any, Any],
    ticker: str | None = None,
    cik: str | None = None,
    accession_number: str | None = None,
    filing_type: str | None = None,
    item: list[str] | None = None,
    year: int | None = None,
    quarter: int | None = None,
) -> Response[s.FilingItemsResponse]:
    """Items of a 10-K, 10-Q or 8-K: ``Item-1A``, ``Part-1,Item-2`` (10-Q), ``Item-2.02`` (8-K); ``item`` repeatable.

    The filing is ``accession_number``, else the company's latest filing of ``filing_type`` (10-K / 10-Q: of
    fiscal ``year`` and, for a 10-Q, fiscal ``quarter``; 8-K: filed in ``year`` / calendar ``quarter``).
    Without ``filing_type`` the accession's own form decides (8-K when no accession is given). An item name the
    form does not have is a 400; no such filing, or a filing with no items read, a 404.
    """

    def compute() -> tuple[Any, int]:
        store = context(request).store
        form = filing_type.strip().upper() if filing_type else None
        if form is not None and form not in REPORT_FORMS and form not in _EIGHT_K:
            raise bad_param("filing_type", f"Items are available for {_FORMS} filings, not {filing_type!r}.")
        if quarter is not None and not 1 <= quarter <= 4:
            raise bad_param("quarter", "quarter must be 1 to 4.")
        filing = None
        if accession_number:
            filing = store.derived("filings", filings_by_accession).get(accession_number)
            if filing is None:
                raise not_found(f"Filing {accession_number} not found")
            if form is None:
                form = (filing["form"] or "").upper()
        if form in REPORT_FORMS:
            return report_items(store, form, filing, ticker, cik, item, year, quarter)
        return eightk_items(store, filing, ticker, cik, item, year, quarter)

    return await serve(
        request, ["eightk_items", "report_items", "report_item_filings", "filings", "companies"], compute
    )


def report_items(
    store: Store,
    form: str,
    filing: dict[str, Any] | None,
    ticker: str | None,
    cik: str | None,
    item: list[str] | None,
    year: int | None,
    quarter: int | None,
) -> tuple[s.FilingItemsResponse, int]:
    """The item sections of a 10-K / 10-Q (``filing``, else the company's latest of ``year`` / ``quarter``)."""
    wanted: list[ReportItem] = []
    for name in item or []:
        found = parse_item_name(form, name)
        if found is None:
            known = ", ".join(i.name for i in form_items(form))
            raise bad_param("item", f"Unknown {form} item {name!r}. Known items: {known}.")
        wanted.append(found)
    if filing is not None:
        if (filing["form"] or "").upper() != form:
            raise not_found(f"Filing {filing['accession']} is a {filing['form']}, not a {form}")
        rows = records(store.rows("report_items", filing["filing_id"]), _REPORT_ITEM_COLS)
        if not rows:
            raise not_found(
                f"No items found in {form} {filing['accession']}{_why(store, filing['filing_id'])}"
            )
    else:
        number, label = resolve_cik(store, ticker, cik)
        candidates = [r for r in records(store.rows("filings", number), _REPORT_FILING_COLS)
                      if (r["form"] or "").upper() == form]  # fmt: skip
        if year is not None:
            candidates = [r for r in candidates if _fiscal_year(r) == year]
        if quarter is not None and form in QUARTERLY_FORMS:
            candidates = [r for r in candidates if r["fiscal_period"] == f"Q{quarter}"]
        candidates.sort(
            key=lambda r: (r["period_of_report"] or date.min, r["filing_date"] or date.min), reverse=True
        )
        filing, rows = _first_with_rows(store, "report_items", candidates, _REPORT_ITEM_COLS)
        if filing is None:
            when = "".join(
                [f" for fiscal year {year}" if year is not None else "",
                 f" Q{quarter}" if quarter is not None and form in QUARTERLY_FORMS else ""]
            )  # fmt: skip
            raise not_found(f"No {form} items found for {label}{when}")
    titles = {i.name: i.title for i in form_items(form)}
    names = {i.name for i in wanted}
    items = [
        s.FilingItem(r["name"], titles.get(r["name"], r["title"]), r["text"])
        for r in rows
        if not names or r["name"] in names
    ]
    fiscal = filing["fiscal_period"] or ""
    return (
        s.FilingItemsResponse(
            ticker=ticker_of(store, filing["cik"]) if filing["cik"] else None,
            cik=filing["cik"],
            filing_type=filing["form"],
            accession_number=filing["accession"] or filing["filing_id"],
            year=_fiscal_year(filing),
            quarter=int(fiscal[1])
            if form in QUARTERLY_FORMS and fiscal in ("Q1", "Q2", "Q3", "Q4")
            else None,
            items=items,
        ),
        len(items),
    )


def _fiscal_year(filing: dict[str, Any]) -> int | None:
    """The fiscal year a report covers: its cover page's, else the year of its period of report."""
    if filing["fiscal_year"] is not None:
        return int(filing["fiscal_year"])
    period = filing["period_of_report"]
    return period.year if period else None


def _first_with_rows(
    store: Store, table: str, filings: list[dict[str, Any]], columns: Sequence[str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The first of ``filings`` that has rows in ``table``, with those rows (``(None, [])`` when none has)."""
    for filing in filings:
        rows = records(store.rows(table, filing["filing_id"]), columns)
        if rows:
            return filing, rows
    return None, []


def _why(store: Store, filing_id: str) -> str:
    """Why a report has no items, as ``report_item_filings`` records it (empty when it records nothing)."""
    rows = records(store.rows("report_item_filings", filing_id), ["status", "error"])
    return f" ({rows[0]['status']}: {rows[0]['error']})" if rows and rows[0]["error"] else ""


def eightk_items(
    store: Store,
    filing: dict[str, Any] | None,
    ticker: str | None,
    cik: str | None,
    item: list[str] | None,
    year: int | None,
    quarter: int | None,
) -> tuple[s.FilingItemsResponse, int]:
    """The items of an 8-K (``filing``, else the company's latest 8-K filed in ``year`` / ``quarter``)."""
    if filing is not None:
        rows = records(store.rows("eightk_items", filing["filing_id"]), _ITEM_COLS)
        if not rows:
            raise not_found(f"Filing {filing['accession']} not found")
    else:
        number, label = resolve_cik(store, ticker, cik)
        filings = [
            r
            for r in records(store.rows("filings", number), _FILING_COLS)
            if (r["form"] or "").startswith("8-K")
        ]
        if year is not None:
            filings = [r for r in filings if r["filing_date"] and r["filing_date"].year == year]
        if quarter is not None:
            filings = [
                r for r in filings if r["filing_date"] and (r["filing_date"].month - 1) // 3 + 1 == quarter
            ]
        _, rows = _first_with_rows(store, "eightk_items", filings, _ITEM_COLS)
        if not rows:
            raise not_found(f"No 8-K items found for {label}")
    wanted = {i.removeprefix("Item-").removeprefix("Item ") for i in item or []}
    items = [
        s.FilingItem(f"Item-{r['item']}", r["title"], r["text"])
        for r in rows
        if not wanted or r["item"] in wanted
    ]
    first = rows[0]
    filed = first["filing_date"]
    return (
        s.FilingItemsResponse(
            ticker=ticker_of(store, first["cik"]) if first["cik"] else None,
            cik=first["cik"],
            filing_type=first["form"],
            accession_number=first["accession"] or first["filing_id"],
            year=filed.year if filed else None,
            quarter=(filed.month - 1) // 3 + 1 if filed else None,
            items=items,
        ),
        len(items),
    )


@get(["/filings/items/types", "/filings/items/types/"], tags=["filings"])
async def get_item_types(request: Request[Any, Any, Any]) -> Response[dict[str, list[s.ItemType]]]:
    """Known items per form type (8-K items as the lake's 8-K filings name them)."""

    def compute() -> tuple[Any, int]:
        rows = records(context(request).store.snapshot("eightk_items").data, ["item", "title"])
        eightk = {r["item"]: r["title"] for r in rows if r["item"]}
        out = {
            "10-K": [s.ItemType(i.name, i.title, i.title) for i in ANNUAL_ITEMS],
            "10-Q": [s.ItemType(i.name, i.title, i.title) for i in QUARTERLY_ITEMS],
            "8-K": [s.ItemType(f"Item-{k}", v or k, v or k) for k, v in sorted(eightk.items())],
        }
        return out, sum(len(v) for v in out.values())

    return await serve(request, ["eightk_items"], compute)


ROUTES = [get_filings, get_filing_items, get_item_types]
