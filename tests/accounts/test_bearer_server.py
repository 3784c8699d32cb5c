"""Bearer JWTs and refresh tokens end to end: the real app (``serving.asgi:create``, accounts access hook)
behind granian on a loopback socket, RS256 keys, the session's PostgreSQL and a private Redis.

The app's own middleware used to pass the bearer value as an API key, so every JWT issued by
``/v1/auth/token`` got 401 there (the plugin of ``tiny_app`` read it right, which is why only this test, over
the real app, shows it).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from serving.accounts import store
from tests.accounts.conftest import unique_email
from tests.support.api_server import api_server, free_port


@pytest.fixture(scope="module")
def private_redis() -> Iterator[str]:
    """A redis-server of this module on a free loopback port (no key shared with other tests)."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if redis.Redis.from_url(url).ping():
                    break
            except redis.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, "redis-server did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(
    pg_url: str, rsa_pair: tuple[Path, Path], private_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The real API with AIHF_AUTH=on over an empty lake (FD /prices/tickers/ and /v1/usage answer 200)."""
    lake = tmp_path_factory.mktemp("empty-lake") / "lakehouse"
    env = {
        "AIHF_AUTH": "on",
        "AIHF_PG_URL": pg_url,
        "REDIS_URL": private_redis,
        "JWT_ALGORITHM": "RS256",
        "JWT_PRIVATE_KEY": str(rsa_pair[0]),
        "JWT_PUBLIC_KEY": str(rsa_pair[1]),
        "JWT_SECRET": "",
    }
    with api_server(str(lake), env=env) as url:
        yield url


def _key(conn: psycopg.Connection[Any]) -> str:
    email = unique_email("bearer")
    store.create_user(conn, email, "pro")
    return store.issue_key(conn, email).key


def _bearer(token: str | bytes) -> dict[str, bytes]:
    raw = token if isinstance(token, bytes) else token.encode("latin-1")
    return {"Authorization": b"Bearer " + raw}


def test_issued_jwt_authenticates_fd_and_v1(server: str, conn: psycopg.Connection[Any]) -> None:
    key = _key(conn)
    with httpx.Client(base_url=server, timeout=10) as http:
        issued = http.post("/v1/auth/token", headers={"X-API-KEY": key})
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        fd = http.get("/prices/tickers/", headers=_bearer(token))
        assert (fd.status_code, fd.json()) == (200, {"tickers": []})
        minted = http.post("/v1/auth/token", headers=_bearer(token))  # a JWT cannot mint more tokens
        assert minted.status_code == 403 and minted.json()["error"]["code"] == "FORBIDDEN"
        v1 = http.get("/v1/usage", headers=_bearer(token))
        assert v1.status_code == 200, v1.text
        usage = v1.json()["data"]["usage"]
        assert (usage["plan"], usage["max_rows"]) == ("pro", 1000)
        # the bearer requests are metered under the key the token stands for
        assert [(r["endpoint"], r["key_prefix"], r["requests"]) for r in usage["rows"]] == [
            ("/prices/tickers", key[:18], 1),
            ("/v1/auth/token", key[:18], 2),  # the refused mint is metered too
        ]


def test_bad_bearer_tokens_are_401_in_each_format(server: str, conn: psycopg.Connection[Any]) -> None:
    key = _key(conn)
    with httpx.Client(base_url=server, timeout=10) as http:
        token = http.post("/v1/auth/token", headers={"X-API-KEY": key}).json()["access_token"]
        head, claims, sig = token.split(".")
        for bad in (
            f"{head}.{claims[:8]}\xff{claims[8:]}.{sig}".encode("latin-1"),  # a non-ASCII byte in the claims
            f"{head}.{claims}.{sig[:30]}!{sig[30:]}".encode(),  # junk inside the signature
            f"{head}.{claims}.{sig[:-6]}AAAAAA".encode(),  # another signature
        ):
            v1 = http.get("/v1/usage", headers=_bearer(bad))
            assert v1.status_code == 401, v1.text
            error = v1.json()["error"]
            assert error["code"] == "UNAUTHORIZED" and error["message"].startswith("invalid bearer token: ")
            assert v1.json()["request_id"] == v1.headers["x-request-id"]
            fd = http.get("/prices/tickers/", headers=_bearer(bad))
            assert fd.status_code == 401 and fd.json()["error"] == "Unauthorized"
            assert fd.json()["message"] == error["message"]


def test_refresh_rotates_and_revocation(server: str, conn: psycopg.Connection[Any]) -> None:
    key = _key(conn)
    with httpx.Client(base_url=server, timeout=10) as http:
        first = http.post("/v1/auth/token", headers={"X-API-KEY": key}).json()
        renewed = http.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert renewed.status_code == 200, renewed.text
        second = renewed.json()
        assert second["refresh_token"] != first["refresh_token"] and second["expires_in"] == 3600
        assert http.get("/prices/tickers/", headers=_bearer(second["access_token"])).status_code == 200
        # the used-up token again: refused, and the chain it started (the second token too) is revoked
        reused = http.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.status_code == 401 and reused.json()["error"]["message"] == (
            "refresh token was already used; every token of its chain is now revoked"
        )
        after = http.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
        assert after.status_code == 401
        assert after.json()["error"]["message"] == "refresh token has been revoked"

        third = http.post("/v1/auth/token", headers={"X-API-KEY": key}).json()
        revoked = http.post("/v1/auth/revoke", json={"refresh_token": third["refresh_token"]})
        assert (revoked.status_code, revoked.json()) == (200, {"revoked": 1})
        refused = http.post("/v1/auth/refresh", json={"refresh_token": third["refresh_token"]})
        assert refused.status_code == 401

        fourth = http.post("/v1/auth/token", headers={"X-API-KEY": key}).json()
        store.revoke_key(conn, key)  # the key's refresh tokens go with it, at once
        gone = http.post("/v1/auth/refresh", json={"refresh_token": fourth["refresh_token"]})
        assert gone.status_code == 401
        assert gone.json()["error"]["message"] == "refresh token has been revoked"

        for body in (b"{}", b"not json", b'{"refresh_token": "aihf_rt_123"}'):
            bad = http.post("/v1/auth/refresh", content=body, headers={"content-type": "application/json"})
            assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_PARAMETER", body
        unknown = http.post("/v1/auth/refresh", json={"refresh_token": "aihf_rt_" + "0" * 64})
        assert unknown.status_code == 401 and unknown.json()["error"]["message"] == "unknown refresh token"
    stored = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE r.revoked_at IS NOT NULL) FROM refresh_tokens r"
        " JOIN api_keys k ON k.id = r.key_id WHERE k.prefix = %s",
        (key[:18],),
    ).fetchone()
    assert stored == (4, 4)  # first and second (the reuse), third (revoke), fourth (the key): all revoked
    hashes = conn.execute(
        "SELECT bool_and(length(token_hash) = 32) FROM refresh_tokens r JOIN api_keys k ON k.id = r.key_id"
        " WHERE k.prefix = %s",
        (key[:18],),
    ).fetchone()
    assert hashes == (True,)  # stored as SHA-256 digests only


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AIHF_AUTH": ""}, "AIHF_AUTH must be on or off (or true/false, 1/0), not ''"),
        (
            {"JWT_ALGORITHM": "HS256", "JWT_SECRET": "short-secret"},
            "JWT_SECRET is 12 bytes; HS256 needs at least 32",
        ),
        ({"JWT_PRIVATE_KEY": "/nonexistent/jwt.pem"}, "cannot read JWT_PRIVATE_KEY '/nonexistent/jwt.pem'"),
    ],
)
def test_server_refuses_to_start_on_bad_auth_settings(
    pg_url: str, tmp_path: Path, env: dict[str, str], message: str
) -> None:
    lake = tmp_path / "lakehouse"
    server = api_server(str(lake), env={"AIHF_AUTH": "on", "AIHF_PG_URL": pg_url, "JWT_SECRET": "", **env})
    with pytest.raises(RuntimeError, match="granian exited") as failed:
        server.__enter__()
    assert message in str(failed.value)
