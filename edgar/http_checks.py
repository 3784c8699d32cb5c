"""Pure checks of what the SEC sent: is the body whole, is it the rate-limit page, how long to wait, decoding.

Used by :class:`edgar.http.SecHttpClient`; no I/O here, so each is unit-tested on real SEC files.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

# the title and the heading of the page www.sec.gov sends to clients over the limit
# (reference/sec-rate-exceeded.html in the mirror); the heading has a typographic apostrophe
_RATE_LIMIT_PAGE = re.compile(
    rb"<title>[^<]{0,80}Request Rate Threshold Exceeded|Exceeded the SEC.{1,8}s Traffic Limit",
    re.IGNORECASE | re.DOTALL,
)
_RATE_LIMIT_SCAN_BYTES = 16_384
# the 403 page www.sec.gov sends when the User-Agent does not declare who is asking
_UNDECLARED_TOOL = b"Undeclared Automated Tool"
_XML_DECL = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[\s?]")
# prolog (BOM, whitespace, processing instructions, comments, DOCTYPE with internal subset), then the root's name
_XML_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<([A-Za-z_][\w:.\-]*)",
    re.DOTALL,
)
_XML_TRAILER = rb"(?:\s|<!--.*?-->|<\?.*?\?>)*\Z"
_SGML_WRAPPERS = ((b"<SEC-DOCUMENT>", b"</SEC-DOCUMENT>"), (b"<SUBMISSION>", b"</SUBMISSION>"))


def check_complete(url: str, body: bytes, content_type: str | None) -> str | None:
    """Check that ``body`` is a whole document, judging by the URL's suffix and the content type.

    * ``.json`` (or a JSON content type): must parse as JSON.
    * ``.txt`` / ``.nc`` full submissions: a body that opens with ``<SEC-DOCUMENT>`` (``<SUBMISSION>``) must
      end with ``</SEC-DOCUMENT>`` (``</SUBMISSION>``).
    * ``.xml`` / ``.xsd`` (or an XML content type), and ``.htm``/``.html`` that start with an XML declaration
      (inline XBRL): must end with ``>`` and with the closing tag of the root element (trailing comments allowed).
    * other ``.htm``/``.html`` (or ``text/html``): must end with ``>`` (HTML need not close its elements).
    * anything else (``.idx`` ...): not checked here; the transport's byte count is the only check.

    Returns:
        ``None`` when the body looks complete, else the reason it does not.
    """
    path = urlsplit(url).path.lower()
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if path.endswith(".json") or ctype == "application/json" or ctype.endswith("+json"):
        if not body.strip():
            return "empty JSON body"
        try:
            json.loads(body)
        except ValueError as exc:
            return f"invalid JSON ({exc})"
        return None
    if path.endswith((".txt", ".nc")):
        head = body[:256].lstrip()
        for open_tag, close_tag in _SGML_WRAPPERS:
            if head.startswith(open_tag) and not body.rstrip().endswith(close_tag):
                return f"SGML submission opens with {open_tag.decode()} but does not end with {close_tag.decode()}"
        return None
    is_html = path.endswith((".htm", ".html")) or ctype == "text/html"
    is_xml = path.endswith((".xml", ".xsd")) or ctype.endswith(("/xml", "+xml"))
    if not (is_html or is_xml):
        return None
    stripped = body.rstrip()
    if not stripped:
        return "empty body"
    if not stripped.endswith(b">"):
        return f"markup ends with {stripped[-20:]!r}, not '>'"
    if not is_xml and not _XML_DECL.match(body):
        return None
    match = _XML_ROOT.match(body, 0, min(len(body), 1 << 20))
    if match is None:
        return "no XML root element found"
    root = match.group(1)
    start_tag_end = body.find(b">", match.end())
    self_closing = start_tag_end > 0 and body[start_tag_end - 1 : start_tag_end] == b"/"  # <root .../>
    if self_closing and re.match(_XML_TRAILER, body[start_tag_end + 1 :], re.DOTALL):
        return None
    closing = re.compile(rb"</\s*" + re.escape(root) + rb"\s*>" + _XML_TRAILER, re.DOTALL)
    if closing.search(stripped[-4096:]) is None:
        return f"XML root element <{root.decode()}> is not closed"
    return None


def is_rate_limit_page(body: bytes) -> bool:
    """True when ``body`` is the SEC's "Request Rate Threshold Exceeded" HTML page (whatever the status)."""
    return _RATE_LIMIT_PAGE.search(body[:_RATE_LIMIT_SCAN_BYTES]) is not None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header (delay-seconds or an HTTP date).

    Returns:
        The non-negative number of seconds, or ``None`` when the header is absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class IncompleteBodyError(Exception):
    """A compressed body ended before its stream did (raised by :func:`decode_body`)."""


def decode_body(raw: bytes, content_encoding: str | None) -> bytes:
    """Undo ``Content-Encoding`` (identity, gzip, x-gzip or deflate, zlib-wrapped or raw).

    Raises:
        IncompleteBodyError: the compressed stream is cut short or corrupt.
        ValueError: an encoding this client never asks for.
    """
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        wbits_choices: tuple[int, ...] = (zlib.MAX_WBITS | 16,)
    elif encoding == "deflate":  # RFC 9110 says zlib-wrapped; some servers send raw deflate
        wbits_choices = (zlib.MAX_WBITS, -zlib.MAX_WBITS)
    else:
        raise ValueError(f"unsupported Content-Encoding {content_encoding!r}")
    last_error: zlib.error | None = None
    for wbits in wbits_choices:
        try:
            return _inflate(raw, wbits)
        except zlib.error as exc:
            last_error = exc
    raise IncompleteBodyError(f"corrupt {encoding} body ({last_error})")


def _inflate(raw: bytes, wbits: int) -> bytes:
    """Decompress every member of ``raw`` (gzip allows several), insisting on complete streams."""
    parts: list[bytes] = []
    data = raw
    while True:
        inflater = zlib.decompressobj(wbits=wbits)
        parts.append(inflater.decompress(data))
        parts.append(inflater.flush())
        if not inflater.eof:
            raise IncompleteBodyError(f"compressed stream ends early after {len(raw)} bytes")
        data = inflater.unused_data
        if not data.strip(b"\0"):
            return b"".join(parts)
