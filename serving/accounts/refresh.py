"""Refresh tokens: long-lived (``JWT_REFRESH_TTL_S``, 7 days), opaque, stored only as SHA-256 hashes.

``POST /v1/auth/token`` (with an API key) returns one beside the access token; ``POST /v1/auth/refresh``
exchanges it for a new access token and a new refresh token (rotation: the old one is used up). A used-up
token presented again means it leaked: its whole chain (``family``) is revoked. ``POST /v1/auth/revoke``
revokes a token's chain; revoking the API key (``python -m serving.accounts revoke-key``) revokes its tokens,
and a refresh is refused as soon as the key is revoked (no cache on this path).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from typing import Any

import msgspec
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

REFRESH_PREFIX = "aihf_rt_"
#: the seed: refresh tokens live 7 days
REFRESH_TTL_S = 7 * 24 * 3600
_TOKEN_RE = re.compile(rf"{REFRESH_PREFIX}[0-9a-f]{{64}}")
_AUDIT = "INSERT INTO audit_log (actor, action, user_id, key_id, detail) VALUES ('api', %s, %s, %s, %s)"


class RefreshError(Exception):
    """A refresh token that cannot be used: HTTP status (400 malformed, 401 refused) and the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Refreshed(msgspec.Struct, frozen=True):
    """A successful exchange: the key the token stands for and the refresh token replacing it."""

    user_id: int
    key_id: int
    refresh_token: str


def new_refresh_token() -> str:
    """A fresh random refresh token (``aihf_rt_`` + 64 hex characters)."""
    return REFRESH_PREFIX + secrets.token_bytes(32).hex()


def is_refresh_token(text: str) -> bool:
    """Whether ``text`` has the shape of one of our refresh tokens."""
    return bool(_TOKEN_RE.fullmatch(text))


def token_hash(token: str) -> bytes:
    """SHA-256 of the token: the only form stored."""
    return hashlib.sha256(token.encode("ascii")).digest()


def _checked(token: str) -> bytes:
    if not isinstance(token, str) or not is_refresh_token(token.strip()):
        raise RefreshError(400, "malformed refresh token (expected aihf_rt_ followed by 64 hex characters)")
    return token_hash(token.strip())


async def issue(
    pool: AsyncConnectionPool[Any], key_id: int, ttl_s: int = REFRESH_TTL_S, family: uuid.UUID | None = None
) -> str:
    """A new refresh token for API key ``key_id``, valid ``ttl_s`` seconds (a new chain unless ``family``)."""
    token = new_refresh_token()
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO refresh_tokens (key_id, family, token_hash, expires_at)"
            " VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
            (key_id, family or uuid.uuid4(), token_hash(token), ttl_s),
        )
    return token


async def rotate(pool: AsyncConnectionPool[Any], token: str, ttl_s: int = REFRESH_TTL_S) -> Refreshed:
    """Use up ``token`` and return its key with the refresh token replacing it (same chain, fresh lifetime).

    Raises:
        RefreshError: malformed (400); unknown, expired, revoked, its key revoked, or already used (401;
            the last one revokes the whole chain).
    """
    digest = _checked(token)
    replacement = new_refresh_token()
    refused: str | None = None
    async with pool.connection() as conn, conn.transaction():
        row = await (
            await conn.execute(
                "SELECT r.id, r.key_id, k.user_id, r.family, r.expires_at <= now(), r.used_at IS NOT NULL,"
                " r.revoked_at IS NOT NULL, k.revoked_at IS NOT NULL"
                " FROM refresh_tokens r JOIN api_keys k ON k.id = r.key_id"
                " WHERE r.token_hash = %s FOR UPDATE OF r",
                (digest,),
            )
        ).fetchone()
        if row is None:
            raise RefreshError(401, "unknown refresh token")
        token_id, key_id, user_id, family, expired, used, revoked, key_revoked = row
        if revoked:
            refused = "refresh token has been revoked"
        elif key_revoked:
            refused = "the API key of this refresh token has been revoked"
        elif used:
            # a used-up token is presented again: someone else holds the chain, end it (committed)
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE family = %s AND revoked_at IS NULL",
                (family,),
            )
            await conn.execute(_AUDIT, ("token.reuse", user_id, key_id, Jsonb({"family": str(family)})))
            refused = "refresh token was already used; every token of its chain is now revoked"
        elif expired:
            refused = "refresh token expired"
        else:
            await conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (token_id,))
            await conn.execute(
                "INSERT INTO refresh_tokens (key_id, family, token_hash, expires_at)"
                " VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
                (key_id, family, token_hash(replacement), ttl_s),
            )
    if refused is not None:
        raise RefreshError(401, refused)
    return Refreshed(user_id, key_id, replacement)


async def revoke(pool: AsyncConnectionPool[Any], token: str) -> int:
    """Revoke ``token`` and every token of its chain; returns how many were live (0 for an unknown token).

    Raises:
        RefreshError: malformed token (400).
    """
    digest = _checked(token)
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now()"
            " WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = %s) AND revoked_at IS NULL"
            " RETURNING key_id",
            (digest,),
        )
        rows = await cur.fetchall()
        if rows:
            await conn.execute(_AUDIT, ("token.revoke", None, rows[0][0], Jsonb({"tokens": len(rows)})))
    return len(rows)
