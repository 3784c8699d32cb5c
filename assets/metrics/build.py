"""The metrics assets: the dbt models (staged -> intermediate -> marts) and the marts written back to the lake.

``metrics_dbt`` exposes the lake's source tables to dbt (``lake.marts.prepare_sources``: views over the current
Parquet files of a local lake, Arrow copies for S3) and runs ``dbt build`` (models and their tests, which
Dagster shows as asset checks). Its assets are keyed ``dbt/<model>`` and sit downstream of the lake tables
they read (statements, facts, prices). ``metrics_tables`` then writes each mart to the lake table of the same
name (``financial_metrics``, ``financial_metrics_snapshot``, ``valuation_daily``, ``factors``).
"""

import json
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from assets.checks import table_check_specs
from assets.metrics.project import ensure_manifest
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from lake.marts import MARTS, duckdb_path, prepare_sources, read_mart
from lake.registry import table

#: Group of every metrics asset in the UI.
GROUP = "metrics"


class MetricsTranslator(DagsterDbtTranslator):
    """dbt models are keyed ``dbt/<model>`` in group ``metrics``; sources keep their lake table's key (meta)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """The asset key of a dbt node."""
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey(["dbt", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Every model is in the ``metrics`` group."""
        return GROUP


def _run_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource) -> Iterable[Any]:
    path = duckdb_path(lake.settings())
    prepared = prepare_sources(lake.lake(), path)
    context.log.info(f"dbt database {path}; sources: " + ", ".join(f"{p.table}={p.kind}" for p in prepared))
    invocation = dbt.cli(["build", "--vars", json.dumps({"duckdb_path": str(path)})], context=context)
    yield from invocation.stream()


def metrics_dbt_assets() -> dg.AssetsDefinition:
    """The ``@dbt_assets`` of the metrics project (built from the manifest, parsed first when stale)."""

    @dbt_assets(manifest=ensure_manifest(), dagster_dbt_translator=MetricsTranslator(), name="metrics_dbt")
    def metrics_dbt(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource
    ) -> Iterable[Any]:
        """Expose the lake's sources to dbt and run ``dbt build`` (models and tests)."""
        yield from _run_dbt(context, dbt, lake)

    return metrics_dbt


_MART_SPECS = [table(name) for name in MARTS]


@dg.multi_asset(
    specs=[table_asset(spec, group=GROUP, deps=[dg.AssetKey(["dbt", spec.name])]) for spec in _MART_SPECS],
    check_specs=[c for spec in _MART_SPECS for c in table_check_specs(spec)],
    name="metrics_tables",
)
def metrics_tables(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[dg.MaterializeResult]:
    """Write each dbt mart to its lake table (whole-table overwrite; no commit when unchanged)."""
    store = lake.lake()
    path = duckdb_path(lake.settings())
    for spec in _MART_SPECS:
        data = read_mart(path, spec)
        context.log.info(f"{spec.name}: {data.num_rows} rows from the dbt mart")
        yield publish(store, spec, data, dbt_database=str(path))
