"""EDGAR daily (and quarterly form/company) indexes: ``form.YYYYMMDD.idx``, ``company.YYYYMMDD.idx``.

The files are fixed-width: a preamble (``Description:``, ``Last Data Received:``...), a header line naming the
columns (``Form Type   Company Name   CIK   Date Filed  File Name``), a line of dashes, then one filing a line.
Column starts are taken from the header. In the company index the header wraps over two lines (``... Form
Type   CIK`` / ``Date Filed  File Name``): the columns of the continuation line cannot be placed from the header,
so they are read as whitespace-separated tokens after the CIK column (CIK, date and file name never contain
spaces). Every text column must start at its header position on a space boundary, so a company name that
overflows into the next column is reported, not silently misread.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import msgspec

from edgar.errors import ParseError

_COLUMNS = ("Form Type", "Company Name", "CIK", "Date Filed", "File Name")
_FILE_RE = re.compile(r"^edgar/data/(\d+)/(\d{10}-\d{2}-\d{6})\.txt$")
_DATE_RES = (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"))


class IndexEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One filing listed in a daily index.

    Attributes:
        form: form type (``10-K``, ``1-A POS``...).
        company: company name as listed.
        cik: filer CIK.
        date_filed: filing date.
        file_name: path of the full submission, ``edgar/data/<cik>/<accession>.txt``.
        accession: accession number taken from the file name.
        line: 1-based line of the entry in the index file.
    """

    form: str
    company: str
    cik: int
    date_filed: date
    file_name: str
    accession: str
    line: int


