"""Batch primitives next to :func:`lake.groups.replace_groups`: delete whole groups, list the stored groups.

A writer that commits its output a batch of filings at a time (``replace_groups``) also needs to drop the rows
of filings that are gone (a filing no longer in its quarter, or one that now yields no rows) and to know which
filings are stored already (to append new ones without reading anything). Both work without loading the table:
the delete rewrites only the files holding those groups, the listing is a DuckDB ``DISTINCT`` over one column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deltalake import write_deltalake

from lake.delta import (
    WriteResult,
    _ensure_table,
    _identifier,
    _latest_version,
    _partition_values,
    _sql_literal,
    dataset,
    partition_predicate,
)
from lake.registry import TableSpec
from lake.storage import Lake


def ensure_table(lake: Lake, spec: TableSpec) -> None:
    """Create the table with its schema and partitioning when it does not exist (no commit otherwise)."""
    _ensure_table(lake, spec)


def delete_groups(
    lake: Lake,
    spec: TableSpec,
    keys: Sequence[Any],
    *,
    key: str,
    partitions: Mapping[str, Sequence[Any]] | None = None,
) -> WriteResult:
    """Delete every row whose ``key`` is in ``keys`` (within ``partitions`` when given), in one commit.

    An overwrite of nothing with a predicate, so the rewritten files keep the writer's Arrow types (Delta
    ``DELETE`` would write ``string_view``). Skipped (no commit) when ``keys`` is empty.
    """
    if key not in spec.schema.names:
        raise ValueError(f"table {spec.name}: {key!r} is not a column")
    dt = _ensure_table(lake, spec)
    if not keys:
        return WriteResult(spec.name, dt.version(), 0, skipped=True)
    key_type = spec.schema.field(key).type
    predicate = f"{_identifier(key)} IN ({', '.join(_sql_literal(v, key_type) for v in sorted(set(keys)))})"
    if partitions:
        predicate = f"{partition_predicate(_partition_values(spec, partitions))} AND {predicate}"
    write_deltalake(dt, spec.schema.empty_table(), mode="overwrite", predicate=predicate)
    return WriteResult(spec.name, _latest_version(dt), 0, skipped=False)


def stored_groups(
    lake: Lake, spec: TableSpec, *, key: str, partitions: Mapping[str, Sequence[Any]] | None = None
) -> set[Any]:
    """The distinct values of ``key`` stored in the table (within ``partitions``), read column-wise by DuckDB."""
    import duckdb
    import pyarrow.compute as pc

    data = dataset(lake, spec)
    expression = None
    for column, values in (partitions or {}).items():
        clause = pc.field(column).isin(list(values))
        expression = clause if expression is None else expression & clause
    scanner = data.scanner(columns=[key], filter=expression)
    connection = duckdb.connect(":memory:")
    try:
        connection.register("groups", scanner.to_reader())
        rows = connection.execute(f"SELECT DISTINCT {_identifier(key)} FROM groups").fetchall()
    finally:
        connection.close()
    return {r[0] for r in rows}
