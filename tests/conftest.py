"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lake.settings import Settings
from tests.support.sec_server import SecServer


@pytest.fixture
def sec_server() -> Iterator[SecServer]:
    """A loopback SEC serving the offline mirror (see tests/support/sec_server.py)."""
    server = SecServer(Settings.from_env().edgar_mirror).start()
    try:
        yield server
    finally:
        server.stop()
