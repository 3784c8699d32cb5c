from __future__ import annotations

import hashlib

import pytest

from serving.accounts.keys import is_key, key_hash, key_prefix, new_key
from serving.accounts.tokens import TokenError, issue_token, looks_like_jwt, verify_token


def test_key_shape_prefix_and_hash() -> None:
    key = new_key()
    assert key.startswith("aihf_live_") and len(key) == len("aihf_live_") + 64
    assert is_key(key) and not is_key(key + "0") and not is_key(key.upper())
    assert key_prefix(key) == key[:18]
    assert key_hash(key) == hashlib.sha256(key.encode()).digest()
    assert len({new_key() for _ in range(100)}) == 100


def test_jwt_round_trip_and_refusals() -> None:
    token = issue_token("s3cret", user_id=7, key_id=42, ttl_s=60, now=1_000_000)
    assert looks_like_jwt(token)
    claims = verify_token("s3cret", token, now=1_000_030)
    assert (claims.sub, claims.kid, claims.iat, claims.exp) == ("7", 42, 1_000_000, 1_000_060)
    with pytest.raises(TokenError, match="signature"):
        verify_token("other", token, now=1_000_030)
    with pytest.raises(TokenError, match="expired"):
        verify_token("s3cret", token, now=1_000_060 + 31)
    head, claims_b64, sig = token.split(".")
    with pytest.raises(TokenError, match="signature"):
        verify_token("s3cret", f"{head}.{claims_b64[:-2]}xx.{sig}", now=1_000_030)
    # alg=none is refused, whatever the claims
    none_head = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"
    with pytest.raises(TokenError, match="algorithm"):
        verify_token("s3cret", f"{none_head}.{claims_b64}.", now=1_000_030)
    with pytest.raises(TokenError, match="malformed"):
        verify_token("s3cret", "eyJ.not-a-token", now=1_000_030)
    with pytest.raises(TokenError, match="disabled"):
        issue_token("", user_id=1, key_id=1)
