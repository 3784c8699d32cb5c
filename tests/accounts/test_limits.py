from __future__ import annotations

import asyncio
import time
import uuid

from serving.accounts.limits import RateLimiter
from serving.accounts.plans import PLANS, Plan
from tests.accounts.conftest import REDIS_URL


def run_with_limiter(prefix: str, body):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        limiter = RateLimiter.from_url(REDIS_URL, prefix + uuid.uuid4().hex[:6] + ":")
        try:
            return await body(limiter)
        finally:
            await limiter.close()

    return asyncio.run(main())


def test_burst_then_refill(redis_prefix: str) -> None:
    async def body(limiter: RateLimiter) -> None:
        free = PLANS["free"]  # burst 10, refill 1/s, 100/day
        decisions = [await limiter.check(1, free) for _ in range(11)]
        assert [d.allowed for d in decisions] == [True] * 10 + [False]
        assert [d.remaining for d in decisions[:10]] == list(range(99, 89, -1))
        refused = decisions[-1]
        assert (refused.reason, refused.retry_after, refused.limit, refused.remaining) == (
            "burst",
            1,
            100,
            90,
        )
        await asyncio.sleep(1.05)  # one token back
        assert (await limiter.check(1, free)).allowed
        assert not (await limiter.check(1, free)).allowed
        assert (await limiter.check(2, free)).allowed  # another key has its own bucket

    run_with_limiter(redis_prefix, body)


def test_daily_quota_until_utc_midnight(redis_prefix: str) -> None:
    async def body(limiter: RateLimiter) -> None:
        plan = Plan("tiny", daily_requests=5, max_rows=10, burst=100, refill_per_s=100.0)
        decisions = [await limiter.check(9, plan) for _ in range(7)]
        assert [d.allowed for d in decisions] == [True] * 5 + [False, False]
        refused = decisions[-1]
        to_midnight = 86400 - int(time.time()) % 86400
        assert refused.reason == "quota" and refused.remaining == 0
        assert abs(refused.retry_after - to_midnight) <= 2
        ttl = await limiter.client.ttl(f"{limiter.prefix}q:u9:{int(time.time()) // 86400}")
        assert to_midnight < ttl <= to_midnight + 3600 + 2  # the counter outlives its day by an hour at most

    run_with_limiter(redis_prefix, body)


def test_atomic_under_concurrency(redis_prefix: str) -> None:
    """200 concurrent checks against a quota of 50: exactly 50 pass (no lost or double counts)."""

    async def body(limiter: RateLimiter) -> None:
        plan = Plan("q50", daily_requests=50, max_rows=None, burst=1000, refill_per_s=1000.0)
        await limiter.load()
        decisions = await asyncio.gather(*(limiter.check(5, plan) for _ in range(200)))
        assert sum(d.allowed for d in decisions) == 50
        assert sorted(d.remaining for d in decisions if d.allowed) == list(range(50))

    run_with_limiter(redis_prefix, body)


def test_unlimited_plan_and_script_reload(redis_prefix: str) -> None:
    async def body(limiter: RateLimiter) -> None:
        enterprise = PLANS["enterprise"]
        first = await limiter.check(3, enterprise)
        assert first.allowed and first.limit is None and first.remaining is None
        await (
            limiter.client.script_flush()
        )  # as after a Redis restart: EVALSHA fails once, the script reloads
        assert (await limiter.check(3, enterprise)).allowed

    run_with_limiter(redis_prefix, body)
