"""Litestar integration: :class:`AccessPlugin` authenticates, rate-limits and meters every API request.

``Litestar(..., plugins=[AccessPlugin(AccessConfig.from_settings(settings))])`` adds:

* a middleware (inside the app's own middleware) that reads ``X-API-KEY`` (any case) or
  ``Authorization: Bearer <key or JWT>``, checks the key's scope (``fd`` or ``v1`` face), applies the plan's
  daily quota and burst limit (Redis, one round trip) and counts the request for metering; refusals are
  answered in the face's format (``/v1``: the seed's error object; FD: ``{"error","message"}`` / 429
  ``{"detail"}``) with ``Retry-After`` on 429;
* ``GET /v1/usage``, ``POST /v1/auth/token`` (API key -> access JWT + refresh token), ``POST /v1/auth/refresh``
  (refresh token -> new pair), ``POST /v1/auth/revoke``, ``POST /v1/billing/checkout`` (a Stripe Checkout
  Session for the caller) and ``POST /v1/billing/webhook``;
* lifespan hooks: migrate the database, open the PostgreSQL pool and Redis, start the usage flusher; on
  shutdown flush every buffered request and close them.

Handlers see the caller in ``request.state`` (:func:`principal`), cap ``limit`` with :func:`row_cap` and
report how many rows they returned with :func:`report_rows` (or the ``x-aihf-rows`` response header, which the
middleware strips).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.config.app import AppConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins import InitPluginProtocol
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from lake.settings import Settings
from serving.access import credential_of
from serving.accounts import billing, checkout, refresh
from serving.accounts.errors import error_body
from serving.accounts.limits import Decision
from serving.accounts.runtime import AccessConfig, AccessRuntime, Refused
from serving.accounts.store import UsageRow
from serving.accounts.verify import Principal

__all__ = ["AccessConfig", "AccessPlugin", "principal", "report_rows", "row_cap"]

log = logging.getLogger(__name__)

PRINCIPAL_KEY = "aihf_principal"
ROWS_KEY = "aihf_rows"
REQUEST_ID_KEY = "request_id"
ROWS_HEADER = b"x-aihf-rows"


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


def limit_headers(decision: Decision | None) -> list[tuple[bytes, bytes]]:
    """``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset`` (seconds to UTC midnight); none if unlimited."""
    if decision is None or decision.limit is None:
        return []
    return [
        (b"x-ratelimit-limit", str(decision.limit).encode()),
        (b"x-ratelimit-remaining", str(decision.remaining or 0).encode()),
        (b"x-ratelimit-reset", str(decision.reset).encode()),
    ]


async def _send_error(scope: Scope, send: Send, refused: Refused) -> None:
    rid = request_id(scope)
    body = error_body(scope["path"], refused.status, refused.code, refused.message, rid, refused.details)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode("latin-1")),
    ]
    if refused.retry_after is not None:
        headers += [(b"retry-after", str(refused.retry_after).encode()), *limit_headers(refused.decision)]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class AccessMiddleware:
    """ASGI middleware: authenticate, check scope and limits, meter (see the module docstring)."""

    def __init__(self, app: ASGIApp, plugin: AccessPlugin) -> None:
        self.app = app
        self.plugin = plugin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or self.plugin.config.is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        runtime = self.plugin.runtime
        if runtime is None:
            await _send_error(scope, send, Refused(503, "UNAVAILABLE", "the access layer is not started"))
            return
        state = scope.setdefault("state", {})
        request_id(scope)
        try:
            client = scope.get("client")
            who, decision = await runtime.admit(
                credential_of(scope.get("headers", ())) or "", scope["path"], client[0] if client else ""
            )
        except Refused as refused:
            await _send_error(scope, send, refused)
            return
        state[PRINCIPAL_KEY] = who
        header_rows: list[int] = []
        extra = limit_headers(decision)

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
            runtime.record(who, scope.get("path_template") or scope["path"], int(rows or 0))


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
    """``POST /v1/auth/token`` and ``/v1/auth/refresh``: an access JWT and the refresh token that renews it."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class RefreshRequest(msgspec.Struct, frozen=True):
    """The body of ``POST /v1/auth/refresh`` and ``POST /v1/auth/revoke``."""

    refresh_token: str


class RevokeResponse(msgspec.Struct, frozen=True):
    """``POST /v1/auth/revoke``: how many live refresh tokens (the token's chain) were revoked."""

    revoked: int


class WebhookResponse(msgspec.Struct, frozen=True):
    """``POST /v1/billing/webhook``: what the event did."""

    received: bool
    event_id: str
    duplicate: bool
    outcome: str


