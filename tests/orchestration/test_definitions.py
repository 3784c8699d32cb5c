"""The code location loads without I/O and its asset graph is pinned (renaming a key orphans partition history)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def asset_graph() -> dict[str, Any]:
    """Asset keys with their dependencies, group, partitioning, checks and kinds, sorted."""
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    snapshot: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        snapshot[key.to_user_string()] = {
            "deps": sorted(d.to_user_string() for d in node.parent_keys),
            "group": node.group_name,
            "partitioned": node.partitions_def is not None,
            "checks": sorted(c.name for c in node.check_keys),
            "kinds": sorted(node.kinds),
        }
    return snapshot


def test_asset_graph_matches_snapshot() -> None:
    current = asset_graph()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "run with UPDATE_SNAPSHOTS=1 to accept"
    )


def test_every_asset_is_partitioned_by_filing_quarter_or_not_at_all() -> None:
    graph = defs().resolve_asset_graph()
    partitioned = sorted(
        k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def
    )
    assert partitioned == [
        "concept_labels",
        "earnings",
        "edgar_index",
        "edgar_index_files",
        "eightk_items",
        "fact_footnotes",
        "facts",
        "filings",
        "insider_trades",
        "institutional_holdings",
        "linkbase_arcs",
        "news",
        "press_releases",
        "raw_documents",
        "report_item_filings",
        "report_items",
        "thirteenf_filings",
        "xbrl_filings",
    ]
    keys = graph.get(dg.AssetKey("filings")).partitions_def.get_partition_keys()  # type: ignore[union-attr]
    assert keys[0] == "1993-01-01" and keys[1] == "1993-04-01"


def test_resources_bind_environment_variables_only_when_set(monkeypatch: Any) -> None:
    monkeypatch.setenv("LAKE_URI", "/tmp/somewhere")
    monkeypatch.delenv("EDGAR_SOURCE", raising=False)
    resources = defs().resources or {}
    lake = resources["lake"]
    assert isinstance(lake.uri, dg.EnvVar) and lake.uri.env_var_name == "LAKE_URI"  # type: ignore[attr-defined]
    assert resources["edgar"].source is None  # type: ignore[attr-defined]
