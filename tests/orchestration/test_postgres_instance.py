"""A Dagster instance with its run/event storage in PostgreSQL (127.0.0.1:5432, a fresh database per test).

Under ``CI=true`` an unreachable PostgreSQL fails the test; elsewhere it is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg2
import pytest
from psycopg2 import sql

from lake.delta import read_table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import FILINGS
from orchestration.instance import prepare_home
from tests.support.build import build_lake

pytestmark = pytest.mark.postgres

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
NO_DOTENV = Path("/nonexistent/.env")
#: the filings of 2023Q4 in the offline mirror
FILINGS_2023Q4 = [
    "0000320193-23-000106",  # Apple 10-K FY2023
    "0001894188-23-000007",  # LTS One Management 13F-HR
    "local-77105eeddf60573648b9",  # Netflix 10-K FY2023 (no accession in the mirror)
    "local-9856e000e9e034528c24",  # an 8-K
]


def _admin() -> Any:
    """An autocommit connection to the ``postgres`` database; skip (or, under CI=true, fail) when unreachable."""
    try:
        connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except psycopg2.OperationalError as exc:
        message = f"PostgreSQL on {PG['host']}:{PG['port']} is not reachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    connection.autocommit = True
    return connection


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database ``aihf_test_<random>`` (its libpq URL); dropped afterwards."""
    name = f"aihf_test_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
        finally:
            with admin.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        admin.close()


def _query(url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg2.connect(url, connect_timeout=5) as connection, connection.cursor() as cur:
        cur.execute(statement, params)
        rows: list[tuple[Any, ...]] = cur.fetchall()
    connection.close()
    return rows


def test_build_run_and_materializations_are_stored_in_postgres(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the URL exactly as a user writes it (SQLAlchemy 2.1 reads a bare postgresql:// with psycopg 3)
    dagster_url = pg_url
    home_dir = tmp_path / "dagster_home"
    settings = Settings.from_env(
        env={"DAGSTER_HOME": str(home_dir), "DAGSTER_PG_URL": dagster_url}, dotenv=NO_DOTENV
    )
    assert settings.dagster_pg_url == dagster_url
    home = prepare_home(settings)
    assert home == home_dir
    config = (home / "dagster.yaml").read_text(encoding="utf-8")
    assert "postgres_url:\n      env: DAGSTER_PG_URL" in config
    assert "sqlite" not in config
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_url)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    uri = str(tmp_path / "lakehouse")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        result = build_lake(uri, quarters=("2023Q4", "2023Q4"), instance=instance)
        assert result.success
        run_id = result.run_id

        # the run, as PostgreSQL has it
        assert _query(pg_url, "select run_id, status from runs") == [(run_id, "SUCCESS")]
        tags = dict(_query(pg_url, "select key, value from run_tags where run_id = %s", run_id))
        assert tags["dagster/asset_partition_range_start"] == "2023-10-01"
        assert tags["dagster/asset_partition_range_end"] == "2023-10-01"

        # and as the instance reads it back from there
        run = instance.get_run_by_id(run_id)
        assert run is not None
        assert run.status == dg.DagsterRunStatus.SUCCESS

        # the materialization of filings for the partition 2023-10-01 (filing quarter 2023Q4)
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("filings"), asset_partitions=["2023-10-01"]),
            limit=10,
        ).records
        assert len(records) == 1
        assert records[0].run_id == run_id
        assert records[0].partition_key == "2023-10-01"
        event = instance.get_latest_materialization_event(dg.AssetKey("filings"))
        assert event is not None
        assert event.run_id == run_id
        materialization = event.asset_materialization
        assert materialization is not None
        assert materialization.partition == "2023-10-01"
        assert materialization.metadata["rows_written"] == dg.IntMetadataValue(4)
        assert materialization.metadata["filing_errors"] == dg.TextMetadataValue("none")
        # ... stored as rows of PostgreSQL's event log
        stored = _query(
            pg_url,
            "select count(*) from event_logs where run_id = %s and dagster_event_type = %s"
            " and asset_key = %s and partition = %s",
            run_id,
            "ASSET_MATERIALIZATION",
            dg.AssetKey("filings").to_string(),
            "2023-10-01",
        )
        assert stored == [(1,)]

    lake = Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=NO_DOTENV))
    assert sorted(read_table(lake, FILINGS)["filing_id"].to_pylist()) == FILINGS_2023Q4
