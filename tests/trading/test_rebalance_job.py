"""The Dagster rebalance job launches `python -m trading.rebalance` as a subprocess; the monthly schedule."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import pytest

from lake.settings import PROJECT_ROOT
from lake.storage import Lake
from orchestration.definitions import defs
from orchestration.rebalance import first_weekday_of_month, rebalance_job
from tests.trading.conftest import TICKERS, close_on
from tests.trading.fake_tws import ACCOUNT, FakeTws


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


class ThreadedTws:
    """The fake TWS on its own event loop in a thread, so separate processes can connect to it."""

    def __init__(self, tws: FakeTws) -> None:
        self.tws = tws
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> FakeTws:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.tws.start(), self.loop).result(timeout=10)
        return self.tws

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.tws.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def test_two_rebalance_processes_never_double_trade(env: str, tmp_path: Path) -> None:
    # the test runs at any hour, and the lake's prices end on 2024-03-08
    (tmp_path / "limits.toml").write_text("enforce_trading_hours = false\nmax_price_age_days = 100000\n")
    prices = {t: close_on(t, "2024-03-08") for t in TICKERS}
    with ThreadedTws(FakeTws(prices=prices, behaviour=dict.fromkeys(TICKERS, "hold"))) as tws:
        run_env = {
            **os.environ,
            "TRADING_BROKER": "ibkr",
            "IBKR_PORT": str(tws.port),
            "IBKR_ACCOUNT": ACCOUNT,
            "TRADING_RISK_LIMITS": str(tmp_path / "limits.toml"),
        }
        command = [sys.executable, "-m", "trading.rebalance", "--json", "--mode", "paper", "--timeout", "15"]
        first = subprocess.Popen(command, cwd=PROJECT_ROOT, env=run_env, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(tws.placed()) < 7 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        second = subprocess.run(
            command, cwd=PROJECT_ROOT, env=run_env, capture_output=True, text=True, check=False
        )
        out, _ = first.communicate(timeout=60)
    assert second.returncode == 3 and json.loads(second.stdout)["status"] == "locked"
    report = json.loads(out)
    assert first.returncode == 0 and report["status"] == "completed-with-issues"
    assert {o["status"] for o in report["orders"]} == {"cancelled"}
    assert len(tws.placed()) == 7 and len(tws.placed(4)) == 7  # seven orders, each cancelled at the timeout
    with psycopg.connect(env) as conn:
        stored = conn.execute("SELECT status, count(*) FROM trading.orders GROUP BY status").fetchall()
        locked = conn.execute("SELECT count(*) FROM trading.audit WHERE action = 'run.locked'").fetchone()
    assert stored == [("cancelled", 7)] and locked == (1,)
