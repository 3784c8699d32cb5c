"""Limits per user, failed lookups throttled per address, and Redis/PostgreSQL outages (private servers only).

The shared Redis and PostgreSQL are never stopped: Redis outages use a private ``redis-server`` on a free port
(killed, restarted, or frozen with SIGSTOP to stall it), PostgreSQL outages a loopback proxy that stops
answering (:class:`tests.support.tcp_proxy.TcpProxy`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest
import redis

from lake.settings import Settings
from serving.accounts import guards, store
from serving.accounts.runtime import AccessConfig, AccessRuntime, Refused
from tests.accounts.conftest import unique_email
from tests.support.api_server import free_port
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


class PrivateRedis:
    """A redis-server of this test on a free port, without persistence: stop/start loses every key."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                assert time.monotonic() < deadline, "private redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog) but nothing answers."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def new_user(conn: psycopg.Connection[Any], plan: str = "free", keys: int = 1) -> list[str]:
    email = unique_email(plan)
    store.create_user(conn, email, plan)
    return [store.issue_key(conn, email, name=f"k{i}").key for i in range(keys)]


def run(config: AccessConfig, body: Callable[[AccessRuntime], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        runtime = await AccessRuntime.start(config)
        try:
            return await body(runtime)
        finally:
            await runtime.close()

    return asyncio.run(main())


def random_key() -> str:
    return "aihf_live_" + secrets.token_hex(32)


def test_quota_and_burst_are_per_user(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    """Two keys of one Free user draw on one daily quota and one burst bucket; another user has their own."""
    first, second = new_user(conn, "free", keys=2)
    (other,) = new_user(conn, "free")

    async def body(runtime: AccessRuntime) -> None:
        remaining = []
        for i in range(10):  # the Free burst is 10, split over both keys
            _, decision = await runtime.admit(first if i % 2 else second, "/prices")
            assert decision is not None
            remaining.append(decision.remaining)
        assert remaining == list(range(99, 89, -1))  # one counter for both keys
        with pytest.raises(Refused) as refused:
            await runtime.admit(second, "/prices")
        assert (refused.value.status, refused.value.details["reason"]) == (429, "burst")  # type: ignore[index]
        _, fresh = await runtime.admit(other, "/prices")
        assert fresh is not None and fresh.remaining == 99

    run(config, body)


def test_failed_lookups_throttled_per_address(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    """After N failed authentications in a minute an address gets 429 without a database lookup."""
    (key,) = new_user(conn, "pro")
    throttled = msgspec.structs.replace(config, auth_failures_per_min=5)

    async def body(runtime: AccessRuntime) -> None:
        for _ in range(5):
            with pytest.raises(Refused) as unknown:
                await runtime.admit(random_key(), "/prices", "10.9.8.7")
            assert unknown.value.status == 401
        assert runtime.authenticator.lookups == 5
        for candidate in (random_key(), key):  # refused before the database, whatever the key
            with pytest.raises(Refused) as refused:
                await runtime.admit(candidate, "/v1/filings", "10.9.8.7")
            assert (refused.value.status, refused.value.code) == (429, "RATE_LIMITED")
            assert 1 <= (refused.value.retry_after or 0) <= 60
            assert refused.value.details == {
                "retry_after": refused.value.retry_after,
                "reason": "auth_failures",
            }
        assert runtime.authenticator.lookups == 5
        who, _ = await runtime.admit(key, "/prices", "10.9.8.6")  # another address is not affected
        assert who.plan.name == "pro"
        with pytest.raises(Refused) as other:
            await runtime.admit(random_key(), "/prices", "10.9.8.6")
        assert other.value.status == 401

    run(throttled, body)


def test_redis_stalled_fail_open_is_bounded_and_logged_once(
    config: AccessConfig,
    conn: psycopg.Connection[Any],
    private_redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Redis that accepts and never answers costs one request its timeout; the others pass at once, unlimited."""
    (key,) = new_user(conn, "free")
    cfg = msgspec.structs.replace(config, redis_url=private_redis.url)

    async def body(runtime: AccessRuntime) -> None:
        _, decision = await runtime.admit(key, "/prices")
        assert decision is not None and decision.remaining == 99
        private_redis.freeze()
        try:
            started = time.monotonic()
            results = [await runtime.admit(key, "/prices") for _ in range(30)]  # more than the burst
            elapsed = time.monotonic() - started
        finally:
            private_redis.thaw()
        assert [d for _, d in results] == [None] * 30  # served unlimited
        assert elapsed < 1.5, elapsed  # one timeout (0.5 s), not one per request
        await asyncio.sleep(1.1)  # the breaker's cooldown: the next request probes Redis again
        _, back = await runtime.admit(key, "/prices")
        # the request that timed out reached Redis and counted when it woke; the other 29 were not counted
        assert back is not None and back.remaining == 97

    with caplog.at_level(logging.WARNING, logger="serving.accounts.guards"):
        run(cfg, body)
    messages = [r.getMessage() for r in caplog.records if r.name == "serving.accounts.guards"]
    assert len(messages) == 2, messages
    assert messages[0].startswith("rate limiter (Redis) unavailable (TimeoutError")
    assert "AIHF_REDIS_OUTAGE=fail-open" in messages[0]
    assert messages[1].startswith("rate limiter (Redis) answers again after")


def test_redis_down_fail_closed(
    config: AccessConfig, conn: psycopg.Connection[Any], private_redis: PrivateRedis
) -> None:
    """AIHF_REDIS_OUTAGE=fail-closed: while Redis is down, requests get a fast 503 with Retry-After."""
    (key,) = new_user(conn, "pro")
    cfg = msgspec.structs.replace(config, redis_url=private_redis.url, redis_outage="fail-closed")

    async def body(runtime: AccessRuntime) -> None:
        assert (await runtime.admit(key, "/prices"))[1] is not None
        private_redis.stop()
        started = time.monotonic()
        for _ in range(20):
            with pytest.raises(Refused) as refused:
                await runtime.admit(key, "/prices")
            assert (refused.value.status, refused.value.code) == (503, "UNAVAILABLE")
            assert refused.value.retry_after == 1
        assert time.monotonic() - started < 1.0
        private_redis.start()
        await asyncio.sleep(1.1)
        _, decision = await runtime.admit(key, "/prices")
        assert decision is not None and decision.limit == 10_000

    run(cfg, body)


def test_bad_outage_mode_is_refused(config: AccessConfig) -> None:
    with pytest.raises(
        ValueError, match="AIHF_REDIS_OUTAGE must be one of fail-open, fail-closed, not 'open'"
    ):
        msgspec.structs.replace(config, redis_outage="open")


def test_quota_rebuilt_from_usage_after_redis_restart(
    config: AccessConfig, conn: psycopg.Connection[Any], private_redis: PrivateRedis
) -> None:
    """Redis restarts empty: the day's counter is rebuilt from the metering table, not restarted at zero."""
    (key,) = new_user(conn, "free")
    cfg = msgspec.structs.replace(config, redis_url=private_redis.url)

    async def body(runtime: AccessRuntime) -> tuple[int | None, int | None]:
        for _ in range(6):
            who, decision = await runtime.admit(key, "/prices")
            runtime.record(who, "/prices", 3)
        assert decision is not None and decision.remaining == 94
        private_redis.stop()
        private_redis.start()  # empty: no persistence
        await asyncio.sleep(1.1)  # the breaker (opened by the restart or not) lets a probe through
        _, after = await runtime.admit(key, "/prices")
        _, next_one = await runtime.admit(key, "/prices")
        return (after.remaining if after else None, next_one.remaining if next_one else None)

    assert run(cfg, body) == (93, 92)  # 6 metered (buffered ones written first) + this one


def test_postgres_stalled_gives_fast_503_and_keeps_usage(
    config: AccessConfig, conn: psycopg.Connection[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A database that accepts and never answers: 503 UNAVAILABLE within a second; usage kept and written later."""
    known, unknown = new_user(conn, "enterprise"), new_user(conn, "enterprise")
    with TcpProxy(5432) as proxy:
        cfg = msgspec.structs.replace(config, pg_url=config.pg_url.replace(":5432/", f":{proxy.port}/"))

        async def body(runtime: AccessRuntime) -> None:
            who, _ = await runtime.admit(known[0], "/prices")
            await runtime.meter.flush()
            proxy.stall()
            try:
                runtime.record(who, "/prices", 7)  # answered while the database hangs
                for call in (
                    runtime.admit(unknown[0], "/prices"),  # not in the key cache: needs the database
                    runtime.usage(who.user_id, 7),
                ):
                    started = time.monotonic()
                    with pytest.raises(Refused) as refused:
                        await call
                    assert time.monotonic() - started < 1.0
                    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (
                        503,
                        "UNAVAILABLE",
                        5,
                    )
                deadline = time.monotonic() + 10  # the cancelled write gives its counts back
                while runtime.meter.pending != 1 and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                assert runtime.meter.pending == 1
            finally:
                proxy.resume()
            deadline = time.monotonic() + 20
            while runtime.meter.pending and time.monotonic() < deadline:
                await runtime.meter.flush()
                await asyncio.sleep(0.2)
            assert runtime.meter.pending == 0

        with caplog.at_level(logging.WARNING, logger="serving.accounts.runtime"):
            run(cfg, body)
    warned = [r for r in caplog.records if r.getMessage().startswith("accounts database unavailable")]
    assert len(warned) == 1  # two refused requests, one log line
    rows = conn.execute(
        "SELECT sum(count)::int, sum(rows)::int FROM usage u JOIN api_keys k ON k.id = u.key_id"
        " WHERE k.prefix = %s",
        (known[0][:18],),
    ).fetchone()
    assert rows == (1, 7)


def test_breaker_one_probe_at_a_time_and_a_lost_probe_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(guards.time, "monotonic", lambda: now[0])
    breaker = guards.Breaker("dep", cooldown_s=1.0)
    assert breaker.allow() and breaker.allow()  # up: every call
    breaker.failed(OSError("down"))
    assert (breaker.down, breaker.allow(), breaker.retry_in()) == (True, False, 1)
    now[0] += 1.0
    assert [breaker.allow(), breaker.allow()] == [True, False]  # one probe after the cooldown
    now[0] += guards.PROBE_EXPIRY_S  # that probe's request was cancelled and never reported
    assert breaker.allow()
    breaker.succeeded()
    assert (breaker.down, breaker.allow(), breaker.outages) == (False, True, 1)


def test_failure_window_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [50.0]
    monkeypatch.setattr(guards.time, "monotonic", lambda: now[0])
    throttle = guards.FailureThrottle(2)
    throttle.failed("a")
    assert throttle.retry_after("a") == 0
    throttle.failed("a")
    assert (throttle.retry_after("a"), throttle.retry_after("b")) == (60, 0)
    now[0] += 59.5
    assert throttle.retry_after("a") == 1
    now[0] += 0.5
    assert throttle.retry_after("a") == 0


def test_outage_settings_reach_the_config() -> None:
    def settings(**env: str) -> Settings:
        return Settings.from_env(env=env, dotenv=Path("/nonexistent/.env"))

    chosen = AccessConfig.from_settings(
        settings(AIHF_REDIS_OUTAGE="fail-closed", AIHF_AUTH_FAILURES_PER_MIN="7")
    )
    assert (chosen.redis_outage, chosen.auth_failures_per_min) == ("fail-closed", 7)
    default = AccessConfig.from_settings(settings())
    assert (default.redis_outage, default.auth_failures_per_min) == ("fail-open", 30)
    with pytest.raises(
        ValueError, match="AIHF_REDIS_OUTAGE must be one of fail-open, fail-closed, not 'maybe'"
    ):
        settings(AIHF_REDIS_OUTAGE="maybe")
