"""The one place where requests are authenticated, limited and metered.

``serving.app.create_app(settings, lake, access=...)`` takes any object implementing :class:`Access`; the
accounts module (API keys, plans, Redis rate limits, usage in PostgreSQL) provides the real one. Without it,
:class:`OpenAccess` lets every request through as the anonymous principal (``AIHF_AUTH=off``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol

import msgspec


class RateLimit(msgspec.Struct, frozen=True):
    """The caller's daily quota after this request: limit, what remains, seconds until it resets (UTC midnight)."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (seconds)."""
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: key id (``anonymous`` without auth), plan and the plan's rows-per-response cap.

    ``via`` is how the key was shown: ``key`` (the API key), ``token`` (a bearer JWT), '' (no key).
    ``rate`` is the state of the caller's daily quota (None when unlimited), sent as ``X-RateLimit-*``.
    """

    key_id: str = "anonymous"
    user_id: str | None = None
    plan: str = "local"
    max_rows: int | None = None
    via: str = ""
    rate: RateLimit | None = None


ANONYMOUS = Principal()


class Access(Protocol):
    """Authentication, rate limiting and metering of API requests.

    ``authenticate`` raises :class:`serving.errors.ApiError` (401 UNAUTHORIZED, 429 RATE_LIMITED with
    ``retry_after``, 503 UNAVAILABLE) to refuse a request; ``client`` is the caller's address (the ASGI
    scope's client: behind a reverse proxy, the proxy's address); ``meter`` must not block (buffer and
    flush elsewhere).
    """

    async def authenticate(self, credential: str | None, path: str, client: str | None = None) -> Principal:
        """The principal showing ``credential`` (API key or bearer JWT) after its quota, or raise ApiError.

        ``credential`` is what :func:`credential_of` read from the request's headers.
        """
        ...

    async def meter(self, principal: Principal, path: str, status: int, rows: int) -> None:
        """Count one answered request (endpoint, status, rows returned)."""
        ...

    async def usage(self, principal: Principal, days: int = 7) -> dict[str, Any]:
        """Usage of the principal over the last ``days`` UTC days (for /v1/usage?days=N)."""
        ...

    @property
    def on_startup(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Coroutines run when the app starts (connect pools)."""
        ...

    @property
    def on_shutdown(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Coroutines run when the app stops (flush the usage buffer)."""
        ...


class OpenAccess:
    """No authentication: every request is the anonymous principal; usage is counted in memory."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}

    async def authenticate(self, credential: str | None, path: str, client: str | None = None) -> Principal:
        """Always the anonymous principal."""
        return ANONYMOUS

    async def meter(self, principal: Principal, path: str, status: int, rows: int) -> None:
        """Add the request to the in-memory per-endpoint counts (requests, rows)."""
        entry = self.counts.setdefault(path, [0, 0])
        entry[0] += 1
        entry[1] += rows

    async def usage(self, principal: Principal, days: int = 7) -> dict[str, Any]:
        """Requests and rows per endpoint since the process started (``days`` does not apply: in memory)."""
        return {
            "key_id": principal.key_id,
            "plan": principal.plan,
            "endpoints": [
                {"endpoint": p, "requests": c[0], "rows": c[1]} for p, c in sorted(self.counts.items())
            ],
        }

    @property
    def on_startup(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Nothing to start."""
        return ()

    @property
    def on_shutdown(self) -> Sequence[Callable[[], Awaitable[None]]]:
        """Nothing to stop."""
        return ()


def credential_of(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The credential of a request: ``X-API-KEY`` (any case), else ``Authorization: Bearer <key or JWT>``.

    The one reader of both headers, for every integration: the value is passed on as is, and the access
    layer tells an API key from a JWT by its form. An empty ``X-API-KEY`` counts as absent; None when neither
    header carries a value.
    """
    api_key = bearer = ""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"x-api-key":
            api_key = api_key or value.decode("latin-1").strip()
        elif lowered == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer":
                bearer = bearer or token.strip()
    return api_key or bearer or None
