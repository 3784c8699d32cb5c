"""The access layer of one worker process: pools, key checks, limits and the usage meter, framework-free.

:class:`AccessRuntime` is what both Litestar integrations drive: :class:`serving.accounts.litestar.AccessPlugin`
(its own middleware) and :class:`serving.accounts.hook.AccountsAccess` (the app's ``Access`` hook).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import msgspec
import psycopg
from psycopg_pool import AsyncConnectionPool

from serving.accounts import billing, db
from serving.accounts.errors import is_v1, throttled_message
from serving.accounts.guards import Breaker, FailureThrottle, bounded
from serving.accounts.limits import REDIS_TIMEOUT_S, Decision, RateLimiter
from serving.accounts.metering import UsageMeter
from serving.accounts.plans import PLANS
from serving.accounts.refresh import REFRESH_TTL_S
from serving.accounts.store import ANONYMOUS_PREFIX, USAGE_SQL, UsageRow, usage_window
from serving.accounts.tokens import TOKEN_TTL_S, JwtKeys
from serving.accounts.verify import KEY_CACHE_TTL_S, Authenticator, AuthError, Principal

log = logging.getLogger(__name__)

#: what happens to requests while Redis does not answer (AIHF_REDIS_OUTAGE)
REDIS_OUTAGE_MODES = ("fail-open", "fail-closed")
#: seconds a caller is asked to wait (Retry-After) when the accounts database does not answer
PG_RETRY_AFTER_S = 5
#: today's requests of a user according to the metering table (the seed of a lost quota counter)
TODAY_SQL = """
    SELECT coalesce(sum(u.count), 0)::bigint FROM usage u JOIN api_keys k ON k.id = u.key_id
    WHERE k.user_id = %s AND u.bucket >= %s AND u.bucket < %s
"""

#: served without an API key: docs, health, the Stripe webhook (signed instead) and the refresh-token
#: endpoints (the refresh token in the body is the credential)
PUBLIC_PATHS = (
    "/schema",
    "/docs",
    "/health",
    "/healthz",
    "/favicon.ico",
    "/v1/billing/webhook",
    "/v1/auth/refresh",
    "/v1/auth/revoke",
)


class AccessConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the access layer needs; :meth:`from_settings` reads it from the project settings."""

    pg_url: str
    redis_url: str
    auth: bool = True
    jwt_algorithm: str = "RS256"
    jwt_secret: str = ""
    jwt_private_key: str = ""
    jwt_public_key: str = ""
    access_ttl_s: int = TOKEN_TTL_S
    refresh_ttl_s: int = REFRESH_TTL_S
    stripe_webhook_secret: str = ""
    stripe_api_key: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    redis_prefix: str = "aihf:rl:"
    key_cache_ttl_s: float = KEY_CACHE_TTL_S
    flush_interval_s: float = 5.0
    public_paths: tuple[str, ...] = PUBLIC_PATHS
    pool_size: int = 4
    redis_outage: str = "fail-open"
    redis_timeout_s: float = REDIS_TIMEOUT_S
    pg_timeout_s: float = 0.75
    auth_failures_per_min: int = 30

    def __post_init__(self) -> None:
        if self.redis_outage not in REDIS_OUTAGE_MODES:
            raise ValueError(
                f"AIHF_REDIS_OUTAGE must be one of {', '.join(REDIS_OUTAGE_MODES)}, not {self.redis_outage!r}"
            )

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> AccessConfig:
        """The config of ``settings``.

        AIHF_AUTH, AIHF_PG_URL, REDIS_URL, JWT_*, STRIPE_*, AIHF_REDIS_OUTAGE and AIHF_AUTH_FAILURES_PER_MIN.
        """
        return cls(
            **{
                "pg_url": settings.pg_url,
                "redis_url": settings.redis_url,
                "auth": settings.auth,
                "jwt_algorithm": settings.jwt_algorithm,
                "jwt_secret": settings.jwt_secret,
                "jwt_private_key": settings.jwt_private_key,
                "jwt_public_key": settings.jwt_public_key,
                "access_ttl_s": settings.jwt_access_ttl_s,
                "refresh_ttl_s": settings.jwt_refresh_ttl_s,
                "stripe_webhook_secret": settings.stripe_webhook_secret,
                "stripe_api_key": settings.stripe_api_key,
                "stripe_api_base": settings.stripe_api_base,
                "redis_outage": getattr(settings, "redis_outage", "fail-open"),
                "auth_failures_per_min": getattr(settings, "auth_failures_per_min", 30),
                **overrides,
            }
        )

    def jwt_keys(self) -> JwtKeys:
        """The JWT keys of this config, loaded and checked (call it before serving, to refuse bad settings).

        Raises:
            serving.accounts.tokens.JwtConfigError: short HS256 secret, unreadable or wrong key file.
        """
        return JwtKeys.from_config(
            self.jwt_algorithm, self.jwt_secret, self.jwt_private_key, self.jwt_public_key
        )

    def is_public(self, path: str) -> bool:
        """Whether ``path`` is served without a key (docs, schema, health, the Stripe webhook)."""
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.public_paths)


