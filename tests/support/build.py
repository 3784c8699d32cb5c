"""Build a lake with the real EDGAR assets in this process (the same assets `make lake` runs)."""

from __future__ import annotations

from typing import Any

import dagster as dg

from assets.edgar import defs as edgar_defs
from assets.events import defs as events_defs
from assets.market import defs as market_defs
from assets.metrics import defs as metrics_defs
from assets.metrics.project import dbt_resource
from assets.ownership import defs as ownership_defs
from assets.partitions import filing_quarters, quarter_to_partition_key
from assets.resources import EdgarResource, LakeResource, PricesResource
from assets.signals import defs as signals_defs
from assets.xbrl import defs as xbrl_defs


def build_lake(
    lake_uri: str,
    *,
    quarters: tuple[str, str] | None = None,
    s3_endpoint: str | None = None,
    edgar: EdgarResource | None = None,
    market: PricesResource | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialize every EDGAR asset over ``quarters`` (``("2020Q1", "2020Q1")``; default: all) as one run."""
    keys = filing_quarters.get_partition_keys()
    first, last = (quarter_to_partition_key(q) for q in quarters) if quarters else (keys[0], keys[-1])
    assets: list[Any] = [
        *(edgar_defs.assets or []),
        *(xbrl_defs.assets or []),
        *(ownership_defs.assets or []),
        *(events_defs.assets or []),
        *(signals_defs.assets or []),
        *(market_defs.assets or []),
        *(metrics_defs.assets or []),
    ]
    checks: list[Any] = [*(xbrl_defs.asset_checks or []), *(ownership_defs.asset_checks or [])]
    return dg.materialize(
        [*assets, *checks],
        resources={
            "lake": LakeResource(uri=lake_uri, s3_endpoint=s3_endpoint),
            "edgar": edgar or EdgarResource(),
            "market": market or PricesResource(),
            "dbt": dbt_resource(),
        },
        instance=instance or dg.DagsterInstance.ephemeral(),
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        raise_on_error=raise_on_error,
    )
