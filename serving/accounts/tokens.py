"""JWT (HS256) for ``Authorization: Bearer``: short-lived tokens exchanged for an API key.

PyJWT is not a dependency of the project, and HS256 is small: header and claims are base64url JSON,
the signature is HMAC-SHA256 over ``header.claims`` with ``JWT_SECRET``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import msgspec

#: lifetime of an issued token, seconds (the seed: one hour)
TOKEN_TTL_S = 3600
_HEADER = {"alg": "HS256", "typ": "JWT"}


class TokenError(ValueError):
    """A bearer token that is malformed, badly signed or expired (the message says which)."""


class Claims(msgspec.Struct, frozen=True):
    """What our tokens carry: the key id they were issued for (``kid``), its user (``sub``) and times."""

    sub: str
    kid: int
    iat: int
    exp: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest()


def looks_like_jwt(text: str) -> bool:
    """Whether ``text`` has the three dot-separated parts of a JWT."""
    return text.count(".") == 2 and text.startswith("eyJ")


def issue_token(
    secret: str, *, user_id: int, key_id: int, ttl_s: int = TOKEN_TTL_S, now: float | None = None
) -> str:
    """An HS256 JWT for ``key_id`` of ``user_id`` expiring ``ttl_s`` seconds from ``now``."""
    if not secret:
        raise TokenError("JWT sign-in is disabled (JWT_SECRET is empty)")
    issued = int(time.time() if now is None else now)
    claims = Claims(sub=str(user_id), kid=key_id, iat=issued, exp=issued + ttl_s)
    signing_input = f"{_b64(msgspec.json.encode(_HEADER))}.{_b64(msgspec.json.encode(claims))}".encode(
        "ascii"
    )
    return f"{signing_input.decode('ascii')}.{_b64(_sign(secret, signing_input))}"


def verify_token(secret: str, token: str, *, now: float | None = None, leeway_s: int = 30) -> Claims:
    """The claims of ``token`` after checking its algorithm, signature and expiry.

    Raises:
        TokenError: malformed, not HS256, bad signature, or expired.
    """
    if not secret:
        raise TokenError("JWT sign-in is disabled (JWT_SECRET is empty)")
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        header: dict[str, Any] = msgspec.json.decode(_unb64(head_b64))
        signature = _unb64(sig_b64)
    except (ValueError, msgspec.DecodeError) as exc:
        raise TokenError("malformed bearer token") from exc
    if header.get("alg") != "HS256":
        raise TokenError(f"unsupported token algorithm {header.get('alg')!r} (only HS256)")
    if not hmac.compare_digest(signature, _sign(secret, f"{head_b64}.{claims_b64}".encode("ascii"))):
        raise TokenError("bad token signature")
    try:
        claims = msgspec.json.decode(_unb64(claims_b64), type=Claims)
    except (ValueError, msgspec.DecodeError) as exc:
        raise TokenError("malformed token claims") from exc
    if claims.exp + leeway_s < (time.time() if now is None else now):
        raise TokenError("token expired")
    return claims
