"""Live filing documents fetched several at a time give exactly the rows of one-at-a-time fetching."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from assets.edgar import documents
from edgar import urls
from edgar.http import RateLimiter, SecHttpClient
from edgar.source import LiveSource
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, FILING_QUARTER
from tests.support.sec_server import SecServer

UA = "AIHF Tests aihf-tests@example.com"
FILINGS = [  # (cik, accession): in the mirror, in the mirror (as .nc), not in the mirror, in the mirror (13F)
    (1173313, "0001213900-25-032135"),
    (880984, "0001493152-25-001317"),
    (1, "0000000001-25-000001"),
    (1894188, "0001894188-23-000007"),
]


def _index_rows() -> list[dict[str, Any]]:
    return [
        {
            "form": "8-K",
            "cik": cik,
            "accession": accession,
            "company": f"Filer {cik}",
            "date_filed": date(2025, 5, 1),
            FILING_QUARTER: "2025Q2",
        }
        for cik, accession in FILINGS
    ]


def _collect(tmp_path: Path, name: str, source: LiveSource) -> tuple[Any, Any, Any]:
    settings = Settings.from_env(env={"LAKE_URI": str(tmp_path / name)}, dotenv=Path("/nonexistent/.env"))
    settings = msgspec.structs.replace(settings, edgar_forms=("8-K",), edgar_ciks=(), edgar_fetch="full")
    return documents.collect(source, Lake.from_settings(settings), settings, ["2025Q2"], lambda *_: None)


def test_concurrent_fetching_stores_the_same_rows_as_sequential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_table(store: Lake, spec: Any, filters: Any = None) -> pa.Table:
        return pa.Table.from_pylist(_index_rows() if spec == EDGAR_INDEX else [])

    monkeypatch.setattr(documents, "read_table", read_table)
    server = SecServer(Settings.from_env().edgar_mirror, latency_s=0.05).start()
    try:

        def source(many: bool) -> LiveSource:
            client = SecHttpClient(user_agent=UA, limiter=RateLimiter(10), max_retries=0, max_in_flight=3)
            return LiveSource(
                client.get,
                www_url=server.base_url,
                data_url=server.base_url,
                fetch_many=client.get_many if many else None,
            )

        one_by_one = _collect(tmp_path, "sequential", source(many=False))
        seen = len(server.requests)
        at_once = _collect(tmp_path, "concurrent", source(many=True))
        concurrent_requests = server.requests[seen:]
        base_url = server.base_url
    finally:
        server.stop()

    assert at_once[:2] == one_by_one[:2]
    timed = ("progress",)  # elapsed time and rates differ between the two runs
    assert {k: v for k, v in at_once[2].items() if k not in timed} == {
        k: v for k, v in one_by_one[2].items() if k not in timed
    }
    filings, docs, stats = at_once
    assert [(f["accession"], f["status"]) for f in filings] == [
        ("0001213900-25-032135", "ok"),
        ("0001493152-25-001317", "ok"),
        ("0000000001-25-000001", "error"),
        ("0001894188-23-000007", "ok"),
    ]
    missing = urls.full_submission_path(1, "0000000001-25-000001")
    assert filings[2]["errors"] == [
        f"{missing}: GET {base_url}{missing} failed after 1 attempt: 404 Not Found"
    ]
    assert (stats["stored"], stats["errors"]) == (4, 1)
    assert len(docs) > 4
    assert sorted(r.path for r in concurrent_requests) == sorted(
        urls.full_submission_path(c, a) for c, a in FILINGS
    )
    assert len({r.client for r in concurrent_requests}) == 3  # three in flight: three connections
