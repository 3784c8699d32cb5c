from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from serving.accounts.keys import is_key, key_hash, key_prefix, new_key
from serving.accounts.tokens import AUDIENCE, ISSUER, JwtConfigError, JwtKeys, TokenError, looks_like_jwt
from tests.accounts.conftest import write_rsa_pair

SECRET = "s" * 32


def test_key_shape_prefix_and_hash() -> None:
    key = new_key()
    assert key.startswith("aihf_live_") and len(key) == len("aihf_live_") + 64
    assert is_key(key) and not is_key(key + "0") and not is_key(key.upper())
    assert key_prefix(key) == key[:18]
    assert key_hash(key) == hashlib.sha256(key.encode()).digest()
    assert len({new_key() for _ in range(100)}) == 100


@pytest.fixture(scope="module")
def rs256(tmp_path_factory: pytest.TempPathFactory) -> JwtKeys:
    private, public = write_rsa_pair(tmp_path_factory.mktemp("rs256"))
    return JwtKeys.from_config("RS256", private_key=str(private), public_key=str(public))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "7", "key": 42, "typ": "access"}
    claims |= {"iat": now, "nbf": now, "exp": now + 600, "jti": "j"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_rs256_round_trip_claims_and_times(rs256: JwtKeys) -> None:
    now = int(time.time())
    token = rs256.issue(user_id=7, key_id=42, ttl_s=60, now=now)
    assert looks_like_jwt(token) and jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = rs256.verify(token)
    assert (claims.sub, claims.key, claims.typ) == ("7", 42, "access")
    assert (claims.iat, claims.nbf, claims.exp) == (now, now, now + 60)
    with pytest.raises(TokenError, match=r"^token expired$"):
        rs256.verify(rs256.issue(user_id=7, key_id=42, ttl_s=60, now=now - 200))
    sign = rs256.signing
    with pytest.raises(TokenError, match="not yet valid"):
        rs256.verify(jwt.encode(_claims(nbf=now + 600), sign, algorithm="RS256"))
    with pytest.raises(TokenError, match="not yet valid"):
        rs256.verify(jwt.encode(_claims(iat=now + 600), sign, algorithm="RS256"))
    for claim in ("exp", "iat", "nbf", "sub", "key"):
        with pytest.raises(TokenError, match=f"lacks the '{claim}' claim"):
            rs256.verify(jwt.encode(_claims(**{claim: None}), sign, algorithm="RS256"))
    with pytest.raises(TokenError, match="not issued for this API"):
        rs256.verify(jwt.encode(_claims(aud="someone-else"), sign, algorithm="RS256"))
    with pytest.raises(TokenError, match="not an access token"):
        rs256.verify(jwt.encode(_claims(typ="refresh"), sign, algorithm="RS256"))
    with pytest.raises(TokenError, match="malformed"):
        rs256.verify(jwt.encode(_claims(key="42; DROP"), sign, algorithm="RS256"))


def test_rs256_refuses_other_keys_and_algorithms(rs256: JwtKeys, tmp_path: Path) -> None:
    other_private, _ = write_rsa_pair(tmp_path / "other")
    other = JwtKeys.from_config("RS256", private_key=str(other_private))
    with pytest.raises(TokenError, match=r"^bad token signature$"):
        rs256.verify(other.issue(user_id=7, key_id=42))
    # key confusion: an HS256 token "signed" with the public key's PEM as the HMAC secret
    public_pem = Path(tmp_path / "other" / "public.pem").read_bytes()
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    forged = f"{head}.{body}." + _b64(hmac.new(public_pem, f"{head}.{body}".encode(), "sha256").digest())
    with pytest.raises(TokenError, match="unsupported token algorithm 'HS256'"):
        rs256.verify(forged)
    none_head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    with pytest.raises(TokenError, match="malformed"):  # an empty signature part is not a JWS here
        rs256.verify(f"{none_head}.{body}.")
    with pytest.raises(TokenError, match="unsupported token algorithm 'none'"):
        rs256.verify(f"{none_head}.{body}.AAAA")


def test_signature_base64_is_strict_and_bad_bytes_are_token_errors(rs256: JwtKeys) -> None:
    token = rs256.issue(user_id=7, key_id=42)
    head, body, sig = token.split(".")
    assert rs256.verify(f"{head}.{body}.{sig}").key == 42
    # the old decoder dropped characters outside the alphabet, so each of these verified
    for bad_sig in (sig[:10] + "!" + sig[10:], sig + "==", sig[:10] + "+/" + sig[10:], sig + "\n", sig + " "):
        with pytest.raises(TokenError, match="malformed"):
            rs256.verify(f"{head}.{body}.{bad_sig}")
    # a non-ASCII byte anywhere (headers are read as latin-1) is a refusal, not a crash
    for bad in (
        f"{head}.{body[:5]}\xff{body[5:]}.{sig}",
        f"{head}.{body}.{sig}\xe9",
        f"{head}\u2603.{body}.{sig}",
    ):
        with pytest.raises(TokenError, match="malformed"):
            rs256.verify(bad)
    with pytest.raises(TokenError, match="malformed"):
        rs256.verify("eyJ.not-a-token")


def test_hs256_round_trip_and_minimum_secret() -> None:
    keys = JwtKeys.from_config("HS256", secret=SECRET)
    token = keys.issue(user_id=1, key_id=2)
    assert jwt.get_unverified_header(token)["alg"] == "HS256" and keys.verify(token).key == 2
    with pytest.raises(TokenError, match="bad token signature"):
        JwtKeys.from_config("HS256", secret="t" * 32).verify(token)
    with pytest.raises(JwtConfigError, match="JWT_SECRET is 31 bytes; HS256 needs at least 32"):
        JwtKeys.from_config("HS256", secret="s" * 31)
    with pytest.raises(JwtConfigError, match="must be HS256 or RS256"):
        JwtKeys.from_config("HS512", secret=SECRET)


def test_disabled_and_bad_key_files(tmp_path: Path, rs256: JwtKeys) -> None:
    disabled = JwtKeys.from_config("RS256")
    assert not disabled.enabled and disabled.cannot_issue is not None
    with pytest.raises(TokenError, match="disabled"):
        disabled.issue(user_id=1, key_id=1)
    with pytest.raises(TokenError, match="disabled"):
        disabled.verify(rs256.issue(user_id=1, key_id=1))
    with pytest.raises(JwtConfigError, match="cannot read JWT_PRIVATE_KEY"):
        JwtKeys.from_config("RS256", private_key=str(tmp_path / "missing.pem"))
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(JwtConfigError, match="is not an unencrypted PEM key"):
        JwtKeys.from_config("RS256", private_key=str(tmp_path / "junk.pem"))
    a_private, _ = write_rsa_pair(tmp_path / "a")
    _, b_public = write_rsa_pair(tmp_path / "b")
    with pytest.raises(JwtConfigError, match="not the public half"):
        JwtKeys.from_config("RS256", private_key=str(a_private), public_key=str(b_public))
    small, _ = write_rsa_pair(tmp_path / "small", bits=1024)
    with pytest.raises(JwtConfigError, match="1024 bits; RS256 needs at least 2048"):
        JwtKeys.from_config("RS256", private_key=str(small))
    # a public key alone checks tokens but cannot issue them
    verifier = JwtKeys.from_config("RS256", public_key=str(tmp_path / "b" / "public.pem"))
    assert (
        verifier.enabled and verifier.cannot_issue == "this server has no JWT_PRIVATE_KEY to sign tokens with"
    )