def _error_response(
    request: Request[Any, Any, Any], status: int, code: str, message: str, retry_after: int | None = None
) -> Response[bytes]:
    body = error_body(request.scope["path"], status, code, message, request_id(request.scope))
    headers = {"retry-after": str(retry_after)} if retry_after is not None else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class CallerKey(msgspec.Struct, frozen=True):
    """The API key behind a request: its user, its id and how it was shown (``key`` or ``token``)."""

    user_id: int
    key_id: int
    via: str


#: the caller of a request, or None; each integration reads its own principal
Caller = Callable[[Request[Any, Any, Any]], "CallerKey | None"]


def _cannot_sign(request: Request[Any, Any, Any], live: AccessRuntime) -> Response[bytes] | None:
    """The 404 of the token endpoints while this server cannot sign JWTs (None when it can)."""
    reason = live.jwt_keys.cannot_issue
    return None if reason is None else _error_response(request, 404, "NOT_FOUND", reason)


def _pair(live: AccessRuntime, user_id: int, key_id: int, token: str) -> Response[Any]:
    """An access JWT for ``key_id`` with the refresh token ``token``."""
    access = live.jwt_keys.issue(user_id=user_id, key_id=key_id, ttl_s=live.config.access_ttl_s)
    return Response(
        TokenResponse(access, "bearer", live.config.access_ttl_s, token, live.config.refresh_ttl_s),
        headers={"cache-control": "no-store"},
    )


async def _refresh_body(request: Request[Any, Any, Any]) -> str:
    try:
        return msgspec.json.decode(await request.body(), type=RefreshRequest).refresh_token
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise refresh.RefreshError(
            400, f'expected a JSON body {{"refresh_token": "aihf_rt_..."}}: {exc}'
        ) from None


def token_route(runtime: Callable[[], AccessRuntime | None], caller: Caller) -> Any:
    """``POST /v1/auth/token``: an access JWT (one hour) and a refresh token (7 days) for the calling API key."""

    @post("/v1/auth/token", status_code=200, tags=["auth"], summary="Exchange the API key for a JWT")
    async def token(request: Request[Any, Any, Any]) -> Response[Any]:
        """An access JWT and a refresh token for the calling key; both stop working when the key is revoked.

        Only the API key itself can be exchanged: a bearer JWT cannot mint new tokens (use the refresh token).
        """
        live, who = runtime(), caller(request)
        if live is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        if who is None:
            return _error_response(request, 401, "UNAUTHORIZED", "exchanging for a token needs an API key")
        if who.via != "key":
            return _error_response(
                request, 403, "FORBIDDEN", "tokens are issued for the API key itself, not for a bearer token"
            )
        refused = _cannot_sign(request, live)
        if refused is not None:
            return refused
        token = await refresh.issue(live.pool, who.key_id, live.config.refresh_ttl_s)
        return _pair(live, who.user_id, who.key_id, token)

    return token


def refresh_route(runtime: Callable[[], AccessRuntime | None]) -> Any:
    """``POST /v1/auth/refresh``: a refresh token for a new access JWT and a new refresh token (rotation)."""

    @post("/v1/auth/refresh", status_code=200, tags=["auth"], summary="Renew the access JWT")
    async def renew(request: Request[Any, Any, Any]) -> Response[Any]:
        """Use up the refresh token (``{"refresh_token"}``) for a new access JWT and refresh token.

        A used-up token shown again revokes its whole chain; revoked, expired or unknown tokens get 401.
        """
        live = runtime()
        if live is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        refused = _cannot_sign(request, live)
        if refused is not None:
            return refused
        try:
            done = await refresh.rotate(live.pool, await _refresh_body(request), live.config.refresh_ttl_s)
        except refresh.RefreshError as exc:
            code = "UNAUTHORIZED" if exc.status == 401 else "INVALID_PARAMETER"
            return _error_response(request, exc.status, code, exc.message)
        return _pair(live, done.user_id, done.key_id, done.refresh_token)

    return renew


def revoke_route(runtime: Callable[[], AccessRuntime | None]) -> Any:
    """``POST /v1/auth/revoke``: revoke a refresh token and every token of its chain."""

    @post("/v1/auth/revoke", status_code=200, tags=["auth"], summary="Revoke a refresh token")
    async def revoke(request: Request[Any, Any, Any]) -> Response[Any]:
        """Revoke the refresh token (``{"refresh_token"}``) and its chain; holding the token is the right to."""
        live = runtime()
        if live is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        try:
            count = await refresh.revoke(live.pool, await _refresh_body(request))
        except refresh.RefreshError as exc:
            return _error_response(request, exc.status, "INVALID_PARAMETER", exc.message)
        return Response(RevokeResponse(count))

    return revoke


