"""The default (SQLite) Dagster instance keeps everything under ``DAGSTER_HOME``, whatever the working directory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from lake.settings import PROJECT_ROOT, Settings
from orchestration.instance import prepare_home
from tests.support.build import build_lake


def test_sqlite_instance_stores_runs_under_dagster_home_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_dir, cwd = tmp_path / "dagster_home", tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    settings = Settings.from_env(env={"DAGSTER_HOME": str(home_dir)}, dotenv=Path("/nonexistent/.env"))
    assert settings.dagster_pg_url == ""
    home = prepare_home(settings)
    assert home == home_dir
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == (
        PROJECT_ROOT / "infra" / "dagster.yaml"
    ).read_text(encoding="utf-8")

    with dg.DagsterInstance.from_config(str(home)) as instance:
        # one op of the "sec_api" pool (and of any other pool) at a time, across runs
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        result = build_lake(str(tmp_path / "lakehouse"), quarters=("2023Q4", "2023Q4"), instance=instance)
        assert result.success
        run_id = result.run_id

    with sqlite3.connect(home / "history" / "runs.db") as db:
        assert db.execute("select run_id, status from runs").fetchall() == [(run_id, "SUCCESS")]
    assert (home / "history" / "runs" / f"{run_id}.db").is_file()
    assert sorted(p.name for p in cwd.iterdir()) == []  # nothing written where the process happened to run
