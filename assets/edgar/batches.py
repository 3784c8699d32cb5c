"""Commit stored filings to ``raw_documents`` and ``filings`` in batches, so a crash loses at most one batch.

Order of a filing's writes: its document files (content-addressed, each atomic), then, per batch, one Delta
commit of the batch's ``raw_documents`` rows, then one of its ``filings`` rows. So a row never points at a
missing file: a crash before the first commit leaves files without rows (the next run writes the same keys,
which ``put_object`` finds already there); a crash between the two commits leaves document rows without their
``filings`` row, which the next run rebuilds from the stored submission without fetching it again. A
``filings`` row with status ``ok`` is the mark a re-run trusts (with its documents present, see :func:`intact`).

Each batch replaces the rows of its filings (:func:`lake.groups.replace_groups` keyed by ``filing_id``): a
re-run commits a filing again by replacing it, never duplicating it. Filings that had no row when the run
started are appended (no read of the table). The run's final partition write then makes the partitions exactly
the run's rows, so the table ends identical to an uninterrupted run's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

from lake.groups import replace_groups
from lake.storage import Lake
from lake.tables import FILINGS, RAW_DOCUMENTS


def intact(store: Lake, docs: list[dict[str, Any]]) -> bool:
    """Whether every document row's object is stored with its size (one listing per filing folder).

    The object's key names its SHA-256 and objects are written whole or not at all, so a present object of
    the right size under the row's key is the row's content (reading it back to hash it would cost a re-read
    of the whole lake).
    """
    folders = {PurePosixPath(d["object_key"]).parent.parent.as_posix() for d in docs}
    sizes: dict[str, int] = {}
    for folder in folders:
        sizes.update(store.object_sizes(folder))
    return all(sizes.get(d["object_key"]) == d["size"] for d in docs)


def filing_directory(cik: int | None, filing_id: str) -> str:
    """The object-store folder of a filing's documents: ``filings/{cik}/{filing_id}``."""
    return f"filings/{cik if cik is not None else 'unknown'}/{filing_id}"


def objects_by_name(directory: str, sizes: dict[str, int]) -> dict[str, str]:
    """Document name -> object key of the objects ``{directory}/{sha256}/{name}`` listed in ``sizes``.

    A name stored under two hashes (the document changed between runs) is left out: which one is current is
    only known from a row or by fetching it again.
    """
    found: dict[str, list[str]] = {}
    for key in sizes:
        parts = PurePosixPath(key).relative_to(directory).parts
        if len(parts) == 2:
            found.setdefault(parts[1], []).append(key)
    return {name: keys[0] for name, keys in found.items() if len(keys) == 1}


def stored_container(
    store: Lake, sec_path: str, docs: list[dict[str, Any]], directory: str | None = None
) -> str | None:
    """The object key of the full submission fetched from ``sec_path``, when it is stored intact; else None.

    Found from its ``raw_documents`` row, or (``directory`` given) as an object a killed run wrote in the
    filing's folder before it could commit the row: objects are content-addressed and written whole.
    """
    name = PurePosixPath(sec_path).name
    for doc in docs:
        if doc["name"] == name and doc["source"] == sec_path and doc["container"] is None:
            return doc["object_key"] if intact(store, [doc]) else None
    if directory is None or docs:
        return None
    return objects_by_name(directory, store.object_sizes(directory)).get(name)


class BatchCommitter:
    """Collect stored filings and commit them every ``every_filings`` filings or ``every_bytes`` bytes read.

    Args:
        store: The lake.
        every_filings: Commit after this many filings.
        every_bytes: Commit once this many bytes were read since the last commit.
        known: Filing ids that had rows in either table when the run started (committed by replacing;
            the others by appending).
        total: Filings of the run (for the progress line).
        log: Where progress lines go.
    """

    def __init__(
        self,
        store: Lake,
        *,
        every_filings: int,
        every_bytes: int,
        known: set[str],
        total: int,
        log: Callable[[str], None],
    ) -> None:
        self.store, self.every_filings, self.every_bytes = store, every_filings, every_bytes
        self.known, self.total, self.log = known, total, log
        self._filings: list[dict[str, Any]] = []
        self._docs: list[dict[str, Any]] = []
        self._bytes = 0
        self.batches = 0
        self.committed = 0
        self.done = 0
        self.fetched = 0
        self.bytes_read = 0
        self.started = time.monotonic()

    def skip(self) -> None:
        """Count a filing that needs no commit (reused as stored)."""
        self.done += 1

    def add(self, filing: dict[str, Any], docs: list[dict[str, Any]], nbytes: int, *, fetched: bool) -> None:
        """Queue one stored filing (its ``filings`` row and document rows); commit when the batch is full."""
        self._filings.append(filing)
        self._docs.extend(docs)
        self._bytes += nbytes
        self.done += 1
        self.fetched += fetched
        self.bytes_read += nbytes
        if len(self._filings) >= self.every_filings or self._bytes >= self.every_bytes:
            self.flush()

    def flush(self) -> None:
        """Commit the queued filings: document rows first, then the filings rows (the mark of completion)."""
        if not self._filings:
            return
        ids = {f["filing_id"] for f in self._filings}
        append = not (ids & self.known)
        docs = pa.Table.from_pylist(self._docs, schema=RAW_DOCUMENTS.schema)
        filings = pa.Table.from_pylist(self._filings, schema=FILINGS.schema)
        replace_groups(self.store, RAW_DOCUMENTS, docs, key="filing_id", append=append)
        replace_groups(self.store, FILINGS, filings, key="filing_id", append=append)
        self.batches += 1
        self.committed += len(self._filings)
        self._filings, self._docs, self._bytes = [], [], 0
        self.log(self.line(f"batch {self.batches} committed"))

    def line(self, what: str) -> str:
        """A progress line: filings done/total, filings committed, MB read, requests/s since the start."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (
            f"filings {what}: {self.done}/{self.total} done, {self.committed} committed in {self.batches} "
            f"batch(es), {self.fetched} fetched, {self.bytes_read / 1e6:.1f} MB read, "
            f"{self.fetched / elapsed:.1f} req/s, {self.bytes_read / 1e6 / elapsed:.1f} MB/s, "
            f"elapsed {elapsed:.1f}s"
        )
