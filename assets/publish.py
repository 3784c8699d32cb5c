"""How an asset declares and reports a lake table: one AssetSpec per table, one report after each write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg
import pyarrow as pa

from assets.checks import stored_check_results
from lake.delta import overwrite_table, table_version, write_partition
from lake.registry import TableSpec
from lake.storage import Lake
from lake.tables import FILING_QUARTER


def table_asset(
    spec: TableSpec, *, group: str, code_version: str = "1", deps: Sequence[str | dg.AssetKey] = ()
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


def publish(
    store: Lake,
    spec: TableSpec,
    rows: list[dict[str, Any]] | pa.Table,
    *,
    quarters: list[str] | None = None,
    **metadata: Any,
) -> dg.MaterializeResult:
    """Write ``rows`` to a table and report it: rows, Delta version, whether it changed, where, standard checks.

    A table partitioned by filing quarter has exactly the run's ``quarters`` replaced (idempotent; nothing is
    committed when the rows are unchanged); any other table is replaced whole. The checks run on the table as
    stored after the write, not on the data that was handed in.
    """
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=spec.schema)
    if spec.partition_by == (FILING_QUARTER,):
        if quarters is None:
            raise ValueError(f"{spec.name} is partitioned by {spec.partition_by}: pass the run's quarters")
        result = write_partition(store, spec, table, partitions={FILING_QUARTER: quarters})
    else:
        result = overwrite_table(store, spec, table)
    return report(
        store, spec, rows_written=table.num_rows, version=result.version, unchanged=result.skipped, **metadata
    )


def report(
    store: Lake,
    spec: TableSpec,
    *,
    rows_written: int,
    version: int | None = None,
    unchanged: bool,
    **metadata: Any,
) -> dg.MaterializeResult:
    """The materialization of a table after its writes: rows, Delta version, where, the standard checks.

    The checks and ``rows_in_table`` are evaluated on the table as stored, without loading it (Delta log
    statistics and DuckDB aggregates, see :func:`assets.checks.stored_check_results`).
    """
    rows, checks = stored_check_results(store, spec)
    return dg.MaterializeResult(
        asset_key=spec.name,
        metadata={
            "rows_written": rows_written,
            "rows_in_table": rows,
            "table_version": version if version is not None else table_version(store, spec),
            "unchanged": unchanged,
            "uri": store.table_uri(spec),
            **metadata,
        },
        check_results=checks,
    )
