"""The offline build into an S3 lake (moto's server over real sockets) equals the local build, and is idempotent."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lake.delta import read_table, table_exists, table_version
from lake.duck import connect
from lake.registry import all_tables, table
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import FILINGS, RAW_DOCUMENTS
from tests.support.build import build_lake
from tests.support.moto import MotoS3, moto_s3, s3_settings

__all__ = ["moto_s3"]

pytestmark = pytest.mark.s3

#: rows of every table the EDGAR assets write, offline build of every quarter
EDGAR_COUNTS = {
    "companies": 7920,
    "sec_submissions": 4939,
    "edgar_index": 8940,
    "edgar_index_files": 4,
    "edgar_inventory": 126,
    "raw_documents": 148,
    "filings": 50,
}
TESLA_10Q = "0001628280-24-032662"
TESLA_INSTANCE = "tsla-20240630_htm.xml"
TESLA_INSTANCE_SHA256 = "1412972a541d3845689123ed876e510c3af9722365b6052781b296c3fc0b35c0"


def _counts(lake: Lake) -> dict[str, int]:
    con = connect(lake)
    try:
        counts = {}
        for spec in all_tables():
            row = con.execute(f'select count(*) from "{spec.name}"').fetchone()
            counts[spec.name] = row[0] if row else -1
        return counts
    finally:
        con.close()


def _sorted_rows(lake: Lake, name: str, key: str) -> list[dict[str, Any]]:
    return sorted(read_table(lake, name).to_pylist(), key=lambda r: r[key])


@pytest.fixture(scope="module")
def s3_lake(moto_s3: MotoS3) -> tuple[Lake, str]:
    """The offline mirror built (every quarter, one run) into a fresh prefix of the moto bucket."""
    prefix = f"build-{uuid.uuid4().hex[:12]}"
    settings = s3_settings(moto_s3, prefix)
    assert settings.lake_uri == f"s3://{moto_s3.bucket}/{prefix}"
    result = build_lake(settings.lake_uri, s3_endpoint=moto_s3.endpoint_url)
    assert result.success
    return Lake.from_settings(settings), prefix


def test_s3_build_has_the_local_build_counts(s3_lake: tuple[Lake, str], built_lake: Lake) -> None:
    lake, prefix = s3_lake
    assert lake.is_s3
    assert lake.uri == f"s3://aihf-test-lake/{prefix}"
    assert all(table_exists(lake, table(name)) for name in EDGAR_COUNTS)
    s3_counts, local_counts = _counts(lake), _counts(built_lake)
    assert s3_counts == local_counts
    assert {n: s3_counts[n] for n in EDGAR_COUNTS} == EDGAR_COUNTS
    # every Delta table on S3 was written once, in that one run
    assert {n: table_version(lake, table(n)) for n in EDGAR_COUNTS} == dict.fromkeys(EDGAR_COUNTS, 1)


def test_s3_filings_equal_local_filings(s3_lake: tuple[Lake, str], built_lake: Lake) -> None:
    lake, _ = s3_lake
    s3_filings = _sorted_rows(lake, "filings", "filing_id")
    local_filings = _sorted_rows(built_lake, "filings", "filing_id")
    assert s3_filings == local_filings
    by_id = {r["filing_id"]: r for r in s3_filings}
    tesla = by_id[TESLA_10Q]
    assert (tesla["cik"], tesla["form"], tesla["filing_quarter"], tesla["status"]) == (
        1318605,
        "10-Q",
        "2024Q3",
        "ok",
    )
    assert tesla["acceptance_utc"] == datetime(2024, 7, 23, 23, 41, 9, tzinfo=UTC)
    assert tesla["document_count"] == 6


def test_raw_document_read_back_from_s3_has_its_recorded_sha256(
    s3_lake: tuple[Lake, str], moto_s3: MotoS3
) -> None:
    lake, prefix = s3_lake
    docs = {(r["filing_id"], r["name"]): r for r in read_table(lake, RAW_DOCUMENTS).to_pylist()}
    doc = docs[(TESLA_10Q, TESLA_INSTANCE)]
    key = f"filings/1318605/{TESLA_10Q}/{TESLA_INSTANCE_SHA256}/{TESLA_INSTANCE}"
    assert (doc["object_key"], doc["sha256"], doc["size"]) == (key, TESLA_INSTANCE_SHA256, 1323901)

    data = lake.get_object(doc["object_key"])
    assert hashlib.sha256(data).hexdigest() == doc["sha256"]
    assert len(data) == doc["size"]
    # the bytes as received: the mirror's file, unchanged
    mirror_file = Settings.from_env().edgar_mirror / "xbrl" / "tsla-10q-2024-06-30" / TESLA_INSTANCE
    assert data == mirror_file.read_bytes()
    # and the object really is in the bucket, under the lake's prefix
    head = moto_s3.client().head_object(Bucket=moto_s3.bucket, Key=f"{prefix}/{key}")
    assert head["ContentLength"] == 1323901


def test_second_s3_build_changes_no_table_version(moto_s3: MotoS3, s3_lake: tuple[Lake, str]) -> None:
    lake, _ = s3_lake
    before = {spec.name: table_version(lake, spec) for spec in all_tables()}
    filings_before = _sorted_rows(lake, FILINGS.name, "filing_id")
    result = build_lake(lake.uri, s3_endpoint=moto_s3.endpoint_url)
    assert result.success
    after = {spec.name: table_version(lake, spec) for spec in all_tables()}
    assert after == before
    assert _sorted_rows(lake, FILINGS.name, "filing_id") == filings_before
