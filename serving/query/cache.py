"""A bounded LRU of serialized responses, keyed by the request and the versions of the tables it read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class ResponseCache:
    """Response bytes by key; an entry is valid only for the table versions it was computed from.

    Args:
        max_entries: Entries kept (least recently used dropped first).
        max_bytes: Responses larger than this are not cached.
    """

    def __init__(self, max_entries: int = 20_000, max_bytes: int = 1 << 20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[tuple[int, ...], bytes, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, versions: tuple[int, ...]) -> tuple[bytes, int] | None:
        """The cached body and row count for ``key`` if computed from ``versions``, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != versions:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1], entry[2]

    def put(self, key: Hashable, versions: tuple[int, ...], body: bytes, rows: int) -> None:
        """Remember ``body`` (and its row count) for ``key`` at ``versions``."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = (versions, body, rows)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
