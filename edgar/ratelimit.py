"""Rate limiters for the SEC client: at most ``max_rps`` request starts in any window of a bit over a second.

The SEC counts the requests of a whole deployment (one IP), so the limiter must be shared by every process that
talks to it, and nothing a crashed process held may block the others. All three limiters here are time-based
sliding windows (a token comes back exactly one window after it was taken) and hold no lock across a request:

* :class:`RateLimiter`: one process (thread-safe, in memory);
* :class:`FileRateLimiter`: every process of a machine, through a small state file updated under
  ``fcntl.flock`` (the kernel drops the lock when a process dies, even by ``kill -9``);
* :class:`RedisRateLimiter`: every process of a deployment, through a Lua script over a sorted set, timed by
  the Redis server's own clock (``TIME``).

:func:`open_limiter` builds the one a setting names; :func:`get_shared_limiter` gives every client of a process
the same in-process limiter per rate.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class Limiter(Protocol):
    """What :class:`edgar.http.SecHttpClient` needs of a rate limiter."""

    max_rps: float

    def acquire(self) -> float:
        """Block until a request may start, take its token and return the seconds waited."""
        ...


class RateLimiterUnavailable(RuntimeError):
    """The shared limiter's store (the state file, Redis) cannot be used: no request is sent (fail closed)."""


def _window(max_rps: float, margin_s: float) -> tuple[int, float]:
    """``(capacity, window_s)`` of a sliding window allowing at most ``max_rps`` starts per second."""
    if not (math.isfinite(max_rps) and max_rps > 0):
        raise ValueError(f"max_rps must be a positive number, not {max_rps!r}")
    if margin_s < 0:
        raise ValueError(f"margin_s must be >= 0, not {margin_s!r}")
    capacity = max(1, math.floor(max_rps))
    return capacity, max(1.0, capacity / max_rps) + margin_s


def _acquire(try_acquire: Callable[[], float], sleep: Callable[[float], None]) -> float:
    waited = 0.0
    while (wait := try_acquire()) > 0:
        sleep(wait)
        waited += wait
    return waited


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
        self.capacity, self.window_s = _window(max_rps, margin_s)
        self.max_rps = float(max_rps)
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
        return _acquire(self.try_acquire, self._sleep)

    def __repr__(self) -> str:
        return f"RateLimiter(max_rps={self.max_rps:g}, capacity={self.capacity}, window_s={self.window_s:g})"


