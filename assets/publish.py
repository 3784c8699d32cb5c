"""How an asset declares and reports a lake table: one AssetSpec per table, one report after each write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg

from assets.checks import table_check_results
from lake.delta import WriteResult, read_table
from lake.registry import TableSpec
from lake.storage import Lake


def table_asset(
    spec: TableSpec, *, group: str, code_version: str = "1", deps: Sequence[str] = ()
) -> dg.AssetSpec:
    """The asset of a lake table: its key is the table name, its description the registry's."""
    return dg.AssetSpec(
        spec.name,
        group_name=group,
        kinds={"delta", "python"},
        description=spec.description,
        code_version=code_version,
        deps=list(deps),
    )


def publish(store: Lake, spec: TableSpec, result: WriteResult, **metadata: Any) -> dg.MaterializeResult:
    """Report a table write: rows, Delta version, whether it changed, where it is, and the standard checks.

    The checks run on the table as stored after the write, not on the data that was handed in.
    """
    stored = read_table(store, spec)
    return dg.MaterializeResult(
        asset_key=spec.name,
        metadata={
            "rows_in_table": stored.num_rows,
            "table_version": result.version,
            "unchanged": result.skipped,
            "uri": store.table_uri(spec),
            **metadata,
        },
        check_results=table_check_results(spec, stored),
    )
