"""Build the lake once (``make lake``): run every EDGAR asset over a range of filing quarters as one Dagster run.

``python -m orchestration.build`` builds every quarter from 1993Q1 to now (offline by default: the mirror under
``AIHF_SHARED_DIR``); ``--quarters 2023Q1:2024Q4`` limits the range; ``--where`` prints where the tables are and
how to open them, without building. The run is recorded in the Dagster instance (``DAGSTER_HOME``), so it is
visible in the UI (``make dagster``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import msgspec

from lake.settings import Settings


def _quarter_range(spec: str | None) -> tuple[str, str]:
    from assets.partitions import filing_quarters, quarter_to_partition_key

    keys = filing_quarters.get_partition_keys()
    if not spec:
        return keys[0], keys[-1]
    start, _, end = spec.partition(":")
    first, last = quarter_to_partition_key(start), quarter_to_partition_key(end or start)
    for key in (first, last):
        if key not in keys:
            raise SystemExit(f"--quarters: {key} is outside the filing quarters {keys[0]}..{keys[-1]}")
    return first, last


_CODE_PACKAGES = ("edgar", "lake", "assets", "orchestration")


def fingerprint(settings: Settings, quarters: str | None) -> str | None:
    """What an offline build depends on: input files, code, settings, range, table versions.

    Input files: the mirror's and the price folder's (path, size, mtime) and the splits override file (content).

    ``None`` in live mode: the SEC changes every day, so a live build always runs.
    """
    if settings.edgar_source != "offline":
        return None
    from lake.delta import table_version
    from lake.registry import all_tables
    from lake.settings import PROJECT_ROOT
    from lake.storage import Lake

    digest = hashlib.sha256(msgspec.json.encode(settings) + f"|{quarters}|".encode())
    mirror = settings.edgar_mirror
    for path in sorted(mirror.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(mirror)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    prices = Path(settings.prices_dir)
    if settings.prices_provider == "folder" and prices.is_dir():
        for path in sorted(prices.iterdir()):
            if path.is_file():
                stat = path.stat()
                digest.update(f"prices/{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    overrides = Path(settings.splits_overrides)
    if overrides.is_file():
        digest.update(overrides.read_bytes())
    for package in _CODE_PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            digest.update(path.read_bytes())
    for path in sorted((PROJECT_ROOT / "dbt").rglob("*")):  # the metrics models, macros and tests
        if path.suffix in (".sql", ".yml") and "target" not in path.parts:
            digest.update(path.read_bytes())
    store = Lake.from_settings(settings)
    for spec in all_tables():
        digest.update(f"{spec.name}={table_version(store, spec)}\n".encode())
    return digest.hexdigest()


def up_to_date(settings: Settings, quarters: str | None) -> bool:
    """True when the last successful build recorded in the lake has the current fingerprint."""
    from lake.storage import Lake

    current = fingerprint(settings, quarters)
    state = Lake.from_settings(settings).read_state("build.json")
    return current is not None and state is not None and json.loads(state).get("fingerprint") == current


def record_build(settings: Settings, quarters: str | None, seconds: float) -> None:
    """Remember the fingerprint of a successful build in the lake (``_state/build.json``)."""
    from lake.storage import Lake

    state = {
        "fingerprint": fingerprint(settings, quarters),
        "quarters": quarters or "all",
        "seconds": round(seconds, 2),
    }
    Lake.from_settings(settings).write_state("build.json", json.dumps(state).encode())


def build(settings: Settings, quarters: str | None = None) -> bool:
    """Materialize the discovery job over the quarter range in this process; return whether it succeeded."""
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.instance import prepare_home

    os.environ["DAGSTER_HOME"] = str(prepare_home(settings))
    first, last = _quarter_range(quarters)
    print(
        f"building the lake at {settings.lake_uri} from {settings.edgar_source} EDGAR, quarters {first}..{last}"
    )
    job = defs().resolve_job_def("lake_build")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            raise_on_error=False,
        )
    return result.success


def where(settings: Settings, *, with_status: bool = True) -> str:
    """Where each table is, its row count, and copy-paste snippets that open the lake."""
    from collections import Counter

    from lake.delta import read_table, row_count, table_exists, table_version
    from lake.registry import all_tables
    from lake.storage import Lake
    from lake.tables import FILINGS

    store = Lake.from_settings(settings)
    lines = [f"Lake: {settings.lake_uri}"]
    for spec in all_tables():
        rows = row_count(store, spec)
        if rows is None:
            lines.append(f"  {spec.path:<28} (not built)")
        else:
            lines.append(f"  {spec.path:<28} {rows:>8,} rows  (Delta version {table_version(store, spec)})")
    if with_status and table_exists(store, FILINGS):
        status = Counter(read_table(store, FILINGS, columns=["status"]).column("status").to_pylist())
        lines.append("  filings by status: " + ", ".join(f"{s}={n}" for s, n in sorted(status.items())))
    lines += [
        "",
        "DuckDB (every table is a view):",
        '  .venv/bin/python -c "from lake import Lake, connect; from lake.settings import Settings; '
        "con = connect(Lake.from_settings(Settings.from_env())); "
        "print(con.sql('select form, count(*) n from filings group by form order by n desc'))\"",
        "polars:",
        '  .venv/bin/python -c "from lake import Lake, scan; from lake.settings import Settings; '
        "print(scan(Lake.from_settings(Settings.from_env()), 'filings').select('filing_id','form','cik','filing_date').collect())\"",
        "Dagster UI (lineage, backfills): make dagster",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m orchestration.build", description=__doc__)
    parser.add_argument("--quarters", help="START:END filing quarters, e.g. 2023Q1:2024Q4 (default: all)")
    parser.add_argument(
        "--where", action="store_true", help="only print where the tables are and how to query them"
    )
    parser.add_argument("--force", action="store_true", help="run the Dagster job even when nothing changed")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    built = False
    if not args.where:
        started = time.monotonic()
        if not args.force and up_to_date(settings, args.quarters):
            print("lake is up to date (mirror, code, settings and tables unchanged since the last build)")
            print(f"checked in {time.monotonic() - started:.2f}s; --force runs the Dagster job anyway")
        else:
            built = True
            ok = build(settings, args.quarters)
            seconds = time.monotonic() - started
            print(f"lake build {'succeeded' if ok else 'FAILED'} in {seconds:.1f}s")
            if not ok:
                return 1
            record_build(settings, args.quarters, seconds)
    print(where(settings, with_status=built or args.where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
