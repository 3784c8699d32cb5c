"""/v1/companies and /v1/filings: search, detail, filings with filters, raw documents."""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.params import Parameter

from serving.context import context
from serving.errors import bad_param, not_found
from serving.fd.common import companies, parse_date, records
from serving.v1.envelope import (
    Envelope,
    Single,
    check_limit,
    check_sort,
    cursor_types,
    paginate,
    respond,
    versions_of,
)


class Company(msgspec.Struct, kw_only=True):
    """A filer."""

    cik: int
    name: str | None = None
    tickers: list[str] = []
    exchanges: list[str] = []
    sic: str | None = None
    sic_description: str | None = None
    filer_category: str | None = None
    entity_type: str | None = None
    fiscal_year_end: str | None = None
    state_of_incorporation: str | None = None


class Filing(msgspec.Struct, kw_only=True):
    """A filing: identity, dates, acceptance time (UTC) and processing status."""

    filing_id: str
    accession: str | None = None
    cik: int | None = None
    company_name: str | None = None
    form: str | None = None
    period_of_report: dt.date | None = None
    fiscal_year: int | None = None
    fiscal_period: str | None = None
    filing_date: dt.date | None = None
    acceptance_utc: dt.datetime | None = None
    primary_document: str | None = None
    document_count: int | None = None
    total_bytes: int | None = None
    status: str | None = None


class Document(msgspec.Struct, kw_only=True):
    """A stored document of a filing."""

    name: str
    sequence: int | None = None
    doc_type: str | None = None
    description: str | None = None
    size: int | None = None
    sha256: str | None = None


class FilingDetail(Filing, kw_only=True):
    """A filing with its documents."""

    documents: list[Document] = []


_COMPANY_FIELDS = tuple(Company.__struct_fields__)
_ASCII_NUMBER = re.compile(r"[0-9]+")
_FILING_FIELDS = tuple(Filing.__struct_fields__)
_COMPANY_TYPES = cursor_types(Company, rank=int)
_FILING_TYPES = cursor_types(Filing)


@get("/v1/companies/search", tags=["v1"])
async def search_companies(
    request: Request[Any, Any, Any],
    q: str = Parameter(min_length=1, max_length=100),
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Company]:
    """Companies by ticker (exact), CIK (number) or name (contains, case-insensitive), best matches first."""

    def compute() -> tuple[Any, int]:
        n = check_limit(limit, 20)
        lookup = companies(context(request).store)
        text = q.strip().upper()
        # ASCII digits only: str.isdigit() is also true of '¹', '①' or '٣', which are no CIK (int() refuses some)
        if text.isdigit() and not _ASCII_NUMBER.fullmatch(text):
            raise bad_param("q", f"{q!r} looks like a CIK but a CIK is written with the digits 0-9")
        number = int(text) if _ASCII_NUMBER.fullmatch(text) else None
        hits: list[dict[str, Any]] = []
        for cik, row in lookup.row_of.items():
            tickers = [t.upper() for t in row.get("tickers") or []]
            name = (row.get("name") or "").upper()
            if text in tickers or number == cik:
                rank = 0
            elif any(t.startswith(text) for t in tickers):
                rank = 1
            elif name.startswith(text):
                rank = 2
            elif text in name:
                rank = 3
            else:
                continue
            hits.append({**{k: row.get(k) for k in _COMPANY_FIELDS}, "rank": rank})
        page, meta = paginate(hits, sort_by="rank", order="asc", key=("cik",), limit=n, cursor=cursor,
                              versions=versions_of(request, ["companies"]), types=_COMPANY_TYPES)  # fmt: skip
        data = [
            msgspec.convert(
                {k: r[k] or ([] if k in ("tickers", "exchanges") else None) for k in _COMPANY_FIELDS}, Company
            )
            for r in page
        ]
        return Envelope(data, meta), len(data)

    return await respond(request, ["companies"], compute)  # type: ignore[return-value]


@get("/v1/companies/{cik:int}", tags=["v1"])
async def get_company(request: Request[Any, Any, Any], cik: int) -> Single[Company]:
    """A company by CIK."""

    def compute() -> tuple[Any, int]:
        row = companies(context(request).store).row_of.get(cik)
        if row is None:
            raise not_found(f"Company with CIK {cik} not found")
        data = {k: row.get(k) or ([] if k in ("tickers", "exchanges") else None) for k in _COMPANY_FIELDS}
        data["cik"] = cik
        return Single(msgspec.convert(data, Company)), 1

    return await respond(request, ["companies"], compute)  # type: ignore[return-value]


_SORTS = ("filing_date", "acceptance_utc", "period_of_report", "filing_id")


def _filings(
    request: Request[Any, Any, Any],
    cik: int | None,
    form: list[str] | None,
    from_: str | None,
    to: str | None,
    sort_by: str | None,
    order: str | None,
    limit: int | None,
    cursor: str | None,
) -> tuple[Any, int]:
    field, direction = check_sort(sort_by, order, _SORTS, "filing_date")
    n = check_limit(limit)
    start, end = parse_date("from", from_), parse_date("to", to)
    store = context(request).store
    data = store.rows("filings", cik) if cik is not None else store.snapshot("filings").data
    rows = records(data, _FILING_FIELDS)
    if cik is not None and not rows and cik not in companies(store).row_of:
        raise not_found(f"Company with CIK {cik} not found")
    if form:
        wanted = {f.upper() for f in form}
        rows = [r for r in rows if (r["form"] or "").upper() in wanted]
    if start:
        rows = [r for r in rows if r["filing_date"] and r["filing_date"] >= start]
    if end:
        rows = [r for r in rows if r["filing_date"] and r["filing_date"] <= end]
    page, meta = paginate(rows, sort_by=field, order=direction, key=("filing_id",), limit=n, cursor=cursor,
                          versions=versions_of(request, ["filings"]), types=_FILING_TYPES)  # fmt: skip
    return Envelope(msgspec.convert(page, list[Filing]), meta), len(page)


