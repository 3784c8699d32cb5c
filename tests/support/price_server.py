"""A loopback stand-in for a FinancialDatasets-shaped price API, serving the real files of ../shared/prices.

``GET /prices/tickers/`` lists the folder's tickers; ``GET /prices/?ticker=&start_date=&end_date=`` answers
``{"ticker", "prices": [{"time", "open", "high", "low", "close", "volume", "adj_close"}]}`` from ``<TICKER>.csv``
(404 for an unknown ticker). Faults queued with :meth:`PriceServer.inject` apply, first in first out, to the
next requests (synthetic fault injection; the data itself is the real files):

* ``("status", code)``: answer ``code`` with a short JSON error body;
* ``("cut", n)``: a 200 whose body is the first ``n`` bytes of the real JSON, with that length (truncated JSON);
* ``("short", n)``: the real ``Content-Length`` but only ``n`` body bytes, then close (connection cut);
* ``("delay", seconds)``: wait, then answer normally (for client timeouts).
"""

from __future__ import annotations

import csv
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


class PriceServer:
    """The fake API on 127.0.0.1 (a random free port); :attr:`requests` records (path, headers) per request."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.faults: deque[tuple[Any, ...]] = deque()
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                fault = server.faults.popleft() if server.faults else None
                if fault and fault[0] == "delay":
                    time.sleep(fault[1])
                if fault and fault[0] == "status":
                    self._send(fault[1], b'{"error": "injected"}')
                    return
                status, body = server.answer(self.path)
                if fault and fault[0] == "cut":
                    self._send(200, body[: fault[1]])
                elif fault and fault[0] == "short":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: fault[1]])
                    self.wfile.flush()
                    self.close_connection = True
                else:
                    self._send(status, body)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client gave up (timeout tests): nothing to report

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> PriceServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def inject(self, *faults: tuple[Any, ...]) -> None:
        """Queue faults for the next requests."""
        self.faults.extend(faults)

    def answer(self, path: str) -> tuple[int, bytes]:
        """The status and JSON body the real data gives for ``path``."""
        url = urlsplit(path)
        if url.path == "/prices/tickers/":
            names = sorted(p.stem for p in self.folder.glob("*.csv"))
            return 200, json.dumps({"tickers": names}).encode()
        if url.path != "/prices/":
            return 404, b'{"error": "not found"}'
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        source = self.folder / f"{query.get('ticker', '')}.csv"
        if not query.get("ticker", "").isalnum() or not source.is_file():
            return 404, json.dumps({"error": f"unknown ticker {query.get('ticker')}"}).encode()
        start, end = query.get("start_date", "0000"), query.get("end_date", "9999")
        with source.open(newline="") as handle:
            bars = [
                {
                    "time": f"{row['date']}T05:00:00Z",
                    "open": float(row["open"]),
                    "high": float(row["high"]),
                    "low": float(row["low"]),
                    "close": float(row["close"]),
                    "volume": int(row["volume"]),
                    **({"adj_close": float(row["adj_close"])} if row["adj_close"] else {}),
                }
                for row in csv.DictReader(handle)
                if start <= row["date"] <= end
            ]
        return 200, json.dumps({"ticker": query["ticker"], "prices": bars}).encode()
