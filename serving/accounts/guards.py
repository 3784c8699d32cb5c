"""What keeps the access layer fast when something is down or under attack.

* :class:`Breaker`: a circuit breaker in front of Redis. After a failure, requests skip Redis for
  ``cooldown_s`` (they do not each wait for a timeout), then one request probes it again. The outage is logged
  once when it starts and once when it ends.
* :class:`FailureThrottle`: failed key lookups per client address, in process, in one-minute windows; an
  address over the limit is refused before the database is asked (a flood of random keys cannot drive it).
* :func:`bounded`: await a coroutine for at most ``timeout_s`` seconds, even when cancelling it takes longer
  (psycopg tries to cancel a running query on the server for up to 5 s).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: seconds after which a probe that never reported (its request was cancelled) no longer blocks the next one
PROBE_EXPIRY_S = 5.0


class Breaker:
    """Circuit breaker of one dependency (``name``), shared by every request of a process."""

    def __init__(self, name: str, cooldown_s: float = 1.0, describe: str = "") -> None:
        self.name = name
        self.cooldown_s = cooldown_s
        self.describe = describe
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._probing = 0.0  # when the current probe started (0 = none); a probe never answered expires
        self.outages = 0

    @property
    def down(self) -> bool:
        """Whether the dependency is considered down right now."""
        return self._down_since is not None

    def allow(self) -> bool:
        """Whether this request may call the dependency (always while up; one probe per cooldown while down)."""
        if self._down_since is None:
            return True
        now = time.monotonic()
        if now < self._retry_at or (self._probing and now - self._probing < PROBE_EXPIRY_S):
            return False
        self._probing = now
        return True

    def retry_in(self) -> int:
        """Whole seconds until the next probe (at least 1), for ``Retry-After``."""
        return max(1, int(-(-(self._retry_at - time.monotonic()) // 1)))

    def failed(self, exc: BaseException) -> None:
        """Record a failed call: open the breaker (logged once per outage)."""
        now = time.monotonic()
        self._probing = 0.0
        self._retry_at = now + self.cooldown_s
        if self._down_since is None:
            self._down_since = now
            self.outages += 1
            log.warning("%s unavailable (%s: %s)%s", self.name, type(exc).__name__, exc, self.describe)

    def succeeded(self) -> None:
        """Record a successful call: close the breaker (the end of an outage is logged)."""
        self._probing = 0.0
        if self._down_since is not None:
            log.warning("%s answers again after %.1f s", self.name, time.monotonic() - self._down_since)
            self._down_since = None


class FailureThrottle:
    """Failed authentications per client address, in fixed one-minute windows (``limit`` per window)."""

    def __init__(self, limit: int, window_s: float = 60.0, max_entries: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_entries = max_entries
        self._seen: dict[str, tuple[float, int]] = {}

    def retry_after(self, address: str) -> int:
        """Seconds the address must wait (0 = not throttled); a limit of 0 throttles nothing."""
        if self.limit <= 0 or not address:
            return 0
        entry = self._seen.get(address)
        if entry is None:
            return 0
        started, failures = entry
        left = started + self.window_s - time.monotonic()
        if left <= 0:
            del self._seen[address]
            return 0
        return max(1, int(-(-left // 1))) if failures >= self.limit else 0

    def failed(self, address: str) -> None:
        """Count one failed authentication of ``address``."""
        if self.limit <= 0 or not address:
            return
        now = time.monotonic()
        entry = self._seen.get(address)
        if entry is None or entry[0] + self.window_s <= now:
            if len(self._seen) >= self.max_entries:
                self._seen = {a: e for a, e in self._seen.items() if e[0] + self.window_s > now}
                while len(self._seen) >= self.max_entries:
                    del self._seen[next(iter(self._seen))]
            self._seen[address] = (now, 1)
        else:
            self._seen[address] = (entry[0], entry[1] + 1)


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


async def bounded(awaitable: Awaitable[T], timeout_s: float) -> T:
    """The result of ``awaitable``, or :class:`TimeoutError` after ``timeout_s`` seconds.

    On timeout the awaitable is cancelled in the background, without waiting for the cancellation to finish.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout_s)
    except BaseException:
        if not task.done():
            task.cancel()
            task.add_done_callback(_consume)
        raise
