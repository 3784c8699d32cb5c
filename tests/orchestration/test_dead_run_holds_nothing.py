"""A run killed with ``kill -9`` holds nothing the next run of the SEC callers waits for.

Measured before: a run killed while it held the ``sec_api`` pool slot kept it; the re-run waited 798 s at 99% CPU
with 0 requests until the slot was freed by hand. The SEC callers now use no pool (their limiter is the token
bucket, see tests/edgar/test_rate_limit_processes.py); this simulates the dead holder of that slot.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import dagster as dg

from assets.edgar.reference import sec_reference
from assets.resources import EdgarResource, LakeResource
from lake.settings import Settings
from orchestration.instance import prepare_home


def test_rerun_is_not_blocked_by_a_dead_run_holding_the_sec_api_slot(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env={"DAGSTER_HOME": str(tmp_path / "home")}, dotenv=Path("/nonexistent/.env")
    )
    home = prepare_home(settings)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots("sec_api", 1)
        # the killed run claimed the one slot and never released it (no process is left to do so)
        assert storage.claim_concurrency_slot("sec_api", "killed-run", "sec_reference").is_claimed
        outcome: dict[str, Any] = {}

        def rerun() -> None:
            outcome["result"] = dg.materialize(
                [sec_reference],
                resources={"lake": LakeResource(uri=str(tmp_path / "lake")), "edgar": EdgarResource()},
                instance=instance,
                raise_on_error=False,
            )

        worker = threading.Thread(target=rerun, daemon=True)
        worker.start()
        worker.join(timeout=120)

        assert not worker.is_alive(), "the re-run is waiting for the dead run's sec_api slot"
        assert outcome["result"].success
        info = storage.get_concurrency_info("sec_api")
        assert (info.slot_count, info.active_slot_count) == (1, 1)  # still held by the dead run: not needed