class DailyIndex(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed daily index.

    Attributes:
        source: name of the parsed file.
        description: the ``Description:`` preamble value ('' when absent).
        last_data_received: the ``Last Data Received:`` preamble value as given ('' when absent).
        entries: the filings, in file order.
        errors: bad lines skipped (only with ``strict=False``; empty otherwise).
    """

    source: str
    description: str
    last_data_received: str
    entries: list[IndexEntry]
    errors: list[ParseError]


def _parse_date(text: str) -> date | None:
    for pattern in _DATE_RES:
        if m := pattern.match(text):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _header(lines: list[str], source: str) -> tuple[int, dict[str, int], list[str]]:
    """Find the header; return (index of the dashes line, column starts on the first line, wrapped columns)."""
    for i, line in enumerate(lines):
        if "CIK" not in line or not ("Form Type" in line and "Company Name" in line):
            continue
        starts = {name: line.index(name) for name in _COLUMNS if name in line}
        j = i + 1
        wrapped: list[str] = []
        while j < len(lines) and not lines[j].startswith("---"):
            wrapped += [name for name in _COLUMNS if name in lines[j] and name not in starts]
            j += 1
        if j >= len(lines):
            raise ParseError(source, "no line of dashes after the header", i + 1)
        missing = [c for c in _COLUMNS if c not in starts and c not in wrapped]
        if missing:
            raise ParseError(source, f"header lacks column(s) {', '.join(missing)}", i + 1)
        order = sorted(starts, key=starts.__getitem__)
        if wrapped and order[-1] != "CIK":
            raise ParseError(
                source, "header wraps, but its first line does not end with the CIK column", i + 1
            )
        return j, starts, wrapped
    raise ParseError(source, "no header line with 'Form Type', 'Company Name' and 'CIK'")


def _parse_line(
    line: str, lineno: int, starts: dict[str, int], wrapped: list[str], source: str
) -> IndexEntry:
    order = sorted(starts, key=starts.__getitem__)
    values: dict[str, str] = {}
    for k, name in enumerate(order):
        start = starts[name]
        if start > 0 and len(line) > start and line[start - 1] != " " and line[start] != " ":
            held = line[start : starts[order[k + 1]] if k + 1 < len(order) else len(line)].rstrip()
            left = order[k - 1] if k else "line start"
            raise ParseError(
                source,
                f"{left} overflows into the {name} column (which holds {held!r}, at column {start + 1})",
                lineno,
            )
        end = starts[order[k + 1]] if k + 1 < len(order) else None
        values[name] = line[start:end] if end is not None else line[start:]
    # CIK, and any wrapped columns, are whitespace-free tokens at the end
    tail = values.pop("CIK").split() if wrapped else None
    if tail is not None:
        expected = ["CIK", *wrapped]
        if len(tail) != len(expected):
            raise ParseError(
                source,
                f"expected {len(expected)} values ({', '.join(expected)}) from column {starts['CIK'] + 1}, found {tail!r}",
                lineno,
            )
        values.update(zip(expected, tail, strict=True))
    form, company = values["Form Type"].strip(), values["Company Name"].strip()
    cik_text, date_text, file_name = (
        values["CIK"].strip(),
        values["Date Filed"].strip(),
        values["File Name"].strip(),
    )
    if not form:
        raise ParseError(source, "empty Form Type", lineno)
    if not company:
        raise ParseError(source, "empty Company Name", lineno)
    if not cik_text.isdigit() or not cik_text.isascii():
        raise ParseError(source, f"CIK column holds {cik_text!r}, not digits", lineno)
    filed = _parse_date(date_text)
    if filed is None:
        raise ParseError(
            source, f"Date Filed {date_text!r} is not a valid YYYYMMDD or YYYY-MM-DD date", lineno
        )
    m = _FILE_RE.match(file_name)
    if not m:
        raise ParseError(source, f"File Name {file_name!r} is not edgar/data/<cik>/<accession>.txt", lineno)
    cik = int(cik_text)
    if int(m.group(1)) != cik:
        raise ParseError(
            source, f"File Name {file_name!r} names CIK {int(m.group(1))}, the CIK column says {cik}", lineno
        )
    return IndexEntry(
        form=form,
        company=company,
        cik=cik,
        date_filed=filed,
        file_name=file_name,
        accession=m.group(2),
        line=lineno,
    )


def parse_daily_index(data: bytes, source: str, *, strict: bool = True) -> DailyIndex:
    """Parse an EDGAR ``form.*.idx`` or ``company.*.idx`` (or a master-style file with the same layout).

    Args:
        data: the raw file (ASCII/Latin-1; decoded as Latin-1 so no byte is rejected).
        source: file name used in error messages, e.g. ``form.20200318.idx``.
        strict: raise on the first bad line (default); with False, skip bad lines and list them in
            ``DailyIndex.errors``.

    Returns:
        The preamble values and every entry.

    Raises:
        ParseError: no header, no entries after the header (also with ``strict=False``), or (strict) a bad line.
            The message names the source and the line.
    """
    text = data.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    dashes, starts, wrapped = _header(lines, source)
    preamble: dict[str, str] = {}
    for line in lines[:dashes]:
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("Description", "Last Data Received"):
            preamble[key.strip()] = value.strip()
    entries: list[IndexEntry] = []
    errors: list[ParseError] = []
    for i in range(dashes + 1, len(lines)):
        line = lines[i].rstrip()
        if not line:
            continue
        try:
            entries.append(_parse_line(line, i + 1, starts, wrapped, source))
        except ParseError as exc:
            if strict:
                raise
            errors.append(exc)
    if not entries and not errors:
        raise ParseError(source, f"no entries after the header at line {dashes + 1}", dashes + 1)
    return DailyIndex(
        source=source,
        description=preamble.get("Description", ""),
        last_data_received=preamble.get("Last Data Received", ""),
        entries=entries,
        errors=errors,
    )


_NAME_DATE = re.compile(r"\.(\d{8})\.idx")
_RECEIVED = re.compile(rb"Last Data Received:\s*([A-Za-z]+)\.?\s+(\d{1,2}),\s*(\d{4})")


def index_date(name: str, data: bytes) -> date | None:
    """The day an index covers: from its name (``form.20200318.idx``), else its ``Last Data Received`` line.

    Works on files that do not parse (a malformed index still has a day), returns ``None`` when neither says.
    """
    if named := _NAME_DATE.search(name):
        try:
            return datetime.strptime(named.group(1), "%Y%m%d").date()
        except ValueError:
            return None
    if received := _RECEIVED.search(data[:2048]):
        month, day, year = (g.decode("ascii") for g in received.groups())
        for fmt in ("%B %d %Y", "%b %d %Y"):
            try:
                return datetime.strptime(f"{month} {day} {year}", fmt).date()
            except ValueError:
                continue
    return None
