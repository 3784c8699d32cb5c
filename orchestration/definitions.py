"""The code location: merges the domain definitions and binds resources. No I/O, no env reads at import."""

from __future__ import annotations

import os

import dagster as dg

from assets.edgar import defs as edgar_defs
from assets.events import defs as events_defs
from assets.market import defs as market_defs
from assets.metrics import defs as metrics_defs
from assets.metrics.project import dbt_resource
from assets.ownership import defs as ownership_defs
from assets.resources import EdgarResource, LakeResource, PricesResource
from assets.signals import defs as signals_defs
from assets.xbrl import defs as xbrl_defs
from orchestration.jobs import defs as job_defs


def _env(name: str) -> dg.EnvVar | None:
    """``EnvVar(name)`` when the variable is set for this code location, else ``None`` (the settings default)."""
    return dg.EnvVar(name) if os.environ.get(name) else None


@dg.definitions
def defs() -> dg.Definitions:
    """All assets, checks, jobs and schedules, with resources bound from the environment."""
    resources = dg.Definitions(
        resources={
            "lake": LakeResource(uri=_env("LAKE_URI"), s3_endpoint=_env("LAKE_S3_ENDPOINT")),
            "edgar": EdgarResource(
                source=_env("EDGAR_SOURCE"),
                shared_dir=_env("AIHF_SHARED_DIR"),
                user_agent=_env("SEC_USER_AGENT"),
            ),
            "market": PricesResource(
                provider=_env("PRICES_PROVIDER"),
                dir=_env("PRICES_DIR"),
                http_url=_env("PRICES_HTTP_URL"),
                api_key=_env("PRICES_API_KEY"),
            ),
            "dbt": dbt_resource(),
        }
    )
    return dg.Definitions.merge(
        edgar_defs,
        xbrl_defs,
        ownership_defs,
        events_defs,
        signals_defs,
        market_defs,
        metrics_defs,
        job_defs,
        resources,
    )
