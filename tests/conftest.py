"""Shared pytest fixtures."""

from __future__ import annotations

import os
import sys
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


_EXIT: dict[str, int] = {}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember the session's exit status for :func:`pytest_unconfigure`."""
    _EXIT["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave with pytest's own exit status once everything is reported, skipping interpreter teardown.

    Native objects (DuckDB connections, Arrow datasets, granian) still referenced by daemon threads at
    interpreter shutdown have crashed CPython's final teardown with SIGSEGV after every test had passed
    (seen once in a full run); the outcome is decided and reported by now, so it is the exit code.
    """
    if "status" in _EXIT and os.environ.get("AIHF_TEST_FULL_TEARDOWN") != "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["status"])
