"""`make bench`, scale section: live builds against a replicating loopback SEC, N = 1, 5, 20, 100 (issue 15).

``python -m tests.bench.scale [--n 1,5,20,100] [--quick] [--kill-n 5] [--quarter 2024Q3]``

For each N a fresh lake is built in live mode (``python -m orchestration.build --quarters <quarter>`` in a
subprocess: its peak RSS comes from ``os.wait4``) against :class:`tests.support.scale_sec.ScaleSec` serving the
mirror's 29 real 10-K/10-Q XBRL filings N times over as new filers (see that module for how), with 50-150 ms
per response, through the real ``SecHttpClient`` at ``SEC_MAX_RPS=10`` (the file rate limiter, shared by every
process of the run). Printed per N: wall time, peak RSS, filings and facts in the lake, requests and bytes per
filing (all requests and document requests, i.e. ``/Archives/edgar/data/``), raw-store bytes and objects and
their ratio to the document bytes fetched. Then: a daily increment (one new day of 29 filings) on the N=20 and
N=100 lakes; a run killed with SIGKILL once half its submissions were served, and its re-run (documents fetched
again that the killed run had already received); a projection for the S&P 500 x 10 years. Each figure is
compared with the issue's target and marked PASS or MISS: printed, not asserted. ``--quick``: N = 1, 5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from edgar.mirror import render_index_headers
from edgar.parse.filing_index import select_documents
from edgar.parse.sgml import parse_sgml_submission
from lake.settings import PROJECT_ROOT, Settings
from tests.support.scale_sec import ScaleSec, Served

UA = "AIHF Bench aihf-bench@example.com"
GB = 1e9


@dataclass
class Run:
    """One build subprocess: wall seconds, peak RSS bytes, exit status and the responses served meanwhile."""

    wall: float
    rss: int
    status: int
    served: list[Served]
    log: Path


def _env(sec: ScaleSec, root: Path, quarter: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": UA,
        "SEC_WWW_URL": sec.base_url,
        "SEC_DATA_URL": sec.base_url,
        "SEC_MAX_RPS": "10",
        "SEC_RATE_LIMITER": "file",
        "SEC_RATE_LIMIT_FILE": str(root / "sec-rate-limit.json"),
        "LAKE_URI": str(root / "lakehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "EDGAR_CIKS": "",
    }


def _build(sec: ScaleSec, root: Path, quarter: str, name: str, kill_after_txt: int | None = None) -> Run:
    """Run one live build; with ``kill_after_txt``, SIGKILL it once that many submissions were served."""
    log = root / f"{name}.log"
    seen = len(sec.served)
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.build", "--quarters", quarter, "--force"],
            env=_env(sec, root, quarter),
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        reaped = None
        if kill_after_txt is not None:
            # a filing's first request: its .txt (EDGAR_FETCH=full) or its -index-headers.html page (documents)
            while sum(_first_of_filing(s) for s in sec.served[seen:]) < kill_after_txt:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    reaped = (status, usage)
                    break
                time.sleep(0.05)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        status, usage = reaped or os.wait4(proc.pid, 0)[1:]
        proc.returncode = status
    wall = time.monotonic() - started
    return Run(wall, usage.ru_maxrss * 1024, status, sec.served[seen:], log)


def _first_of_filing(served: Served) -> bool:
    """Whether ``served`` is a filing's first request: its full ``.txt`` or its ``-index-headers.html`` page."""
    return served.status == 200 and served.path.endswith((".txt", "-index-headers.html"))


def _docs(served: list[Served]) -> list[Served]:
    return [s for s in served if s.path.startswith("/Archives/edgar/data/")]


