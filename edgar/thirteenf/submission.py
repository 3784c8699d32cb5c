"""One 13F filing from whatever file holds it: a full submission, a primary document or an information table."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Any

import msgspec

from edgar.errors import ParseError
from edgar.parse.sgml import parse_sgml_submission
from edgar.thirteenf._xml import local, parse_xml, root_name
from edgar.thirteenf.cover import Cover13F, cover_from_root
from edgar.thirteenf.infotable import (
    Holding,
    holdings_from_root,
    parse_information_table_html,
)

_HTML_HEAD = re.compile(rb"<!DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)


class Validation(msgspec.Struct, frozen=True, kw_only=True):
    """The information table checked against the summary page (recorded, never raised).

    Attributes:
        rows: rows read from the information table.
        table_entry_total: the cover's ``tableEntryTotal``, None when unknown.
        rows_match: rows == table_entry_total; None when either is unknown.
        value_sum: sum of the rows' VALUE as reported; None when a row's value is unreadable.
        table_value_total: the cover's ``tableValueTotal`` as reported, None when unknown.
        value_match: value_sum == table_value_total; None when either is unknown.
        mismatches: one sentence per failed check.
    """

    rows: int
    table_entry_total: int | None
    rows_match: bool | None
    value_sum: int | None
    table_value_total: int | None
    value_match: bool | None
    mismatches: tuple[str, ...]


class Filing13F(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed 13F filing.

    Attributes:
        source: name of the parsed file.
        accession: accession number (SGML header, or given by the caller), None when unknown.
        filing_date: FILED AS OF DATE (SGML header, or given by the caller), None when unknown.
        acceptance_utc: ACCEPTANCE-DATETIME in UTC (``.txt`` submissions only), None when unknown.
        form: submission type: the cover's, else the SGML header's; None when unknown.
        filer_cik: the cover's filer CIK, else the SGML header's filer.
        period: the cover's period of report, else the SGML header's.
        cover: the primary document, None when the file holds only an information table.
        holdings: the information table rows (empty for a 13F-NT or when the file has no table).
        has_information_table: an information table was found (an empty one counts).
        validation: rows and value sum against the cover's totals.
        warnings: what was odd about the file (cover warnings, row warnings, documents skipped).
    """

    source: str
    accession: str | None
    filing_date: date | None
    acceptance_utc: datetime | None
    form: str | None
    filer_cik: int | None
    period: date | None
    cover: Cover13F | None
    holdings: tuple[Holding, ...]
    has_information_table: bool
    validation: Validation
    warnings: tuple[str, ...]


def validate(
    cover: Cover13F | None, holdings: tuple[Holding, ...] | list[Holding], *, has_table: bool = True
) -> Validation:
    """Compare an information table with the cover's ``tableEntryTotal`` and ``tableValueTotal``.

    Args:
        cover: the cover page, or None.
        holdings: the information table rows.
        has_table: False when the file held no information table (a primary document alone): nothing is
            compared (``rows_match``, ``value_sum`` and ``value_match`` are None).

    Returns:
        The :class:`Validation` (both totals as reported; no unit conversion).
    """
    entry_total = cover.table_entry_total if cover else None
    value_total = cover.table_value_total if cover else None
    values = [h.value for h in holdings]
    value_sum = None if any(v is None for v in values) else sum(v for v in values if v is not None)
    if not has_table:
        value_sum = None
    rows_match = None if entry_total is None or not has_table else len(holdings) == entry_total
    value_match = None if value_total is None or value_sum is None else value_sum == value_total
    mismatches: list[str] = []
    if rows_match is False:
        mismatches.append(f"information table has {len(holdings)} rows, tableEntryTotal says {entry_total}")
    if value_match is False:
        mismatches.append(f"information table values sum to {value_sum}, tableValueTotal says {value_total}")
    return Validation(
        rows=len(holdings),
        table_entry_total=entry_total,
        rows_match=rows_match,
        value_sum=value_sum,
        table_value_total=value_total,
        value_match=value_match,
        mismatches=tuple(mismatches),
    )


class _Parts:
    def __init__(self) -> None:
        self.cover: Cover13F | None = None
        self.tables: list[list[Holding]] = []
        self.warnings: list[str] = []


