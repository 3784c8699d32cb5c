from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from serving.accounts import db, store
from serving.accounts.metering import UsageMeter
from tests.accounts.conftest import unique_email


def test_buffered_batches_and_retry_after_failure(pg_url: str, conn: psycopg.Connection[Any]) -> None:
    user = store.create_user(conn, unique_email("meter"))
    key = store.issue_key(conn, user.email)
    t0 = 1_764_000_000.0  # 2025-11-24 16:00:00 UTC, a minute boundary

    async def main() -> tuple[int, int, int]:
        broken: AsyncConnectionPool[Any] = AsyncConnectionPool(
            db.conninfo(pg_url + "_missing"), min_size=0, max_size=1, open=False, timeout=0.5
        )
        await broken.open(wait=False)
        meter = UsageMeter(broken, interval_s=60)
        for i in range(250):
            meter.record(key.id, "/prices", rows=2, now=t0 + i)  # 250 s: five minute buckets
        meter.record(key.id, "/financials", rows=0, now=t0)
        failed = await meter.flush()  # the database is unreachable: nothing is lost
        pending_after_failure = meter.pending
        await broken.close()
        async with AsyncConnectionPool(db.conninfo(pg_url), min_size=1, max_size=2, open=False) as pool:
            meter.pool = pool
            written = await meter.flush()
        return failed, pending_after_failure, written

    failed, pending, written = asyncio.run(main())
    assert (failed, pending, written) == (0, 251, 251)
    rows = conn.execute(
        "SELECT bucket, endpoint, count, rows FROM usage WHERE key_id = %s ORDER BY bucket, endpoint",
        (key.id,),
    ).fetchall()
    start = dt.datetime.fromtimestamp(t0, dt.UTC)
    assert rows == [
        (start, "/financials", 1, 0),
        (start, "/prices", 60, 120),
        (start + dt.timedelta(minutes=1), "/prices", 60, 120),
        (start + dt.timedelta(minutes=2), "/prices", 60, 120),
        (start + dt.timedelta(minutes=3), "/prices", 60, 120),
        (start + dt.timedelta(minutes=4), "/prices", 10, 20),
    ]
    last_used = conn.execute("SELECT last_used_at FROM api_keys WHERE id = %s", (key.id,)).fetchone()
    assert last_used == (start + dt.timedelta(minutes=4),)


def test_background_flusher_and_stop(pg_url: str, conn: psycopg.Connection[Any]) -> None:
    user = store.create_user(conn, unique_email("flusher"))
    key = store.issue_key(conn, user.email)

    async def main() -> tuple[int, int]:
        async with AsyncConnectionPool(db.conninfo(pg_url), min_size=1, max_size=2, open=False) as pool:
            meter = UsageMeter(pool, interval_s=0.1, max_pending=1_000_000)
            meter.start()
            for _ in range(30):
                meter.record(key.id, "/v1/usage", rows=1)
            await asyncio.sleep(0.5)  # the background task wrote them
            by_task = meter.flushed_requests
            for _ in range(7):
                meter.record(key.id, "/v1/usage", rows=1)
            last = await meter.stop()
            return by_task, last

    assert asyncio.run(main()) == (30, 7)
    total = conn.execute("SELECT sum(count), sum(rows) FROM usage WHERE key_id = %s", (key.id,)).fetchone()
    assert total == (37, 37)
