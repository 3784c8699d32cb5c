"""The live SEC HTTP client: rate limited, retrying, keeping its connections alive, and suspicious of what it receives.

The SEC's fair-access rules ask every client to declare itself in ``User-Agent`` ("Name email") and to stay at or
below 10 requests per second *in total*, however many threads, processes or clients one deployment runs. Its
servers answer an overloaded or over-eager client with 429/5xx, sometimes with an HTML "Request Rate Threshold
Exceeded" page delivered as a normal 200/403, and now and then close a connection in the middle of a large body.
So:

* a :class:`~edgar.ratelimit.Limiter` hands out request starts: in-process, a state file shared by the machine's
  processes, or Redis shared by a deployment (:mod:`edgar.ratelimit`);
* :class:`SecHttpClient` keeps HTTP/1.1 connections alive (a few idle ones per host), fetches several documents
  at once with :meth:`SecHttpClient.get_many`, and retries 429/500/502/503/504, connection errors, timeouts,
  truncated bodies and the rate-limit page with exponential backoff and full jitter, honouring ``Retry-After``;
  other 4xx fail at once;
* :func:`check_complete` decides whether a body is the whole document (:mod:`edgar.http_checks`, pure).
"""

from __future__ import annotations

import http.client
import logging
import random
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from edgar.errors import SecHttpError, SecNotFound, SecRateLimited
from edgar.http_checks import (
    _RATE_LIMIT_SCAN_BYTES,
    _UNDECLARED_TOOL,
    IncompleteBodyError,
    check_complete,
    decode_body,
    is_rate_limit_page,
    parse_retry_after,
)
from edgar.ratelimit import Limiter, RateLimiter, get_shared_limiter

__all__ = [
    "RETRYABLE_STATUSES",
    "IncompleteBodyError",
    "Limiter",
    "RateLimiter",
    "SecHttpClient",
    "check_complete",
    "decode_body",
    "get_shared_limiter",
    "is_rate_limit_page",
    "parse_retry_after",
]

logger = logging.getLogger("edgar.http")

#: HTTP statuses that are retried (with backoff); every other non-2xx status fails at once.
RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}")
#: an idle connection older than this is closed rather than reused (servers drop idle keep-alives)
_IDLE_S = 15.0
#: how often (seconds) the client logs its request rate
_RATE_LOG_S = 60.0

_Key = tuple[str, str, int | None]


