"""Byte-level preparation of XBRL documents for lxml, and turning lxml syntax errors into :class:`ParseError`."""

from __future__ import annotations

import re

from lxml import etree

from edgar.errors import ParseError

_SGML_WRAPPER = re.compile(rb"^\s*<DOCUMENT>.*?<TEXT>\s*(?:<XBRL>|<XML>)?", re.DOTALL | re.IGNORECASE)
_SGML_TRAILER = re.compile(rb"(?:</XBRL>|</XML>)?\s*</TEXT>\s*</DOCUMENT>\s*$", re.IGNORECASE)


def prepare(data: bytes) -> tuple[bytes, int]:
    """Drop an EDGAR ``<DOCUMENT>..<TEXT>`` wrapper, a BOM and leading blank lines (an XML declaration must come first).

    Args:
        data: The document as stored.

    Returns:
        The bytes to parse and the number of lines dropped before them (to report lines of the original file).
    """
    dropped = 0
    head = _SGML_WRAPPER.match(data[:8192])
    if head is not None:
        dropped += data[: head.end()].count(b"\n")
        data = data[head.end() :]
        tail = _SGML_TRAILER.search(data[-256:])
        if tail is not None:
            data = data[: len(data) - (len(data[-256:]) - tail.start())]
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    body = data[start:].lstrip(b" \t\r\n")
    return body, dropped + data[: len(data) - len(body)].count(b"\n")


def syntax_error(source: str, exc: etree.XMLSyntaxError, line_offset: int) -> ParseError:
    """A :class:`ParseError` for an lxml syntax error, naming the file and line (``truncated`` when it is).

    Args:
        source: File name.
        exc: The lxml error.
        line_offset: Lines dropped by :func:`prepare`.

    Returns:
        The error to raise.
    """
    msg = str(exc.msg or exc)
    line = exc.lineno + line_offset if exc.lineno else None
    if "Premature end of data" in msg or "not found" in msg or "end of" in msg.lower():
        msg = f"truncated or malformed document: {msg}"
    return ParseError(source, f"malformed XML: {msg}", line)