def webhook_route(runtime: Callable[[], AccessRuntime | None]) -> Any:
    """``POST /v1/billing/webhook``: Stripe events (signature checked; served without an API key)."""

    @post("/v1/billing/webhook", status_code=200, tags=["billing"], summary="Stripe webhook")
    async def webhook(request: Request[Any, Any, Any]) -> Response[Any]:
        """Apply a Stripe event (signed with STRIPE_WEBHOOK_SECRET) once; bad signatures or bodies get 400."""
        live = runtime()
        if live is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        payload = await request.body()
        try:
            event = billing.verify(
                payload, request.headers.get("stripe-signature"), live.config.stripe_webhook_secret
            )
            async with live.pool.connection() as conn:
                outcome, duplicate = await billing.apply_event(conn, event, payload)
        except billing.WebhookError as exc:
            return _error_response(request, 400, exc.code, exc.message)
        if not duplicate:
            live.authenticator.invalidate()
        log.info("stripe event %s %s: %s", event.id, event.type, outcome)
        return Response(WebhookResponse(True, event.id, duplicate, outcome))

    return webhook


def checkout_route(runtime: Callable[[], AccessRuntime | None], caller: Caller) -> Any:
    """``POST /v1/billing/checkout``: a Stripe Checkout Session for the caller's user (see :mod:`.checkout`)."""

    @post("/v1/billing/checkout", status_code=200, tags=["billing"], summary="Start a Stripe Checkout")
    async def checkout_session(request: Request[Any, Any, Any]) -> Response[Any]:
        """Create a subscription checkout for ``{plan, success_url, cancel_url}``; pay at the returned ``url``."""
        live, who = runtime(), caller(request)
        if live is None or who is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        try:
            wanted = checkout.parse_request(await request.body())
            created = await checkout.create_checkout(
                live.pool, live.config.stripe_api_key, live.config.stripe_api_base, who.user_id, wanted
            )
        except checkout.CheckoutError as exc:
            return _error_response(request, exc.status, exc.code, exc.message)
        return Response(created)

    return checkout_session


def usage_route(runtime: Callable[[], AccessRuntime | None], caller: Caller) -> Any:
    """``GET /v1/usage?days=7``: the caller's usage in the /v1 envelope."""

    @get("/v1/usage", tags=["usage"], summary="Usage of the caller's keys")
    async def usage(request: Request[Any, Any, Any], days: int = 7) -> Response[Any]:
        """Requests and rows served per UTC day, endpoint and key over the last ``days`` days (1-366)."""
        live, who = runtime(), caller(request)
        if live is None or who is None:
            return _error_response(request, 503, "UNAVAILABLE", "the access layer is not started")
        if not 1 <= days <= 366:
            return _error_response(request, 400, "INVALID_PARAMETER", f"days must be 1..366, not {days}")
        try:
            rows = await live.usage(who.user_id, days)
        except Refused as refused:
            return _error_response(
                request, refused.status, refused.code, refused.message, refused.retry_after
            )
        report_rows(request, len(rows))
        return Response(UsageResponse(rows, Meta(len(rows)), request_id(request.scope)))

    return usage


def _caller(request: Request[Any, Any, Any]) -> CallerKey | None:
    who = principal(request)
    return CallerKey(who.user_id, who.key_id, who.via) if who is not None and not who.anonymous else None


class AccessPlugin(InitPluginProtocol):
    """Plugs accounts, limits and metering into a Litestar app (middleware, routes, lifespan)."""

    def __init__(self, config: AccessConfig) -> None:
        self.config = config
        self.jwt_keys = config.jwt_keys()  # bad JWT settings refuse to build the app
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
        runtime = await AccessRuntime.start(self.config, self.jwt_keys)
        self.runtime = runtime
        try:
            yield
        finally:
            self.runtime = None
            await runtime.close()

    def route_handlers(self) -> list[Any]:
        """``GET /v1/usage``, ``POST /v1/auth/token|refresh|revoke``, ``POST /v1/billing/checkout|webhook``."""

        def live() -> AccessRuntime | None:
            return self.runtime

        return [
            usage_route(live, _caller),
            *auth_routes(live, _caller),
            checkout_route(live, _caller),
            webhook_route(live),
        ]


def auth_routes(runtime: Callable[[], AccessRuntime | None], caller: Caller) -> list[Any]:
    """``POST /v1/auth/token``, ``/v1/auth/refresh`` and ``/v1/auth/revoke``."""
    return [token_route(runtime, caller), refresh_route(runtime), revoke_route(runtime)]
