"""Asset checks every lake table gets: schema matches the registry, non-empty, primary key unique."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from lake.registry import TableSpec

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
    """Evaluate the standard checks on ``table`` (the table as stored after the write)."""
    key = asset_key or dg.AssetKey(spec.name)
    missing = [f.name for f in spec.schema if f.name not in table.schema.names]
    wrong = [
        f"{f.name}: {table.schema.field(f.name).type} != {f.type}"
        for f in spec.schema
        if f.name in table.schema.names and not table.schema.field(f.name).type.equals(f.type)
    ]
    dups = duplicate_keys(table, spec.primary_key)
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
        dg.AssetCheckResult(
            asset_key=key, check_name=NON_EMPTY, passed=table.num_rows > 0, metadata={"rows": table.num_rows}
        ),
        dg.AssetCheckResult(
            asset_key=key, check_name=PK_UNIQUE, passed=dups == 0, metadata={"duplicate_rows": dups}
        ),
    ]
