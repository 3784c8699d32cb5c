"""EDGAR filing index pages (``<accession>-index.html``, "Filing Detail")."""

from __future__ import annotations

import re
from datetime import date, datetime

import lxml.html
import msgspec

from edgar.errors import ParseError
from edgar.parse.acceptance import from_eastern_wall_clock

_ACCESSION_RE = re.compile(r"\b(\d{10}-\d{2}-\d{6})\b")


class IndexPageDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the page's document tables.

    Attributes:
        seq: sequence number, None when the cell is empty (the full submission row has none).
        description: description cell.
        document: document file name (link text).
        type: document type.
        size: size in bytes, None when not a number.
    """

    seq: int | None
    description: str
    document: str
    type: str
    size: int | None


class FilingIndexPage(msgspec.Struct, frozen=True, kw_only=True):
    """The facts of a filing index page.

    Attributes:
        accession: the accession number the page states.
        filing_date: "Filing Date".
        accepted: "Accepted" (Eastern wall clock on the page) as a UTC instant; None when absent.
        accepted_raw: the "Accepted" text as given.
        period_of_report: "Period of Report", None when absent.
        documents: every row of the document tables, in page order.
    """

    accession: str
    filing_date: date
    accepted: datetime | None
    accepted_raw: str | None
    period_of_report: date | None
    documents: list[IndexPageDocument]


def _elements(node: lxml.html.HtmlElement, path: str) -> list[lxml.html.HtmlElement]:
    found = node.xpath(path)
    return [e for e in found if isinstance(e, lxml.html.HtmlElement)] if isinstance(found, list) else []


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse_filing_index_page(html: bytes, source: str) -> FilingIndexPage:
    """Parse an EDGAR filing index page.

    Args:
        html: the page bytes.
        source: name used in error messages.

    Returns:
        Accession, filing date, acceptance time (UTC, converted from the page's Eastern time), period and
        the document list.

    Raises:
        ParseError: the page lacks an accession number or a valid filing date, or a date is malformed.
    """
    try:
        root = lxml.html.fromstring(html)
    except Exception as exc:  # lxml raises several types on hopeless input
        raise ParseError(source, f"not HTML: {exc}") from exc
    sec_num = root.xpath('string(//div[@id="secNum"])')
    m = _ACCESSION_RE.search(str(sec_num))
    if not m:
        raise ParseError(source, "no accession number (div#secNum) on the page")
    info: dict[str, str] = {}
    for head in _elements(root, '//div[@class="infoHead"]'):
        nxt = head.getnext()
        if isinstance(nxt, lxml.html.HtmlElement) and nxt.get("class") == "info":
            info.setdefault(_clean(head.text_content()), _clean(nxt.text_content()))
    try:
        filing_date = date.fromisoformat(info["Filing Date"])
    except (KeyError, ValueError) as exc:
        raise ParseError(
            source, f"Filing Date {info.get('Filing Date')!r} missing or not YYYY-MM-DD"
        ) from exc
    accepted_raw = info.get("Accepted")
    accepted: datetime | None = None
    if accepted_raw:
        try:
            accepted = from_eastern_wall_clock(datetime.strptime(accepted_raw, "%Y-%m-%d %H:%M:%S"))
        except ValueError as exc:
            raise ParseError(source, f"Accepted {accepted_raw!r} is not YYYY-MM-DD HH:MM:SS") from exc
    period: date | None = None
    if info.get("Period of Report"):
        try:
            period = date.fromisoformat(info["Period of Report"])
        except ValueError as exc:
            raise ParseError(
                source, f"Period of Report {info['Period of Report']!r} is not YYYY-MM-DD"
            ) from exc
    documents: list[IndexPageDocument] = []
    for row in _elements(root, '//table[@class="tableFile"]/tr[td]'):
        cells = [_clean(td.text_content()) for td in _elements(row, "td")]
        if len(cells) < 5:
            continue
        seq, description, document, doc_type, size = cells[:5]
        documents.append(
            IndexPageDocument(
                seq=int(seq) if seq.isdigit() else None,
                description=description,
                document=document,
                type=doc_type,
                size=int(size) if size.isdigit() else None,
            )
        )
    return FilingIndexPage(
        accession=m.group(1),
        filing_date=filing_date,
        accepted=accepted,
        accepted_raw=accepted_raw,
        period_of_report=period,
        documents=documents,
    )
