"""The AIHF lakehouse: table registry, storage, Delta I/O and query helpers.

``import lake`` stays light: polars and duckdb are imported inside :func:`scan` and :func:`connect`.
"""

from __future__ import annotations

from lake.delta import (
    DuplicateKey,
    PartitionMismatch,
    SchemaMismatch,
    WriteResult,
    merge_upsert,
    overwrite_table,
    read_table,
    table_exists,
    table_version,
    write_partition,
)
from lake.duck import connect
from lake.frames import scan
from lake.registry import TableSpec, all_tables, register, table
from lake.storage import Lake, StoredObject

__all__ = [
    "DuplicateKey",
    "Lake",
    "PartitionMismatch",
    "SchemaMismatch",
    "StoredObject",
    "TableSpec",
    "WriteResult",
    "all_tables",
    "connect",
    "merge_upsert",
    "overwrite_table",
    "read_table",
    "register",
    "scan",
    "table",
    "table_exists",
    "table_version",
    "write_partition",
]
