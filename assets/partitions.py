"""Partitions, defined once: filing-time tables are partitioned by the calendar quarter of the filing date.

EDGAR itself is organised by filing quarter (``full-index/YYYY/QTRn``, ``daily-index/YYYY/QTRn``), so a backfill
over years of EDGAR is a range of quarters, each a bounded unit of work (~300k filings) that can be re-run on
its own. 1993 Q1 is where EDGAR's indexes begin; the current quarter is included while it is in progress.
"""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg

QUARTER_START = "1993-01-01"

filing_quarters = dg.TimeWindowPartitionsDefinition(
    start=QUARTER_START,
    cron_schedule="0 0 1 1,4,7,10 *",
    fmt="%Y-%m-%d",
    end_offset=1,
)


def quarter_label(day: date) -> str:
    """``date(2023, 8, 4)`` -> ``"2023Q3"``: the value of the ``filing_quarter`` column."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def partition_key_to_quarter(key: str) -> str:
    """Dagster partition key ``"2023-07-01"`` -> ``"2023Q3"``."""
    return quarter_label(datetime.strptime(key, "%Y-%m-%d").date())


def quarter_to_partition_key(quarter: str) -> str:
    """``"2023Q3"`` -> Dagster partition key ``"2023-07-01"``."""
    year, q = quarter.split("Q")
    return f"{int(year):04d}-{(int(q) - 1) * 3 + 1:02d}-01"


def quarter_days(quarter: str) -> tuple[date, date]:
    """First and last day of a ``YYYYQn`` quarter."""
    start = datetime.strptime(quarter_to_partition_key(quarter), "%Y-%m-%d").date()
    end_month = start.month + 2
    next_start = date(start.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, date.fromordinal(next_start.toordinal() - 1)


def context_quarters(context: dg.AssetExecutionContext) -> list[str]:
    """The quarters a run covers: one partition, or every partition of a single-run range backfill."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return []
    return sorted({partition_key_to_quarter(k) for k in context.partition_keys})
