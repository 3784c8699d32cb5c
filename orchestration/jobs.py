"""Jobs and schedules across domains, each selecting only what its cadence changes.

- ``lake_update`` (daily, one filing quarter): the partitioned ingestion assets of the quarter, the discovery
  inputs they read (SEC reference ``companies``/``sec_submissions``, ``edgar_inventory``) and the statements
  derived from the facts.
- ``lake_refresh`` (daily, after the update): the whole-lake rebuilds (CUSIP map, 13F quarters, splits,
  prices, signals, dbt metrics and their marts).
- ``lake_build`` (every asset, by filing quarter): ``make lake`` / ``make demo`` and backfills.
- ``lake_maintenance`` (weekly): compaction, vacuum and checkpoints of every table (:mod:`lake.maintenance`).

Every schedule is off by default (turn them on for live mode).
"""

from datetime import UTC, datetime

import dagster as dg

from assets.partitions import filing_quarters, quarter_label, quarter_to_partition_key
from assets.resources import LakeResource

#: The daily job's assets: partitioned by filing quarter, plus what they read that a new filing changes.
DAILY_ASSETS: tuple[str, ...] = (
    # EDGAR discovery and ingestion (companies and sec_submissions are one op: the SEC reference files)
    "companies",
    "sec_submissions",
    "edgar_index",
    "edgar_index_files",
    "edgar_inventory",
    "raw_documents",
    "filings",
    # XBRL of the quarter's filings and the statements built from the facts
    "facts",
    "fact_footnotes",
    "xbrl_filings",
    "concept_labels",
    "linkbase_arcs",
    "income_statements",
    "balance_sheets",
    "cash_flow_statements",
    "statement_values",
    "restatements",
    # events and ownership filings of the quarter
    "earnings",
    "eightk_items",
    "news",
    "press_releases",
    "report_items",
    "report_item_filings",
    "insider_trades",
    "institutional_holdings",
    "thirteenf_filings",
)

#: Whole-lake rebuilds: each reads every quarter (or an outside source), so it runs on its own cadence.
REFRESH_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.assets(*DAILY_ASSETS)

#: Everything by filing quarter: ``make lake`` / ``make demo`` and backfills over quarter ranges.
build_job = dg.define_asset_job(
    "lake_build",
    selection=dg.AssetSelection.all(),
    partitions_def=filing_quarters,
    description="Build every asset for a range of filing quarters (make lake, make demo, backfills).",
)

discovery_job = dg.define_asset_job(
    "lake_update",
    selection=dg.AssetSelection.assets(*DAILY_ASSETS),
    partitions_def=filing_quarters,
    description="Discover, store and parse the filings of one filing quarter; whole-lake rebuilds are lake_refresh.",
)

refresh_job = dg.define_asset_job(
    "lake_refresh",
    selection=REFRESH_SELECTION,
    description="Rebuild the whole-lake assets (CUSIPs, 13F quarters, splits, prices, signals, metrics).",
)


@dg.schedule(
    job=discovery_job,
    cron_schedule="30 6 * * 1-5",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def daily_discovery(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Each business day at 06:30 New York time, re-run the current filing quarter (turn on for live mode).

    The previous business day's daily index is published overnight; re-running the quarter's partition is
    idempotent (unchanged partitions are not rewritten), so the schedule only adds what is new.
    """
    when = context.scheduled_execution_time or datetime.now(UTC)
    key = quarter_to_partition_key(quarter_label(when.date()))
    return dg.RunRequest(run_key=f"{key}:{when:%Y-%m-%d}", partition_key=key)


#: Each business day at 08:00 New York time, after the daily update: the whole-lake rebuilds.
daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 8 * * 1-5",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Rebuild the whole-lake assets each business day after lake_update (turn on for live mode).",
)


@dg.op(
    description="Compact, vacuum and checkpoint every lake table (LAKE_VACUUM_RETENTION_HOURS and friends)."
)
def maintain_lake(context: dg.OpExecutionContext, lake: LakeResource) -> dg.Output[int]:
    """Run :func:`lake.maintenance.maintain` over every table; log one line per table, output bytes reclaimed."""
    from lake.maintenance import maintain

    results = maintain(lake.lake(), lake.settings())
    for result in results:
        context.log.info(result.line())
    reclaimed = sum(r.reclaimed_bytes for r in results)
    return dg.Output(
        reclaimed,
        metadata={
            "tables": len(results),
            "files_before": sum(r.files_before for r in results),
            "files_after": sum(r.files_after for r in results),
            "bytes_reclaimed": reclaimed,
        },
    )


@dg.job(
    name="lake_maintenance", description="Delta maintenance of every lake table (python -m lake.maintenance)."
)
def maintenance_job() -> None:
    """Compact, vacuum and checkpoint the lake."""
    maintain_lake()


#: Sundays at 03:00 New York time, when no update runs.
weekly_maintenance = dg.ScheduleDefinition(
    name="weekly_maintenance",
    job=maintenance_job,
    cron_schedule="0 3 * * 0",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Weekly Delta maintenance: OPTIMIZE, VACUUM, checkpoints (turn on for live mode).",
)

defs = dg.Definitions(
    jobs=[build_job, discovery_job, refresh_job, maintenance_job],
    schedules=[daily_discovery, daily_refresh, weekly_maintenance],
)
