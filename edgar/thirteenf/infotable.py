"""13F information tables: the XML ``informationTable`` and the SEC's HTML rendering of it.

XML elements are matched by local name (``ns1:infoTable``, a default namespace, or an unknown namespace all
parse). Values are kept as reported; :func:`value_usd` converts the VALUE column to dollars.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import msgspec
from selectolax.lexbor import LexborHTMLParser, LexborNode

from edgar.errors import ParseError
from edgar.thirteenf._xml import clean, local, parse_xml, to_int

#: first filing date on which the VALUE column is in dollars (SEC Release 34-95148, Form 13F amendments)
DOLLARS_FROM_FILING_DATE = date(2023, 1, 3)
#: first period of report whose VALUE column is in dollars, when only the period is known
DOLLARS_FROM_PERIOD = date(2022, 12, 31)

_DISCRETIONS = ("SOLE", "DFND", "OTR")
_PUT_CALL = {"PUT": "Put", "CALL": "Call"}


class Holding(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a 13F information table, as reported.

    Attributes:
        row: 1-based row number in the table (for error messages).
        issuer_name: NAME OF ISSUER.
        title_of_class: TITLE OF CLASS.
        cusip: CUSIP, upper-cased; 6-8 character CUSIPs that lost their leading zeros are padded to 9 (warning).
        figi: FIGI when given (optional since 2023), else None.
        value: VALUE as reported (thousands of dollars before 2023, dollars after: see :func:`value_usd`).
        shares_or_principal: SHRS OR PRN AMT.
        sh_prn: ``SH`` or ``PRN``.
        put_call: None, ``Put`` or ``Call``.
        investment_discretion: ``SOLE``, ``DFND`` or ``OTR``.
        other_managers: OTHER MANAGER sequence numbers (ints) or, when not numbers, strings, as given.
        voting_sole: VOTING AUTHORITY SOLE.
        voting_shared: VOTING AUTHORITY SHARED.
        voting_none: VOTING AUTHORITY NONE.
        warnings: values of this row that could not be read (and became None) or were normalised.
    """

    row: int
    issuer_name: str | None
    title_of_class: str | None
    cusip: str | None
    figi: str | None
    value: int | None
    shares_or_principal: int | None
    sh_prn: str | None
    put_call: str | None
    investment_discretion: str | None
    other_managers: tuple[int | str, ...]
    voting_sole: int | None
    voting_shared: int | None
    voting_none: int | None
    warnings: tuple[str, ...] = ()


def value_usd(value: int, *, filing_date: date | None = None, period: date | None = None) -> int:
    """Convert a reported VALUE (row or ``tableValueTotal``) to US dollars.

    The SEC's Form 13F amendments (Release 34-95148, 2022) changed the VALUE column from thousands of dollars
    to dollars, rounded to the nearest dollar, for filings made on or after January 3, 2023, whatever period they
    report (a late or amended filing for a 2020 quarter filed in 2023 reports dollars). Rule applied here:

    * filing date known: on or after 2023-01-03 -> dollars; earlier -> thousands (x1000);
    * only the period known: periods ending on or after 2022-12-31 -> dollars (the first period whose regular
      filing window opened after the change); earlier -> thousands. This guess is wrong for late or amended
      filings of earlier periods made in 2023 or later: pass the filing date when there is one.

    Args:
        value: the value as reported.
        filing_date: the filing's date (SGML FILED AS OF DATE); takes precedence.
        period: the period of report, used only without a filing date.

    Returns:
        The value in dollars.

    Raises:
        ValueError: neither date given.
    """
    if filing_date is not None:
        return value if filing_date >= DOLLARS_FROM_FILING_DATE else value * 1000
    if period is not None:
        return value if period >= DOLLARS_FROM_PERIOD else value * 1000
    raise ValueError("value_usd needs a filing_date or a period")


# ---------------------------------------------------------------- row normalisation


def _cusip(raw: str, warnings: list[str]) -> str | None:
    cusip = raw.replace(" ", "").upper()
    if not cusip:
        warnings.append("CUSIP missing")
        return None
    if len(cusip) in (6, 7, 8) and cusip.isalnum():
        warnings.append(f"CUSIP {raw!r} has {len(cusip)} characters; padded with leading zeros")
        return cusip.zfill(9)
    if len(cusip) != 9 or not cusip.isalnum():
        warnings.append(f"CUSIP {raw!r} is not 9 letters/digits")
    return cusip


def _choice(raw: str, allowed: tuple[str, ...], what: str, warnings: list[str]) -> str | None:
    value = raw.upper()
    if not value:
        return None
    if value in allowed:
        return value
    warnings.append(f"{what} {raw!r} is not one of {', '.join(allowed)}")
    return None


def _put_call(raw: str, warnings: list[str]) -> str | None:
    if not raw:
        return None
    value = _PUT_CALL.get(raw.upper())
    if value is None:
        warnings.append(f"PUT/CALL {raw!r} is not Put or Call")
    return value


def _other_managers(raw: str) -> tuple[int | str, ...]:
    parts = [p for p in re.split(r"[,;\s]+", raw) if p]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _holding(row: int, v: dict[str, str]) -> Holding:
    warnings: list[str] = []
    sh_prn = _choice(v.get("sshPrnamtType", ""), ("SH", "PRN"), "SH/PRN", warnings)
    if sh_prn is None and not v.get("sshPrnamtType"):
        warnings.append("SH/PRN missing")
    return Holding(
        row=row,
        issuer_name=v.get("nameOfIssuer") or None,
        title_of_class=v.get("titleOfClass") or None,
        cusip=_cusip(v.get("cusip", ""), warnings),
        figi=v.get("figi", "").upper() or None,
        value=to_int(v.get("value"), "VALUE", warnings),
        shares_or_principal=to_int(v.get("sshPrnamt"), "SHRS OR PRN AMT", warnings),
        sh_prn=sh_prn,
        put_call=_put_call(v.get("putCall", ""), warnings),
        investment_discretion=_choice(
            v.get("investmentDiscretion", ""), _DISCRETIONS, "INVESTMENT DISCRETION", warnings
        ),
        other_managers=_other_managers(v.get("otherManager", "")),
        voting_sole=to_int(v.get("Sole"), "VOTING SOLE", warnings),
        voting_shared=to_int(v.get("Shared"), "VOTING SHARED", warnings),
        voting_none=to_int(v.get("None"), "VOTING NONE", warnings),
        warnings=tuple(f"row {row}: {w}" for w in warnings),
    )


