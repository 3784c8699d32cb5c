"""Live ingestion of filings is resumable: a run killed with SIGKILL loses at most one batch, its re-run fetches
only what was not committed, and the lake ends identical to an uninterrupted build's.

The loopback SEC serves a generated mirror of 40 full submissions (copies of a real 15-document 8-K under new
accession numbers); the lake's ``edgar_index`` lists them, so ``filing_documents`` fetches all 40.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from assets.edgar import batches, documents
from edgar import urls
from edgar.http import RateLimiter, SecHttpClient
from edgar.source import LiveSource
from lake.delta import read_table, write_partition
from lake.settings import PROJECT_ROOT, Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS, RAW_DOCUMENTS
from tests.support.live_documents import materialize_documents
from tests.support.sec_server import SecServer

CIK = 1173313
TEMPLATE = "0001213900-25-032135"  # ABVC BioPharma's 8-K of 2025-04-15: 15 documents, 233 KB
FILINGS_N = 40
BATCH = 4
QUARTER = "2025Q2"
UA = "AIHF Tests aihf-tests@example.com"
ACCESSIONS = [f"0001213900-25-{900001 + i:06d}" for i in range(FILINGS_N)]
PATHS = {a: urls.full_submission_path(CIK, a) for a in ACCESSIONS}


def _lake(uri: str) -> Lake:
    return Lake.from_settings(Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env")))


def _seed_index(uri: str) -> None:
    rows = [
        {
            "accession": a,
            "cik": CIK,
            "form": "8-K",
            "company": "ABVC BIOPHARMA, INC.",
            "date_filed": date(2025, 4, 15),
            "file_name": PATHS[a].removeprefix("/Archives/"),
            "index_file": "/Archives/edgar/daily-index/2025/QTR2/form.20250415.idx",
            "line": i + 12,
            FILING_QUARTER: QUARTER,
        }
        for i, a in enumerate(ACCESSIONS)
    ]
    table = pa.Table.from_pylist(rows, schema=EDGAR_INDEX.schema)
    write_partition(_lake(uri), EDGAR_INDEX, table, partitions={FILING_QUARTER: [QUARTER]})


@pytest.fixture(scope="module")
def sec() -> Iterator[SecServer]:
    """The loopback SEC over a generated mirror of ``FILINGS_N`` full submissions, 20 ms per response."""
    with tempfile.TemporaryDirectory(prefix="resume-mirror-") as tmp:
        root = Path(tmp)
        template = next(Settings.from_env().edgar_mirror.rglob(f"{TEMPLATE}.txt")).read_bytes()
        (root / "8k").mkdir()
        for accession in ACCESSIONS:
            (root / "8k" / f"{accession}.txt").write_bytes(
                template.replace(TEMPLATE.encode(), accession.encode())
            )
        server = SecServer(root, latency_s=0.02).start()
        try:
            yield server
        finally:
            server.stop()


def _env(server: SecServer) -> dict[str, str]:
    return {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": UA,
        "SEC_WWW_URL": server.base_url,
        "SEC_DATA_URL": server.base_url,
        "SEC_RATE_LIMITER": "process",  # not the machine's shared limiter file
        "SEC_MAX_IN_FLIGHT": "2",
        "SEC_MAX_RETRIES": "0",
        "EDGAR_CIKS": str(CIK),
        "EDGAR_FORMS": "8-K",
        "EDGAR_COMMIT_FILINGS": str(BATCH),
        "EDGAR_FETCH": "full",  # full submissions (documents mode: tests/assets/test_selective_fetch.py)
    }


def _sorted(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def _objects(uri: str) -> dict[str, int]:
    return _lake(uri).object_sizes("filings")


def _submissions(requests: list[Any]) -> list[str]:
    return sorted(r.path for r in requests if r.path in PATHS.values())


def test_a_killed_live_run_resumes_without_refetching_and_ends_identical(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _env(sec)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    # the uninterrupted build
    reference = str(tmp_path / "reference")
    _seed_index(reference)
    seen = len(sec.requests)
    assert materialize_documents(reference, QUARTER).success
    assert _submissions(sec.requests[seen:]) == sorted(PATHS.values())

    # the same build in a subprocess, killed with SIGKILL once about half the submissions were served
    resumed = str(tmp_path / "resumed")
    _seed_index(resumed)
    seen = len(sec.requests)
    sec.latency_s = 0.15  # slow enough to land the kill in the middle
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.live_documents", resumed, QUARTER],
        env={**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(_submissions(sec.requests[seen:])) < FILINGS_N // 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run did not fetch half the filings in 60 s"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    sec.latency_s = 0.02
    first_run = _submissions(sec.requests[seen:])
    assert FILINGS_N // 2 <= len(first_run) < FILINGS_N

    # what the killed run left: whole batches of document rows, each pointing at a stored object of its hash
    lake = _lake(resumed)
    stored = read_table(lake, RAW_DOCUMENTS).to_pylist()
    committed = {r["filing_id"] for r in stored}
    assert 0 < len(committed) < FILINGS_N
    assert len(committed) % BATCH == 0
    # lost: at most one batch, plus the submissions in flight (2) and the one being parsed
    assert len(first_run) - len(committed) <= BATCH + 2 + 1
    assert len(stored) == 15 * len(committed)
    for row in stored:
        data = lake.get_object(row["object_key"])
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (row["sha256"], row["size"])
    marked = {r["filing_id"] for r in read_table(lake, FILINGS).to_pylist()}
    assert marked <= committed
    assert len(committed) - len(marked) in (0, BATCH)  # killed between a batch's two commits, or not

    # the re-run fetches exactly the filings the killed run had neither committed nor stored the submission of
    written = {k.split("/")[2] for k in _objects(resumed) if k.endswith(".txt")} - committed
    seen = len(sec.requests)
    result = materialize_documents(resumed, QUARTER)
    assert result.success
    second_run = _submissions(sec.requests[seen:])
    assert second_run == sorted(PATHS[a] for a in ACCESSIONS if a not in committed | written)
    assert len(second_run) == FILINGS_N - len(committed) - len(written)
    print(  # the figures of the measurement: served before the kill, committed, fetched by the re-run
        f"killed after {len(first_run)}/{FILINGS_N} served, {len(committed)} committed, {len(written)} more "
        f"stored without rows; re-run fetched {len(second_run)}"
    )
    meta = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("filing_documents")
    }["raw_documents"]
    assert meta["filings_fetched"].value == FILINGS_N - len(committed) - len(written)
    assert meta["filings_reused"].value == len(marked)
    assert meta["filings_rebuilt_from_lake"].value == len(committed) - len(marked) + len(written)
    assert meta["commit_batches"].value == -(-(FILINGS_N - len(marked)) // BATCH)

    # and the lake ends identical to the uninterrupted build's: rows, and stored objects
    for spec, keys in ((RAW_DOCUMENTS, ["filing_id", "name"]), (FILINGS, ["filing_id"])):
        want = _sorted(read_table(_lake(reference), spec), keys)
        got = _sorted(read_table(lake, spec), keys)
        assert len(got) == len(want) == (FILINGS_N * 15 if spec is RAW_DOCUMENTS else FILINGS_N)
        assert got == want, spec.name
    assert _objects(resumed) == _objects(reference)
    assert len(_objects(reference)) == FILINGS_N * 15


def _source(server: SecServer) -> LiveSource:
    client = SecHttpClient(user_agent=UA, limiter=RateLimiter(10), max_retries=0, max_in_flight=2)
    return LiveSource(
        client.get, www_url=server.base_url, data_url=server.base_url, fetch_many=client.get_many
    )


def _collect(server: SecServer, uri: str) -> tuple[Any, Any, Any]:
    settings = Settings.from_env(env={"LAKE_URI": uri}, dotenv=Path("/nonexistent/.env"))
    settings = msgspec.structs.replace(
        settings, edgar_forms=("8-K",), edgar_ciks=(), edgar_commit_filings=BATCH, edgar_fetch="full"
    )
    return documents.collect(_source(server), _lake(uri), settings, [QUARTER], lambda *_: None)


def test_a_crash_between_the_two_commits_of_a_batch_is_rebuilt_from_the_stored_submissions(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = str(tmp_path / "lake")
    _seed_index(uri)
    real = batches.replace_groups
    commits: list[str] = []

    def crash_on_second_filings_commit(store: Lake, spec: Any, data: pa.Table, **kw: Any) -> Any:
        if spec is FILINGS and commits.count(FILINGS.name) == 1:
            raise RuntimeError("killed")
        commits.append(spec.name)
        return real(store, spec, data, **kw)

    monkeypatch.setattr(batches, "replace_groups", crash_on_second_filings_commit)
    with pytest.raises(RuntimeError, match="killed"):
        _collect(sec, uri)
    monkeypatch.setattr(batches, "replace_groups", real)
    assert commits == ["raw_documents", "filings", "raw_documents"]
    lake = _lake(uri)
    assert len({r["filing_id"] for r in read_table(lake, RAW_DOCUMENTS).to_pylist()}) == 2 * BATCH
    assert read_table(lake, FILINGS).num_rows == BATCH

    first_batch = {r["filing_id"] for r in read_table(lake, FILINGS).to_pylist()}
    second_batch = {r["filing_id"] for r in read_table(lake, RAW_DOCUMENTS).to_pylist()} - first_batch
    assert len(second_batch) == BATCH

    # two filings of the first batch lost an object: the one that lost its full submission is fetched again,
    # the one that lost an exhibit is rebuilt from its stored submission
    lost_submission, lost_exhibit = sorted(first_batch)[:2]
    rows = read_table(lake, RAW_DOCUMENTS).to_pylist()
    victims = [
        next(r for r in rows if r["filing_id"] == lost_submission and r["container"] is None),
        next(r for r in rows if r["filing_id"] == lost_exhibit and r["container"] is not None),
    ]
    for victim in victims:
        Path(lake.object_uri(victim["object_key"])).unlink()

    seen = len(sec.requests)
    filings, docs, stats = _collect(sec, uri)
    again = _submissions(sec.requests[seen:])
    unstored = [a for a in ACCESSIONS if a not in first_batch | second_batch]
    assert again == sorted(PATHS[a] for a in [lost_submission, *unstored])
    assert (stats["reused"], stats["recovered"], stats["fetched"]) == (
        BATCH - 2,
        BATCH + 1,
        len(unstored) + 1,
    )
    assert stats["batches"] == -(-(FILINGS_N - BATCH + 2) // BATCH)

    _seed_index(str(tmp_path / "reference"))
    reference = _collect(sec, str(tmp_path / "reference"))
    assert sorted(filings, key=lambda f: f["filing_id"]) == sorted(reference[0], key=lambda f: f["filing_id"])
    key = lambda d: (d["filing_id"], d["name"])  # noqa: E731
    assert sorted(docs, key=key) == sorted(reference[1], key=key)
    assert all(lake.object_exists(v["object_key"]) for v in victims)


def test_submissions_stored_before_a_crash_without_rows_are_not_fetched_again(
    sec: SecServer, tmp_path: Path
) -> None:
    # a run killed before its first commit leaves objects without rows: the lake's folder of a finished build,
    # copied without its tables, is that state for every filing
    reference = str(tmp_path / "reference")
    _seed_index(reference)
    want_filings, want_docs, _ = _collect(sec, reference)
    crashed = str(tmp_path / "crashed")
    shutil.copytree(Path(reference) / "filings", Path(crashed) / "filings")
    _seed_index(crashed)
    assert read_table(_lake(crashed), RAW_DOCUMENTS).num_rows == 0

    seen = len(sec.requests)
    filings, docs, stats = _collect(sec, crashed)
    assert _submissions(sec.requests[seen:]) == []
    assert (stats["recovered"], stats["fetched"]) == (FILINGS_N, 0)
    by_id = lambda f: f["filing_id"]  # noqa: E731
    assert sorted(filings, key=by_id) == sorted(want_filings, key=by_id)
    key = lambda d: (d["filing_id"], d["name"])  # noqa: E731
    assert sorted(docs, key=key) == sorted(want_docs, key=key)


def test_a_batch_is_also_committed_after_edgar_commit_mb(sec: SecServer, tmp_path: Path) -> None:
    uri = str(tmp_path / "lake")
    _seed_index(uri)
    settings = Settings.from_env(
        env={"LAKE_URI": uri, "EDGAR_COMMIT_FILINGS": "1000", "EDGAR_COMMIT_MB": "0.5"},
        dotenv=Path("/nonexistent/.env"),
    )
    settings = msgspec.structs.replace(settings, edgar_forms=("8-K",), edgar_ciks=(), edgar_fetch="full")
    lines: list[str] = []
    _, _, stats = documents.collect(_source(sec), _lake(uri), settings, [QUARTER], lines.append)
    # each submission is ~233 KB: a batch is full after 3 of them (0.70 MB >= 0.5 MB)
    assert stats["batches"] == -(-FILINGS_N // 3)
    batch_lines = [line for line in lines if " committed: " in line]
    assert len(batch_lines) == stats["batches"]
    assert batch_lines[0].startswith(
        "filings batch 1 committed: 3/40 done, 3 committed in 1 batch(es), 3 fetched, 0.7 MB read, "
    )
    assert batch_lines[-1].startswith(
        "filings batch 14 committed: 40/40 done, 40 committed in 14 batch(es), 40 fetched, "
    )
    assert " req/s, " in batch_lines[-1]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"EDGAR_COMMIT_FILINGS": "0"},
            "EDGAR_COMMIT_FILINGS must be at least 1 and EDGAR_COMMIT_MB above 0",
        ),
        ({"EDGAR_COMMIT_MB": "0"}, "EDGAR_COMMIT_FILINGS must be at least 1 and EDGAR_COMMIT_MB above 0"),
        ({"EDGAR_COMMIT_MB": "lots"}, "bad setting value"),
    ],
)
def test_bad_commit_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env=env, dotenv=Path("/nonexistent/.env"))
    defaults = Settings.from_env(env={}, dotenv=Path("/nonexistent/.env"))
    assert (defaults.edgar_commit_filings, defaults.edgar_commit_mb) == (200, 256.0)
