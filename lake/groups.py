"""Commit a group of rows (e.g. every document of some filings) to a table in one Delta commit, replacing the group.

Long ingestion runs commit their work in batches so that a crash loses at most one batch. A batch is keyed by
one column (``filing_id``): its commit removes every row of the batch's partitions whose key is in the batch
and adds the batch's rows, so committing the same filings again (a re-run after a crash) replaces them rather
than duplicating them. When the caller knows that none of the keys is in the table yet (filings never stored
before), the commit is a plain append and reads nothing.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import write_deltalake

from lake.delta import (
    WriteResult,
    _check_unique,
    _ensure_table,
    _identifier,
    _latest_version,
    _partition_values,
    _sql_literal,
    conform,
    partition_predicate,
)
from lake.registry import TableSpec
from lake.storage import Lake


def replace_groups(
    lake: Lake, spec: TableSpec, data: pa.Table, *, key: str, append: bool = False
) -> WriteResult:
    """Replace the rows whose ``key`` value occurs in ``data`` by ``data``, in one commit.

    Only the partitions of ``data``'s rows are touched (a partitioned table); rows of other keys are kept.
    With ``append=True`` the caller asserts that no row of these keys is stored yet: the commit only adds
    files (no delete predicate, no read of existing files).

    Args:
        lake: The lake.
        spec: The table; created with its schema and partitioning when missing.
        data: The new rows of the groups; every group is replaced whole.
        key: The grouping column, e.g. ``filing_id``.
        append: Add without deleting (the groups are new).

    Returns:
        The write's outcome; ``skipped`` when ``data`` is empty.

    Raises:
        SchemaMismatch: ``data`` does not conform to ``spec.schema``.
        DuplicateKey: two rows of ``data`` share a primary key.
        ValueError: ``key`` is not a column of the table.
    """
    if key not in spec.schema.names:
        raise ValueError(f"table {spec.name}: {key!r} is not a column")
    new = conform(spec, data)
    _check_unique(spec, new)
    dt = _ensure_table(lake, spec)
    if new.num_rows == 0:
        return WriteResult(spec.name, dt.version(), 0, skipped=True)
    if append:
        write_deltalake(dt, new, mode="append")
        return WriteResult(spec.name, _latest_version(dt), new.num_rows, skipped=False)
    key_type = spec.schema.field(key).type
    keys = ", ".join(_sql_literal(v, key_type) for v in pc.unique(new.column(key)).to_pylist())
    predicate = f"{_identifier(key)} IN ({keys})"
    if spec.partition_by:
        values = _partition_values(spec, {c: pc.unique(new.column(c)).to_pylist() for c in spec.partition_by})
        predicate = f"{partition_predicate(values)} AND {predicate}"
    write_deltalake(dt, new, mode="overwrite", predicate=predicate)
    return WriteResult(spec.name, _latest_version(dt), new.num_rows, skipped=False)