class Refused(Exception):
    """A request refused by the access layer: status, /v1 code, message, details and Retry-After."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
        decision: Decision | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after
        self.decision = decision


class AccessRuntime:
    """The open resources of one worker process: pool, authenticator, limiter, meter."""

    def __init__(
        self,
        config: AccessConfig,
        pool: AsyncConnectionPool[Any],
        anonymous: Principal,
        jwt_keys: JwtKeys | None = None,
    ) -> None:
        self.config = config
        self.pool = pool
        self.anonymous = anonymous
        self.jwt_keys = jwt_keys or config.jwt_keys()
        self.authenticator = Authenticator(pool, self.jwt_keys, config.key_cache_ttl_s)
        self.limiter = RateLimiter.from_url(
            config.redis_url, config.redis_prefix, timeout_s=config.redis_timeout_s
        )
        self.meter = UsageMeter(pool, config.flush_interval_s)
        passing = (
            "served unlimited and still metered" if config.redis_outage == "fail-open" else "refused (503)"
        )
        self.redis = Breaker(
            "rate limiter (Redis)",
            describe=f": requests are {passing} until it answers (AIHF_REDIS_OUTAGE={config.redis_outage})",
        )
        self.failures = FailureThrottle(config.auth_failures_per_min)
        self._pg_warned = -60.0
        self._pg_failures = 0

    @classmethod
    async def start(cls, config: AccessConfig, jwt_keys: JwtKeys | None = None) -> AccessRuntime:
        """Migrate the database (first use), open the pool, start the usage flusher."""
        jwt_keys = jwt_keys or config.jwt_keys()  # bad JWT settings fail before anything is opened
        await asyncio.to_thread(db.migrate, config.pg_url)
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            db.conninfo(config.pg_url),
            min_size=1,
            max_size=config.pool_size,
            open=False,
            timeout=config.pg_timeout_s,
            kwargs={"connect_timeout": 2},
        )
        await pool.open(wait=True)
        async with pool.connection() as conn:
            row = await (
                await conn.execute("SELECT id, user_id FROM api_keys WHERE prefix = %s", (ANONYMOUS_PREFIX,))
            ).fetchone()
        assert row is not None, "migration 0001 creates the anonymous key"
        anonymous = Principal(row[0], row[1], PLANS["enterprise"], frozenset({"fd", "v1"}), anonymous=True)
        runtime = cls(config, pool, anonymous, jwt_keys)
        runtime.meter.start()
        return runtime

    async def close(self) -> int:
        """Flush every buffered request, then close Redis and the pool; returns the requests written last."""
        written = await self.meter.stop()
        log.info("usage flushed at shutdown: %d requests", written)
        await self.limiter.close()
        await self.pool.close()
        return written

    def _pg_down(self, exc: BaseException) -> Refused:
        self._pg_failures += 1
        if time.monotonic() - self._pg_warned >= 60:  # at most one line a minute, however many requests
            self._pg_warned = time.monotonic()
            log.warning(
                "accounts database unavailable (%s: %s); %d request(s) answered 503 since the last warning",
                type(exc).__name__,
                exc,
                self._pg_failures,
            )
            self._pg_failures = 0
        return Refused(
            503,
            "UNAVAILABLE",
            "the accounts database is not answering; retry shortly",
            retry_after=PG_RETRY_AFTER_S,
        )

    async def used_today(self, user_id: int, day: int) -> int:
        """Requests of ``user_id`` on UTC day number ``day`` in the metering table: a lost counter's seed.

        This process's usage buffer is written first.
        """

        async def query() -> int:
            await self.meter.flush()
            async with self.pool.connection() as conn:
                start = dt.datetime.fromtimestamp(day * 86400, dt.UTC)
                cur = await conn.execute(TODAY_SQL, (user_id, start, start + dt.timedelta(days=1)))
                row = await cur.fetchone()
            return int(row[0]) if row else 0

        return await bounded(query(), self.config.pg_timeout_s)

    async def _limit(self, who: Principal) -> Decision | None:
        if not self.redis.allow():
            self._outage(None)
            return None
        try:
            decision = await self.limiter.check(
                who.user_id, who.plan, lambda day: self.used_today(who.user_id, day)
            )
        except Exception as exc:  # Redis down or stalled: the outage mode decides
            self.redis.failed(exc)
            self._outage(exc)
            return None
        self.redis.succeeded()
        return decision

    def _outage(self, exc: Exception | None) -> None:
        if self.config.redis_outage == "fail-closed":
            raise Refused(
                503,
                "UNAVAILABLE",
                "the rate limiter is not answering; retry shortly",
                retry_after=self.redis.retry_in(),
            ) from exc
        return None

    async def admit(self, credential: str, path: str, client: str = "") -> tuple[Principal, Decision | None]:
        """The caller of a request to ``path`` after its credential, scope and limits are checked.

        ``credential`` is an API key or a bearer JWT, as ``serving.access.credential_of`` read it.

        With AIHF_AUTH=off every request is the anonymous principal, unlimited. Quota and burst are the
        user's (every key of a user shares them). ``client`` is the caller's address: after
        ``auth_failures_per_min`` failed authentications in a minute it is refused (429) before the database
        is asked. If Redis does not answer, AIHF_REDIS_OUTAGE decides: ``fail-open`` serves unlimited (still
        metered), ``fail-closed`` refuses with 503; a circuit breaker spares the following requests the wait.

        Raises:
            Refused: 401 (no/unknown/revoked key, bad token), 402 (keys suspended for a failed payment past the
                plan's grace period), 403 (scope), 429 (quota, burst, or too many failed authentications), 503
                (the database or, fail-closed, Redis does not answer).
        """
        if not self.config.auth:
            return self.anonymous, None
        wait = self.failures.retry_after(client)
        if wait:
            raise Refused(
                429,
                "RATE_LIMITED",
                f"Request was throttled (too many failed authentications from {client}). "
                f"Expected available in {wait} seconds.",
                {"retry_after": wait, "reason": "auth_failures"},
                wait,
            )
        try:
            who = await bounded(self.authenticator.authenticate(credential), self.config.pg_timeout_s)
        except AuthError as exc:
            if exc.status == 401:
                self.failures.failed(client)
            raise Refused(exc.status, exc.code, exc.message) from None
        except (psycopg.Error, OSError, TimeoutError) as exc:
            raise self._pg_down(exc) from None
        suspended = billing.suspension(who.plan.name, who.payment_failed_at, dt.datetime.now(dt.UTC))
        if suspended:
            raise Refused(402, "PAYMENT_REQUIRED", suspended)
        face = "v1" if is_v1(path) else "fd"
        if face not in who.scopes:
            scopes = ", ".join(sorted(who.scopes))
            raise Refused(
                403, "FORBIDDEN", f"this API key is not scoped for the {face} API (scopes: {scopes})"
            )
        decision = await self._limit(who)
        if decision is None:
            return who, None
        if not decision.allowed:
            details = {
                "limit": decision.limit,
                "remaining": decision.remaining,
                "retry_after": decision.retry_after,
                "reason": decision.reason,
            }
            message = throttled_message(decision.retry_after, decision.reason)
            raise Refused(429, "RATE_LIMITED", message, details, decision.retry_after, decision)
        return who, decision

    def record(self, who: Principal, endpoint: str, rows: int) -> None:
        """Meter one answered request (never blocks)."""
        self.meter.record(who.key_id, endpoint.rstrip("/") or "/", rows)

    async def usage(self, user_id: int, days: int) -> list[UsageRow]:
        """Usage of ``user_id`` over the last ``days`` UTC days, this process's buffer included.

        Raises:
            Refused: 503 when the database does not answer within ``pg_timeout_s``.
        """

        async def query() -> list[UsageRow]:
            await self.meter.flush()
            start, end = usage_window(days)
            async with self.pool.connection() as conn:
                cur = await conn.execute(USAGE_SQL, {"user_id": user_id, "start": start, "end": end})
                return [UsageRow(*row) for row in await cur.fetchall()]

        try:
            return await bounded(query(), self.config.pg_timeout_s)
        except (psycopg.Error, OSError, TimeoutError) as exc:
            raise self._pg_down(exc) from None
