"""Usage metering: requests and rows per (key, endpoint, UTC minute), buffered in memory, flushed in batches.

Recording a request is a dictionary update (no I/O on the request path). A background task writes the
buffer to PostgreSQL every ``interval_s`` seconds, or sooner when it holds ``max_pending`` requests, as one
batch of additive upserts; a failed write puts the counts back so they go out with the next batch (a write
that does not finish within ``write_timeout_s``, a database that accepts and never answers, counts as failed). The
application's shutdown hook calls :meth:`UsageMeter.stop`, which writes what is left: a clean stop loses
no request from the count.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from typing import Any

from psycopg_pool import AsyncConnectionPool

log = logging.getLogger(__name__)

UPSERT_SQL = """
    INSERT INTO usage (key_id, bucket, endpoint, count, rows) VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (key_id, bucket, endpoint)
    DO UPDATE SET count = usage.count + EXCLUDED.count, rows = usage.rows + EXCLUDED.rows
"""
LAST_USED_SQL = """
    UPDATE api_keys SET last_used_at = greatest(coalesce(last_used_at, %s), %s) WHERE id = %s
"""

Slot = tuple[int, int, str]  # key id, minute (epoch seconds), endpoint


class UsageMeter:
    """The in-memory buffer of usage and the task that flushes it to PostgreSQL."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        interval_s: float = 5.0,
        max_pending: int = 5_000,
        write_timeout_s: float = 10.0,
    ) -> None:
        self.pool = pool
        self.write_timeout_s = write_timeout_s
        self.interval_s = interval_s
        self.max_pending = max_pending
        self._pending: dict[Slot, list[int]] = {}
        self._count = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.flushed_requests = 0
        self._stopping = False

    def record(self, key_id: int, endpoint: str, rows: int = 0, now: float | None = None) -> None:
        """Count one request of ``key_id`` on ``endpoint`` that returned ``rows`` rows (never blocks)."""
        minute = int((time.time() if now is None else now) // 60 * 60)
        slot = self._pending.get((key_id, minute, endpoint))
        if slot is None:
            self._pending[(key_id, minute, endpoint)] = [1, max(0, rows)]
        else:
            slot[0] += 1
            slot[1] += max(0, rows)
        self._count += 1
        if self._count >= self.max_pending:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Requests recorded and not yet written."""
        return self._count

    async def flush(self) -> int:
        """Write the buffer in one batch; returns the requests written (0 when the write failed)."""
        async with self._lock:
            if not self._pending:
                return 0
            batch, count = self._pending, self._count
            self._pending, self._count = {}, 0
            rows = [
                (key_id, dt.datetime.fromtimestamp(minute, dt.UTC), endpoint, n, nrows)
                for (key_id, minute, endpoint), (n, nrows) in sorted(batch.items())
            ]
            last_used: dict[int, dt.datetime] = {}
            for key_id, bucket, *_ in rows:
                last_used[key_id] = max(bucket, last_used.get(key_id, bucket))
            try:
                async with (
                    asyncio.timeout(self.write_timeout_s),
                    self.pool.connection(self.write_timeout_s) as conn,
                    conn.cursor() as cur,
                ):
                    await cur.executemany(UPSERT_SQL, rows)
                    await cur.executemany(LAST_USED_SQL, [(at, at, k) for k, at in sorted(last_used.items())])
            except BaseException as exc:  # also a cancellation mid-write: the counts go back to the buffer
                log.log(
                    logging.ERROR if isinstance(exc, Exception) else logging.WARNING,
                    "usage flush of %d requests failed (%s); kept for the next flush",
                    count,
                    exc,
                )
                for slot, (n, nrows) in batch.items():
                    cur_slot = self._pending.setdefault(slot, [0, 0])
                    cur_slot[0] += n
                    cur_slot[1] += nrows
                self._count += count
                if not isinstance(exc, Exception):
                    raise
                return 0
            self.flushed_requests += count
            return count

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)
            self._wake.clear()
            if not self._stopping:
                await self.flush()

    def start(self) -> None:
        """Start the background flusher (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="usage-flusher")

    async def stop(self) -> int:
        """Stop the flusher and write everything still buffered; returns the requests written last."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        return await self.flush()
