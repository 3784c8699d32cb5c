"""The OpenAPI 3.1 document the app generates (snapshot) and its docs page; the API process stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from litestar.testing import TestClient

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_snapshot(client: TestClient) -> None:  # type: ignore[type-arg]
    """/schema/openapi.json equals the checked-in snapshot (UPDATE_SNAPSHOTS=1 to accept a change)."""
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    paths = spec["paths"]
    for path in (
        "/prices",
        "/financials/search/line-items",
        "/v1/filings",
        "/v1/statements",
        "/v1/holdings/13f",
    ):
        assert path in paths
    text = json.dumps(spec, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text)
    assert SNAPSHOT.read_text() == text, "OpenAPI changed: run with UPDATE_SNAPSHOTS=1 to accept"
    docs = client.get("/schema")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]


def test_api_process_has_no_heavy_imports() -> None:
    """Importing and building the app loads no dagster, great_expectations, edgar, assets or orchestration."""
    code = (
        "import sys; from lake.settings import Settings; from serving.asgi import create; create(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dagster', 'great_expectations', 'edgar', 'assets', 'orchestration', 'dbt', 'polars'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "AIHF_AUTH": "off", "LAKE_URI": "/nonexistent-lake"},
    )  # fmt: skip
    assert out.stdout.strip() == "[]"
