"""Fixtures of the API tests: the app over the built lake, in process and behind granian."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from lake.settings import Settings
from lake.storage import Lake
from serving.app import create_app
from tests.support.api_server import api_server


def lake_settings(lake: Lake, **env: str) -> Settings:
    """Settings of a test server over ``lake`` (no .env file; auth off)."""
    return Settings.from_env(
        env={"LAKE_URI": lake.uri, "AIHF_AUTH": "off", "API_PUBLIC_URL": "http://testserver.local", **env},
        dotenv=Path("/nonexistent/.env"),
    )


@pytest.fixture(scope="session")
def client(built_lake: Lake) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """A Litestar test client of the app over the built lake (pages of 2 rows, to exercise next_page_url)."""
    app = create_app(lake_settings(built_lake), built_lake, page_size=2)
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def served(built_lake: Lake) -> Iterator[str]:
    """The API behind granian on a loopback port (pages of 1 row); yields its base URL."""
    with api_server(built_lake.uri, env={"API_PAGE_SIZE": "1"}) as url:
        yield url
