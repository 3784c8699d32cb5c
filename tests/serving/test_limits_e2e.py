"""The real app behind granian with the real accounts (PostgreSQL, a private Redis): limits and outages over a socket.

PostgreSQL is reached through a loopback proxy that can stop answering (the shared server is never touched);
Redis is a redis-server of this test.
"""

from __future__ import annotations

import secrets
import shutil
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lake.storage import Lake
from serving.accounts import db, store
from tests.accounts.test_outages import PrivateRedis
from tests.support.api_server import api_server
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture(scope="module")
def server(built_lake: Lake) -> Iterator[tuple[str, TcpProxy, list[str]]]:
    """The API (auth on) over the built lake; yields (base URL, the database proxy, two keys of one Free user)."""
    name = f"aihf_test_e2e_{uuid.uuid4().hex[:10]}"
    direct = f"postgresql://postgres@127.0.0.1:5432/{name}"
    db.migrate(direct)
    redis_server = PrivateRedis()
    redis_server.start()
    try:
        with db.connect(direct) as conn:
            email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
            store.create_user(conn, email, "free")
            keys = [store.issue_key(conn, email, name=f"k{i}").key for i in range(2)]
            store.create_user(conn, "warm-" + email, "enterprise")
            warm = store.issue_key(conn, "warm-" + email).key
        with TcpProxy(5432) as proxy:
            env = {
                "AIHF_AUTH": "on",
                "AIHF_PG_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}",
                "REDIS_URL": redis_server.url,
                "AIHF_AUTH_FAILURES_PER_MIN": "5",
            }
            with api_server(built_lake.uri, env=env) as url:
                # another user's first request opens the worker's Redis and PostgreSQL connections and loads
                # the tables, so the tests' timings do not include a loaded machine's cold start
                warmed = _get(
                    f"{url}/prices", warm, ticker="AAPL", start_date="2024-01-02", end_date="2024-01-03"
                )
                assert warmed.status_code == 200
                yield url, proxy, keys
    finally:
        redis_server.stop()
        db.drop_database(direct)


def _get(url: str, key: str, **params: Any) -> httpx.Response:
    return httpx.get(url, params=params, headers={"X-API-KEY": key}, timeout=30)


def test_free_prices_capped_with_rate_headers_per_user(server: tuple[str, TcpProxy, list[str]]) -> None:
    """A Free key gets 100 bars (its plan's cap) and X-RateLimit-*; both keys of the user count on one quota."""
    url, _, (first, second) = server
    response = _get(f"{url}/prices", first, ticker="AAPL", start_date="2020-01-01", end_date="2024-12-31")
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert len(body["prices"]) == 100 and body["next_page_url"]
    assert (response.headers["x-ratelimit-limit"], response.headers["x-ratelimit-remaining"]) == ("100", "99")
    midnight = 86400 - int(time.time()) % 86400
    assert abs(int(response.headers["x-ratelimit-reset"]) - midnight) <= 5
    other = _get(f"{url}/v1/companies/320193", second)
    assert other.status_code == 200
    assert other.headers["x-ratelimit-remaining"] == "98"  # the user's quota, not the key's


def test_usage_days_honoured(server: tuple[str, TcpProxy, list[str]]) -> None:
    url, _, (first, _) = server
    one = _get(f"{url}/v1/usage", first, days=1)
    assert one.status_code == 200 and one.json()["data"]["usage"]["days"] == 1
    assert _get(f"{url}/v1/usage", first, days=30).json()["data"]["usage"]["days"] == 30
    bad = _get(f"{url}/v1/usage", first, days=0)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_PARAMETER"


def test_throttled_answer_carries_rate_headers(server: tuple[str, TcpProxy, list[str]]) -> None:
    url, _, (first, _) = server
    for _ in range(40):
        response = _get(f"{url}/v1/companies/320193", first)
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert response.json()["error"]["details"]["reason"] == "burst"
    assert response.headers["retry-after"] == "1" and response.headers["x-ratelimit-limit"] == "100"
    assert int(response.headers["x-ratelimit-remaining"]) < 100


def test_database_stalled_fast_json_503(server: tuple[str, TcpProxy, list[str]]) -> None:
    """PostgreSQL accepts and never answers: a request needing it gets a JSON 503 with Retry-After within 1 s."""
    url, proxy, _ = server
    proxy.stall()
    try:
        for path, shape in (("/prices", {"error", "message"}), ("/v1/filings", {"error", "request_id"})):
            started = time.monotonic()
            unknown = "aihf_live_" + secrets.token_hex(32)  # not in the key cache: needs the database
            response = _get(f"{url}{path}", unknown)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text[:300]
            assert response.headers["content-type"].startswith("application/json")
            assert response.headers["retry-after"] == "5"
            assert set(response.json()) == shape
            assert elapsed < 1.0, elapsed
        assert response.json()["error"]["code"] == "UNAVAILABLE"
    finally:
        proxy.resume()


def test_random_key_flood_throttled_per_address(server: tuple[str, TcpProxy, list[str]]) -> None:
    """After AIHF_AUTH_FAILURES_PER_MIN (5 here) unknown keys, the address gets 429 without a lookup (last test:
    the loopback address stays throttled for a minute)."""
    url, _, (first, _) = server
    statuses = [_get(f"{url}/prices", "aihf_live_" + secrets.token_hex(32)).status_code for _ in range(5)]
    assert statuses == [401] * 5
    flood = _get(f"{url}/prices", "aihf_live_" + secrets.token_hex(32))
    assert flood.status_code == 429 and 1 <= int(flood.headers["retry-after"]) <= 60
    assert flood.json()["detail"].startswith(
        "Request was throttled (too many failed authentications from 127.0.0.1)"
    )
    assert _get(f"{url}/v1/companies/320193", first).json()["error"]["details"]["reason"] == "auth_failures"
