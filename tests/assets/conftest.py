from __future__ import annotations

from pathlib import Path

import pytest

from lake.settings import Settings
from lake.storage import Lake
from tests.support.build import build_lake


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The offline mirror built once into a temporary local lake (every quarter, one run)."""
    uri = str(tmp_path_factory.mktemp("built") / "lakehouse")
    result = build_lake(uri)
    assert result.success
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))
