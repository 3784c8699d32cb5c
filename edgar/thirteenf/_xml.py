"""Shared XML helpers of the 13F parsers: safe lxml parsing, local names, number and date readers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lxml import etree

from edgar.errors import ParseError

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}
_ROOT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_MDY = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def local(tag: Any) -> str:
    """Local name of an lxml tag (``{ns}name`` -> ``name``); empty for comments and PIs."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def clean(text: str | None) -> str:
    """Collapse whitespace runs into one space and strip."""
    return " ".join((text or "").split())


def root_name(data: bytes) -> str | None:
    """Local name of the first element of an XML/HTML document, read from its first 4 KB (no parse)."""
    head = data[:4096]
    for m in _ROOT.finditer(head):
        return m.group(1).decode("ascii", errors="replace")
    return None


def parse_xml(data: bytes, source: str) -> Any:
    """Parse XML bytes into an lxml root element.

    Args:
        data: the document bytes (a leading BOM/whitespace is allowed).
        source: file name for error messages.

    Returns:
        The root element.

    Raises:
        ParseError: empty or not well-formed (e.g. truncated) XML; names the source and line.
    """
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    body = data[start:].lstrip(b" \t\r\n")
    offset = data[: len(data) - len(body)].count(b"\n")
    if not body:
        raise ParseError(source, "empty document")
    try:
        return etree.fromstring(body, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        msg = str(exc.msg or exc)
        at_end = exc.lineno is not None and exc.lineno >= body.rstrip().count(b"\n") + 1
        if at_end or "Premature end of data" in msg or "EndTag: '</' not found" in msg:
            msg = f"truncated document (it ends inside an element): {msg}"
        line = exc.lineno + offset if exc.lineno else None
        raise ParseError(source, f"malformed XML: {msg}", line) from exc


def to_int(text: str | None, what: str, warnings: list[str]) -> int | None:
    """Read an integer as reported (thousands separators and ``$`` allowed).

    Integral decimals (``12.0``) read as integers; other decimals are rounded with a warning. Empty text is None
    without a warning; anything else unreadable is None with a warning (never 0).
    """
    if text is not None and text.isdigit():  # fast path: the common case
        return int(text)
    raw = clean(text)
    if not raw:
        return None
    cleaned = raw.replace(",", "").replace("$", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = "-" + cleaned[1:-1]
    if re.fullmatch(r"[-+]?\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"[-+]?\d*\.\d+", cleaned):
        number = float(cleaned)
        if not number.is_integer():
            warnings.append(f"{what} {raw!r} is not a whole number; rounded")
        return round(number)
    warnings.append(f"{what} {raw!r} is not a number")
    return None


def to_bool(text: str | None, what: str, warnings: list[str]) -> bool | None:
    """Read ``true``/``false``/``Y``/``N``/``1``/``0``; None (with a warning) when unreadable, None when absent."""
    raw = clean(text).lower()
    if not raw:
        return None
    if raw in ("true", "y", "yes", "1"):
        return True
    if raw in ("false", "n", "no", "0"):
        return False
    warnings.append(f"{what} {text!r} is not a boolean")
    return None


def to_date(text: str | None, what: str, warnings: list[str]) -> date | None:
    """Read a 13F date (``MM-DD-YYYY``; ``YYYY-MM-DD`` is accepted too); None with a warning when invalid."""
    raw = clean(text)
    if not raw:
        return None
    try:
        if m := _MDY.fullmatch(raw):
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        if m := _ISO.fullmatch(raw):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    warnings.append(f"{what} {raw!r} is not an MM-DD-YYYY date")
    return None
