"""Metrics assets: the dbt project (financial metrics, point-in-time valuation, factors) and its marts in the lake."""

import dagster as dg

from assets.metrics.build import metrics_dbt_assets, metrics_tables

defs = dg.Definitions(assets=[metrics_dbt_assets(), metrics_tables])
