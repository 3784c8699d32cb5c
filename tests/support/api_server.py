"""Run the API in granian on a loopback port (a real socket, real worker processes) for tests and benches."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def api_server(
    lake_uri: str, *, workers: int = 1, env: Mapping[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """Serve ``lake_uri`` with ``granian --factory serving.asgi:create``; yields the base URL.

    The server reads its settings from the environment like ``make api`` (AIHF_AUTH=off unless ``env`` says
    otherwise; usage goes to a PostgreSQL database of its own, dropped when the server stops; API_PUBLIC_URL is the loopback URL so next_page_url links point at it). The server's JSON log
    lines go to ``log`` (default: discarded).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # usage is metered in PostgreSQL even with auth off: a database of this server, dropped afterwards
    pg_url = f"postgresql://postgres@127.0.0.1:5432/aihf_test_api_{uuid.uuid4().hex[:10]}"
    full_env = {
        "AIHF_PG_URL": pg_url,
        **os.environ,
        "LAKE_URI": lake_uri,
        "AIHF_AUTH": "off",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
        "API_PUBLIC_URL": url,
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    granian = str(Path(sys.executable).with_name("granian"))
    cmd = [granian, "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--no-ws", "--log-level", "warning", "serving.asgi:create"]  # fmt: skip
    sink = open(log, "w+b") if log is not None else tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                sink.seek(0)
                raise RuntimeError(f"granian exited: {sink.read()[-3000:].decode(errors='replace')}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        sink.close()
        if "AIHF_PG_URL" not in (env or {}):
            from serving.accounts import db

            db.drop_database(pg_url)
