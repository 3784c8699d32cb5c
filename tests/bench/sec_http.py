"""`python -m tests.bench.sec_http`: live SEC client throughput (documents/s) against the loopback SEC.

Fetches ``BENCH_SEC_DOCS`` documents (default 100: full SGML submissions, the ticker list, a daily index, a
submissions feed, 2 KB to 3.7 MB, gzip-encoded) from :class:`tests.support.sec_server.SecServer` with an
artificial latency per response and per new connection, at ``max_rps=10``:

* ``before``: one request at a time, a new connection for each (what the client did with ``Connection: close``);
* ``keep-alive``: one request at a time over one kept-alive connection;
* ``get_many``: ``BENCH_SEC_IN_FLIGHT`` (default 4) requests in flight over kept-alive connections.

Two network profiles: 50 ms per response with a free connect (loopback), and 150 ms per response plus 100 ms
per new connection (a TLS handshake across the internet). Measured in this run, printed, not asserted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from edgar import urls
from edgar.http import RateLimiter, SecHttpClient
from lake.settings import Settings
from tests.support.sec_server import SecServer

DOCS = int(os.environ.get("BENCH_SEC_DOCS", "100"))
IN_FLIGHT = int(os.environ.get("BENCH_SEC_IN_FLIGHT", "4"))
AGENT = "AIHF Bench aihf-bench@example.com"
PATHS = [
    urls.full_submission_path(1173313, "0001213900-25-032135"),
    urls.company_tickers_path(),
    "/Archives/edgar/daily-index/2022/QTR4/company.20221003.idx",
    urls.full_submission_path(880984, "0001493152-25-001317").removesuffix(".txt") + ".nc",
    urls.submissions_path(1318605),
]


def _sequential(client: SecHttpClient, wanted: list[str]) -> int:
    return sum(len(client.get(url)) for url in wanted)


def _many(client: SecHttpClient, wanted: list[str]) -> int:
    total = 0
    for url, body in client.get_many(wanted, max_in_flight=IN_FLIGHT):
        if not isinstance(body, bytes):
            raise RuntimeError(f"{url}: {body}")
        total += len(body)
    return total


def _run(
    label: str, latency_s: float, connect_s: float, keep_alive: bool, fetch: Callable[..., int]
) -> tuple[float, int]:
    server = SecServer(
        Settings.from_env().edgar_mirror,
        latency_s=latency_s,
        connect_latency_s=connect_s,
        keep_alive=keep_alive,
    ).start()
    try:
        client = SecHttpClient(user_agent=AGENT, limiter=RateLimiter(10), max_in_flight=IN_FLIGHT)
        wanted = [server.url(PATHS[i % len(PATHS)]) for i in range(DOCS)]
        started = time.perf_counter()
        nbytes = fetch(client, wanted)
        elapsed = time.perf_counter() - started
        connections = len({r.client for r in server.requests})
    finally:
        server.stop()
    print(
        f"  {label:<34} {DOCS} docs in {elapsed:6.2f} s  {DOCS / elapsed:6.2f} docs/s  "
        f"{nbytes / elapsed / 1e6:6.1f} MB/s  {connections:>3} connections"
    )
    return elapsed, connections


def main() -> None:
    """Print documents/s of the three ways of fetching, under two network profiles."""
    print(f"SEC client against the loopback SEC, max_rps=10, {DOCS} documents")
    for latency_s, connect_s in ((0.05, 0.0), (0.15, 0.1)):
        print(f"latency {latency_s * 1000:.0f} ms per response, {connect_s * 1000:.0f} ms per new connection")
        before, _ = _run("before: sequential, new connection", latency_s, connect_s, False, _sequential)
        _run("sequential, keep-alive", latency_s, connect_s, True, _sequential)
        after, _ = _run(f"get_many, {IN_FLIGHT} in flight, keep-alive", latency_s, connect_s, True, _many)
        print(f"  speed-up of get_many over before: {before / after:.1f}x")


if __name__ == "__main__":
    main()
