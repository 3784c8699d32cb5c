"""The dbt project itself: ``dbt parse`` and ``dbt build`` from the command line over the built lake, lineage."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import dagster as dg

from assets.metrics import defs as metrics_defs
from assets.metrics.project import DBT_DIR, dbt_executable, dbt_resource
from assets.resources import LakeResource
from lake.marts import MARTS, prepare_sources, publish_marts
from lake.storage import Lake


def _dbt(*args: str, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [dbt_executable(), *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
        cwd=DBT_DIR,
        env={**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_dbt_parse_layers_and_sources(tmp_path: Path) -> None:
    done = _dbt("parse", target=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    layers = {name: node["config"]["schema"] for name, node in models.items()}
    assert {layers[m] for m in MARTS} == {"marts"}
    assert {s for n, s in layers.items() if n.startswith("stg_")} == {"staging"}
    assert {s for n, s in layers.items() if n.startswith("int_")} == {"intermediate"}
    sources = {s["name"]: s for s in manifest["sources"].values()}
    assert set(sources) == {"income_statements", "balance_sheets", "cash_flow_statements", "facts", "prices"}
    assert sources["prices"]["meta"]["dagster"]["asset_key"] == ["prices"]
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    kinds = {t["test_metadata"]["name"] for t in tests if t.get("test_metadata")}
    assert {"unique", "not_null", "accepted_values", "accepted_range", "unique_combination"} <= kinds


def test_dbt_build_over_the_built_lake(built_lake: Lake, tmp_path: Path) -> None:
    database = tmp_path / "metrics.duckdb"
    prepared = {p.table: p for p in prepare_sources(built_lake, database)}
    assert prepared["prices"].kind == "view" and prepared["prices"].files > 20  # one file per year at least
    done = _dbt("build", "--vars", json.dumps({"duckdb_path": str(database)}), target=tmp_path / "target")
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert results and {r["status"] for r in results} <= {"success", "pass"}
    assert sum(r["unique_id"].startswith("test.") for r in results) >= 50
    # the same sources give the same marts: writing them back to the lake changes nothing
    assert all(result.skipped for result in publish_marts(built_lake, database).values())


def test_lineage_from_lake_tables_through_dbt_to_lake_tables() -> None:
    graph = dg.Definitions(
        assets=metrics_defs.assets, resources={"dbt": dbt_resource(), "lake": LakeResource()}
    ).resolve_asset_graph()
    key = dg.AssetKey
    assert key(["dbt", "int_daily_fundamentals"]) in graph.get(key(["dbt", "valuation_daily"])).parent_keys
    assert key("prices") in graph.get(key(["dbt", "stg_prices"])).parent_keys
    assert key("income_statements") in graph.get(key(["dbt", "stg_income_statements"])).parent_keys
    for name in MARTS:
        assert graph.get(key(name)).parent_keys == {key(["dbt", name])}
