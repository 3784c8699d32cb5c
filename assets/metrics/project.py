"""The dbt project of the metrics (``dbt/``): where it is, its manifest (parsed when stale), its CLI resource."""

import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from lake.settings import PROJECT_ROOT

#: The dbt project folder (dbt_project.yml and profiles.yml).
DBT_DIR = PROJECT_ROOT / "dbt"
#: Where ``dbt parse`` writes the manifest the Dagster definitions are built from.
MANIFEST = DBT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The ``dbt`` of this interpreter's environment (falls back to the one on PATH)."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.is_file() else shutil.which("dbt") or "dbt"


def _sources() -> list[Path]:
    return [
        p for p in DBT_DIR.rglob("*") if p.suffix in (".sql", ".yml", ".yaml") and "target" not in p.parts
    ]


def manifest_is_stale() -> bool:
    """Whether the manifest is missing or older than a model, macro, test or project file."""
    if not MANIFEST.is_file():
        return True
    built = MANIFEST.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _sources())


def ensure_manifest() -> Path:
    """The manifest path, running ``dbt parse`` first when it is missing or stale (a few seconds).

    Raises:
        RuntimeError: ``dbt parse`` failed (its output is in the message).
    """
    if manifest_is_stale():
        done = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(DBT_DIR),
                "--profiles-dir",
                str(DBT_DIR),
                "--quiet",
            ],
            cwd=DBT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not MANIFEST.is_file():
            raise RuntimeError(f"dbt parse failed in {DBT_DIR}:\n{done.stdout}\n{done.stderr}")
    return MANIFEST


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource of the metrics project."""
    return DbtCliResource(
        project_dir=str(DBT_DIR), profiles_dir=str(DBT_DIR), dbt_executable=dbt_executable()
    )