def _lake_figures(root: Path) -> dict[str, int]:
    from lake.delta import row_count
    from lake.storage import Lake
    from lake.tables import FACTS, FILINGS

    store = Lake.from_settings(
        Settings.from_env(
            env={**os.environ, "LAKE_URI": str(root / "lakehouse")}, dotenv=Path("/nonexistent")
        )
    )
    sizes = store.object_sizes("filings")
    return {
        "filings": row_count(store, FILINGS) or 0,
        "facts": row_count(store, FACTS) or 0,
        "raw_bytes": sum(sizes.values()),
        "raw_files": len(sizes),
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print_build(n: int, run: Run, lake: dict[str, int]) -> dict[str, float]:
    docs = _docs(run.served)
    filings = max(lake["filings"], 1)
    doc_bytes = sum(s.body_bytes for s in docs)
    doc_wire = sum(s.wire_bytes for s in docs)
    figures = {
        "req_per_filing": len(run.served) / filings,
        "doc_req_per_filing": len(docs) / filings,
        "doc_bytes_per_filing": doc_bytes / filings,
        "doc_wire_per_filing": doc_wire / filings,
        "raw_ratio": lake["raw_bytes"] / max(doc_bytes, 1),
    }
    print(
        f"N={n:<4} {'ok' if run.status == 0 else 'FAILED':<6} wall {run.wall:7.1f} s  peak RSS {run.rss / GB:5.2f} GB"
        f"  filings {lake['filings']:>5}  facts {lake['facts']:>9,}"
    )
    print(
        f"       requests {len(run.served):>6} ({figures['req_per_filing']:.2f}/filing; documents "
        f"{figures['doc_req_per_filing']:.2f}/filing, {figures['doc_bytes_per_filing'] / 1e6:.2f} MB/filing, "
        f"{figures['doc_wire_per_filing'] / 1e6:.2f} MB gzip on the wire)"
    )
    print(
        f"       raw store {lake['raw_bytes'] / 1e6:,.1f} MB in {lake['raw_files']:,} objects = "
        f"{figures['raw_ratio']:.2f}x the document bytes fetched  [{_mark(figures['raw_ratio'] <= 1.1)} <= 1.1x]"
        f"  [{_mark(run.rss <= 1.5 * GB)} RSS <= 1.5 GB]"
    )
    return figures


def _fetched_per_filing(path: Path, mode: str) -> tuple[float, float]:
    """Requests and bytes one live filing like the full submission ``path`` costs when fetched in ``mode``.

    ``full``: one request, the submission. ``documents``: its ``-index-headers.html`` page plus the documents
    :func:`edgar.parse.filing_index.select_documents` picks, measured on the mirror's real submission.
    """
    data = path.read_bytes()
    if mode == "full":
        return 1.0, float(len(data))
    sub = parse_sgml_submission(data, path.name)
    page = render_index_headers(data, sub, "/")
    names = set(select_documents(sub.form or "", sub.documents))
    bodies = [
        d.decoded if d.uuencoded and d.decoded is not None else d.body
        for d in sub.documents
        if d.filename in names
    ]
    return 1.0 + len(names), float(len(page) + sum(len(b) for b in bodies))


def _projection(per_filing: dict[str, float], mirror: Path) -> None:
    """S&P 500 x 10 years at 10 req/s and 100 Mbit/s, from the measured requests and bytes per filing.

    Three fetch policies: every form in the run's ``EDGAR_FETCH`` mode; 10-K/10-Q in it and the small forms whole
    (``EDGAR_FETCH_FULL_FORMS=3,4,5,8-K``); and 10-K/10-Q + 8-K only (Forms 3/4/5 from bulk data instead).
    """
    eightk_path = mirror / "8k" / "0001213900-25-032135.txt"
    form4_path = mirror / "ownership" / "0001127602-25-001055.txt"
    mode = os.environ.get("EDGAR_FETCH", "documents")
    years, ciks = 10, 500
    periodic = (4, per_filing["doc_req_per_filing"], per_filing["doc_bytes_per_filing"])
    policies = {
        f"EDGAR_FETCH={mode}, every form": {
            "10-K/10-Q": periodic,
            "8-K": (10, *_fetched_per_filing(eightk_path, mode)),
            "Forms 3/4/5": (25, *_fetched_per_filing(form4_path, mode)),
        },
        "EDGAR_FETCH_FULL_FORMS=3,4,5,8-K": {
            "10-K/10-Q": periodic,
            "8-K": (10, *_fetched_per_filing(eightk_path, "full")),
            "Forms 3/4/5": (25, *_fetched_per_filing(form4_path, "full")),
        },
        "10-K/10-Q + 8-K only (3/4/5 from bulk data)": {
            "10-K/10-Q": periodic,
            "8-K": (10, *_fetched_per_filing(eightk_path, "full")),
        },
    }
    discovery = years * 252  # one daily index per business day (submissions feeds: ~500 + overflow pages)
    print("\nProjection, S&P 500 x 10 years, at 10 req/s and 100 Mbit/s:")
    print(
        f"  {ciks} CIKs x {years} years; per CIK-year 4 10-K/10-Q, 10 8-K, 25 Forms 3/4/5; 10-K/10-Q as measured "
        f"({periodic[1]:.2f} requests, {periodic[2] / 1e6:.2f} MB: the mirror's XBRL sets, no exhibits or "
        f"graphics: a lower bound); 8-K and Form 4: the mirror's real ones; + {discovery:,} daily indexes and "
        f"{ciks} companyfacts"
    )
    for name, kinds in policies.items():
        filings = sum(ciks * years * count for count, _, _ in kinds.values())
        requests = sum(ciks * years * count * req for count, req, _ in kinds.values()) + discovery + ciks
        nbytes = sum(ciks * years * count * size for count, _, size in kinds.values())
        t_req, t_bytes = requests / 10, nbytes * 8 / 100e6
        hours = max(t_req, t_bytes) / 3600
        per = ", ".join(f"{k} {req:.0f} req {size / 1e3:,.0f} KB" for k, (_, req, size) in kinds.items())
        print(
            f"  {name}: {per}\n    -> {filings:,} filings, {requests:,.0f} requests ({t_req / 3600:.2f} h), "
            f"{nbytes / 1e9:.1f} GB ({t_bytes / 3600:.2f} h): {hours:.2f} h with downloads overlapping  "
            f"[{_mark(hours <= 3)} <= 3 h]"
        )


def main(argv: list[str] | None = None) -> None:
    """Run the scale benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale", description=__doc__)
    parser.add_argument("--n", default="1,5,20,100", help="replica counts, comma-separated")
    parser.add_argument("--quick", action="store_true", help="N = 1, 5 only")
    parser.add_argument("--kill-n", type=int, default=5, help="N of the kill -9 / resume run (0: skip)")
    parser.add_argument("--quarter", default="2024Q3")
    args = parser.parse_args(argv)
    ns = [1, 5] if args.quick else [int(x) for x in args.n.split(",") if x.strip()]
    mirror = Settings.from_env().edgar_mirror
    work = Path(tempfile.mkdtemp(prefix="aihf-scale-"))
    print(
        f"Scale bench: live builds of {args.quarter} against the replicating loopback SEC (work dir {work})"
    )
    per_filing: dict[str, float] | None = None
    try:
        for n in ns:
            sec = ScaleSec(mirror, n, quarter=args.quarter).start()
            try:
                root = work / f"n{n}"
                root.mkdir()
                run = _build(sec, root, args.quarter, "build")
                per_filing = _print_build(n, run, _lake_figures(root))
                if n in (20, 100):
                    before = _lake_figures(root)["filings"]
                    sec.increments = 1
                    inc = _build(sec, root, args.quarter, "increment")
                    added = _lake_figures(root)["filings"] - before
                    ok = inc.wall <= 60 and inc.rss <= 1 * GB
                    print(
                        f"       daily increment (+{added} filings): {inc.wall:.1f} s, peak RSS {inc.rss / GB:.2f} GB, "
                        f"{len(inc.served)} requests  [{_mark(ok)} <= 60 s and <= 1 GB]"
                    )
            finally:
                sec.stop()
            shutil.rmtree(root / "lakehouse" / "filings", ignore_errors=True)  # keep the disk use bounded
        if args.kill_n:
            sec = ScaleSec(mirror, args.kill_n, quarter=args.quarter).start()
            try:
                root = work / f"kill{args.kill_n}"
                root.mkdir()
                total = len(sec.replicas())
                killed = _build(sec, root, args.quarter, "killed", kill_after_txt=total // 2)
                got = {s.path for s in _docs(killed.served) if s.status == 200}
                rerun = _build(sec, root, args.quarter, "rerun")
                again = [s.path for s in _docs(rerun.served) if s.path in got]
                lake = _lake_figures(root)
                print(
                    f"\nResume (N={args.kill_n}, {total} filings): killed (status {killed.status}) after "
                    f"{len(got)} documents; re-run {'ok' if rerun.status == 0 else 'FAILED'} in {rerun.wall:.1f} s, "
                    f"{len(_docs(rerun.served))} document requests, {len(again)} of them re-fetched; lake: "
                    f"{lake['filings']} filings  [{_mark(not again and lake['filings'] == total)} 0 re-fetched]"
                )
                print(
                    "       (documents a killed run stored are read back from the lake, committed or not "
                    "(EDGAR_COMMIT_FILINGS="
                    f"{Settings.from_env().edgar_commit_filings}, EDGAR_COMMIT_MB={Settings.from_env().edgar_commit_mb:g}); "
                    "re-fetched are those received but not yet stored: at most SEC_MAX_IN_FLIGHT)"
                )
            finally:
                sec.stop()
        if per_filing is not None:
            _projection(per_filing, mirror)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
