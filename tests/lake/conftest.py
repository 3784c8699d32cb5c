from __future__ import annotations

import os
from pathlib import Path

import pytest

from lake.registry import TableSpec
from lake.settings import Settings
from lake.storage import Lake
from tests.lake._data import filings_spec
from tests.support.moto import moto_s3, s3_settings

__all__ = ["moto_s3"]


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    """A fresh, empty lake: a temporary folder, or a fresh prefix in moto's S3 bucket."""
    if request.param == "local":
        settings = Settings.from_env(env={"LAKE_URI": str(tmp_path / "lakehouse")}, dotenv=tmp_path / ".env")
    else:
        settings = s3_settings(request.getfixturevalue("moto_s3"))
    return Lake.from_settings(settings)


@pytest.fixture
def filings() -> TableSpec:
    """A test-only table (not registered): filings partitioned by quarter, keyed by accession."""
    return filings_spec()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """With CI=true a skipped lake test is a failure (S3 tests must run against moto, never be skipped)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() == "true" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"
