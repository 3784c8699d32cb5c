"""Prepare ``$DAGSTER_HOME``: write its ``dagster.yaml`` (SQLite by default, PostgreSQL when ``DAGSTER_PG_URL``).

Run as ``python -m orchestration.instance``; prints the folder. Idempotent.
"""

from __future__ import annotations

import os
from pathlib import Path

from lake.settings import PROJECT_ROOT, Settings


def prepare_home(settings: Settings) -> Path:
    """Create ``settings.dagster_home`` with the instance file that ``settings`` select; return the folder."""
    home = Path(settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    template = "dagster-postgres.yaml" if settings.dagster_pg_url else "dagster.yaml"
    text = (PROJECT_ROOT / "infra" / template).read_text(encoding="utf-8")
    target = home / "dagster.yaml"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return home


def main() -> None:
    """Entry point: prepare the instance folder and print it."""
    settings = Settings.from_env()
    home = prepare_home(settings)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    backend = "postgres" if settings.dagster_pg_url else "sqlite"
    print(f"DAGSTER_HOME={home} ({backend} storage)")


if __name__ == "__main__":
    main()
