"""A real server (granian, 2 workers, loopback): a clean stop writes every request to PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg

from serving.accounts import store
from serving.accounts.runtime import AccessConfig
from tests.accounts.conftest import unique_email

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_clean_stop_loses_no_request(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    email = unique_email("shutdown")
    store.create_user(conn, email, "enterprise")
    key = store.issue_key(conn, email).key
    port = free_port()
    # a flush interval longer than the test: what reaches PostgreSQL is written by the shutdown hook
    server_config = msgspec.structs.replace(config, flush_interval_s=3600.0)
    env = {
        **os.environ,
        "TEST_ACCESS_CONFIG": msgspec.json.encode(server_config).decode(),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--factory", "tests.accounts.tiny_app:create_app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # imports take a while on a loaded machine
        while True:
            try:
                if httpx.get(f"{base}/prices", headers={"X-API-KEY": key}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.2)
        served = 1
        with httpx.Client(base_url=base, headers={"X-API-KEY": key}) as client:
            for i in range(300):
                # new connections spread the requests over both workers
                r = client.get("/prices", params={"limit": i % 7}, headers={"Connection": "close"})
                assert r.status_code == 200
                served += 1
        assert conn.execute(
            "SELECT count(*) FROM usage u JOIN api_keys k ON k.id = u.key_id WHERE k.prefix = %s", (key[:18],)
        ).fetchone() == (0,), "nothing is written before the stop"
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0].decode(errors="replace")
    total = conn.execute(
        "SELECT sum(count), sum(rows) FROM usage u JOIN api_keys k ON k.id = u.key_id WHERE k.prefix = %s",
        (key[:18],),
    ).fetchone()
    expected_rows = 5 + sum(i % 7 for i in range(300))
    assert total == (served, expected_rows), output
    assert served == 301
