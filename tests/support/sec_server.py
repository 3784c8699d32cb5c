"""A loopback stand-in for www.sec.gov / data.sec.gov that serves the offline mirror, with fault injection.

Requests are answered from the mirror through :func:`edgar.mirror.read` (404 when the mirror has no file and
derives none: a filing's ``-index-headers.html``, ``index.json`` and documents come from its full submission).
Bodies are gzip-encoded when the client accepts gzip, and always carry ``Content-Length``. Faults queued with
:meth:`SecServer.inject` are applied, first in first out, to the next requests of a path (or of any path):

* ``("status", code, headers[, body])``: answer ``code`` with ``headers`` and ``body`` (default: a short text);
* ``("truncate", n)``: the real response with its true ``Content-Length``, but only ``n`` body bytes, then close;
* ``("ratelimit_page", status)``: the SEC's "Request Rate Threshold Exceeded" page with ``status``;
* ``("drop",)``: close the connection without any response;
* ``("body", data)``: a 200 with ``data`` (right ``Content-Length``) instead of the file, e.g. half a document;
* ``("delay", seconds)``: wait, then answer normally (for client timeouts);
* ``("close_after",)``: answer normally, then close the connection without saying so (a server dropping an
  idle keep-alive connection: the client finds out on its next request).

Connections are kept alive (HTTP/1.1) unless a fault breaks them (``truncate``, ``drop``) or ``keep_alive`` is
off. ``latency_s`` delays every response (a stand-in for the network distance to the SEC), ``connect_latency_s``
the first response of each connection (a stand-in for the TCP + TLS handshake). Every request is
recorded (server-side monotonic time, path, headers, the client's address) in :attr:`SecServer.requests`.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from edgar.mirror import NotInMirror, read

Fault = tuple[Any, ...]

RATE_LIMIT_PAGE = Path("reference") / "sec-rate-exceeded.html"

_CONTENT_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".htm": "text/html",
    ".html": "text/html",
    ".txt": "text/plain",
    ".nc": "text/plain",
    ".idx": "text/plain",
}


def _content_type(name: str) -> str:
    suffix = Path(name.split("?", 1)[0]).suffix.lower()
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it."""

    t: float  # time.monotonic() when the handler started on it
    path: str
    headers: dict[str, str]
    client: tuple[str, int] = ("", 0)  # the client's (host, port): one port per TCP connection


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sec: SecServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that timed out or hung up is part of the tests, not an error worth a traceback
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self._fresh = True  # no request answered on this connection yet

    def do_GET(self) -> None:
        sec = self.server.sec
        sec._record(
            RecordedRequest(
                time.monotonic(), self.path, dict(self.headers.items()), tuple(self.client_address[:2])
            )
        )
        fault = sec._next_fault(self.path)
        kind = fault[0] if fault else None
        if kind in ("drop", "truncate") or not sec.keep_alive:
            self.close_connection = True
        self._close_silently = kind == "close_after"
        if kind == "drop":
            return
        if self._fresh and sec.connect_latency_s:
            time.sleep(sec.connect_latency_s)
        self._fresh = False
        if sec.latency_s:
            time.sleep(sec.latency_s)
        if kind == "status":
            code, headers = fault[1], (fault[2] if len(fault) > 2 else {})
            body = fault[3] if len(fault) > 3 else f"fault: {code}\n".encode()
            self._send(code, body, "text/html" if body.lstrip().startswith(b"<") else "text/plain", headers)
            return
        if kind == "ratelimit_page":
            self._send(fault[1], (sec.mirror_root / RATE_LIMIT_PAGE).read_bytes(), "text/html; charset=UTF-8")
            return
        if kind == "body":
            self._send(200, fault[1], _content_type(self.path))
            return
        if kind == "delay":
            time.sleep(fault[1])
        try:
            body = read(sec.mirror_root, self.path)
        except NotInMirror as exc:
            self._send(404, f"{exc}\n".encode(), "text/plain")
            return
        self._send(200, body, _content_type(self.path), truncate_to=fault[1] if kind == "truncate" else None)

    def _send(
        self,
        code: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        truncate_to: int | None = None,
    ) -> None:
        accepted = {
            t.split(";", 1)[0].strip().lower() for t in self.headers.get("Accept-Encoding", "").split(",")
        }
        encoding = "gzip" if "gzip" in accepted else None
        if encoding:
            body = gzip.compress(body, compresslevel=1, mtime=0)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body if truncate_to is None else body[:truncate_to])
        self.wfile.flush()
        if getattr(self, "_close_silently", False):
            self.close_connection = True


class SecServer:
    """The loopback SEC: :meth:`start` it, point a client at :attr:`base_url`, :meth:`stop` it."""

    def __init__(
        self,
        mirror_root: Path,
        *,
        latency_s: float = 0.0,
        connect_latency_s: float = 0.0,
        keep_alive: bool = True,
    ) -> None:
        self.mirror_root = Path(mirror_root).resolve()
        self.latency_s = latency_s
        self.connect_latency_s = connect_latency_s
        self.keep_alive = keep_alive
        self._lock = threading.Lock()
        self._faults: dict[str | None, deque[Fault]] = {}
        self._requests: list[RecordedRequest] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SecServer:
        """Listen on 127.0.0.1 (a free port) and serve in a background thread."""
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.sec = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: prefix of every URL served."""
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """The full URL of an SEC path on this server."""
        return self.base_url + path

    def inject(self, path: str | None, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests of ``path`` (``None``: of any path without its own faults)."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The requests received for ``path``."""
        return [r for r in self.requests if r.path == path]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for key in (path, None):
                queue = self._faults.get(key)
                if queue:
                    return queue.popleft()
            return None
