"""The rebalance job: a Dagster op that runs ``python -m trading.rebalance`` as its own process.

Dagster does not import ``trading`` (the import direction is orchestration -> assets -> lake; trading is a
separate leg): the op launches the rebalance in a subprocess, which also isolates ib_async's event loop, reads
its JSON report, logs it, and fails the run when the rebalance failed, was refused or was locked out. The
schedule (cron TRADING_REBALANCE_CRON, New York time) fires on the first weekday of each month only and is
STOPPED by default; the mode is TRADING_MODE (dry-run unless changed) unless the run config says otherwise.
"""

import json
import subprocess
import sys
from datetime import date, datetime
from typing import Any

import dagster as dg

from lake.settings import PROJECT_ROOT

#: exit codes of python -m trading.rebalance -> what they mean
OUTCOMES = {0: "done", 1: "failed or incomplete", 2: "refused", 3: "locked: another rebalance is running"}


class RebalanceConfig(dg.Config):
    """Run config of the rebalance op (empty values = the settings of the environment)."""

    mode: str = ""
    live: bool = False
    broker: str = ""
    timeout_s: float = 0.0
    as_of: str = ""


def rebalance_command(config: RebalanceConfig) -> list[str]:
    """The command line of the subprocess."""
    command = [sys.executable, "-m", "trading.rebalance", "--json"]
    if config.mode:
        command += ["--mode", config.mode]
    if config.live:
        command.append("--live")
    if config.broker:
        command += ["--broker", config.broker]
    if config.timeout_s:
        command += ["--timeout", str(config.timeout_s)]
    if config.as_of:
        command += ["--as-of", config.as_of]
    return command


@dg.op(
    description="Run one rebalance (python -m trading.rebalance) in its own process and record its report."
)
def run_rebalance(context: dg.OpExecutionContext, config: RebalanceConfig) -> dg.Output[dict[str, Any]]:
    """Launch the rebalance; fail when its exit code is not 0."""
    command = rebalance_command(config)
    context.log.info(f"running {' '.join(command[1:])}")
    proc = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1]) if lines else {}
    for event in report.get("events", []):
        context.log.info(f"rebalance: {event}")
    if proc.stderr.strip():
        context.log.debug(proc.stderr[-4000:])
    metadata = {
        "status": report.get("status", "none"),
        "run_id": report.get("run_id", ""),
        "orders": len(report.get("orders", [])),
        "filled": sum(1 for o in report.get("orders", []) if o.get("status") == "filled"),
        "exit_code": proc.returncode,
    }
    if proc.returncode != 0:
        raise dg.Failure(
            description=f"rebalance {OUTCOMES.get(proc.returncode, 'crashed')} (exit {proc.returncode}): "
            + "; ".join(report.get("events", [])[-3:] or [proc.stderr.strip()[-500:]]),
            metadata=metadata,
        )
    return dg.Output(report, metadata=metadata)


@dg.job(name="rebalance", description="Rebalance the trading account to the strategy's targets.")
def rebalance_job() -> None:
    """One op: the rebalance subprocess."""
    run_rebalance()


def first_weekday_of_month(day: date) -> bool:
    """True on the month's first Monday-Friday date."""
    return day.weekday() < 5 and all(date(day.year, day.month, d).weekday() >= 5 for d in range(1, day.day))


def rebalance_schedule(cron: str) -> dg.ScheduleDefinition:
    """The monthly schedule on ``cron`` (New York time), stopped by default."""

    @dg.schedule(
        name="monthly_rebalance",
        job=rebalance_job,
        cron_schedule=cron,
        execution_timezone="America/New_York",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def monthly_rebalance(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        """On the first weekday of the month, one rebalance in the configured TRADING_MODE."""
        when = context.scheduled_execution_time or datetime.now()
        if not first_weekday_of_month(when.date()):
            return dg.SkipReason(f"{when:%Y-%m-%d} is not the first weekday of the month")
        return dg.RunRequest(run_key=f"rebalance:{when:%Y-%m}")

    return monthly_rebalance
