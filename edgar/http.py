"""The live SEC HTTP client: rate limited, retrying, and suspicious of what it receives.

The SEC's fair-access rules ask every client to declare itself in ``User-Agent`` ("Name email") and to stay at or
below 10 requests per second *in total*, however many threads or clients one process runs. Its servers answer an
overloaded or over-eager client with 429/5xx, sometimes with an HTML "Request Rate Threshold Exceeded" page
delivered as a normal 200/403, and now and then close a connection in the middle of a large body. So:

* :class:`RateLimiter` hands out request starts (at most ``max_rps`` in any window of a bit more than one
  second); :func:`get_shared_limiter` gives every client of a process the same limiter per rate.
* :class:`SecHttpClient` retries 429/500/502/503/504, connection errors, timeouts, truncated bodies and the
  rate-limit page with exponential backoff and full jitter, honouring ``Retry-After``; other 4xx fail at once.
* :func:`check_complete` decides whether a body is the whole document (a pure function, unit-tested on real
  SEC files).
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import random
import re
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from edgar.errors import SecHttpError, SecNotFound, SecRateLimited

logger = logging.getLogger("edgar.http")

#: HTTP statuses that are retried (with backoff); every other non-2xx status fails at once.
RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}")
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


# ---------------------------------------------------------------------------------------------------------------
# rate limiting


class RateLimiter:
    """Thread-safe sliding-window rate limiter: at most ``max_rps`` request starts in any one-second window.

    It is a token bucket whose bucket holds ``floor(max_rps)`` tokens (the burst) and whose every token comes back
    exactly one window after it was taken: it remembers the start times of the last ``floor(max_rps)`` requests
    and lets a new one start only when the oldest of them is at least ``window_s`` old. Unlike a plain token
    bucket (which allows a full burst plus the refill within the same second) this bounds *every* window, which is
    what the SEC measures. ``window_s`` is one second (more when ``max_rps`` < 1 or is not a whole number) plus
    ``margin_s``, a safety margin for clock and network jitter between our start and the SEC's count.
    """

    def __init__(
        self,
        max_rps: float,
        *,
        margin_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not (math.isfinite(max_rps) and max_rps > 0):
            raise ValueError(f"max_rps must be a positive number, not {max_rps!r}")
        if margin_s < 0:
            raise ValueError(f"margin_s must be >= 0, not {margin_s!r}")
        self.max_rps = float(max_rps)
        self.capacity = max(1, math.floor(max_rps))
        self.window_s = max(1.0, self.capacity / self.max_rps) + margin_s
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """Take a token if one is free now.

        Returns:
            0.0 when a token was taken (the caller may start its request), else the seconds until one may be free.
        """
        with self._lock:
            now = self._clock()
            if len(self._starts) < self.capacity:
                self._starts.append(now)
                return 0.0
            free_at = self._starts[0] + self.window_s
            if now >= free_at:
                self._starts.popleft()
                self._starts.append(now)
                return 0.0
            return free_at - now

    def acquire(self) -> float:
        """Block until a request may start, take its token and return the seconds waited."""
        waited = 0.0
        while (wait := self.try_acquire()) > 0:
            self._sleep(wait)
            waited += wait
        return waited

    def __repr__(self) -> str:
        return f"RateLimiter(max_rps={self.max_rps:g}, capacity={self.capacity}, window_s={self.window_s:g})"


_shared_limiters: dict[float, RateLimiter] = {}
_shared_lock = threading.Lock()


def get_shared_limiter(max_rps: float) -> RateLimiter:
    """The process-wide :class:`RateLimiter` for ``max_rps``, created on first use.

    Every :class:`SecHttpClient` built without an explicit limiter uses it, so all the clients of a process
    together stay within the SEC's limit.
    """
    key = float(max_rps)
    with _shared_lock:
        limiter = _shared_limiters.get(key)
        if limiter is None:
            limiter = _shared_limiters[key] = RateLimiter(key)
        return limiter


# ---------------------------------------------------------------------------------------------------------------
# pure helpers


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


# ---------------------------------------------------------------------------------------------------------------
# the client


class _Retryable(Exception):
    """One attempt failed in a way worth another try."""

    def __init__(
        self, reason: str, status: int | None, *, rate_limited: bool = False, retry_after: float | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.rate_limited = rate_limited
        self.retry_after = retry_after


class SecHttpClient:
    """GET documents from www.sec.gov / data.sec.gov within the SEC's fair-access rules.

    Args:
        user_agent: "Name email@example.com", as the SEC requires (setting ``SEC_USER_AGENT``).
        max_rps: requests per second for the process-wide shared limiter (ignored when ``limiter`` is given).
        max_retries: retries after the first attempt (so ``max_retries + 1`` attempts at most).
        timeout_s: socket timeout of one attempt (connect, and each read).
        backoff_base_s: first backoff ceiling; the n-th retry waits ``uniform(0, base * 2**(n-1))`` (full
            jitter), at most ``backoff_max_s``, at least the ``Retry-After`` the server asked for.
        backoff_max_s: longest single wait.
        limiter: the limiter to use instead of ``get_shared_limiter(max_rps)``.
        sleep: how to wait between attempts (tests pass a recorder).

    Raises:
        ValueError: no usable user agent, or a setting out of range.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        max_rps: float = 10,
        max_retries: int = 6,
        timeout_s: float = 30,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 60,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        agent = (user_agent or "").strip()
        if not agent or not _EMAIL.search(agent):
            raise ValueError(
                f"the SEC requires a User-Agent that names you and gives an e-mail address, got {user_agent!r}; "
                'set SEC_USER_AGENT="Name email@example.com"'
            )
        if not 0 < max_rps <= 10:
            raise ValueError(f"max_rps must be in (0, 10] (SEC fair-access rule), not {max_rps!r}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {max_retries!r}")
        if timeout_s <= 0 or backoff_base_s < 0 or backoff_max_s < 0:
            raise ValueError("timeout_s must be > 0 and backoff_base_s, backoff_max_s >= 0")
        self.user_agent = agent
        self.max_retries = max_retries
        self.timeout_s = float(timeout_s)
        self.backoff_base_s = float(backoff_base_s)
        self.backoff_max_s = float(backoff_max_s)
        self.limiter = limiter if limiter is not None else get_shared_limiter(max_rps)
        self._sleep = sleep
        self._random = random.Random()

    def get(self, url: str) -> bytes:
        """GET ``url`` and return its complete, decoded body.

        Raises:
            SecNotFound: the SEC answered 404 (not retried).
            SecRateLimited: still rate limited (429 or the rate-limit page) after every retry.
            SecHttpError: another 4xx/3xx status (not retried), or retries exhausted.
            ValueError: ``url`` is not an absolute http(s) URL.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an absolute http(s) URL: {url!r}")
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            self.limiter.acquire()
            try:
                return self._attempt(url, attempt)
            except _Retryable as failure:
                if attempt == attempts:
                    error = SecRateLimited if failure.rate_limited else SecHttpError
                    raise error(url, failure.status, attempt, failure.reason) from None
                wait = self._backoff(attempt, failure.retry_after)
                logger.warning(
                    "GET %s attempt %d/%d failed: %s; retrying in %.2fs",
                    url,
                    attempt,
                    attempts,
                    failure.reason,
                    wait,
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff after failed ``attempt``, never below ``retry_after``."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** min(attempt - 1, 62))
        wait = self._random.uniform(0.0, ceiling)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.backoff_max_s)

    def _attempt(self, url: str, attempt: int) -> bytes:
        """One GET: the body, or :class:`_Retryable`, or a final :class:`SecHttpError`."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname or "", parts.port, timeout=self.timeout_s)
        headers = {
            "User-Agent": self.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
            "Connection": "close",
        }
        got_status: int | None = None  # known once the status line has arrived
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            status, phrase, response_headers = response.status, response.reason, response.headers
            got_status = status
            raw = response.read()
        except http.client.IncompleteRead as exc:
            missing = f", {exc.expected} more expected" if exc.expected is not None else ""
            raise _Retryable(
                f"truncated body: connection closed after {len(exc.partial)} bytes{missing}", got_status
            ) from exc
        except TimeoutError as exc:
            raise _Retryable(f"timeout after {self.timeout_s:g}s", got_status) from exc
        except ssl.SSLCertVerificationError as exc:  # a wrong certificate does not fix itself: no retry
            raise SecHttpError(url, None, attempt, f"TLS certificate not trusted: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _Retryable(f"connection error: {exc.__class__.__name__}: {exc}", got_status) from exc
        finally:
            connection.close()

        length = response_headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) != len(raw):
            raise _Retryable(f"truncated body: {len(raw)} of {int(length)} bytes (Content-Length)", status)
        try:
            body = decode_body(raw, response_headers.get("Content-Encoding"))
        except IncompleteBodyError as exc:
            if 200 <= status < 300:
                raise _Retryable(f"truncated body: {exc}", status) from exc
            body = raw
        except ValueError as exc:
            raise SecHttpError(url, status, attempt, str(exc)) from exc

        retry_after = parse_retry_after(response_headers.get("Retry-After"))
        if is_rate_limit_page(body):
            raise _Retryable(
                f"SEC rate-limit page 'Request Rate Threshold Exceeded' (status {status})",
                status,
                rate_limited=True,
                retry_after=retry_after,
            )
        if 200 <= status < 300:
            reason = check_complete(url, body, response_headers.get("Content-Type"))
            if reason is not None:
                raise _Retryable(f"incomplete body: {reason}", status)
            return body
        described = f"{status} {phrase}".strip()
        if status in RETRYABLE_STATUSES:
            if retry_after is not None:
                described += f" (Retry-After {response_headers.get('Retry-After')})"
            raise _Retryable(described, status, rate_limited=status == 429, retry_after=retry_after)
        if status == 404:
            raise SecNotFound(url, status, attempt, described)
        if status == 403 and _UNDECLARED_TOOL in body[:_RATE_LIMIT_SCAN_BYTES]:
            described += (
                ": the SEC rejects this User-Agent as an undeclared automated tool; "
                'set SEC_USER_AGENT="Name email@example.com" to your own name and address'
            )
        location = response_headers.get("Location")
        raise SecHttpError(url, status, attempt, described + (f" (Location: {location})" if location else ""))
