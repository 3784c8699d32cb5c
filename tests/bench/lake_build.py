"""`make bench`: how long the offline lake build takes, and how little a rebuild costs when nothing changed.

Each figure is the wall time of the real command (`python -m orchestration.build`) in a fresh process, on a fresh
lake and Dagster instance under ``.bench/``, measured in this run; ratios compare against this run's full build.
Baseline: reading and hashing every mirror file once (the I/O floor of any build). Targets (issue #3): no-op
rebuild under 5 s and at most 10 % of a full build. Printed, not asserted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lake.settings import PROJECT_ROOT, Settings

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.build", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({args}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed


def _read_floor(mirror: Path) -> float:
    started = time.perf_counter()
    for path in sorted(mirror.rglob("*")):
        if path.is_file():
            hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - started


def main() -> None:
    """Run the benchmark and print a table of figures and ratios."""
    settings = Settings.from_env()
    root = PROJECT_ROOT / ".bench"
    full, noop, forced = [], [], []
    floor = statistics.median(_read_floor(settings.edgar_mirror) for _ in range(ROUNDS))
    for i in range(ROUNDS):
        shutil.rmtree(root, ignore_errors=True)
        env = {
            **os.environ,
            "LAKE_URI": str(root / "lakehouse"),
            "DAGSTER_HOME": str(root / "dagster_home"),
            "EDGAR_SOURCE": "offline",
        }
        full.append(_run(env))
        noop.append(_run(env))
        forced.append(_run(env, "--force"))
        print(
            f"round {i + 1}/{ROUNDS}: full {full[-1]:.2f}s, no-op {noop[-1]:.2f}s, forced {forced[-1]:.2f}s",
            flush=True,
        )
    shutil.rmtree(root, ignore_errors=True)
    f, n, r = statistics.median(full), statistics.median(noop), statistics.median(forced)
    size = sum(p.stat().st_size for p in settings.edgar_mirror.rglob("*") if p.is_file()) / 1e6
    print()
    print(f"offline lake build, mirror {settings.edgar_mirror} ({size:.1f} MB), median of {ROUNDS} rounds")
    print(f"  {'figure':<58} {'seconds':>8} {'vs full build':>14}")
    print(f"  {'baseline: read + sha256 every mirror file':<58} {floor:8.2f} {floor / f:13.1%}")
    print(f"  {'full build (fresh lake and instance)':<58} {f:8.2f} {1:13.1%}")
    print(f"  {'no-op rebuild (nothing changed)':<58} {n:8.2f} {n / f:13.1%}")
    print(f"  {'forced rebuild through Dagster (--force, data unchanged)':<58} {r:8.2f} {r / f:13.1%}")
    ok = n < 5 and n <= 0.10 * f
    print(f"  target no-op < 5 s and <= 10 % of full: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
