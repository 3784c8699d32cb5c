"""The access plugin on a tiny Litestar app, over real PostgreSQL and Redis (litestar.testing.TestClient)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import msgspec
import psycopg
import pytest
from litestar.testing import TestClient

from serving.accounts import store
from serving.accounts.runtime import AccessConfig
from tests.accounts.conftest import unique_email
from tests.accounts.tiny_app import create_app


@pytest.fixture
def client(config: AccessConfig) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(config)) as test_client:
        yield test_client


def new_key(conn: psycopg.Connection[Any], plan: str = "pro", scopes: tuple[str, ...] = ("fd", "v1")) -> str:
    email = unique_email(plan)
    store.create_user(conn, email, plan)
    return store.issue_key(conn, email, scopes=scopes).key


def usage_of(conn: psycopg.Connection[Any], key: str) -> list[tuple[str, int, int]]:
    rows = conn.execute(
        "SELECT endpoint, sum(count)::int, sum(rows)::int FROM usage u JOIN api_keys k ON k.id = u.key_id"
        " WHERE k.prefix = %s GROUP BY 1 ORDER BY 1",
        (key[:18],),
    ).fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_missing_and_bad_keys_in_each_face(client: TestClient[Any]) -> None:
    fd = client.get("/prices")
    assert fd.status_code == 401
    assert fd.json() == {
        "error": "Unauthorized",
        "message": "missing API key: send it in X-API-KEY or Authorization: Bearer <key or token>",
    }
    v1 = client.get("/v1/things/1", headers={"X-Request-ID": "req-123"})
    assert v1.status_code == 401 and v1.headers["x-request-id"] == "req-123"
    assert v1.json() == {
        "error": {
            "code": "UNAUTHORIZED",
            "message": "missing API key: send it in X-API-KEY or Authorization: Bearer <key or token>",
            "details": None,
        },
        "request_id": "req-123",
    }
    empty = client.get("/prices", headers={"X-API-Key": ""})  # ai-hedge-fund v2 sends an empty key
    assert empty.status_code == 401
    unknown = client.get("/prices", headers={"X-API-KEY": "aihf_live_" + "ab" * 32})
    assert unknown.status_code == 401 and unknown.json()["message"] == "unknown API key aihf_live_abababab…"
    junk = client.get("/v1/things/1", headers={"Authorization": "Bearer sk_test_123"})
    assert (
        junk.json()["error"]["code"] == "UNAUTHORIZED"
        and "invalid API key" in junk.json()["error"]["message"]
    )


def test_header_forms_rows_and_usage(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn, "free")
    for header in ("X-API-KEY", "X-API-Key", "x-api-key"):
        r = client.get("/prices/", params={"limit": 500}, headers={header: key})
        assert r.status_code == 200 and len(r.json()["prices"]) == 100  # Free: 100 rows per response
        assert r.headers["x-ratelimit-limit"] == "100"
    r = client.get("/financials", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and "x-aihf-rows" not in r.headers  # reported, then stripped
    assert r.headers["x-ratelimit-remaining"] == "96"
    r = client.get("/v1/things/7", headers={"authorization": f"bearer {key}"})
    assert r.json() == {"data": [{"id": 7, "row_cap": 100}]}

    usage = client.get("/v1/usage", headers={"X-API-KEY": key})
    assert usage.status_code == 200
    body = usage.json()
    # the usage call itself is metered after its response, so it is not in its own answer
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert body["data"] == [
        {"day": today, "endpoint": "/financials", "key_prefix": key[:18], "requests": 1, "rows": 3},
        {"day": today, "endpoint": "/prices", "key_prefix": key[:18], "requests": 3, "rows": 300},
        {"day": today, "endpoint": "/v1/things/{thing_id}", "key_prefix": key[:18], "requests": 1, "rows": 1},
    ]
    assert body["meta"] == {"count": 3, "next_cursor": None, "has_more": False}
    assert len(body["request_id"]) == 32
    bad = client.get("/v1/usage", params={"days": 0}, headers={"X-API-KEY": key})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_PARAMETER"


def test_rate_limited_in_each_face(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn, "free")  # burst of 10
    codes = [client.get("/prices", headers={"X-API-KEY": key}).status_code for _ in range(10)]
    assert codes == [200] * 10
    fd = client.get("/prices", headers={"X-API-KEY": key})
    assert fd.status_code == 429 and fd.headers["retry-after"] == "1"
    assert fd.json() == {
        "detail": "Request was throttled (burst limit reached). Expected available in 1 seconds."
    }
    v1 = client.get("/v1/things/1", headers={"X-API-KEY": key})
    assert v1.status_code == 429 and v1.headers["retry-after"] == "1"
    error = v1.json()["error"]
    assert error["code"] == "RATE_LIMITED"
    assert error["details"] == {"limit": 100, "remaining": 90, "retry_after": 1, "reason": "burst"}
    assert v1.json()["request_id"] == v1.headers["x-request-id"]
    client.get(
        "/v1/usage", headers={"X-API-KEY": key}
    )  # flushes (and is refused: only served requests count)
    time.sleep(0.3)
    assert usage_of(conn, key) == [("/prices", 10, 50)]


def test_scopes(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn, "pro", scopes=("fd",))
    assert client.get("/prices", headers={"X-API-KEY": key}).status_code == 200
    r = client.get("/v1/things/1", headers={"X-API-KEY": key})
    assert r.status_code == 403 and r.json()["error"] == {
        "code": "FORBIDDEN",
        "message": "this API key is not scoped for the v1 API (scopes: fd)",
        "details": None,
    }


def test_revocation_within_cache_ttl(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn)
    assert client.get("/prices", headers={"X-API-KEY": key}).status_code == 200
    store.revoke_key(conn, key)
    # cached for at most key_cache_ttl_s (1 s in these tests, 30 s by default)
    deadline = time.monotonic() + 1.5
    while client.get("/prices", headers={"X-API-KEY": key}).status_code == 200:
        assert time.monotonic() < deadline, "revocation not effective within the cache TTL"
        time.sleep(0.1)
    r = client.get("/prices", headers={"X-API-KEY": key})
    assert r.status_code == 401 and r.json()["message"] == f"API key {key[:18]}… has been revoked"


def test_jwt_exchange(client: TestClient[Any], conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn, "pro")
    r = client.post("/v1/auth/token", headers={"X-API-KEY": key})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["refresh_expires_in"] == 7 * 24 * 3600 and body["refresh_token"].startswith("aihf_rt_")
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/v1/things/3", headers=bearer).json()["data"][0]["row_cap"] == 1000
    assert client.get("/prices", headers=bearer).status_code == 200
    # a bearer JWT cannot mint tokens (only the key, or the refresh token, can)
    minted = client.post("/v1/auth/token", headers=bearer)
    assert minted.status_code == 403 and minted.json()["error"]["code"] == "FORBIDDEN"
    forged = body["access_token"][:-4] + ("AAAA" if not body["access_token"].endswith("AAAA") else "BBBB")
    r = client.get("/v1/things/3", headers={"Authorization": f"Bearer {forged}"})
    assert (
        r.status_code == 401 and r.json()["error"]["message"] == "invalid bearer token: bad token signature"
    )
    store.revoke_key(conn, key)
    time.sleep(1.1)
    r = client.get("/v1/things/3", headers=bearer)
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]


def test_bad_bearer_bytes_are_401_in_each_face(
    client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    token = client.post("/v1/auth/token", headers={"X-API-KEY": new_key(conn)}).json()["access_token"]
    head, claims, sig = token.split(".")
    junk = f"{head}.{claims}.{sig[:20]}!{sig[20:]}"  # the old lenient base64 dropped the '!' and accepted it
    non_ascii = f"{head}.{claims[:8]}\xff{claims[8:]}.{sig}"  # was an unhandled UnicodeEncodeError: 500
    for bad in (junk, non_ascii):
        header = {"Authorization": b"Bearer " + bad.encode("latin-1")}
        v1 = client.get("/v1/things/1", headers=header)
        assert v1.status_code == 401 and v1.json()["error"] == {
            "code": "UNAUTHORIZED",
            "message": "invalid bearer token: malformed bearer token",
            "details": None,
        }
        fd = client.get("/prices", headers=header)
        assert fd.status_code == 401 and fd.json() == {
            "error": "Unauthorized",
            "message": "invalid bearer token: malformed bearer token",
        }


def test_jwt_disabled(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn)
    disabled = msgspec.structs.replace(config, jwt_private_key="", jwt_public_key="")
    with TestClient(create_app(disabled)) as client:
        r = client.post("/v1/auth/token", headers={"X-API-KEY": key})
        assert r.status_code == 404 and r.json()["error"]["message"].startswith("JWT sign-in is disabled")


def test_auth_off_counts_anonymous(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    before = conn.execute(
        "SELECT coalesce(sum(count), 0) FROM usage u JOIN api_keys k ON k.id = u.key_id WHERE k.prefix = 'anonymous'"
    ).fetchone()
    with TestClient(create_app(msgspec.structs.replace(config, auth=False))) as client:
        assert client.get("/prices", params={"limit": 500}).json()["prices"][499] == {"close": 499.0}
        assert client.get("/prices", headers={"X-API-KEY": "anything"}).status_code == 200
        assert client.get("/v1/things/1", headers={"Authorization": "Bearer whatever"}).status_code == 200
    after = conn.execute(
        "SELECT coalesce(sum(count), 0) FROM usage u JOIN api_keys k ON k.id = u.key_id WHERE k.prefix = 'anonymous'"
    ).fetchone()
    assert before is not None and after is not None and after[0] - before[0] == 3  # flushed at shutdown


def test_refresh_token_expires(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    key = new_key(conn)
    with TestClient(create_app(msgspec.structs.replace(config, refresh_ttl_s=1))) as client:
        pair = client.post("/v1/auth/token", headers={"X-API-KEY": key}).json()
        assert pair["refresh_expires_in"] == 1
        time.sleep(1.2)
        r = client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 401 and r.json()["error"] == {
            "code": "UNAUTHORIZED",
            "message": "refresh token expired",
            "details": None,
        }
