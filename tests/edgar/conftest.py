from pathlib import Path

import pytest

from lake.settings import Settings


@pytest.fixture(scope="session")
def mirror() -> Path:
    root = Settings.from_env().edgar_mirror
    if not (root / "README.md").is_file():
        pytest.skip(f"EDGAR mirror not found at {root}")
    return root
