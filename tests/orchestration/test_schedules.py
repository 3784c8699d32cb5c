"""The code location loads, and the daily discovery schedule asks for the current filing quarter."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from lake.tables import (
    COMPANIES,
    EDGAR_INDEX,
    EDGAR_INDEX_FILES,
    EDGAR_INVENTORY,
    FILINGS,
    RAW_DOCUMENTS,
    SEC_SUBMISSIONS,
)
from orchestration.definitions import defs
from orchestration.jobs import daily_discovery

#: the dbt models of the metrics project (keyed dbt/<model>) and the marts they write back to the lake
METRICS_ASSETS = {
    *(
        f"dbt/{model}"
        for model in (
            "stg_income_statements", "stg_balance_sheets", "stg_cash_flow_statements", "stg_cover_shares",
            "stg_prices", "int_tickers", "int_statement_periods", "int_balance_instants", "int_share_counts",
            "int_period_metrics", "int_filing_valuation", "int_daily_fundamentals", "int_monthly_prices",
            "financial_metrics", "financial_metrics_snapshot", "valuation_daily", "factors",
        )
    ),
    "financial_metrics",
    "financial_metrics_snapshot",
    "valuation_daily",
    "factors",
}  # fmt: skip
XBRL_ASSETS = {
    "prices",
    "splits",
    "signals",
    "earnings",
    "eightk_items",
    "report_items",
    "report_item_filings",
    "news",
    "press_releases",
    "cusip_map",
    "holdings_quarter",
    "holdings_changes",
    "insider_trades",
    "institutional_holdings",
    "thirteenf_filings",
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
}
EDGAR_ASSETS = {
    "companies",
    "sec_submissions",
    "edgar_index",
    "edgar_index_files",
    "edgar_inventory",
    "raw_documents",
    "filings",
}


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_daily_discovery_requests_the_quarter_of_its_tick() -> None:
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 8, 4, 10, 30, tzinfo=UTC))
    request = daily_discovery(context)
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == "2025-07-01"
    assert request.run_key == "2025-07-01:2025-08-04"


@pytest.mark.parametrize(
    ("tick", "partition_key", "run_key"),
    [
        # Dagster ticks in the schedule's time zone: 06:30 New York
        (
            datetime(2025, 1, 2, 6, 30, tzinfo=ZoneInfo("America/New_York")),
            "2025-01-01",
            "2025-01-01:2025-01-02",
        ),
        (
            datetime(2025, 3, 31, 6, 30, tzinfo=ZoneInfo("America/New_York")),
            "2025-01-01",
            "2025-01-01:2025-03-31",
        ),
        (
            datetime(2025, 10, 1, 6, 30, tzinfo=ZoneInfo("America/New_York")),
            "2025-10-01",
            "2025-10-01:2025-10-01",
        ),
        (
            datetime(2025, 12, 31, 6, 30, tzinfo=ZoneInfo("America/New_York")),
            "2025-10-01",
            "2025-10-01:2025-12-31",
        ),
    ],
)
def test_daily_discovery_tick_evaluates_in_the_code_location(
    definitions: dg.Definitions, tick: datetime, partition_key: str, run_key: str
) -> None:
    schedule = definitions.resolve_schedule_def("daily_discovery")
    context = dg.build_schedule_context(
        scheduled_execution_time=tick, repository_def=definitions.get_repository_def()
    )
    result = schedule.evaluate_tick(context)
    assert result.skip_message is None
    assert [(r.partition_key, r.run_key) for r in result.run_requests or []] == [(partition_key, run_key)]


def test_daily_discovery_schedule_definition(definitions: dg.Definitions) -> None:
    schedule = definitions.resolve_schedule_def("daily_discovery")
    assert schedule.job_name == "lake_update"
    assert schedule.cron_schedule == "30 6 * * 1-5"
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


#: the daily job: partitioned assets of the quarter, the discovery inputs and the statements of the facts
DAILY_ASSETS = {
    "companies", "sec_submissions", "edgar_index", "edgar_index_files", "edgar_inventory", "raw_documents", "filings",
    "facts", "fact_footnotes", "xbrl_filings", "concept_labels", "linkbase_arcs",
    "income_statements", "balance_sheets", "cash_flow_statements", "statement_values", "restatements",
    "earnings", "eightk_items", "news", "press_releases", "report_items", "report_item_filings",
    "insider_trades", "institutional_holdings", "thirteenf_filings",
}  # fmt: skip
#: whole-lake rebuilds, on their own job
REFRESH_ASSETS = {
    "cusip_map", "holdings_quarter", "holdings_changes", "splits", "prices", "signals",
} | METRICS_ASSETS  # fmt: skip


def test_daily_job_selects_only_the_quarter_and_what_depends_on_it(definitions: dg.Definitions) -> None:
    job = definitions.resolve_job_def("lake_update")
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == DAILY_ASSETS
    assert isinstance(job.partitions_def, dg.TimeWindowPartitionsDefinition)
    refresh = definitions.resolve_job_def("lake_refresh")
    assert {k.to_user_string() for k in refresh.asset_layer.selected_asset_keys} == REFRESH_ASSETS
    assert refresh.partitions_def is None


@pytest.mark.parametrize(
    ("name", "job", "cron"),
    [
        ("daily_discovery", "lake_update", "30 6 * * 1-5"),
        ("daily_refresh", "lake_refresh", "0 8 * * 1-5"),
        ("weekly_maintenance", "lake_maintenance", "0 3 * * 0"),
    ],
)
def test_schedules_are_defined_and_off_by_default(
    definitions: dg.Definitions, name: str, job: str, cron: str
) -> None:
    schedule = definitions.resolve_schedule_def(name)
    assert (schedule.job_name, schedule.cron_schedule) == (job, cron)
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def test_build_job_covers_every_asset_by_filing_quarter(definitions: dg.Definitions) -> None:
    job = definitions.resolve_job_def("lake_build")
    assert job.name == "lake_build"
    selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert selected == EDGAR_ASSETS | XBRL_ASSETS | METRICS_ASSETS
    partitions = job.partitions_def
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)
    keys = partitions.get_partition_keys(current_time=datetime(2025, 8, 4, 10, 30, tzinfo=UTC))
    # 1993Q1 .. 2025Q3: the quarter in progress is included (end_offset=1)
    assert (keys[0], keys[-1], len(keys)) == ("1993-01-01", "2025-07-01", 131)


def test_every_edgar_asset_is_described_and_no_op_holds_a_pool(
    definitions: dg.Definitions,
) -> None:
    specs = {
        s.key.to_user_string(): s for s in definitions.resolve_all_asset_specs() if s.group_name == "edgar"
    }
    assert set(specs) == EDGAR_ASSETS
    described_by_registry = {
        spec.name: spec.description
        for spec in (COMPANIES, SEC_SUBMISSIONS, EDGAR_INDEX, EDGAR_INDEX_FILES, RAW_DOCUMENTS, FILINGS)
    }
    for name, description in described_by_registry.items():
        assert specs[name].description == description
    inventory = specs[EDGAR_INVENTORY.name].description or ""
    assert inventory.startswith("Every filing file of the offline mirror with its kind, sha256, filing group")

    pools = {}
    for assets_def in definitions.assets or []:
        assert isinstance(assets_def, dg.AssetsDefinition)
        op = assets_def.op
        assert op.description, f"{op.name} has no docstring"
        assert len(op.description.split()) >= 10, f"{op.name}: {op.description!r}"
        pools[op.name] = op.pool
    # the SEC callers (sec_reference, edgar_daily_index, filing_documents, xbrl_facts, splits) share the token
    # bucket (SEC_RATE_LIMITER), not a Dagster pool: a pool slot of a run killed with kill -9 stayed claimed
    assert set(pools) == {
        "sec_reference",
        "edgar_daily_index",
        "edgar_inventory",
        "filing_documents",
        "xbrl_facts",
        "xbrl_linkbases",
        "financial_statements",
        "insider_trades",
        "cusip_map",
        "holdings_quarters",
        "eightk_events",
        "report_items",
        "signals",
        "institutional_holdings",
        "prices",
        "splits",
        "metrics_dbt",
        "metrics_tables",
    }
    assert {name: pool for name, pool in pools.items() if pool is not None} == {}
