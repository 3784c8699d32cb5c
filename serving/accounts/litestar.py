"""Litestar integration: :class:`AccessPlugin` authenticates, rate-limits and meters every API request.

``Litestar(..., plugins=[AccessPlugin(AccessConfig.from_settings(settings))])`` adds:

* a middleware (inside the app's own middleware) that reads ``X-API-KEY`` (any case) or
  ``Authorization: Bearer <key or JWT>``, checks the key's scope (``fd`` or ``v1`` face), applies the plan's
  daily quota and burst limit (Redis, one round trip) and counts the request for metering; refusals are
  answered in the face's format (``/v1``: the seed's error object; FD: ``{"error","message"}`` / 429
  ``{"detail"}``) with ``Retry-After`` on 429;
* ``GET /v1/usage``, ``POST /v1/auth/token`` (API key -> short-lived JWT) and ``POST /v1/billing/webhook``;
* lifespan hooks: migrate the database, open the PostgreSQL pool and Redis, start the usage flusher; on
  shutdown flush every buffered request and close them.

Handlers see the caller in ``request.state`` (:func:`principal`), cap ``limit`` with :func:`row_cap` and
report how many rows they returned with :func:`report_rows` (or the ``x-aihf-rows`` response header, which the
middleware strips).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.config.app import AppConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins import InitPluginProtocol
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from psycopg_pool import AsyncConnectionPool

from lake.settings import Settings
from serving.accounts import billing, db
from serving.accounts.errors import error_body, is_v1, throttled_message
from serving.accounts.limits import Decision, RateLimiter
from serving.accounts.metering import UsageMeter
from serving.accounts.plans import PLANS
from serving.accounts.store import ANONYMOUS_PREFIX, USAGE_SQL, UsageRow, usage_window
from serving.accounts.tokens import TOKEN_TTL_S, TokenError, issue_token
from serving.accounts.verify import KEY_CACHE_TTL_S, Authenticator, AuthError, Principal

log = logging.getLogger(__name__)

PRINCIPAL_KEY = "aihf_principal"
ROWS_KEY = "aihf_rows"
REQUEST_ID_KEY = "request_id"
ROWS_HEADER = b"x-aihf-rows"
PUBLIC_PATHS = ("/schema", "/docs", "/health", "/healthz", "/favicon.ico", "/v1/billing/webhook")


class AccessConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What the access layer needs; :meth:`from_settings` reads it from the project settings."""

    pg_url: str
    redis_url: str
    auth: bool = True
    jwt_secret: str = ""
    stripe_webhook_secret: str = ""
    redis_prefix: str = "aihf:rl:"
    key_cache_ttl_s: float = KEY_CACHE_TTL_S
    flush_interval_s: float = 5.0
    public_paths: tuple[str, ...] = PUBLIC_PATHS
    pool_size: int = 4

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> AccessConfig:
        """The config of ``settings`` (AIHF_AUTH, AIHF_PG_URL, REDIS_URL, JWT_SECRET, STRIPE_WEBHOOK_SECRET)."""
        return cls(
            **{
                "pg_url": settings.pg_url,
                "redis_url": settings.redis_url,
                "auth": settings.auth,
                "jwt_secret": settings.jwt_secret,
                "stripe_webhook_secret": settings.stripe_webhook_secret,
                **overrides,
            }
        )


class AccessRuntime:
    """The open resources of one worker process: pool, authenticator, limiter, meter."""

    def __init__(self, config: AccessConfig, pool: AsyncConnectionPool[Any], anonymous: Principal) -> None:
        self.config = config
        self.pool = pool
        self.anonymous = anonymous
        self.authenticator = Authenticator(pool, config.jwt_secret, config.key_cache_ttl_s)
        self.limiter = RateLimiter.from_url(config.redis_url, config.redis_prefix)
        self.meter = UsageMeter(pool, config.flush_interval_s)
        self._redis_warned = 0.0

    def redis_down(self, exc: Exception) -> None:
        """Log (at most once a minute) that Redis failed and requests pass unlimited meanwhile."""
        if time.monotonic() - self._redis_warned > 60:
            self._redis_warned = time.monotonic()
            log.warning("rate limiter unavailable (%s): requests pass unlimited until Redis answers", exc)


def principal(request: Request[Any, Any, Any]) -> Principal | None:
    """The caller of ``request`` (None on public paths)."""
    found = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    return found if isinstance(found, Principal) else None


def row_cap(request: Request[Any, Any, Any]) -> int | None:
    """The most rows one response may hold under the caller's plan (None = unlimited); clamp ``limit`` to it."""
    who = principal(request)
    return who.plan.max_rows if who is not None else None


def report_rows(request: Request[Any, Any, Any], rows: int) -> None:
    """Tell the metering how many rows this response returns."""
    request.scope.setdefault("state", {})[ROWS_KEY] = int(rows)