class FileRateLimiter:
    """The sliding window of :class:`RateLimiter`, kept in a file that every process of the machine shares.

    The file holds the start times (``CLOCK_MONOTONIC``, one clock for the whole machine) of the recent
    requests as JSON. :meth:`try_acquire` locks it with ``flock`` only while it reads and rewrites those few
    bytes, never across a request, so a process killed at any point leaves nothing held: the kernel releases its
    lock, and its tokens come back one window after it took them. Start times in the future (the file survived
    a reboot) are dropped; an unreadable file (a writer killed mid-write) counts as a full window, so the worst
    case is one window of waiting, never a burst over the limit. Processes with different ``max_rps`` may share
    a file: each counts every start, and keeps to its own rate.
    """

    def __init__(
        self,
        path: str | Path,
        max_rps: float,
        *,
        margin_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.capacity, self.window_s = _window(max_rps, margin_s)
        self.max_rps = float(max_rps)
        self.path = Path(path)
        self._sleep = sleep
        self._lock = threading.Lock()  # flock is per open file: threads of this process queue here first
        self._keep = 64  # starts remembered (enough for any capacity <= 10 of the processes sharing the file)

    def try_acquire(self) -> float:
        """Take a token if one is free now; else return the seconds until one may be (see :class:`RateLimiter`).

        Raises:
            RateLimiterUnavailable: the state file cannot be created, locked or written.
        """
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise RateLimiterUnavailable(f"SEC rate-limit file {self.path}: {exc}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                now = time.monotonic()
                starts, torn = self._read(fd, now)
                recent = [t for t in starts if now - t < self.window_s]
                if len(recent) >= self.capacity:
                    if torn:
                        self._write(fd, starts)  # repaired: the window runs from now
                    return recent[len(recent) - self.capacity] + self.window_s - now
                self._write(fd, [*starts[-(self._keep - 1) :], now])
                return 0.0
            except OSError as exc:
                raise RateLimiterUnavailable(f"SEC rate-limit file {self.path}: {exc}") from exc
            finally:
                os.close(fd)  # releases the flock

    def _read(self, fd: int, now: float) -> tuple[list[float], bool]:
        """The recorded starts (none in the future), and whether the file was unreadable."""
        raw = b""
        while chunk := os.read(fd, 65536):
            raw += chunk
        if not raw:
            return [], False
        try:
            starts = sorted(float(t) for t in json.loads(raw))
        except (ValueError, TypeError):
            return [now] * self.capacity, True  # torn write: wait one window rather than risk a burst
        return [t for t in starts if t <= now], False

    @staticmethod
    def _write(fd: int, starts: list[float]) -> None:
        data = json.dumps(starts).encode()
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        os.ftruncate(fd, len(data))

    def acquire(self) -> float:
        """Block until a request may start, take its token and return the seconds waited."""
        return _acquire(self.try_acquire, self._sleep)

    def __repr__(self) -> str:
        return f"FileRateLimiter({str(self.path)!r}, max_rps={self.max_rps:g})"


# KEYS[1]: sorted set of request starts (score: Redis TIME in microseconds)
# ARGV: capacity, window in microseconds, a unique member id. Returns 0 (token taken) or microseconds to wait.
_REDIS_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= capacity then
  local oldest = redis.call('ZRANGE', KEYS[1], n - capacity, n - capacity, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. now)
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
return 0
"""


class RedisRateLimiter:
    """The sliding window of :class:`RateLimiter` in Redis, shared by every process of a deployment.

    One Lua script (atomic in Redis) drops the starts older than the window, counts the rest and adds this
    start when there is room, all timed by the Redis server's clock, so the hosts' clocks do not matter.
    Nothing is held across a request; the key expires one window after the last start. When Redis cannot be
    reached no request is sent (:class:`RateLimiterUnavailable`: fail closed, the SEC limit is never risked).

    Args:
        client: a ``redis.Redis`` (sync) client.
        max_rps: this process's rate (each process keeps to its own; all starts count for all).
        key: the sorted set's key (one per deployment / SEC identity).
    """

    def __init__(
        self,
        client: Any,
        max_rps: float,
        *,
        key: str = "aihf:sec-rate-limit",
        margin_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.capacity, self.window_s = _window(max_rps, margin_s)
        self.max_rps = float(max_rps)
        self.key = key
        self._client = client
        self._script = client.register_script(_REDIS_SCRIPT)
        self._sleep = sleep
        self._id = uuid.uuid4().hex

    def try_acquire(self) -> float:
        """Take a token if one is free now; else return the seconds until one may be.

        Raises:
            RateLimiterUnavailable: Redis cannot be reached or refused the script.
        """
        import redis  # the package is a dependency of the project; imported here to keep edgar's import light

        try:
            wait_us = self._script(
                keys=[self.key],
                args=[self.capacity, int(self.window_s * 1_000_000), f"{self._id}:{threading.get_ident()}"],
            )
        except redis.RedisError as exc:
            raise RateLimiterUnavailable(f"SEC rate limiter in Redis ({self.key}): {exc}") from exc
        return int(wait_us) / 1_000_000

    def acquire(self) -> float:
        """Block until a request may start, take its token and return the seconds waited."""
        return _acquire(self.try_acquire, self._sleep)

    def __repr__(self) -> str:
        return f"RedisRateLimiter(key={self.key!r}, max_rps={self.max_rps:g})"


_shared_limiters: dict[tuple[str, str, float], Limiter] = {}
_shared_lock = threading.Lock()


def get_shared_limiter(max_rps: float) -> RateLimiter:
    """The process-wide :class:`RateLimiter` for ``max_rps``, created on first use.

    Every :class:`SecHttpClient` built without an explicit limiter uses it, so all the clients of a process
    together stay within the SEC's limit.
    """
    limiter = _shared("process", "", float(max_rps), lambda: RateLimiter(float(max_rps)))
    assert isinstance(limiter, RateLimiter)
    return limiter


def _shared(kind: str, where: str, max_rps: float, build: Callable[[], Limiter]) -> Limiter:
    key = (kind, where, max_rps)
    with _shared_lock:
        limiter = _shared_limiters.get(key)
        if limiter is None:
            limiter = _shared_limiters[key] = build()
        return limiter


def open_limiter(kind: str, max_rps: float, *, path: str | Path = "", redis_url: str = "") -> Limiter:
    """The process-wide limiter of a kind: ``process``, ``file`` (state file ``path``) or ``redis`` (``redis_url``).

    One object per (kind, place, rate) in a process, so its threads share the in-process part too.

    Raises:
        ValueError: an unknown kind, or the place it needs is not given.
    """
    rate = float(max_rps)
    if kind == "process":
        return get_shared_limiter(rate)
    if kind == "file":
        if not str(path):
            raise ValueError("the file rate limiter needs a state file path (SEC_RATE_LIMIT_FILE)")
        return _shared("file", str(path), rate, lambda: FileRateLimiter(path, rate))
    if kind == "redis":
        if not redis_url:
            raise ValueError("the redis rate limiter needs REDIS_URL")

        def build() -> Limiter:
            import redis

            return RedisRateLimiter(redis.Redis.from_url(redis_url, socket_timeout=5), rate)

        return _shared("redis", redis_url, rate, build)
    raise ValueError(f"SEC_RATE_LIMITER must be one of file, redis, process, not {kind!r}")
