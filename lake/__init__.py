"""The AIHF lakehouse: table registry, storage, Delta I/O and query helpers.

``import lake`` (and ``import lake.settings``) stays light: the names below are loaded on first use, and polars,
duckdb and pyarrow.dataset only inside :func:`scan`, :func:`connect` and the readers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "DuplicateKey": "lake.delta",
    "PartitionMismatch": "lake.delta",
    "SchemaMismatch": "lake.delta",
    "WriteResult": "lake.delta",
    "merge_upsert": "lake.delta",
    "overwrite_table": "lake.delta",
    "read_table": "lake.delta",
    "table_exists": "lake.delta",
    "table_version": "lake.delta",
    "write_partition": "lake.delta",
    "connect": "lake.duck",
    "scan": "lake.frames",
    "TableSpec": "lake.registry",
    "all_tables": "lake.registry",
    "register": "lake.registry",
    "table": "lake.registry",
    "Lake": "lake.storage",
    "StoredObject": "lake.storage",
}

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

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'lake' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
