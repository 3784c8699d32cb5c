"""Bearer JWTs of the API, signed and checked by PyJWT: RS256 with a key pair (the default) or HS256.

An access token is exchanged for an API key (``POST /v1/auth/token``) or a refresh token
(``POST /v1/auth/refresh``). Its claims: ``sub`` (user id), ``key`` (the API key id it stands for), ``typ``
(``access``), ``iss``/``aud`` (this API), ``iat``, ``nbf``, ``exp`` and a random ``jti``; every one is required
and the times are checked with :data:`LEEWAY_S` seconds of clock skew. Before PyJWT sees a token its three
parts must be strict base64url (no padding, no other character), so junk in a signature is refused, and any
failure (non-ASCII bytes included) is a :class:`TokenError`, never an unhandled exception.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

import jwt
import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lake.settings import hs256_secret_problem

#: lifetime of an issued access token, seconds (the seed: one hour; ``JWT_ACCESS_TTL_S``)
TOKEN_TTL_S = 3600
#: clock skew tolerated on exp / nbf / iat, seconds
LEEWAY_S = 30
ISSUER = "aihf"
AUDIENCE = "aihf-api"
ALGORITHMS = ("HS256", "RS256")
#: the shortest RSA modulus accepted for RS256
MIN_RSA_BITS = 2048
_REQUIRED = ["exp", "iat", "nbf", "sub", "iss", "aud", "typ", "key"]
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
DISABLED = "JWT sign-in is disabled (set JWT_PRIVATE_KEY for RS256, or JWT_ALGORITHM=HS256 and JWT_SECRET)"


class TokenError(ValueError):
    """A bearer token that is malformed, badly signed, expired or not yet valid (the message says which)."""


class JwtConfigError(ValueError):
    """JWT settings the server cannot start with (short secret, unreadable or wrong key file)."""


class Claims(msgspec.Struct, frozen=True):
    """What our access tokens carry: the user (``sub``), the API key id (``key``) and their times."""

    sub: str
    key: int
    iat: int
    nbf: int
    exp: int
    typ: str
    jti: str = ""


def looks_like_jwt(text: str) -> bool:
    """Whether ``text`` has the three dot-separated parts of a JWT (an API key never does)."""
    return text.count(".") == 2 and text.startswith("eyJ")


def _read_pem(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise JwtConfigError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from None


class JwtKeys:
    """The algorithm and keys that sign and check the API's JWTs (``signing`` None = cannot issue)."""

    def __init__(self, algorithm: str, signing: Any, verifying: Any) -> None:
        self.algorithm = algorithm
        self.signing = signing
        self.verifying = verifying

    @classmethod
    def from_config(
        cls, algorithm: str, secret: str = "", private_key: str = "", public_key: str = ""
    ) -> JwtKeys:
        """The keys of the settings: HS256 with ``secret``, RS256 with PEM files (public derived from private).

        Neither a secret nor a key file: JWTs are disabled (API keys only).

        Raises:
            JwtConfigError: unknown algorithm, HS256 secret shorter than 32 bytes, unreadable or non-RSA key,
                RSA key under 2048 bits, or a public key that does not match the private key.
        """
        if algorithm not in ALGORITHMS:
            raise JwtConfigError(f"JWT_ALGORITHM must be HS256 or RS256, not {algorithm!r}")
        if algorithm == "HS256":
            if not secret:
                return cls(algorithm, None, None)
            if problem := hs256_secret_problem(secret):
                raise JwtConfigError(problem)
            return cls(algorithm, secret, secret)
        private = public = None
        if private_key:
            try:
                loaded = serialization.load_pem_private_key(_read_pem(private_key, "JWT_PRIVATE_KEY"), None)
            except (ValueError, TypeError) as exc:
                raise JwtConfigError(
                    f"JWT_PRIVATE_KEY {private_key!r} is not an unencrypted PEM key: {exc}"
                ) from None
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise JwtConfigError(f"JWT_PRIVATE_KEY {private_key!r} is not an RSA key (RS256 needs one)")
            private, public = loaded, loaded.public_key()
        if public_key:
            try:
                given = serialization.load_pem_public_key(_read_pem(public_key, "JWT_PUBLIC_KEY"))
            except (ValueError, TypeError) as exc:
                raise JwtConfigError(
                    f"JWT_PUBLIC_KEY {public_key!r} is not a PEM public key: {exc}"
                ) from None
            if not isinstance(given, rsa.RSAPublicKey):
                raise JwtConfigError(f"JWT_PUBLIC_KEY {public_key!r} is not an RSA key (RS256 needs one)")
            if public is not None and given.public_numbers() != public.public_numbers():
                raise JwtConfigError("JWT_PUBLIC_KEY is not the public half of JWT_PRIVATE_KEY")
            public = given
        if public is not None and public.key_size < MIN_RSA_BITS:
            raise JwtConfigError(
                f"the RSA key has {public.key_size} bits; RS256 needs at least {MIN_RSA_BITS}"
            )
        return cls(algorithm, private, public)

    @property
    def enabled(self) -> bool:
        """Whether bearer JWTs are accepted."""
        return self.verifying is not None

    @property
    def cannot_issue(self) -> str | None:
        """Why this server cannot sign tokens (disabled, or a public key only), None when it can."""
        if self.signing is not None:
            return None
        return (
            DISABLED if self.verifying is None else "this server has no JWT_PRIVATE_KEY to sign tokens with"
        )

    def issue(self, *, user_id: int, key_id: int, ttl_s: int = TOKEN_TTL_S, now: float | None = None) -> str:
        """An access token for API key ``key_id`` of ``user_id``, valid ``ttl_s`` seconds from ``now``.

        Raises:
            TokenError: JWTs are disabled, or this server only checks them (no private key).
        """
        if self.cannot_issue is not None:
            raise TokenError(self.cannot_issue)
        issued = int(time.time() if now is None else now)
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "key": key_id,
            "typ": "access",
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_s,
            "jti": secrets.token_urlsafe(12),
        }
        return jwt.encode(claims, self.signing, algorithm=self.algorithm)

    def verify(self, token: str) -> Claims:
        """The claims of ``token`` after checking its form, algorithm, signature, audience and times.

        Raises:
            TokenError: disabled, malformed, another algorithm, bad signature, expired, not yet valid.
        """
        if self.verifying is None:
            raise TokenError(DISABLED)
        if not _SHAPE.fullmatch(token):
            raise TokenError("malformed bearer token")
        try:
            alg = jwt.get_unverified_header(token).get("alg")
            if alg != self.algorithm:
                raise TokenError(f"unsupported token algorithm {alg!r} (this server uses {self.algorithm})")
            payload = jwt.decode(
                token,
                self.verifying,
                algorithms=[self.algorithm],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY_S,
                options={"require": _REQUIRED},
            )
            claims = msgspec.convert(payload, Claims)
        except TokenError:
            raise
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("token not yet valid (nbf or iat in the future)") from None
        except jwt.InvalidSignatureError:
            raise TokenError("bad token signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"token lacks the {exc.claim!r} claim") from None
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise TokenError("token not issued for this API") from None
        except (jwt.PyJWTError, msgspec.ValidationError, ValueError, TypeError):
            raise TokenError("malformed bearer token") from None
        if claims.typ != "access":
            raise TokenError(f"not an access token (typ {claims.typ!r})")
        return claims
