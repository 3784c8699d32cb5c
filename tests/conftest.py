"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lake.settings import Settings
from lake.storage import Lake
from tests.support.build import build_lake
from tests.support.sec_server import SecServer


@pytest.fixture
def sec_server() -> Iterator[SecServer]:
    """A loopback SEC serving the offline mirror (see tests/support/sec_server.py)."""
    server = SecServer(Settings.from_env().edgar_mirror).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The offline mirror built once into a temporary local lake (every quarter, one run), shared by all tests."""
    uri = str(tmp_path_factory.mktemp("built") / "lakehouse")
    result = build_lake(uri)
    assert result.success
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))
