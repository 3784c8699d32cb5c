"""Resume with ``EDGAR_FETCH=documents``: a live run killed with SIGKILL, then re-run, fetches no document of a
committed filing again and ends with the lake of an uninterrupted build.

The loopback SEC serves a generated mirror of 24 copies of a real 8-K full submission (ABVC BioPharma,
15 documents) under new accession numbers; documents mode requests 6 paths per filing (index-headers page,
the 8-K, its EX-99.1, the cover page's instance and two linkbases).
"""

from __future__ import annotations

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

import pyarrow as pa
import pytest

from edgar import urls
from lake.delta import read_table, write_partition
from lake.settings import PROJECT_ROOT, Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER, FILINGS, RAW_DOCUMENTS
from tests.support.live_documents import materialize_documents
from tests.support.sec_server import SecServer

CIK = 1173313
TEMPLATE = "0001213900-25-032135"
N = 24
BATCH = 4
QUARTER = "2025Q2"
ACCESSIONS = [f"0001213900-25-{800001 + i:06d}" for i in range(N)]
PER_FILING = 6


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
            "file_name": urls.full_submission_path(CIK, a).removeprefix("/Archives/"),
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
    """The loopback SEC over ``N`` copies of the 8-K."""
    with tempfile.TemporaryDirectory(prefix="resume-docs-mirror-") as tmp:
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


def _accession(path: str) -> str:
    nodash = path.rsplit("/", 2)[1]
    return f"{nodash[:10]}-{nodash[10:12]}-{nodash[12:]}"


def _headers(requests: list[Any]) -> list[str]:
    return [r.path for r in requests if r.path.endswith("-index-headers.html")]


def _sorted(table: pa.Table, keys: list[str]) -> list[dict[str, Any]]:
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def test_a_killed_documents_mode_run_resumes_without_refetching(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": "AIHF Tests aihf-tests@example.com",
        "SEC_WWW_URL": sec.base_url,
        "SEC_DATA_URL": sec.base_url,
        "SEC_RATE_LIMITER": "process",
        "SEC_MAX_IN_FLIGHT": "2",
        "SEC_MAX_RETRIES": "0",
        "EDGAR_CIKS": str(CIK),
        "EDGAR_FORMS": "8-K",
        "EDGAR_COMMIT_FILINGS": str(BATCH),
        "EDGAR_FETCH": "documents",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    reference = str(tmp_path / "reference")
    _seed_index(reference)
    seen = len(sec.requests)
    assert materialize_documents(reference, QUARTER).success
    assert len(sec.requests) - seen == N * PER_FILING

    resumed = str(tmp_path / "resumed")
    _seed_index(resumed)
    seen = len(sec.requests)
    sec.latency_s = 0.05
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.live_documents", resumed, QUARTER],
        env={**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while len(_headers(sec.requests[seen:])) < N // 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run did not reach half the filings in 90 s"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    sec.latency_s = 0.02
    first = sec.requests[seen:]

    lake = _lake(resumed)
    committed = {r["filing_id"] for r in read_table(lake, RAW_DOCUMENTS).to_pylist()}
    assert 0 < len(committed) < N
    assert len(committed) % BATCH == 0

    written = {
        urls.document_path(CIK, key.split("/")[2], key.rsplit("/", 1)[1])
        for key in lake.object_sizes("filings")
    }
    written_uncommitted = {p for p in written if _accession(p) not in committed}
    seen = len(sec.requests)
    assert materialize_documents(resumed, QUARTER).success
    second = sec.requests[seen:]
    refetched = [r.path for r in second if _accession(r.path) in committed]
    assert refetched == []  # no document (nor index page) of a committed filing is fetched again
    # nor a document of an uncommitted filing whose object the killed run had written
    assert [r.path for r in second if r.path in written] == []
    assert {_accession(r.path) for r in second} <= set(ACCESSIONS) - committed
    assert len(second) == PER_FILING * (N - len(committed)) - len(written_uncommitted)
    print(
        f"documents mode: killed after {len(first)} requests, {len(committed)}/{N} filings committed; "
        f"re-run made {len(second)} requests, {len(refetched)} for committed filings, "
        f"{len(written_uncommitted)} documents of uncommitted filings read from the lake"
    )

    for spec, keys in ((RAW_DOCUMENTS, ["filing_id", "name"]), (FILINGS, ["filing_id"])):
        want = _sorted(read_table(_lake(reference), spec), keys)
        got = _sorted(read_table(lake, spec), keys)
        assert len(got) == len(want) == (N * PER_FILING if spec is RAW_DOCUMENTS else N)
        assert got == want, spec.name
    assert _lake(resumed).object_sizes("filings") == _lake(reference).object_sizes("filings")


def test_documents_stored_before_a_crash_without_rows_are_not_fetched_again(
    sec: SecServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "EDGAR_SOURCE": "live",
        "SEC_USER_AGENT": "AIHF Tests aihf-tests@example.com",
        "SEC_WWW_URL": sec.base_url,
        "SEC_DATA_URL": sec.base_url,
        "SEC_RATE_LIMITER": "process",
        "SEC_MAX_RETRIES": "0",
        "EDGAR_CIKS": str(CIK),
        "EDGAR_FORMS": "8-K",
        "EDGAR_FETCH": "documents",
    }.items():
        monkeypatch.setenv(name, value)
    reference = str(tmp_path / "reference")
    _seed_index(reference)
    assert materialize_documents(reference, QUARTER).success
    # a run killed before its first commit leaves objects without rows: a finished build's folder without tables
    crashed = str(tmp_path / "crashed")
    shutil.copytree(Path(reference) / "filings", Path(crashed) / "filings")
    _seed_index(crashed)

    seen = len(sec.requests)
    assert materialize_documents(crashed, QUARTER).success
    assert [r.path for r in sec.requests[seen:]] == []
    for spec, keys in ((RAW_DOCUMENTS, ["filing_id", "name"]), (FILINGS, ["filing_id"])):
        want = _sorted(read_table(_lake(reference), spec), keys)
        assert _sorted(read_table(_lake(crashed), spec), keys) == want and len(want) > 0, spec.name