@get("/v1/filings", tags=["v1"])
async def list_filings(
    request: Request[Any, Any, Any],
    cik: int | None = Parameter(default=None, ge=1),
    form: list[str] | None = None,
    from_: str | None = Parameter(default=None, query="from"),
    to: str | None = None,
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Filing]:
    """Filings, filtered by CIK, form (repeatable) and filing-date range; newest first by default."""
    return await respond(  # type: ignore[return-value]
        request, ["filings", "companies"],
        lambda: _filings(request, cik, form, from_, to, sort_by, order, limit, cursor),
    )  # fmt: skip


@get("/v1/companies/{cik:int}/filings", tags=["v1"])
async def company_filings(
    request: Request[Any, Any, Any],
    cik: int,
    form: list[str] | None = None,
    from_: str | None = Parameter(default=None, query="from"),
    to: str | None = None,
    sort_by: str | None = None,
    order: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Envelope[Filing]:
    """A company's filings (same filters as /v1/filings)."""
    return await respond(  # type: ignore[return-value]
        request, ["filings", "companies"],
        lambda: _filings(request, cik, form, from_, to, sort_by, order, limit, cursor),
    )  # fmt: skip


def find_filing(request: Request[Any, Any, Any], accession: str) -> dict[str, Any]:
    """The filing row of an accession number or local filing id; 404 when unknown."""
    data = context(request).store.snapshot("filings").data
    for row in records(data, _FILING_FIELDS):
        if accession in (row["accession"], row["filing_id"]):
            return row
    raise not_found(f"Filing {accession} not found")


_DOC_COLS = ("filing_id", "name", "sequence", "doc_type", "description", "size", "sha256", "object_key")


def documents(request: Request[Any, Any, Any], filing_id: str) -> list[dict[str, Any]]:
    """The stored documents of a filing, in sequence order."""
    return records(context(request).store.rows("raw_documents", filing_id), _DOC_COLS)


@get("/v1/filings/{accession:str}", tags=["v1"])
async def get_filing(request: Request[Any, Any, Any], accession: str) -> Single[FilingDetail]:
    """A filing (by accession number or local filing id) with its stored documents."""

    def compute() -> tuple[Any, int]:
        row = find_filing(request, accession)
        docs = [
            msgspec.convert({k: d[k] for k in Document.__struct_fields__}, Document)
            for d in documents(request, row["filing_id"])
        ]
        return Single(FilingDetail(**row, documents=docs)), 1

    return await respond(request, ["filings", "raw_documents"], compute)  # type: ignore[return-value]


@get("/v1/filings/{accession:str}/raw", tags=["v1"], sync_to_thread=True)
def get_filing_raw(
    request: Request[Any, Any, Any], accession: str, document: str | None = None
) -> Response[bytes]:
    """The stored bytes of a filing's primary document (or ``document``), streamed from the lake."""
    row = find_filing(request, accession)
    docs = documents(request, row["filing_id"])
    if not docs:
        raise not_found(f"No stored documents for filing {accession}")
    name = document or row["primary_document"]
    chosen = next((d for d in docs if d["name"] == name), None) if name else None
    if chosen is None:
        if document:
            raise bad_param("document", f"Filing {accession} has no document {document!r}.")
        chosen = docs[0]
    body = context(request).store.lake.get_object(chosen["object_key"])
    media = mimetypes.guess_type(chosen["name"])[0] or "application/octet-stream"
    return Response(body, media_type=media, headers=raw_document_headers(chosen["name"]))


#: Headers of every raw filing document. A filing is third-party HTML served on the API's origin, so it is
#: sandboxed: ``sandbox`` (without allow-scripts / allow-same-origin) runs no script, submits no form and gives
#: the document an opaque origin, so nothing in it can read this origin's cookies, storage or responses;
#: ``default-src 'none'`` lets it fetch nothing (no tracking pixel, no request carrying credentials), except
#: inline styles and data: images, which keep the document readable. ``nosniff`` stops a browser from
#: reading the bytes as another type than the one declared, ``same-origin`` resource policy keeps other sites
#: from embedding them, ``no-referrer`` keeps links in the document from leaking the URL. The response sets
#: no cookie.
RAW_DOCUMENT_HEADERS = {
    "content-security-policy": (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "base-uri 'none'; form-action 'none'"
    ),
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-origin",
    "referrer-policy": "no-referrer",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def raw_document_headers(name: str) -> dict[str, str]:
    """The headers of a raw document response: :data:`RAW_DOCUMENT_HEADERS` and an inline disposition.

    The file name is reduced to ``[A-Za-z0-9._-]`` (a stored name cannot break out of the quoted value).
    """
    filename = _UNSAFE_NAME.sub("_", name) or "document"
    return {**RAW_DOCUMENT_HEADERS, "content-disposition": f'inline; filename="{filename}"'}


ROUTES = [search_companies, get_company, list_filings, company_filings, get_filing, get_filing_raw]
