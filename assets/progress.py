"""Progress of long work: items done / total, MB, items/s, req/s, elapsed and ETA, reported at a bounded rate.

A line is logged (``context.log.info``: the run log, and the terminal of ``python -m orchestration.build``, whose
console logger prints INFO) when ``every_s`` seconds passed since the last one, when another ``every_fraction``
of the total is done, and once at the end; never more than ``1 / every_fraction + elapsed / every_s + 1``
lines. :meth:`Progress.metadata` gives the final throughput figures for the asset's Dagster metadata.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``: a short duration for progress lines."""
    s = max(round(seconds), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """Count work items and report ``label: done/total (pct), MB, rates, elapsed, ETA`` through ``log``."""

    def __init__(
        self,
        label: str,
        total: int,
        log: Callable[[str], None],
        *,
        every_s: float = 5.0,
        every_fraction: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start timing ``total`` items of work called ``label`` (``clock``: a monotonic clock in seconds)."""
        self.label, self.total, self.log = label, total, log
        self.every_s, self.every_fraction, self.clock = every_s, every_fraction, clock
        self.done = 0
        self.bytes = 0
        self.requests = 0
        self.started = self._last = clock()
        self._next_fraction = every_fraction
        self._ended = False

    def step(self, n: int = 1, nbytes: int = 0, requests: int = 0) -> None:
        """Record ``n`` finished items, ``nbytes`` read and ``requests`` sent; log when a line is due."""
        self.done += n
        self.bytes += nbytes
        self.requests += requests
        now = self.clock()
        fraction = self.done / self.total if self.total else 1.0
        finished = self.done >= self.total
        if finished and self._ended:
            return
        fraction_due = self.every_fraction > 0 and fraction >= self._next_fraction
        if finished or now - self._last >= self.every_s or fraction_due:
            self._last = now
            self._ended = finished
            if self.every_fraction > 0:
                steps = math.floor(fraction / self.every_fraction + 1e-9) + 1
                self._next_fraction = steps * self.every_fraction
            self.log(self.line(now))

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the start."""
        return max((self.clock() if now is None else now) - self.started, 0.0)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left at the average rate so far (0 when done; None before the first item)."""
        if self.done >= self.total:
            return 0.0
        elapsed = self.elapsed(now)
        if not self.done or elapsed <= 0:
            return None
        return (self.total - self.done) * elapsed / self.done

    def line(self, now: float | None = None) -> str:
        """The current progress line, e.g. ``filings: 70/145 (48%), 12.3 MB, 1.9/s, 0.3 MB/s, 2.0 req/s, ...``."""
        elapsed = self.elapsed(now)
        per_s = self.done / elapsed if elapsed > 0 else 0.0
        pct = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        parts = [f"{self.label}: {self.done}/{self.total}{pct}"]
        if self.bytes:
            parts.append(f"{self.bytes / 1e6:.1f} MB")
        parts.append(f"{per_s:.1f}/s")
        if self.bytes:
            parts.append(f"{self.bytes / 1e6 / elapsed if elapsed > 0 else 0.0:.2f} MB/s")
        if self.requests:
            parts.append(f"{self.requests / elapsed if elapsed > 0 else 0.0:.1f} req/s")
        eta = self.eta(now)
        parts.append(f"elapsed {duration(elapsed)}")
        parts.append(f"ETA {'?' if eta is None else duration(eta)}")
        return ", ".join(parts)

    def metadata(self, now: float | None = None) -> dict[str, Any]:
        """Final figures for Dagster metadata: items done, seconds, items/s, MB, MB/s, requests, req/s."""
        elapsed = self.elapsed(now)

        def rate(x: float) -> float:
            return round(x / elapsed, 2) if elapsed > 0 else 0.0

        figures: dict[str, Any] = {
            "progress_done": self.done,
            "progress_total": self.total,
            "progress_seconds": round(elapsed, 2),
            "progress_items_per_s": rate(self.done),
        }
        if self.bytes:
            figures.update(progress_mb=round(self.bytes / 1e6, 2), progress_mb_per_s=rate(self.bytes / 1e6))
        if self.requests:
            figures.update(progress_requests=self.requests, progress_requests_per_s=rate(self.requests))
        return figures
