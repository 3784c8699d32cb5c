"""Asset checks every lake table gets: schema matches the registry, non-empty, primary key unique.

:func:`stored_check_results` evaluates them on the table as stored without loading it: the row count comes from
the Delta log's statistics, duplicate keys from a DuckDB ``GROUP BY ... HAVING count(*) > 1`` over the Parquet
files (streamed, spilling to disk past :data:`DUCKDB_MEMORY`), so memory does not grow with the table.
:func:`table_check_results` evaluates the same checks on an Arrow table in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from lake.delta import dataset, row_count
from lake.registry import TableSpec
from lake.storage import Lake

#: Memory DuckDB may use for the duplicate-key aggregate before it spills to its temporary directory.
DUCKDB_MEMORY = "256MB"

SCHEMA, NON_EMPTY, PK_UNIQUE = "schema_matches_registry", "non_empty", "primary_key_unique"


def table_check_specs(spec: TableSpec, asset_key: dg.AssetKey | None = None) -> list[dg.AssetCheckSpec]:
    """The three standard checks of a table, to put in an asset's ``check_specs``."""
    key = asset_key or dg.AssetKey(spec.name)
    return [
        dg.AssetCheckSpec(
            SCHEMA, asset=key, blocking=True, description=f"{spec.name} has the registry's Arrow schema."
        ),
        dg.AssetCheckSpec(NON_EMPTY, asset=key, description=f"{spec.name} has at least one row."),
        dg.AssetCheckSpec(
            PK_UNIQUE,
            asset=key,
            blocking=True,
            description=f"{spec.name} is unique on {', '.join(spec.primary_key)}.",
        ),
    ]


def duplicate_keys(table: pa.Table, key: Sequence[str]) -> int:
    """How many rows share their primary key with an earlier row."""
    if table.num_rows == 0:
        return 0
    counts = table.group_by(list(key)).aggregate([([], "count_all")])
    return int(pc.sum(pc.subtract(counts["count_all"], 1)).as_py() or 0)


def table_check_results(
    spec: TableSpec, table: pa.Table, asset_key: dg.AssetKey | None = None
) -> list[dg.AssetCheckResult]:
    """Evaluate the standard checks on ``table`` (an Arrow table in memory)."""
    return _results(spec, table.schema, table.num_rows, duplicate_keys(table, spec.primary_key), asset_key)


def stored_duplicate_keys(store: Lake, spec: TableSpec) -> int:
    """How many stored rows share their primary key with an earlier row, counted by DuckDB over the files."""
    import duckdb

    if not spec.primary_key:
        return 0
    key = ", ".join(f'"{c}"' for c in spec.primary_key)
    spill = str(Path(tempfile.gettempdir()) / "aihf-duckdb")
    connection = duckdb.connect(":memory:", config={"memory_limit": DUCKDB_MEMORY, "temp_directory": spill})
    try:
        connection.register("t", dataset(store, spec).scanner(columns=list(spec.primary_key)).to_reader())
        found = connection.execute(
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM t GROUP BY {key} HAVING count(*) > 1)"
        ).fetchone()
    finally:
        connection.close()
    return int(found[0]) if found else 0


def stored_check_results(
    store: Lake, spec: TableSpec, asset_key: dg.AssetKey | None = None
) -> tuple[int, list[dg.AssetCheckResult]]:
    """The table's stored row count and the standard checks on the table as stored, without loading it."""
    rows = row_count(store, spec) or 0
    dups = stored_duplicate_keys(store, spec) if rows else 0
    return rows, _results(spec, dataset(store, spec).schema, rows, dups, asset_key)


def _results(
    spec: TableSpec, schema: pa.Schema, rows: int, dups: int, asset_key: dg.AssetKey | None
) -> list[dg.AssetCheckResult]:
    key = asset_key or dg.AssetKey(spec.name)
    missing = [f.name for f in spec.schema if f.name not in schema.names]
    wrong = [
        f"{f.name}: {schema.field(f.name).type} != {f.type}"
        for f in spec.schema
        if f.name in schema.names and not schema.field(f.name).type.equals(f.type)
    ]
    return [
        dg.AssetCheckResult(
            asset_key=key,
            check_name=SCHEMA,
            passed=not missing and not wrong,
            metadata={
                "missing_columns": ", ".join(missing) or "none",
                "type_mismatches": "; ".join(wrong) or "none",
            },
        ),
        dg.AssetCheckResult(asset_key=key, check_name=NON_EMPTY, passed=rows > 0, metadata={"rows": rows}),
        dg.AssetCheckResult(
            asset_key=key, check_name=PK_UNIQUE, passed=dups == 0, metadata={"duplicate_rows": dups}
        ),
    ]
