"""Table snapshots: each lake table's latest version loaded once, sorted and indexed by a lookup key.

A request never scans Parquet: it slices the in-memory Arrow table of the table's current version
(``Store.rows``), or runs SQL on a DuckDB cursor of its own over those Arrow tables (``Store.sql``). The store
checks a table's Delta version at most every ``refresh_s`` seconds and swaps in a new snapshot when it changed;
readers keep the snapshot object they got, so a reload never blocks or disturbs a running request. The only
lock is per table and held only while that table reloads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lake.delta import dataset, table_version
from lake.registry import TableSpec, table
from lake.storage import Lake

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")

#: Version of a table that does not exist yet (its snapshot is empty, with the declared schema).
MISSING = -1


@dataclass(frozen=True)
class Snapshot:
    """One version of one table, in memory, sorted by ``sort_by``.

    Attributes:
        name: Table name.
        version: Delta version (``MISSING`` when the table does not exist).
        data: The rows, sorted by the index key then the order columns.
        index: Lookup key value -> (first row, row count) in ``data``; keys are upper-cased strings or ints.
    """

    name: str
    version: int
    data: pa.Table
    index: dict[Any, tuple[int, int]] = field(default_factory=dict)

    def rows(self, key: Any) -> pa.Table:
        """The rows whose index key equals ``key`` (empty when none), in the snapshot's order."""
        span = self.index.get(key)
        if span is None:
            return self.data.slice(0, 0)
        return self.data.slice(span[0], span[1])


@dataclass(frozen=True)
class Layout:
    """How a table is held: the column it is looked up by and the order of rows within a key.

    Attributes:
        key: Column of the index (None: no index, the whole table is scanned with SQL).
        order: (column, "ascending"|"descending") pairs applied after the key.
        upper: Upper-case the key (tickers).
    """

    key: str | None = None
    order: tuple[tuple[str, str], ...] = ()
    upper: bool = False


def build_index(data: pa.Table, key: str, *, upper: bool) -> dict[Any, tuple[int, int]]:
    """Key value -> (first row, count) over ``data``, which must be sorted by ``key`` (nulls are skipped)."""
    column = data.column(key).combine_chunks()
    if upper:
        column = pc.utf8_upper(column)
    n = len(column)
    if n == 0:
        return {}
    change = pc.fill_null(pc.not_equal(column.slice(1), column.slice(0, n - 1)), True)
    starts = [0, *(np.flatnonzero(change.to_numpy(zero_copy_only=False)) + 1).tolist()]
    ends = [*starts[1:], n]
    keys = column.take(pa.array(starts, pa.int64())).to_pylist()
    return {k: (s, e - s) for k, s, e in zip(keys, starts, ends, strict=True) if k is not None}


def load(lake: Lake, spec: TableSpec, layout: Layout, version: int) -> Snapshot:
    """Read the latest version of ``spec`` into memory, sorted and indexed as ``layout`` says."""
    data = dataset(lake, spec).to_table() if version != MISSING else spec.schema.empty_table()
    if data.schema != spec.schema:
        data = data.cast(spec.schema)
    names = set(spec.schema.names)
    if layout.key is not None and layout.key not in names:
        layout = Layout()
    layout = Layout(layout.key, tuple(o for o in layout.order if o[0] in names), layout.upper)
    sort_keys: list[tuple[str, str]] = []
    if layout.key is not None:
        if layout.upper:
            data = data.append_column("_key", pc.utf8_upper(data.column(layout.key)))
            sort_keys.append(("_key", "ascending"))
        else:
            sort_keys.append((layout.key, "ascending"))
    sort_keys.extend(layout.order)
    if sort_keys and data.num_rows:
        data = data.take(pc.sort_indices(data, sort_keys=sort_keys))
    index: dict[Any, tuple[int, int]] = {}
    if layout.key is not None:
        key_column = "_key" if layout.upper else layout.key
        index = build_index(data, key_column, upper=False)
        if layout.upper:
            data = data.drop_columns(["_key"])
    return Snapshot(spec.name, version, data.combine_chunks(), index)