# ---------------------------------------------------------------- XML


def holdings_from_root(root: Any, source: str) -> list[Holding]:
    """Read the rows of an already parsed ``informationTable`` root element.

    Args:
        root: lxml element whose local name is ``informationTable``.
        source: file name for errors.

    Returns:
        One :class:`Holding` per ``infoTable`` element, in file order.

    Raises:
        ParseError: the root is not ``informationTable``.
    """
    if local(root.tag) != "informationTable":
        raise ParseError(source, f"root element is <{local(root.tag)}>, not a 13F <informationTable>")
    holdings: list[Holding] = []
    for entry in root:
        if local(entry.tag) != "infoTable":
            continue
        values: dict[str, str] = {}
        for elem in entry.iter():
            name = local(elem.tag)
            if name == "otherManager" and name in values:
                values[name] += "," + clean(elem.text)
            elif len(elem) == 0 and name:
                text = elem.text
                if text is None:
                    values[name] = ""
                elif " " in text or not text.isprintable():
                    values[name] = clean(text)
                else:
                    values[name] = text
        holdings.append(_holding(len(holdings) + 1, values))
    return holdings


def parse_information_table(data: bytes, source: str) -> list[Holding]:
    """Parse a 13F XML information table (``informationTable``/``infoTable``, any namespace or prefix).

    Args:
        data: the XML bytes.
        source: file name used in errors.

    Returns:
        The rows in file order; unreadable values are None with a warning on the row.

    Raises:
        ParseError: not well-formed (e.g. truncated) XML or not an information table; names the source.
    """
    return holdings_from_root(parse_xml(data, source), source)


# ---------------------------------------------------------------- HTML rendering

#: header cell (third header row of the SEC rendering) -> XML element name of the column
_HTML_COLUMNS: dict[str, str] = {
    "NAME OF ISSUER": "nameOfIssuer",
    "TITLE OF CLASS": "titleOfClass",
    "CUSIP": "cusip",
    "FIGI": "figi",
    "PRN AMT": "sshPrnamt",
    "PRN": "sshPrnamtType",
    "CALL": "putCall",
    "DISCRETION": "investmentDiscretion",
    "MANAGER": "otherManager",
    "SOLE": "Sole",
    "SHARED": "Shared",
    "NONE": "None",
}


def _is_value_header(header: str) -> bool:
    return "DOLLAR" in header or "$" in header or header in ("VALUE", "(X1000)")


def _cells(row: LexborNode) -> list[str]:
    return [clean(td.text(deep=True)) for td in row.iter() if td.tag in ("td", "th")]


def parse_information_table_html(data: bytes, source: str) -> list[Holding]:
    """Parse the SEC's HTML rendering of a 13F information table (``FORM 13F INFORMATION TABLE`` page).

    Columns are found by the header row that starts with ``NAME OF ISSUER`` (``TITLE OF CLASS``, ``CUSIP``,
    optional ``FIGI``, the value column - ``(to the nearest dollar)`` since 2023, ``(x$1000)`` before -, ``PRN
    AMT``, ``PRN``, ``CALL``, ``DISCRETION``, ``MANAGER``, ``SOLE``, ``SHARED``, ``NONE``); every later row with
    as many cells is a holding. Numbers may carry thousands separators.

    Args:
        data: the HTML bytes.
        source: file name used in errors.

    Returns:
        The rows in file order.

    Raises:
        ParseError: no header row, a truncated page (no ``</table>`` after the header), a missing column, or
            a row with a different number of cells.
    """
    tree = LexborHTMLParser(data.decode("utf-8", errors="replace"))
    for table in tree.css("table"):
        rows = table.css("tr")
        for i, tr in enumerate(rows):
            header = [h.upper() for h in _cells(tr)]
            if header and header[0] == "NAME OF ISSUER":
                return _html_rows(data, source, header, rows[i + 1 :])
    raise ParseError(source, "no 13F information table (no header row starting with NAME OF ISSUER)")


def _html_rows(data: bytes, source: str, header: list[str], rows: list[LexborNode]) -> list[Holding]:
    if b"</table>" not in data[data.upper().find(b"NAME OF ISSUER") :].lower():
        raise ParseError(source, "information table is never closed (</table> missing): file truncated?")
    names: list[str] = []
    for h in header:
        name = _HTML_COLUMNS.get(h) or ("value" if _is_value_header(h) else "")
        names.append(name)
    missing = {"nameOfIssuer", "cusip", "value", "sshPrnamt"} - set(names)
    if missing:
        raise ParseError(source, f"information table header lacks columns {sorted(missing)}: {header}")
    holdings: list[Holding] = []
    for tr in rows:
        cells = _cells(tr)
        if not any(cells):
            continue
        if len(cells) != len(names):
            raise ParseError(
                source, f"table row {len(holdings) + 1} has {len(cells)} cells, the header {len(names)}"
            )
        values = {n: c for n, c in zip(names, cells, strict=True) if n}
        holdings.append(_holding(len(holdings) + 1, values))
    return holdings
