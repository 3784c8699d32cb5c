"""A bounded LRU of serialized responses, keyed by the request and valid for the table versions it read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import NamedTuple, Protocol


class Versions(Protocol):
    """What the cache needs of the store: the current versions of tables, without I/O."""

    def fresh_versions(self, names: Sequence[str]) -> tuple[int, ...] | None:
        """Versions of ``names`` if checked recently, else None."""
        ...


class Entry(NamedTuple):
    """A cached response: the tables it read at which versions, its body, row count and route template."""

    tables: tuple[str, ...]
    versions: tuple[int, ...]
    body: bytes
    rows: int
    endpoint: str | None = None


class ResponseCache:
    """Response bytes by request key; an entry is served only while its tables are at the same versions.

    Args:
        max_entries: Entries kept (least recently used dropped first).
        max_bytes: Responses larger than this are not cached.
    """

    def __init__(self, max_entries: int = 20_000, max_bytes: int = 1 << 20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def lookup(self, key: Hashable, store: Versions) -> Entry | None:
        """The entry of ``key`` if its tables are still at the versions it was computed from, else None."""
        entry = self._entries.get(key)
        if entry is None or store.fresh_versions(entry.tables) != entry.versions:
            self.misses += 1
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(
        self,
        key: Hashable,
        tables: Sequence[str],
        versions: tuple[int, ...],
        body: bytes,
        rows: int,
        endpoint: str | None = None,
    ) -> None:
        """Remember ``body`` (its row count, the route it answered) for ``key``, from ``tables`` at ``versions``."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = Entry(tuple(tables), versions, body, rows, endpoint)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
