"""The accounts as the app's ``Access`` hook (``serving.access.Access``): ``serving.accounts.create_access``.

The app's own middleware calls :meth:`AccountsAccess.authenticate` (key or JWT, scope, quota and burst;
refusals raise the app's ``ApiError`` with ``Retry-After`` on 429), :meth:`AccountsAccess.meter` after each
answer, :meth:`AccountsAccess.usage` for ``/v1/usage``, and the startup/shutdown hooks (migrate and connect;
flush the usage buffer). The app mounts :attr:`AccountsAccess.route_handlers` (``POST /v1/auth/token``,
``POST /v1/auth/refresh``, ``POST /v1/auth/revoke``, ``POST /v1/billing/checkout``, ``POST /v1/billing/webhook``);
the webhook path is admitted without a key (Stripe signs it instead), and so are refresh and revoke (the
refresh token in the body is the credential).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from litestar import Request

from serving.access import Principal as AppPrincipal
from serving.access import RateLimit
from serving.accounts.limits import Decision
from serving.accounts.litestar import CallerKey, auth_routes, checkout_route, webhook_route
from serving.accounts.runtime import AccessConfig, AccessRuntime, Refused
from serving.accounts.verify import Principal as KeyPrincipal
from serving.errors import ApiError


def rate_of(decision: Decision | None) -> RateLimit | None:
    """The X-RateLimit-* values of a decision (None for unlimited plans and when Redis did not answer)."""
    if decision is None or decision.limit is None:
        return None
    return RateLimit(decision.limit, decision.remaining or 0, decision.reset)


class AccountsAccess:
    """Keys, limits and metering behind the app's ``Access`` protocol."""

    def __init__(self, config: AccessConfig) -> None:
        self.config = config
        self.jwt_keys = config.jwt_keys()  # bad JWT settings refuse to build the app
        self.runtime: AccessRuntime | None = None
        self._keys: dict[int, KeyPrincipal] = {}

    async def start(self) -> None:
        """Migrate the database when needed, open the pools, start the usage flusher."""
        if self.runtime is None:
            self.runtime = await AccessRuntime.start(self.config, self.jwt_keys)

    async def stop(self) -> None:
        """Write every buffered request to PostgreSQL and close the pools."""
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            await runtime.close()

    @property
    def on_startup(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Startup hooks of the app."""
        return (self.start,)

    @property
    def on_shutdown(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Shutdown hooks of the app."""
        return (self.stop,)

    def _live(self) -> AccessRuntime:
        if self.runtime is None:
            raise ApiError(503, "the access layer is not started", code="UNAVAILABLE")
        return self.runtime

    async def authenticate(
        self, credential: str | None, path: str, client: str | None = None
    ) -> AppPrincipal:
        """The caller showing ``credential`` (API key or bearer JWT) after scope and limits.

        ``credential`` is what ``serving.access.credential_of`` read: the X-API-KEY value, else the Bearer one.

        ``client`` is the caller's address (failed authentications are throttled per address). The
        principal's ``rate`` carries the X-RateLimit-* values of the user's daily quota.

        Raises:
            ApiError: 401 UNAUTHORIZED, 403 FORBIDDEN, 429 RATE_LIMITED (``retry_after`` set), 503 UNAVAILABLE
                (the accounts database, or with AIHF_REDIS_OUTAGE=fail-closed Redis, does not answer).
        """
        runtime = self._live()
        if self.config.is_public(path):
            return AppPrincipal(key_id="public", plan="public")
        try:
            who, decision = await runtime.admit(credential or "", path, client or "")
        except Refused as refused:
            rate = rate_of(refused.decision)
            raise ApiError(
                refused.status,
                refused.message,
                code=refused.code,
                details=refused.details,
                retry_after=refused.retry_after,
                headers=rate.headers() if rate is not None else None,
            ) from None
        self._keys[who.key_id] = who
        return AppPrincipal(
            key_id="anonymous" if who.anonymous else str(who.key_id),
            user_id=str(who.user_id),
            plan=who.plan.name,
            max_rows=who.plan.max_rows,
            via="" if who.anonymous else who.via,
            rate=rate_of(decision),
        )

    def _principal(self, app_principal: Any) -> KeyPrincipal | None:
        runtime = self.runtime
        if runtime is None or app_principal is None or app_principal.key_id == "public":
            return None
        if app_principal.key_id == "anonymous":
            return runtime.anonymous
        return self._keys.get(int(app_principal.key_id))

    async def meter(self, principal: AppPrincipal, path: str, status: int, rows: int) -> None:
        """Count one answered request (buffered; written in batches by the flusher)."""
        who = self._principal(principal)
        if who is not None and self.runtime is not None:
            self.runtime.record(who, path, rows)

    async def usage(self, principal: AppPrincipal, days: int = 7) -> dict[str, Any]:
        """The caller's plan and requests/rows per UTC day, endpoint and key over the last ``days`` days."""
        runtime, who = self._live(), self._principal(principal)
        if who is None:
            raise ApiError(401, "usage needs an API key", code="UNAUTHORIZED")
        try:
            rows = await runtime.usage(who.user_id, days)
        except Refused as refused:
            raise ApiError(
                refused.status, refused.message, code=refused.code, retry_after=refused.retry_after
            ) from None
        return {
            "plan": who.plan.name,
            "daily_requests": who.plan.daily_requests,
            "max_rows": who.plan.max_rows,
            "days": days,
            "rows": msgspec.to_builtins(rows),
            "total_requests": sum(r.requests for r in rows),
            "total_rows": sum(r.rows for r in rows),
        }

    def _caller(self, request: Request[Any, Any, Any]) -> CallerKey | None:
        app_principal = request.scope.get("state", {}).get("principal")
        who = self._principal(app_principal)
        if who is None or who.anonymous:
            return None
        return CallerKey(who.user_id, who.key_id, getattr(app_principal, "via", ""))

    @property
    def route_handlers(self) -> list[Any]:
        """``POST /v1/auth/token|refresh|revoke``, ``/v1/billing/checkout`` and ``/v1/billing/webhook``, for the app to mount."""

        def live() -> AccessRuntime | None:
            return self.runtime

        return [*auth_routes(live, self._caller), checkout_route(live, self._caller), webhook_route(live)]


def create_access(settings: Any) -> AccountsAccess:
    """The access hook of ``settings`` (AIHF_AUTH, AIHF_PG_URL, REDIS_URL, JWT_*, STRIPE_WEBHOOK_SECRET).

    With ``AIHF_AUTH=off`` every request is admitted as the anonymous key and still metered in PostgreSQL.

    Raises:
        serving.accounts.tokens.JwtConfigError: JWT settings the server cannot start with (the message says
            which), so that the server refuses to start rather than failing on the first token.
    """
    return AccountsAccess(AccessConfig.from_settings(settings))