def request_id(scope: Scope) -> str:
    """The request's id: set by an outer middleware in ``scope["state"]``, sent by the client, or new."""
    state = scope.setdefault("state", {})
    found = state.get(REQUEST_ID_KEY)
    if not found:
        header = next((v for k, v in scope.get("headers", ()) if k.lower() == b"x-request-id"), b"")
        found = header.decode("latin-1")[:128] or uuid.uuid4().hex
        state[REQUEST_ID_KEY] = found
    return str(found)


def _credentials(scope: Scope) -> tuple[str, str]:
    api_key = bearer = ""
    for name, value in scope.get("headers", ()):
        lowered = name.lower()
        if lowered == b"x-api-key":
            api_key = value.decode("latin-1")
        elif lowered == b"authorization":
            scheme, _, rest = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer":
                bearer = rest.strip()
    return api_key, bearer


def _limit_headers(decision: Decision | None) -> list[tuple[bytes, bytes]]:
    if decision is None or decision.limit is None:
        return []
    return [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(decision.remaining or 0).encode()),
    ]


async def _send_error(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    rid = request_id(scope)
    body = error_body(scope["path"], status, code, message, rid, details)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", rid.encode("latin-1")),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class AccessMiddleware:
    """ASGI middleware: authenticate, check scope and limits, meter (see the module docstring)."""

    def __init__(self, app: ASGIApp, plugin: AccessPlugin) -> None:
        self.app = app
        self.plugin = plugin

    def _public(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.plugin.config.public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or self._public(scope["path"]):
            await self.app(scope, receive, send)
            return
        runtime = self.plugin.runtime
        if runtime is None:
            await _send_error(
                scope, send, 503, "UNAVAILABLE", "the access layer is not started (lifespan not run)"
            )
            return
        path = scope["path"]
        state = scope.setdefault("state", {})
        request_id(scope)
        decision: Decision | None = None
        if not self.plugin.config.auth:
            who = runtime.anonymous
        else:
            try:
                who = await runtime.authenticator.authenticate(*_credentials(scope))
            except AuthError as exc:
                await _send_error(scope, send, exc.status, exc.code, exc.message)
                return
            face = "v1" if is_v1(path) else "fd"
            if face not in who.scopes:
                await _send_error(
                    scope,
                    send,
                    403,
                    "FORBIDDEN",
                    f"this API key is not scoped for the {face} API (scopes: "
                    f"{', '.join(sorted(who.scopes))})",
                )
                return
            try:
                decision = await runtime.limiter.check(who.key_id, who.plan)
            except Exception as exc:  # Redis down: serve (fail open), still metered
                runtime.redis_down(exc)
            if decision is not None and not decision.allowed:
                message = throttled_message(decision.retry_after, decision.reason)
                details = {
                    "limit": decision.limit,
                    "remaining": decision.remaining,
                    "retry_after": decision.retry_after,
                    "reason": decision.reason,
                }
                await _send_error(
                    scope,
                    send,
                    429,
                    "RATE_LIMITED",
                    message,
                    details,
                    [(b"retry-after", str(decision.retry_after).encode()), *_limit_headers(decision)],
                )
                return
        state[PRINCIPAL_KEY] = who
        header_rows: list[int] = []
        extra = _limit_headers(decision)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", ()):
                    if name.lower() == ROWS_HEADER:
                        with contextlib.suppress(ValueError):
                            header_rows.append(int(value))
                    else:
                        headers.append((name, value))
                message["headers"] = headers + extra
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            rows = header_rows[0] if header_rows else state.get(ROWS_KEY, 0)
            endpoint = (scope.get("path_template") or path).rstrip("/") or "/"
            runtime.meter.record(who.key_id, endpoint, int(rows or 0))


class Meta(msgspec.Struct, frozen=True):
    """The envelope's ``meta``."""

    count: int
    next_cursor: str | None = None
    has_more: bool = False


class UsageResponse(msgspec.Struct, frozen=True):
    """``GET /v1/usage``: requests and rows per UTC day, endpoint and key of the caller's user."""

    data: list[UsageRow]
    meta: Meta
    request_id: str


class TokenResponse(msgspec.Struct, frozen=True):
    """``POST /v1/auth/token``: a bearer JWT for the calling key."""

    access_token: str
    token_type: str
    expires_in: int


class WebhookResponse(msgspec.Struct, frozen=True):
    """``POST /v1/billing/webhook``: what the event did."""

    received: bool
    event_id: str
    duplicate: bool
    outcome: str


def _error_response(request: Request[Any, Any, Any], status: int, code: str, message: str) -> Response[bytes]:
    body = error_body(request.scope["path"], status, code, message, request_id(request.scope))
    return Response(body, status_code=status, media_type="application/json")


async def query_usage(pool: AsyncConnectionPool[Any], user_id: int, days: int) -> list[UsageRow]:
    """Usage of ``user_id`` over the last ``days`` UTC days (today included), newest day first."""
    start, end = usage_window(days)
    async with pool.connection() as conn:
        cur = await conn.execute(USAGE_SQL, {"user_id": user_id, "start": start, "end": end})
        return [UsageRow(*row) for row in await cur.fetchall()]


class AccessPlugin(InitPluginProtocol):
    """Plugs accounts, limits and metering into a Litestar app (middleware, routes, lifespan)."""

    def __init__(self, config: AccessConfig) -> None:
        self.config = config
        self.runtime: AccessRuntime | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AccessPlugin:
        """The plugin configured from ``Settings.from_env()`` (or the given settings)."""
        return cls(AccessConfig.from_settings(settings or Settings.from_env()))

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        """Register the middleware, the routes and the lifespan hook."""
        app_config.middleware.append(DefineMiddleware(AccessMiddleware, plugin=self))
        app_config.route_handlers.extend(self.route_handlers())
        app_config.lifespan.append(self.lifespan)
        return app_config

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """Migrate and connect at startup; flush the usage buffer and disconnect at shutdown."""
        await asyncio.to_thread(db.migrate, self.config.pg_url)
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            db.conninfo(self.config.pg_url), min_size=1, max_size=self.config.pool_size, open=False
        )
        await pool.open(wait=True)
        async with pool.connection() as conn:
            row = await (
                await conn.execute("SELECT id, user_id FROM api_keys WHERE prefix = %s", (ANONYMOUS_PREFIX,))
            ).fetchone()
        assert row is not None, "migration 0001 creates the anonymous key"
        anonymous = Principal(row[0], row[1], PLANS["enterprise"], frozenset({"fd", "v1"}), anonymous=True)
        runtime = AccessRuntime(self.config, pool, anonymous)
        runtime.meter.start()
        self.runtime = runtime
        try:
            yield
        finally:
            self.runtime = None
            written = await runtime.meter.stop()
            log.info("usage flushed at shutdown: %d requests", written)
            await runtime.limiter.close()
            await pool.close()

    def route_handlers(self) -> list[Any]:
        """``GET /v1/usage``, ``POST /v1/auth/token``, ``POST /v1/billing/webhook``."""
        plugin = self

        @get("/v1/usage", tags=["usage"], summary="Usage of the caller's keys")
        async def usage(request: Request[Any, Any, Any], days: int = 7) -> Response[Any]:
            """Requests and rows served per UTC day, endpoint and key over the last ``days`` days (1-366)."""
            runtime, who = plugin.runtime, principal(request)
            if runtime is None or who is None:
                return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
            if not 1 <= days <= 366:
                return _error_response(request, 400, "INVALID_PARAMETER", f"days must be 1..366, not {days}")
            await runtime.meter.flush()
            rows = await query_usage(runtime.pool, who.user_id, days)
            report_rows(request, len(rows))
            return Response(UsageResponse(rows, Meta(len(rows)), request_id(request.scope)))

        @post("/v1/auth/token", status_code=200, tags=["auth"], summary="Exchange the API key for a JWT")
        async def token(request: Request[Any, Any, Any]) -> Response[Any]:
            """A bearer JWT (HS256, one hour) for the calling key; it stops working when the key is revoked."""
            runtime, who = plugin.runtime, principal(request)
            if runtime is None or who is None:
                return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
            try:
                jwt = issue_token(plugin.config.jwt_secret, user_id=who.user_id, key_id=who.key_id)
            except TokenError as exc:
                return _error_response(request, 404, "NOT_FOUND", str(exc))
            return Response(TokenResponse(jwt, "bearer", TOKEN_TTL_S))

        @post("/v1/billing/webhook", status_code=200, tags=["billing"], summary="Stripe webhook")
        async def webhook(request: Request[Any, Any, Any]) -> Response[Any]:
            """Apply a Stripe event (signed with STRIPE_WEBHOOK_SECRET) once; bad signatures get 400."""
            runtime = plugin.runtime
            if runtime is None:
                return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
            payload = await request.body()
            try:
                event = billing.verify(
                    payload, request.headers.get("stripe-signature"), plugin.config.stripe_webhook_secret
                )
            except billing.WebhookError as exc:
                return _error_response(request, 400, "INVALID_SIGNATURE", str(exc))
            async with runtime.pool.connection() as conn:
                outcome, duplicate = await billing.apply_event(conn, event)
            if not duplicate:
                runtime.authenticator.invalidate()
            log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
            return Response(WebhookResponse(True, event["id"], duplicate, outcome))

        return [usage, token, webhook]
