"""Who is calling: API keys and bearer JWTs checked against PostgreSQL, through a small in-process cache.

A key's row (its user, plan, scopes and revocation) is cached for ``ttl_s`` seconds per process, unknown
keys too (so a flood of bad keys does not reach the database). Consequence, by design: a revocation or a
plan change reaches a running server within ``ttl_s`` seconds (default 30), without a restart. The row also
carries the user's first failed payment of an unpaid invoice (``payment_failed_at``): the billing suspension
(:func:`serving.accounts.billing.suspension`) compares it with the clock on every request, so a grace period
ends on time even for a cached key, while a new failure or a payment reaches other processes within ``ttl_s``
(the process that takes the Stripe webhook clears its cache at once).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import msgspec
from psycopg_pool import AsyncConnectionPool

from serving.accounts.keys import is_key, key_hash, key_prefix
from serving.accounts.plans import Plan
from serving.accounts.tokens import JwtKeys, TokenError, looks_like_jwt

KEY_CACHE_TTL_S = 30.0

_LOOKUP = """
    SELECT k.id, k.user_id, k.key_hash, k.scopes, k.revoked_at IS NOT NULL,
           p.name, p.daily_requests, p.max_rows, p.burst, p.refill_per_s,
           (SELECT min(i.failed_at) FROM invoices i
            WHERE i.user_id = u.id AND i.status IN ('open', 'uncollectible')) AS payment_failed_at
    FROM api_keys k JOIN users u ON u.id = k.user_id JOIN plans p ON p.name = u.plan
"""


class Principal(msgspec.Struct, frozen=True):
    """The caller of a request: key, user, plan and scopes (``anonymous`` when AIHF_AUTH=off).

    ``via`` says how the key was shown: ``key`` (the API key itself) or ``token`` (a bearer JWT issued for it).
    """

    key_id: int
    user_id: int
    plan: Plan
    scopes: frozenset[str]
    revoked: bool = False
    anonymous: bool = False
    payment_failed_at: dt.datetime | None = None
    via: str = "key"


class AuthError(Exception):
    """A refused credential: HTTP status (401 or 403), the /v1 error code and a message for the caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _principal(row: tuple[Any, ...]) -> Principal:
    key_id, user_id, _, scopes, revoked, name, daily, max_rows, burst, refill, failed_at = row
    plan = Plan(name, daily, max_rows, burst, float(refill))
    return Principal(key_id, user_id, plan, frozenset(scopes), revoked, payment_failed_at=failed_at)


class Authenticator:
    """Checks API keys and JWTs; keeps a bounded TTL cache of key lookups."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        jwt_keys: JwtKeys | None = None,
        ttl_s: float = KEY_CACHE_TTL_S,
        max_entries: int = 10_000,
    ) -> None:
        self.pool = pool
        self.jwt_keys = jwt_keys or JwtKeys("RS256", None, None)
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self.lookups = 0

    def invalidate(self) -> None:
        """Forget every cached key (after a plan change made by this process)."""
        self._cache.clear()

    async def _cached(self, cache_key: str, sql: str, arg: object, match: bytes | None) -> Principal | None:
        now = time.monotonic()
        hit = self._cache.get(cache_key)
        if hit is not None and hit[0] > now:
            return hit[1]
        self.lookups += 1
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(sql, (arg,))).fetchall()
        found = next((_principal(r) for r in rows if match is None or bytes(r[2]) == match), None)
        if len(self._cache) >= self.max_entries:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            while len(self._cache) >= self.max_entries:
                del self._cache[next(iter(self._cache))]
        self._cache[cache_key] = (now + self.ttl_s, found)
        return found

    async def by_key(self, key: str) -> Principal:
        """The live key ``key``.

        Raises:
            AuthError: not one of our keys, unknown or revoked.
        """
        if not is_key(key):
            raise AuthError(
                401, "UNAUTHORIZED", "invalid API key (expected aihf_live_ followed by 64 hex characters)"
            )
        digest = key_hash(key)
        found = await self._cached(digest.hex(), _LOOKUP + " WHERE k.prefix = %s", key_prefix(key), digest)
        if found is None:
            raise AuthError(401, "UNAUTHORIZED", f"unknown API key {key_prefix(key)}…")
        if found.revoked:
            raise AuthError(401, "UNAUTHORIZED", f"API key {key_prefix(key)}… has been revoked")
        return found

    async def by_token(self, token: str) -> Principal:
        """The key a bearer JWT was issued for, if the token is valid and the key still live.

        Raises:
            AuthError: bad, expired or not-yet-valid token, JWT disabled, or the key revoked since.
        """
        try:
            claims = self.jwt_keys.verify(token)
        except TokenError as exc:
            raise AuthError(401, "UNAUTHORIZED", f"invalid bearer token: {exc}") from None
        found = await self._cached(f"id:{claims.key}", _LOOKUP + " WHERE k.id = %s", claims.key, None)
        if found is None or str(found.user_id) != claims.sub:
            raise AuthError(401, "UNAUTHORIZED", "invalid bearer token: its key no longer exists")
        if found.revoked:
            raise AuthError(401, "UNAUTHORIZED", "invalid bearer token: its API key has been revoked")
        return msgspec.structs.replace(found, via="token")

    async def authenticate(self, credential: str) -> Principal:
        """The caller showing ``credential``: an API key, or a bearer JWT issued for one.

        The credential comes from ``X-API-KEY`` or ``Authorization: Bearer`` (``serving.access.credential_of``,
        the one reader of both headers); what it is decides how it is checked, not which header carried it.

        Raises:
            AuthError: no credential, or a refused one.
        """
        credential = credential.strip()
        if not credential:
            raise AuthError(
                401,
                "UNAUTHORIZED",
                "missing API key: send it in X-API-KEY or Authorization: Bearer <key or token>",
            )
        if looks_like_jwt(credential):
            return await self.by_token(credential)
        return await self.by_key(credential)