class _ConnectionPool:
    """Idle keep-alive connections per (scheme, host, port); a connection is used by one thread at a time."""

    def __init__(self, timeout_s: float, max_idle: int) -> None:
        self._timeout_s = timeout_s
        self._max_idle = max_idle
        self._idle: dict[_Key, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self.opened = 0  # connections opened so far (for tests and the rate log)

    def take(self, key: _Key) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection to ``key`` (reused=True) or a new one (False)."""
        now = time.monotonic()
        stale: list[http.client.HTTPConnection] = []
        try:
            with self._lock:
                idle = self._idle.get(key, [])
                while idle:
                    since, connection = idle.pop()
                    if now - since < _IDLE_S:
                        return connection, True
                    stale.append(connection)
                self.opened += 1
                if key[0] == "https" and self._tls is None:
                    self._tls = ssl.create_default_context()
        finally:
            for connection in stale:
                connection.close()
        scheme, host, port = key
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self._timeout_s, context=self._tls), False
        return http.client.HTTPConnection(host, port, timeout=self._timeout_s), False

    def give(self, key: _Key, connection: http.client.HTTPConnection) -> None:
        """Return a connection whose response was read whole and that the server keeps open."""
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._max_idle:
                idle.append((time.monotonic(), connection))
                return
        connection.close()

    def clear(self, key: _Key | None = None) -> None:
        """Close the idle connections to ``key`` (every host when ``None``)."""
        with self._lock:
            keys = list(self._idle) if key is None else [key]
            dropped = [c for k in keys for _, c in self._idle.pop(k, [])]
        for connection in dropped:
            connection.close()


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
        limiter: the limiter to use instead of ``get_shared_limiter(max_rps)`` (see :mod:`edgar.ratelimit`).
        max_in_flight: requests :meth:`get_many` keeps in flight at once (setting ``SEC_MAX_IN_FLIGHT``); also
            the number of idle connections kept per host.
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
        limiter: Limiter | None = None,
        max_in_flight: int = 4,
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
        if not 1 <= max_in_flight <= 64:
            raise ValueError(f"max_in_flight must be in [1, 64], not {max_in_flight!r}")
        self.user_agent = agent
        self.max_retries = max_retries
        self.timeout_s = float(timeout_s)
        self.backoff_base_s = float(backoff_base_s)
        self.backoff_max_s = float(backoff_max_s)
        self.max_in_flight = max_in_flight
        self.limiter: Limiter = limiter if limiter is not None else get_shared_limiter(max_rps)
        self._sleep = sleep
        self._random = random.Random()
        self._pool = _ConnectionPool(self.timeout_s, max_in_flight)
        self._stats_lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_requests = 0

    @property
    def connections_opened(self) -> int:
        """How many TCP connections this client has opened (one per host while keep-alive holds)."""
        return self._pool.opened

    def close(self) -> None:
        """Close the idle connections (the client stays usable)."""
        self._pool.clear()

    def get(self, url: str) -> bytes:
        """GET ``url`` and return its complete, decoded body.

        Raises:
            SecNotFound: the SEC answered 404 (not retried).
            SecRateLimited: still rate limited (429 or the rate-limit page) after every retry.
            SecHttpError: another 4xx/3xx status (not retried), or retries exhausted.
            RateLimiterUnavailable: the shared rate limiter cannot be reached (no request is sent).
            ValueError: ``url`` is not an absolute http(s) URL.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an absolute http(s) URL: {url!r}")
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(url, attempt)
            except _Retryable as failure:
                if attempt == attempts:
                    error = SecRateLimited if failure.rate_limited else SecHttpError
                    raise error(url, failure.status, attempt, failure.reason) from None
                wait_s = self._backoff(attempt, failure.retry_after)
                logger.warning(
                    "GET %s attempt %d/%d failed: %s; retrying in %.2fs",
                    url,
                    attempt,
                    attempts,
                    failure.reason,
                    wait_s,
                )
                self._sleep(wait_s)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_many(
        self, urls: Iterable[str], *, max_in_flight: int | None = None, ordered: bool = False
    ) -> Iterator[tuple[str, bytes | Exception]]:
        """GET every URL with up to ``max_in_flight`` requests at once, yielding ``(url, body or error)``.

        Each URL gets exactly what :meth:`get` would return or raise (the error is yielded, not raised). Results
        come as they complete, or in the order of ``urls`` when ``ordered``. At most ``max_in_flight`` requests
        run and at most as many finished bodies wait for the caller, so memory stays bounded however many URLs
        there are, and the caller's work on one body (parsing) overlaps the downloads of the next. Closing the
        iterator early cancels what has not started and waits for what has.
        """
        workers = max_in_flight or self.max_in_flight
        if workers < 1:
            raise ValueError(f"max_in_flight must be >= 1, not {workers!r}")
        pending = iter(urls)
        running: deque[tuple[str, Future[bytes]]] = deque()
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sec-http")
        started, count = time.monotonic(), 0

        def submit() -> None:
            url = next(pending, None)
            if url is not None:
                running.append((url, executor.submit(self.get, url)))

        try:
            for _ in range(workers):
                submit()
            while running:
                if ordered:
                    url, future = running.popleft()
                    wait([future])
                else:
                    done, _ = wait([f for _, f in running], return_when=FIRST_COMPLETED)
                    url, future = next(item for item in running if item[1] in done)
                    running.remove((url, future))
                error = future.exception()
                if error is not None and not isinstance(error, Exception):
                    raise error
                result: bytes | Exception = error if error is not None else future.result()
                submit()  # before yielding: the downloads go on while the caller works
                count += 1
                yield url, result
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            elapsed = time.monotonic() - started
            if count:
                logger.info(
                    "GET %d documents in %.1fs: %.1f req/s with %d in flight (limiter: %r)",
                    count,
                    elapsed,
                    count / elapsed if elapsed > 0 else float("inf"),
                    workers,
                    self.limiter,
                )

    def _note_request(self) -> None:
        """Count a request start; log the rate every ``_RATE_LOG_S`` seconds."""
        with self._stats_lock:
            self._window_requests += 1
            now = time.monotonic()
            elapsed = now - self._window_start
            if elapsed < _RATE_LOG_S:
                return
            requests, self._window_requests, self._window_start = self._window_requests, 0, now
        logger.info(
            "SEC requests: %d in %.0fs (%.2f req/s), %d connections opened so far",
            requests,
            elapsed,
            requests / elapsed,
            self._pool.opened,
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff after failed ``attempt``, never below ``retry_after``."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** min(attempt - 1, 62))
        wait_s = self._random.uniform(0.0, ceiling)
        if retry_after is not None:
            wait_s = max(wait_s, retry_after)
        return min(wait_s, self.backoff_max_s)

    def _exchange(self, key: _Key, target: str) -> tuple[int, str, http.client.HTTPMessage, bytes]:
        """Send one GET on a pooled connection and read the whole response.

        A reused idle connection that the server closed meanwhile fails before any status arrives: that is
        not a failed attempt, the request is sent again (with a new token) on a new connection.
        """
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate", "Accept": "*/*"}
        while True:
            self.limiter.acquire()
            self._note_request()
            connection, reused = self._pool.take(key)
            got_status: int | None = None  # known once the status line has arrived
            keep = False
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                got_status = response.status
                raw = response.read()
                keep = not response.will_close
                return response.status, response.reason, response.headers, raw
            except http.client.IncompleteRead as exc:
                missing = f", {exc.expected} more expected" if exc.expected is not None else ""
                raise _Retryable(
                    f"truncated body: connection closed after {len(exc.partial)} bytes{missing}", got_status
                ) from exc
            except TimeoutError as exc:
                raise _Retryable(f"timeout after {self.timeout_s:g}s", got_status) from exc
            except ssl.SSLCertVerificationError:
                raise
            except (OSError, http.client.HTTPException) as exc:
                if reused and got_status is None:
                    self._pool.clear(key)  # its siblings idled as long: do not try them either
                    continue
                raise _Retryable(f"connection error: {exc.__class__.__name__}: {exc}", got_status) from exc
            finally:
                if keep:
                    self._pool.give(key, connection)
                else:
                    connection.close()

    def _attempt(self, url: str, attempt: int) -> bytes:
        """One GET: the body, or :class:`_Retryable`, or a final :class:`SecHttpError`."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            status, phrase, response_headers, raw = self._exchange(
                (parts.scheme, parts.hostname or "", parts.port), target
            )
        except ssl.SSLCertVerificationError as exc:  # a wrong certificate does not fix itself: no retry
            raise SecHttpError(url, None, attempt, f"TLS certificate not trusted: {exc}") from exc

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
