"""A loopback TCP proxy that can turn into a black hole: a server that accepts and never answers.

``with TcpProxy(5432) as proxy:`` forwards 127.0.0.1:<proxy.port> to the upstream port; ``proxy.stall()`` stops
forwarding in both directions (open connections freeze, new ones are accepted and hear nothing), as a database
that hangs would; ``proxy.resume()`` lets the bytes flow again. The shared server itself is never touched.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from types import TracebackType


class TcpProxy:
    """Threaded proxy of 127.0.0.1:``upstream`` (see the module docstring)."""

    def __init__(self, upstream: int, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def stall(self) -> None:
        """Stop forwarding: the upstream looks alive (connections accepted) but never answers."""
        self._flowing.clear()

    def resume(self) -> None:
        """Forward again (bytes held back meanwhile are delivered)."""
        self._flowing.set()

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self._sockets += [client, upstream]
            thread = threading.Thread(target=self._pipe, args=(client, upstream), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        while not self._closed.is_set():
            if not self._flowing.wait(0.05):
                continue
            try:
                readable, _, _ = select.select([a, b], [], [], 0.05)
                for sock in readable:
                    if not self._flowing.is_set():
                        break
                    data = sock.recv(65536)
                    if not data:
                        return
                    peer[sock].sendall(data)
            except OSError:
                return

    def __enter__(self) -> TcpProxy:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closed.set()
        self._flowing.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
