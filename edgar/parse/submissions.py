"""data.sec.gov submissions JSON: the main document and its overflow pages.

The main document (``CIK##########.json``) holds company fields and ``filings.recent`` (column arrays) plus
``filings.files``, the names of overflow pages. An overflow page (``CIK##########-submissions-001.json``) is the
bare column arrays. Both parse to :class:`Submissions`; on an overflow page the company fields are None/empty.

``acceptanceDateTime`` is kept exactly as given (``acceptance_raw``): its ``Z`` suffix cannot be trusted (see
:mod:`edgar.parse.acceptance`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from edgar.errors import ParseError


class SubmissionRow(msgspec.Struct, frozen=True, kw_only=True):
    """One filing of a submissions feed.

    Attributes:
        accession: accession number ``0000320193-23-000106``.
        form: form type (``10-K``, ``4``...).
        filing_date: the EDGAR filing date.
        report_date: period of report; None when the feed gives an empty string.
        acceptance_raw: ``acceptanceDateTime`` exactly as given (time zone unknown, see acceptance.py).
        primary_document: primary document file name ('' when none).
        primary_doc_description: description of the primary document ('' when none).
        is_xbrl: the filing has XBRL.
        is_inline_xbrl: the filing has inline XBRL.
        size: size in bytes of the submission.
        items: 8-K item numbers as given (``"2.02,9.01"``), '' when none.
        file_number: SEC file number ('' when none).
        film_number: film number ('' when none).
        act: securities act (``"34"``), '' when none.
    """

    accession: str
    form: str
    filing_date: date
    report_date: date | None
    acceptance_raw: str
    primary_document: str
    primary_doc_description: str
    is_xbrl: bool
    is_inline_xbrl: bool
    size: int
    items: str
    file_number: str
    film_number: str
    act: str


class OverflowFile(msgspec.Struct, frozen=True, kw_only=True):
    """An entry of ``filings.files``: one overflow page.

    Attributes:
        name: page file name, e.g. ``CIK0001318605-submissions-001.json``.
        filing_count: number of filings on that page.
        filing_from: oldest filing date on that page.
        filing_to: newest filing date on that page.
    """

    name: str
    filing_count: int | None
    filing_from: date | None
    filing_to: date | None


class Submissions(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed submissions document (main document or overflow page).

    Attributes:
        source: name of the parsed file.
        is_overflow_page: True for a flat overflow page (no company fields).
        cik: company CIK (None on an overflow page).
        name: company name.
        tickers: ticker symbols.
        exchanges: exchanges of the tickers.
        sic: SIC code as given (string, may be '').
        sic_description: SIC description.
        category: filer category exactly as given (may hold ``<br>`` between several categories).
        fiscal_year_end: ``MMDD`` as given.
        state_of_incorporation: state code as given.
        entity_type: e.g. ``operating``.
        ein: employer identification number as given.
        files: overflow pages named by the main document.
        filings: the filings, newest first as given.
    """

    source: str
    is_overflow_page: bool
    cik: int | None
    name: str | None
    tickers: list[str]
    exchanges: list[str]
    sic: str | None
    sic_description: str | None
    category: str | None
    fiscal_year_end: str | None
    state_of_incorporation: str | None
    entity_type: str | None
    ein: str | None
    files: list[OverflowFile]
    filings: list[SubmissionRow]


_REQUIRED = ("accessionNumber", "filingDate", "acceptanceDateTime", "form")


def _date(value: Any, source: str, what: str, row: int) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ParseError(source, f"filing {row}: {what} {value!r} is not a date") from exc


def _opt_date(value: Any, source: str, what: str, row: int) -> date | None:
    if value is None or value == "":
        return None
    return _date(value, source, what, row)


