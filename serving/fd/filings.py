"""``/filings``, ``/filings/items`` (8-K items) and ``/filings/items/types``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from serving.context import context, principal, serve
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
from serving.query import Snapshot

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
        n = check_limit(limit, 10, 1000, principal(request).max_rows)
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


def filing_ids(snap: Snapshot) -> dict[str, str]:
    """Accession number -> filing id of every filing with an accession."""
    rows = records(snap.data, ["accession", "filing_id"])
    return {r["accession"]: r["filing_id"] for r in rows if r["accession"]}


_ITEM_COLS = ("filing_id", "accession", "cik", "form", "filing_date", "item", "title", "text")


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
    """Items of an 8-K (by accession number, else the company's latest 8-K of ``year``/``quarter``)."""

    def compute() -> tuple[Any, int]:
        store = context(request).store
        if filing_type and filing_type.upper() not in ("8-K", "8-K/A"):
            raise not_found(f"Items of {filing_type} filings are not available (8-K only).")
        if accession_number:
            rows = records(
                store.rows("eightk_items", store.derived("filings", filing_ids).get(accession_number)),
                _ITEM_COLS,
            )
            if not rows:
                raise not_found(f"Filing {accession_number} not found")
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
                if not 1 <= quarter <= 4:
                    raise bad_param("quarter", "quarter must be 1 to 4.")
                filings = [
                    r
                    for r in filings
                    if r["filing_date"] and (r["filing_date"].month - 1) // 3 + 1 == quarter
                ]
            rows = []
            for f in filings:
                rows = records(store.rows("eightk_items", f["filing_id"]), _ITEM_COLS)
                if rows:
                    break
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

    return await serve(request, ["eightk_items", "filings", "companies"], compute)


#: 10-K and 10-Q items (Regulation S-K); 8-K items come from the lake's 8-K table.
ANNUAL_ITEMS = [
    ("Item-1", "Business"), ("Item-1A", "Risk Factors"), ("Item-1B", "Unresolved Staff Comments"),
    ("Item-1C", "Cybersecurity"), ("Item-2", "Properties"), ("Item-3", "Legal Proceedings"),
    ("Item-4", "Mine Safety Disclosures"), ("Item-5", "Market for Registrant's Common Equity"),
    ("Item-7", "Management's Discussion and Analysis"), ("Item-7A", "Quantitative and Qualitative Disclosures About Market Risk"),
    ("Item-8", "Financial Statements and Supplementary Data"), ("Item-9A", "Controls and Procedures"),
]  # fmt: skip
QUARTERLY_ITEMS = [
    ("Part-1,Item-1", "Financial Statements"), ("Part-1,Item-2", "Management's Discussion and Analysis"),
    ("Part-1,Item-3", "Quantitative and Qualitative Disclosures About Market Risk"),
    ("Part-1,Item-4", "Controls and Procedures"), ("Part-2,Item-1", "Legal Proceedings"),
    ("Part-2,Item-1A", "Risk Factors"), ("Part-2,Item-6", "Exhibits"),
]  # fmt: skip


@get(["/filings/items/types", "/filings/items/types/"], tags=["filings"])
async def get_item_types(request: Request[Any, Any, Any]) -> Response[dict[str, list[s.ItemType]]]:
    """Known items per form type (8-K items as the lake's 8-K filings name them)."""

    def compute() -> tuple[Any, int]:
        rows = records(context(request).store.snapshot("eightk_items").data, ["item", "title"])
        eightk = {r["item"]: r["title"] for r in rows if r["item"]}
        out = {
            "10-K": [s.ItemType(n, t, t) for n, t in ANNUAL_ITEMS],
            "10-Q": [s.ItemType(n, t, t) for n, t in QUARTERLY_ITEMS],
            "8-K": [s.ItemType(f"Item-{k}", v or k, v or k) for k, v in sorted(eightk.items())],
        }
        return out, sum(len(v) for v in out.values())

    return await serve(request, ["eightk_items"], compute)


ROUTES = [get_filings, get_filing_items, get_item_types]
