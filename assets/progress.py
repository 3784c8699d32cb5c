"""Progress lines for long work: items done / total, rate, and an ETA, logged at most every few seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Count work items and report ``label: done/total (rate/s, ETA)`` through ``log`` every ``every_s``."""

    def __init__(self, label: str, total: int, log: Callable[[str], None], *, every_s: float = 2.0) -> None:
        """Start timing ``total`` items of work called ``label``."""
        self.label, self.total, self.log, self.every_s = label, total, log, every_s
        self.done = 0
        self.bytes = 0
        self.started = self._last = time.monotonic()

    def step(self, n: int = 1, nbytes: int = 0) -> None:
        """Record ``n`` finished items (and ``nbytes`` processed); log when due or when all are done."""
        self.done += n
        self.bytes += nbytes
        now = time.monotonic()
        if now - self._last >= self.every_s or self.done >= self.total:
            self._last = now
            self.log(self.line(now))

    def line(self, now: float | None = None) -> str:
        """The current progress line."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate and self.done < self.total else 0.0
        mb = f", {self.bytes / elapsed / 1e6:.1f} MB/s" if self.bytes else ""
        return f"{self.label}: {self.done}/{self.total} ({rate:.1f}/s{mb}, elapsed {elapsed:.1f}s, ETA {eta:.0f}s)"