def _rows(cols: dict[str, Any], source: str) -> list[SubmissionRow]:
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise ParseError(source, f"filings lack column(s) {', '.join(missing)}")
    n = len(cols["accessionNumber"])
    for key, values in cols.items():
        if not isinstance(values, list) or len(values) != n:
            raise ParseError(
                source,
                f"column {key!r} has {len(values) if isinstance(values, list) else 'no'} values, accessionNumber has {n}",
            )

    def col(key: str, i: int, default: Any = "") -> Any:
        values = cols.get(key)
        if values is None:
            return default
        value = values[i]
        return default if value is None else value

    rows: list[SubmissionRow] = []
    for i in range(n):
        try:
            size = int(col("size", i, 0))
        except (TypeError, ValueError) as exc:
            raise ParseError(source, f"filing {i}: size {col('size', i)!r} is not an integer") from exc
        rows.append(
            SubmissionRow(
                accession=str(col("accessionNumber", i)),
                form=str(col("form", i)),
                filing_date=_date(col("filingDate", i), source, "filingDate", i),
                report_date=_opt_date(col("reportDate", i), source, "reportDate", i),
                acceptance_raw=str(col("acceptanceDateTime", i)),
                primary_document=str(col("primaryDocument", i)),
                primary_doc_description=str(col("primaryDocDescription", i)),
                is_xbrl=bool(col("isXBRL", i, 0)),
                is_inline_xbrl=bool(col("isInlineXBRL", i, 0)),
                size=size,
                items=str(col("items", i)),
                file_number=str(col("fileNumber", i)),
                film_number=str(col("filmNumber", i)),
                act=str(col("act", i)),
            )
        )
    return rows


def _opt_str(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    return None if value is None else str(value)


def parse_submissions(data: bytes, source: str) -> Submissions:
    """Parse a data.sec.gov submissions document or one of its overflow pages.

    Args:
        data: the raw JSON bytes.
        source: file name or URL, used in error messages.

    Returns:
        The company fields (main document only) and every filing row.

    Raises:
        ParseError: not JSON, not a submissions document, ragged columns or an invalid date.
    """
    try:
        doc = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise ParseError(source, f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ParseError(source, "not a submissions document (top level is not an object)")
    if "filings" in doc:
        filings = doc["filings"]
        if not isinstance(filings, dict) or not isinstance(filings.get("recent"), dict):
            raise ParseError(source, "'filings' has no 'recent' object")
        rows = _rows(filings["recent"], source)
        files = [
            OverflowFile(
                name=str(f["name"]),
                filing_count=f.get("filingCount"),
                filing_from=_opt_date(f.get("filingFrom"), source, "files.filingFrom", j),
                filing_to=_opt_date(f.get("filingTo"), source, "files.filingTo", j),
            )
            for j, f in enumerate(filings.get("files") or [])
        ]
        try:
            cik = int(doc["cik"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ParseError(source, f"cik {doc.get('cik')!r} is not a number") from exc
        return Submissions(
            source=source,
            is_overflow_page=False,
            cik=cik,
            name=_opt_str(doc, "name"),
            tickers=[str(t) for t in doc.get("tickers") or []],
            exchanges=[str(e) for e in doc.get("exchanges") or [] if e is not None],
            sic=_opt_str(doc, "sic"),
            sic_description=_opt_str(doc, "sicDescription"),
            category=_opt_str(doc, "category"),
            fiscal_year_end=_opt_str(doc, "fiscalYearEnd"),
            state_of_incorporation=_opt_str(doc, "stateOfIncorporation"),
            entity_type=_opt_str(doc, "entityType"),
            ein=_opt_str(doc, "ein"),
            files=files,
            filings=rows,
        )
    if "accessionNumber" in doc:
        return Submissions(
            source=source,
            is_overflow_page=True,
            cik=None,
            name=None,
            tickers=[],
            exchanges=[],
            sic=None,
            sic_description=None,
            category=None,
            fiscal_year_end=None,
            state_of_incorporation=None,
            entity_type=None,
            ein=None,
            files=[],
            filings=_rows(doc, source),
        )
    raise ParseError(source, "not a submissions document: neither 'filings' nor 'accessionNumber' present")


def overflow_pages_for(files: list[OverflowFile], first: date, last: date) -> list[OverflowFile]:
    """The overflow pages that may hold filings dated ``first`` .. ``last``.

    Those whose date range overlaps it, and those whose range the main document does not state.
    """
    return [
        f
        for f in files
        if f.filing_from is None or f.filing_to is None or (f.filing_from <= last and f.filing_to >= first)
    ]
