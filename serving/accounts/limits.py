"""Rate limits in Redis: a per-user daily quota plus a token bucket for bursts, decided in one round trip.

Every key of a user shares the user's bucket and daily counter (the plan is the user's, not the key's). One
Lua script (loaded once, called with EVALSHA) reads the bucket and the day's counter, refills the bucket from
the elapsed time, and either refuses (nothing consumed) or takes one token and counts the request. Time is
Redis's own clock (``TIME``), so every worker agrees on it and on the UTC day.

When the day's counter is missing (a new day, or Redis restarted and lost it), the script says so instead of
starting from zero; :meth:`RateLimiter.check` then asks ``seed`` (the requests the user made today according
to the metering table) and the script sets the counter to that once (``SET NX``: concurrent seeders agree).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

from serving.accounts.plans import Plan

log = logging.getLogger(__name__)

#: KEYS[1] bucket hash, KEYS[2] quota counter base name (the UTC day number is appended).
#: ARGV: quota (-1 = unlimited), burst capacity, refill per second, seed ('' = none), ask for a seed (1|0).
#: Returns {allowed 0|1 (2 = seed needed), limit, remaining, retry_after_ms, reason, day, reset_ms}.
LUA = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local quota = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local day = math.floor(tonumber(t[1]) / 86400)
local to_midnight_ms = (day + 1) * 86400000 - now_ms
local qkey = KEYS[2] .. ':' .. day
if ARGV[4] ~= '' then
  redis.call('SET', qkey, ARGV[4], 'NX', 'PX', to_midnight_ms + 3600000)
end
local raw = redis.call('GET', qkey)
if raw == false and ARGV[5] == '1' then
  return {2, quota, -1, 0, 'seed', day, to_midnight_ms}
end
local used = tonumber(raw or '0')
if quota >= 0 and used >= quota then
  return {0, quota, 0, to_midnight_ms, 'quota', day, to_midnight_ms}
end

local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now_ms
end
tokens = math.min(capacity, tokens + math.max(0, now_ms - ts) * rate / 1000)
local ttl_ms = math.ceil(capacity / rate * 1000) + 1000
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now_ms)
  redis.call('PEXPIRE', KEYS[1], ttl_ms)
  local remaining = -1
  if quota >= 0 then remaining = quota - used end
  return {0, quota, remaining, math.ceil((1 - tokens) * 1000 / rate), 'burst', day, to_midnight_ms}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now_ms)
redis.call('PEXPIRE', KEYS[1], ttl_ms)
used = redis.call('INCR', qkey)
if used == 1 then redis.call('PEXPIRE', qkey, to_midnight_ms + 3600000) end
local remaining = -1
if quota >= 0 then remaining = quota - used end
return {1, quota, remaining, 0, '', day, to_midnight_ms}
"""


#: seconds of a Redis connect or reply before the call fails (then the outage mode applies)
REDIS_TIMEOUT_S = 0.5

#: ``seed(day)``: requests the user made on UTC day number ``day`` (days since 1970-01-01)
Seed = Callable[[int], Awaitable[int]]


class Decision(msgspec.Struct, frozen=True):
    """The outcome for one request: allowed, the daily limit and what remains (None = unlimited).

    ``retry_after`` is in whole seconds (0 when allowed); ``reason`` is ``quota`` (daily quota spent, retry
    after UTC midnight) or ``burst`` (token bucket empty) when refused. ``reset`` is the seconds until the
    daily quota starts again (UTC midnight).
    """

    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after: int
    reason: str = ""
    reset: int = 0


class RateLimiter:
    """The quota and burst check of every request, against one Redis (``REDIS_URL``)."""

    def __init__(self, client: aioredis.Redis, prefix: str = "aihf:rl:") -> None:
        self.client = client
        self.prefix = prefix
        self._sha: str | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        prefix: str = "aihf:rl:",
        max_connections: int = 64,
        timeout_s: float = REDIS_TIMEOUT_S,
    ) -> RateLimiter:
        """A limiter over a new pool of at most ``max_connections`` to ``url``.

        Connecting, each reply and the wait for a free connection are bounded by ``timeout_s`` (no retry):
        a Redis that is down or stalled costs a request at most that long, and the caller's circuit breaker
        spares the following ones.
        """
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            # a connection Redis closed (it restarted) is retried once at once; a timeout is not retried
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        return cls(aioredis.Redis(connection_pool=pool), prefix)

    async def load(self) -> str:
        """Load the script into Redis (done once; again after a Redis restart flushed it)."""
        self._sha = str(await self.client.script_load(LUA))
        return self._sha

    async def _run(self, keys: tuple[str, str], args: tuple[str | int | float, ...]) -> list[Any]:
        sha = self._sha or await self.load()
        try:
            return list(await self.client.evalsha(sha, 2, *keys, *args))
        except NoScriptError:
            return list(await self.client.evalsha(await self.load(), 2, *keys, *args))

    async def check(self, user_id: int, plan: Plan, seed: Seed | None = None) -> Decision:
        """Count one request of ``user_id`` (all the user's keys share it) under ``plan``, or refuse it.

        One EVALSHA round trip; two (plus ``seed``) when the day's counter is missing and ``seed`` is given.
        A failing ``seed`` is logged and the counter starts from zero.
        """
        keys = (f"{self.prefix}b:u{user_id}", f"{self.prefix}q:u{user_id}")
        quota = -1 if plan.daily_requests is None else plan.daily_requests
        base = (quota, plan.burst, plan.refill_per_s)
        raw = await self._run(keys, (*base, "", "1" if seed is not None and quota >= 0 else "0"))
        if int(raw[0]) == 2 and seed is not None:
            try:
                used = str(max(0, int(await seed(int(raw[5])))))
            except Exception as exc:  # the database is down too: count from zero rather than refuse
                log.warning("quota of user %s not rebuilt from the usage table (%s)", user_id, exc)
                used = ""
            raw = await self._run(keys, (*base, used, "0"))
        allowed, limit, remaining, retry_ms, reason, _, reset_ms = raw
        return Decision(
            allowed=bool(allowed),
            limit=None if int(limit) < 0 else int(limit),
            remaining=None if int(remaining) < 0 else int(remaining),
            retry_after=0 if allowed else max(1, -(-int(retry_ms) // 1000)),
            reason=reason.decode() if isinstance(reason, bytes) else str(reason),
            reset=max(1, -(-int(reset_ms) // 1000)),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()
        await self.client.connection_pool.disconnect()