def _read_document(body: bytes, name: str, parts: _Parts, *, embedded_ok: bool = True) -> bool:
    """Read one document into ``parts``; False when it is neither a 13F cover nor an information table."""
    if _HTML_HEAD.search(body[:2048]):
        if b"NAME OF ISSUER" not in body.upper():
            return False
        parts.tables.append(parse_information_table_html(body, name))
        return True
    root_local = root_name(body.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if root_local not in ("edgarSubmission", "informationTable"):
        return False
    root = parse_xml(body, name)
    if local(root.tag) == "informationTable":
        parts.tables.append(holdings_from_root(root, name))
        return True
    cover = cover_from_root(root, name)
    if parts.cover is None:
        parts.cover = cover
    else:
        parts.warnings.append(f"{name}: a second 13F cover page was ignored")
    if embedded_ok:
        _read_embedded(root, name, parts)
    return True


def _read_embedded(root: Any, name: str, parts: _Parts) -> None:
    """Documents attached base64-encoded in ``edgarSubmission/documents`` (the upload format, SEC samples)."""
    for doc in root.iter():
        if local(doc.tag) != "document":
            continue
        fields = {local(c.tag): (c.text or "") for c in doc}
        doc_name = f"{name}#{fields.get('conformedName', 'document').strip()}"
        try:
            body = base64.b64decode(fields.get("contents", ""), validate=False)
        except (binascii.Error, ValueError) as exc:
            parts.warnings.append(f"{doc_name}: contents are not base64 ({exc}); skipped")
            continue
        if not _read_document(body, doc_name, parts, embedded_ok=False):
            parts.warnings.append(f"{doc_name}: neither a 13F cover nor an information table; skipped")


def parse_13f(
    name: str,
    data: bytes,
    *,
    accession: str | None = None,
    filing_date: date | None = None,
    acceptance_utc: datetime | None = None,
) -> Filing13F:
    """Parse a 13F filing from a full submission, a primary document or an information table.

    Accepted inputs: a full SGML submission (``.txt`` or ``.nc``), whose documents are sniffed by their XML root
    (``edgarSubmission`` = cover, ``informationTable`` = holdings; an HTML ``FORM 13F INFORMATION TABLE`` also
    counts); a stand-alone ``primary_doc.xml`` (its base64 ``documents/document/contents`` attachments, as in the
    SEC's samples, are read too); a stand-alone XML or HTML information table.

    Args:
        name: file name (used in errors and warnings).
        data: the file's bytes.
        accession: accession number for files without an SGML header (ignored when the header gives one).
        filing_date: filing date for files without an SGML header (ignored when the header gives one).
        acceptance_utc: acceptance time for files without one.

    Returns:
        The :class:`Filing13F` with its :class:`Validation` (mismatches are recorded, not raised).

    Raises:
        ParseError: a document is not well-formed (e.g. truncated), or the file holds no 13F document.
    """
    parts = _Parts()
    head = data.lstrip()[:64]
    header_form: str | None = None
    header_cik: int | None = None
    header_period: date | None = None
    if head.startswith((b"<SEC-DOCUMENT>", b"<SEC-HEADER>", b"<SUBMISSION>")):
        sub = parse_sgml_submission(data, name)
        accession, filing_date = sub.accession, sub.filed_as_of
        acceptance_utc = sub.acceptance_utc or acceptance_utc
        header_form, header_period = sub.form, sub.period_of_report
        header_cik = next((p.cik for p in sub.parties if p.role == "filer"), None)
        parts.warnings.extend(f"{name}: {w}" for w in sub.warnings)
        for doc in sub.documents:
            body = doc.decoded if doc.uuencoded else doc.body
            doc_name = f"{name}#{doc.filename or doc.sequence}"
            if body is None or not _read_document(body, doc_name, parts):
                parts.warnings.append(f"{doc_name}: {doc.type} document is not a 13F cover or table; skipped")
    elif not _read_document(data, name, parts):
        raise ParseError(name, "neither a 13F submission, primary document nor information table")
    if len(parts.tables) > 1:
        parts.warnings.append(f"{name}: {len(parts.tables)} information tables; rows concatenated")
    holdings = tuple(h for table in parts.tables for h in table)
    cover = parts.cover
    if cover is not None:
        parts.warnings.extend(f"{name}: {w}" for w in cover.warnings)
    parts.warnings.extend(f"{name}: {w}" for h in holdings for w in h.warnings)
    if cover is None and not parts.tables and header_form is not None:
        parts.warnings.append(f"{name}: submission holds no 13F cover page or information table")
    return Filing13F(
        source=name,
        accession=accession,
        filing_date=filing_date,
        acceptance_utc=acceptance_utc,
        form=(cover.submission_type if cover else None) or header_form,
        filer_cik=(cover.filer_cik if cover else None) or header_cik,
        period=(cover.period_of_report if cover else None) or header_period,
        cover=cover,
        holdings=holdings,
        has_information_table=bool(parts.tables),
        validation=validate(cover, holdings, has_table=bool(parts.tables)),
        warnings=tuple(parts.warnings),
    )
