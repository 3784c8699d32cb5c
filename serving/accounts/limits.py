"""Rate limits in Redis: a per-key daily quota plus a token bucket for bursts, decided in one round trip.

One Lua script (loaded once, called with EVALSHA) reads the bucket and the day's counter, refills the bucket
from the elapsed time, and either refuses (nothing consumed) or takes one token and counts the request. Time
is Redis's own clock (``TIME``), so every worker agrees on it and on the UTC day.
"""

from __future__ import annotations

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

from serving.accounts.plans import Plan

#: KEYS[1] bucket hash, KEYS[2] quota counter base name (the UTC day number is appended).
#: ARGV: quota (-1 = unlimited), burst capacity, refill per second.
#: Returns {allowed 0|1, limit, remaining, retry_after_ms, reason}.
LUA = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local quota = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local day = math.floor(tonumber(t[1]) / 86400)
local to_midnight_ms = (day + 1) * 86400000 - now_ms
local qkey = KEYS[2] .. ':' .. day

local used = tonumber(redis.call('GET', qkey) or '0')
if quota >= 0 and used >= quota then
  return {0, quota, 0, to_midnight_ms, 'quota'}
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
  return {0, quota, remaining, math.ceil((1 - tokens) * 1000 / rate), 'burst'}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now_ms)
redis.call('PEXPIRE', KEYS[1], ttl_ms)
used = redis.call('INCR', qkey)
if used == 1 then redis.call('PEXPIRE', qkey, to_midnight_ms + 3600000) end
local remaining = -1
if quota >= 0 then remaining = quota - used end
return {1, quota, remaining, 0, ''}
"""


class Decision(msgspec.Struct, frozen=True):
    """The outcome for one request: allowed, the daily limit and what remains (None = unlimited).

    ``retry_after`` is in whole seconds (0 when allowed); ``reason`` is ``quota`` (daily quota spent, retry
    after UTC midnight) or ``burst`` (token bucket empty) when refused.
    """

    allowed: bool
    limit: int | None
    remaining: int | None
    retry_after: int
    reason: str = ""


class RateLimiter:
    """The quota and burst check of every request, against one Redis (``REDIS_URL``)."""

    def __init__(self, client: aioredis.Redis, prefix: str = "aihf:rl:") -> None:
        self.client = client
        self.prefix = prefix
        self._sha: str | None = None

    @classmethod
    def from_url(cls, url: str, prefix: str = "aihf:rl:", max_connections: int = 64) -> RateLimiter:
        """A limiter over a new pool of at most ``max_connections`` to ``url`` (callers wait for a free one)."""
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=5)
        return cls(aioredis.Redis(connection_pool=pool), prefix)

    async def load(self) -> str:
        """Load the script into Redis (done once; again after a Redis restart flushed it)."""
        self._sha = str(await self.client.script_load(LUA))
        return self._sha

    async def check(self, key_id: int, plan: Plan) -> Decision:
        """Count one request of ``key_id`` under ``plan``, or refuse it; one EVALSHA round trip."""
        keys = (f"{self.prefix}b:{key_id}", f"{self.prefix}q:{key_id}")
        args = (-1 if plan.daily_requests is None else plan.daily_requests, plan.burst, plan.refill_per_s)
        sha = self._sha or await self.load()
        try:
            raw = await self.client.evalsha(sha, 2, *keys, *args)
        except NoScriptError:
            raw = await self.client.evalsha(await self.load(), 2, *keys, *args)
        allowed, limit, remaining, retry_ms, reason = raw
        return Decision(
            allowed=bool(allowed),
            limit=None if int(limit) < 0 else int(limit),
            remaining=None if int(remaining) < 0 else int(remaining),
            retry_after=0 if allowed else max(1, -(-int(retry_ms) // 1000)),
            reason=reason.decode() if isinstance(reason, bytes) else str(reason),
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()
        await self.client.connection_pool.disconnect()
