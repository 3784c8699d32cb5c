"""Jobs and schedules across domains: discovery of new filings (daily, live mode) and the full backfill."""

from datetime import UTC, datetime

import dagster as dg

from assets.partitions import filing_quarters, quarter_label, quarter_to_partition_key

#: Everything: EDGAR ingestion (indexes, submissions, inventory, raw documents, filings, companies), XBRL facts,
#: standardized statements. Partitioned assets run for the job's quarters; the others are rebuilt from them.
discovery_job = dg.define_asset_job(
    "lake_update",
    selection=dg.AssetSelection.all(),
    partitions_def=filing_quarters,
    description="Discover, store and parse the filings of one filing quarter (or a range of quarters as one run).",
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


defs = dg.Definitions(jobs=[discovery_job], schedules=[daily_discovery])
