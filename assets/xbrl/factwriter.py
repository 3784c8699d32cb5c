"""Commit parsed filings to ``facts``, ``fact_footnotes`` and ``xbrl_filings`` a batch of filings at a time.

Each batch is one commit per table, touching only the batch's filings (:func:`lake.groups.replace_groups`, a
plain append for filings not stored yet), facts and footnotes before the status rows: a filing's status (with its
parse fingerprint) is stored only once its rows are, so a crash loses at most the batch in flight and the re-run
parses exactly the filings whose status is missing or stale. Memory is bounded by one batch of Arrow rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from lake.batches import delete_groups, ensure_table, stored_groups
from lake.groups import replace_groups
from lake.registry import TableSpec
from lake.storage import Lake
from lake.tables import FACT_FOOTNOTES, FACTS, FILING_QUARTER, XBRL_FILINGS

TABLES = (FACTS, FACT_FOOTNOTES, XBRL_FILINGS)


class FactWriter:
    """Buffer parsed filings and commit them every ``every_filings`` filings or ``every_bytes`` of Arrow rows."""

    def __init__(
        self,
        store: Lake,
        quarters: list[str],
        previous: set[str],
        *,
        every_filings: int,
        every_bytes: int,
        log: Callable[[str], None] = lambda _: None,
    ) -> None:
        """Writer for the run's ``quarters``; ``previous`` are the filing ids with a stored status row."""
        self.store, self.log = store, log
        for spec in TABLES:
            ensure_table(store, spec)
        self.partitions = {FILING_QUARTER: quarters}
        self.every_filings, self.every_bytes = max(every_filings, 1), max(every_bytes, 1)
        self.stored: dict[str, set[str]] = {
            FACTS.name: stored_groups(store, FACTS, key="filing_id", partitions=self.partitions),
            FACT_FOOTNOTES.name: stored_groups(
                store, FACT_FOOTNOTES, key="filing_id", partitions=self.partitions
            ),
            XBRL_FILINGS.name: set(previous),
        }
        self.buffers: dict[str, list[pa.Table]] = {spec.name: [] for spec in TABLES}
        self.ids: list[str] = []
        self.nbytes = 0
        self.written = {spec.name: 0 for spec in TABLES}
        self.commits = {spec.name: 0 for spec in TABLES}

    def add(self, status: dict[str, Any], facts: pa.Table, notes: pa.Table) -> None:
        """Queue one filing's status row and rows; commit the batch when it is full."""
        self.ids.append(status["filing_id"])
        self.buffers[FACTS.name].append(facts)
        self.buffers[FACT_FOOTNOTES.name].append(notes)
        self.buffers[XBRL_FILINGS.name].append(pa.Table.from_pylist([status], schema=XBRL_FILINGS.schema))
        self.nbytes += facts.nbytes + notes.nbytes
        if len(self.ids) >= self.every_filings or self.nbytes >= self.every_bytes:
            self.flush()

    def flush(self) -> None:
        """Commit the queued filings: facts, footnotes, then their status rows."""
        if not self.ids:
            return
        ids = set(self.ids)
        for spec in TABLES:
            data = pa.concat_tables(self.buffers[spec.name])
            self._commit(spec, data, ids)
        self.log(f"xbrl facts: committed {len(ids)} filing(s), {self.nbytes / 1e6:.1f} MB of rows")
        self.buffers = {spec.name: [] for spec in TABLES}
        self.ids, self.nbytes = [], 0

    def _commit(self, spec: TableSpec, data: pa.Table, ids: set[str]) -> None:
        stored = self.stored[spec.name]
        present = set(data.column("filing_id").to_pylist()) if data.num_rows else set()
        if data.num_rows:
            replace_groups(self.store, spec, data, key="filing_id", append=not (present & stored))
            self.commits[spec.name] += 1
            self.written[spec.name] += data.num_rows
        emptied = (ids - present) & stored
        if emptied:
            delete_groups(self.store, spec, sorted(emptied), key="filing_id", partitions=self.partitions)
            self.commits[spec.name] += 1
        stored |= present
        stored -= emptied

    def finish(self, wanted: set[str]) -> None:
        """Commit what is queued, then drop the rows of stored filings that are no longer in the quarters."""
        self.flush()
        for spec in TABLES:
            stale = self.stored[spec.name] - wanted
            if stale:
                delete_groups(self.store, spec, sorted(stale), key="filing_id", partitions=self.partitions)
                self.commits[spec.name] += 1
                self.stored[spec.name] -= stale