class Store:
    """The lake's tables as in-memory snapshots, refreshed when their Delta version changes.

    Args:
        lake: The lake to read.
        layouts: Table name -> how to hold it (tables not listed are held unsorted, without an index).
        refresh_s: Check a table's version at most this often (0 = on every access).
    """

    def __init__(
        self, lake: Lake, layouts: dict[str, Layout] | None = None, *, refresh_s: float = 5.0
    ) -> None:
        import duckdb

        self.lake = lake
        self.layouts = dict(layouts or {})
        self.refresh_s = refresh_s
        self._snapshots: dict[str, Snapshot] = {}
        self._checked: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._derived: dict[tuple[str, int, Any], Any] = {}
        #: True while :meth:`preload` is still loading tables.
        self.loading = False
        self._refreshing = False
        self._stop = threading.Event()
        self._duck = duckdb.connect(":memory:")

    def _lock(self, name: str) -> threading.Lock:
        lock = self._locks.get(name)
        if lock is None:
            with self._locks_guard:
                lock = self._locks.setdefault(name, threading.Lock())
        return lock

    def snapshot(self, name: str) -> Snapshot:
        """The current snapshot of table ``name`` (loaded on first use, reloaded when its version changed).

        With the background refresher running (:meth:`start_refresher`) a loaded table is returned at once;
        otherwise its version is checked here when the last check is older than ``refresh_s``.
        """
        current = self._snapshots.get(name)
        now = time.monotonic()
        if current is not None and (self._refreshing or now - self._checked.get(name, 0.0) < self.refresh_s):
            return current
        with self._lock(name):
            current = self._snapshots.get(name)
            if current is not None and (
                self._refreshing or now - self._checked.get(name, 0.0) < self.refresh_s
            ):
                return current
            if not self.declared(name):
                current = Snapshot(name, MISSING, pa.table({}))
                self._snapshots[name] = current
                self._checked[name] = time.monotonic()
                return current
            spec = table(name)
            version = table_version(self.lake, spec)
            version = MISSING if version is None else version
            if current is None or current.version != version:
                current = load(self.lake, spec, self.layouts.get(name, Layout()), version)
                self._snapshots[name] = current
            self._checked[name] = time.monotonic()
            return current

    def preload(self, names: Sequence[str]) -> None:
        """Load ``names`` in a background thread (returns at once; failures are left to the first request)."""
        if not names:
            return

        def run() -> None:
            for name in names:
                try:
                    self.snapshot(name)
                except Exception:
                    continue

        threading.Thread(target=run, name="aihf-preload", daemon=True).start()

    def start_refresher(self) -> None:
        """Check every loaded table's version every ``refresh_s`` seconds in a background thread.

        Requests then never wait for a version check: they use the loaded snapshot, which the thread swaps for
        a new one when the table changed (a response is at most ``refresh_s`` plus a reload behind the lake).
        """
        if self._refreshing or self.refresh_s <= 0:
            return
        self._refreshing = True

        def run() -> None:
            while not self._stop.wait(self.refresh_s):
                for name in list(self._snapshots):
                    try:
                        self.refresh(name)
                    except Exception:
                        continue

        threading.Thread(target=run, name="aihf-refresh", daemon=True).start()

    def close(self) -> None:
        """Stop the refresher thread and close the DuckDB connection (the app's shutdown hook)."""
        self._stop.set()
        self._refreshing = False
        self._duck.close()

    def refresh(self, name: str) -> Snapshot:
        """Check the Delta version of ``name`` now and reload it when it changed."""
        with self._lock(name):
            current = self._snapshots.get(name)
            if not self.declared(name):
                return self.snapshot(name)
            spec = table(name)
            version = table_version(self.lake, spec)
            version = MISSING if version is None else version
            if current is None or current.version != version:
                current = load(self.lake, spec, self.layouts.get(name, Layout()), version)
                self._snapshots[name] = current
            self._checked[name] = time.monotonic()
            return current

    def fresh_versions(self, names: Sequence[str]) -> tuple[int, ...] | None:
        """The versions of ``names`` if every one was checked recently (no I/O), else None."""
        now = time.monotonic()
        versions = []
        for n in names:
            current = self._snapshots.get(n)
            if current is None or (
                not self._refreshing and now - self._checked.get(n, 0.0) >= self.refresh_s
            ):
                return None
            versions.append(current.version)
        return tuple(versions)

    def derived(self, name: str, build: Callable[[Snapshot], T]) -> T:
        """``build(snapshot)`` of table ``name``, computed once per table version (and per ``build``)."""
        snap = self.snapshot(name)
        key = (name, snap.version, build)
        value = self._derived.get(key)
        if value is None:
            value = build(snap)
            self._derived = {k: v for k, v in self._derived.items() if k[0] != name or k[1] == snap.version}
            self._derived[key] = value
        return value

    def versions(self, names: Sequence[str]) -> tuple[int, ...]:
        """The current versions of ``names`` (the cache key of anything computed from them)."""
        return tuple(self.snapshot(n).version for n in names)

    @staticmethod
    def declared(name: str) -> bool:
        """Whether table ``name`` is declared in the registry (tables of other branches may not be yet)."""
        try:
            table(name)
        except KeyError:
            return False
        return True

    def exists(self, name: str) -> bool:
        """Whether table ``name`` exists in the lake (as of its current snapshot)."""
        return self.declared(name) and self.snapshot(name).version != MISSING

    def rows(self, name: str, key: Any) -> pa.Table:
        """Rows of table ``name`` whose index key equals ``key`` (upper-case tickers), in the layout's order."""
        return self.snapshot(name).rows(key)

    def cursor(self, names: Sequence[str]) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor of its own (close it) with each table of ``names`` registered under its name.

        Each request gets its own cursor over the shared in-memory database; the Arrow snapshots are
        registered zero-copy, so concurrent requests neither copy data nor wait for each other.
        """
        cur = self._duck.cursor()
        for n in names:
            cur.register(n, self.snapshot(n).data)
        return cur

    def sql(self, sql: str, params: Sequence[Any], names: Sequence[str]) -> pa.Table:
        """Run ``sql`` with ``params`` on a fresh cursor over the tables ``names``; the result as Arrow."""
        cur = self.cursor(names)
        try:
            return cur.sql(sql, params=list(params)).to_arrow_table()
        finally:
            cur.close()
