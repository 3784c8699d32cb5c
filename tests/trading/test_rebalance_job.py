"""The Dagster rebalance job launches `python -m trading.rebalance` as a subprocess; the monthly schedule."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import pytest

from lake.settings import PROJECT_ROOT
from lake.storage import Lake
from orchestration.definitions import defs
from orchestration.rebalance import first_weekday_of_month, rebalance_job


@pytest.fixture
def env(prices_lake: Lake, pg_url: str, monkeypatch: Any) -> str:
    monkeypatch.setenv("LAKE_URI", prices_lake.uri)
    monkeypatch.setenv("AIHF_PG_URL", pg_url)
    monkeypatch.setenv("TRADING_BROKER", "sim")
    monkeypatch.delenv("TRADING_MODE", raising=False)
    monkeypatch.delenv("AIHF_LIVE_TRADING", raising=False)
    return pg_url


def test_first_weekday_of_month() -> None:
    assert first_weekday_of_month(date(2024, 6, 3))  # June 2024 starts on a Saturday
    assert not first_weekday_of_month(date(2024, 6, 1)) and not first_weekday_of_month(date(2024, 6, 4))
    assert first_weekday_of_month(date(2024, 3, 1))


def test_schedule_is_monthly_stopped_and_skips_other_days() -> None:
    definitions = defs()
    schedule = definitions.resolve_schedule_def("monthly_rebalance")
    assert schedule.job_name == "rebalance" and schedule.cron_schedule == "45 10 1-7 * 1-5"
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    for tick, expected in (
        (datetime(2024, 6, 3, 14, 45, tzinfo=UTC), "run"),
        (datetime(2024, 6, 4, 14, 45, tzinfo=UTC), "skip"),
    ):
        context = dg.build_schedule_context(scheduled_execution_time=tick)
        result = schedule.evaluate_tick(context)
        if expected == "run":
            assert [r.run_key for r in result.run_requests or []] == ["rebalance:2024-06"]
        else:
            assert not result.run_requests and "not the first weekday" in (result.skip_message or "")


def test_job_runs_the_rebalance_process_dry_run_by_default(env: str) -> None:
    result = rebalance_job.execute_in_process(
        run_config={"ops": {"run_rebalance": {"config": {"as_of": "2024-03-01"}}}}
    )
    assert result.success
    report = result.output_for_node("run_rebalance")
    assert report["status"] == "dry-run" and report["mode"] == "dry-run" and len(report["orders"]) == 7
    aapl = next(o for o in report["orders"] if o["ticker"] == "AAPL")
    assert aapl["quantity"] == 774 and aapl["ref_price"] == 180.75


def test_job_fails_when_the_rebalance_refuses_live(env: str) -> None:
    result = rebalance_job.execute_in_process(
        run_config={"ops": {"run_rebalance": {"config": {"mode": "live", "broker": "ibkr"}}}},
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data)
    assert "rebalance refused (exit 2)" in message and "live trading needs the --live flag" in message


def test_cli_live_needs_flag_and_env(env: str) -> None:
    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [sys.executable, "-m", "trading.rebalance", "--json", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **extra},
            check=False,
        )

    flagged = cli("--live", "--broker", "ibkr", "--account", "U1234567")
    assert flagged.returncode == 2
    assert json.loads(flagged.stdout)["events"] == [
        "refused: live trading needs AIHF_LIVE_TRADING=I_UNDERSTAND in the environment"
    ]
    paper = cli("--mode", "paper", "--as-of", "2024-03-01", "--timeout", "5")
    report = json.loads(paper.stdout)
    assert paper.returncode == 0 and report["status"] == "completed"
    assert {o["status"] for o in report["orders"]} == {"filled"}
