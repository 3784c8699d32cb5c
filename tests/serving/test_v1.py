"""Our /v1 API: envelope, cursor walks (stable under a concurrent write), versions and as_of, errors, raw."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
from litestar.testing import TestClient

from lake.delta import overwrite_table, read_table
from lake.registry import table
from lake.storage import Lake
from serving.app import create_app
from tests.serving.conftest import lake_settings

Client = TestClient  # type: ignore[type-arg]


def _walk(client: Client, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        assert body["meta"]["count"] == len(body["data"]) and body["request_id"]
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        assert body["meta"]["has_more"] == (cursor is not None)
        if not cursor:
            return rows


def test_filings_walk_every_row_once(client: Client, built_lake: Lake) -> None:
    """Pages of 3 over AAPL's filings (repeated form filter) give every matching lake row once, newest first."""
    rows = _walk(client, "/v1/filings?cik=320193&form=10-K&form=10-Q&limit=3")
    lake_rows = [
        r
        for r in read_table(built_lake, "filings").to_pylist()
        if r["cik"] == 320193 and r["form"] in ("10-K", "10-Q")
    ]
    assert sorted(r["filing_id"] for r in rows) == sorted(r["filing_id"] for r in lake_rows)
    dated = [r["filing_date"] for r in rows if r["filing_date"]]
    assert dated == sorted(dated, reverse=True) and len(rows) > 3
    assert rows[0]["accession"] == "0000320193-25-000073" or rows[0]["filing_date"] >= "2025-01-01"


def test_cursor_stable_under_a_concurrent_write(built_lake: Lake, tmp_path: Path) -> None:
    """Signals rewritten between two pages (a new newest row, a new oldest row): every original row once."""
    copy = Lake(str(tmp_path / "lake"))
    shutil.copytree(built_lake.uri, copy.uri)
    app = create_app(lake_settings(copy), copy, refresh_s=0)
    spec = table("signals")
    original = read_table(copy, spec)
    with TestClient(app) as client:
        first = client.get("/v1/signals?limit=4").json()
        seen = [r["signal_id"] for r in first["data"]]
        extra = [
            {
                **original.to_pylist()[0],
                "signal_id": f"inserted-{i}",
                "as_of": dt.datetime(year, 1, 1, tzinfo=dt.UTC),
            }
            for i, year in enumerate((2099, 1999))
        ]
        overwrite_table(
            copy, spec, pa.concat_tables([original, pa.Table.from_pylist(extra, schema=spec.schema)])
        )
        cursor = first["meta"]["next_cursor"]
        while cursor:
            body = client.get(f"/v1/signals?limit=4&cursor={cursor}").json()
            seen += [r["signal_id"] for r in body["data"]]
            cursor = body["meta"]["next_cursor"]
    originals = original.column("signal_id").to_pylist()
    assert sorted(s for s in seen if not s.startswith("inserted")) == sorted(originals)
    assert (
        len(seen) == len(set(seen)) == len(originals) + 1
    )  # the old insert lands on a later page; the new one before the cursor


def test_statement_versions_and_as_of(client: Client, built_lake: Lake) -> None:
    """A restated value: version=first gives the old value, latest the new, as_of between them the old."""
    restated = [
        r
        for r in read_table(built_lake, "restatements").to_pylist()
        if r["cik"] == 320193 and r["statement"] == "income"
    ]
    assert restated
    r = restated[0]
    params = f"cik=320193&stmt=income&period={r['period']}&limit=1000"

    def pick(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return next(
            x
            for x in rows
            if x["report_period"] == r["report_period"].isoformat()
            and x["fiscal_period"] == r["fiscal_period"]
        )

    first = pick(client.get(f"/v1/statements?{params}&version=first").json()["data"])
    latest = pick(client.get(f"/v1/statements?{params}").json()["data"])
    between = (r["old_accepted_at"] + (r["new_accepted_at"] - r["old_accepted_at"]) / 2).isoformat()
    as_of = pick(client.get(f"/v1/statements?{params}&as_of={between.replace('+00:00', 'Z')}").json()["data"])
    assert first["values"][r["field"]] == r["old_value"]
    assert latest["values"][r["field"]] == r["new_value"]
    assert as_of["values"][r["field"]] == r["old_value"] and as_of["version"] == "as_of"


def test_statements_fiscal_filters(client: Client) -> None:
    """fy/fq select one fiscal period; revenue equals AAPL's FY2024 annual report."""
    body = client.get("/v1/statements?ticker=AAPL&stmt=income&period=annual&fy=2024").json()
    assert [(d["fiscal_period"], d["values"]["revenue"]) for d in body["data"]] == [
        ("FY2024", 391035000000.0)
    ]


def test_error_codes(client: Client) -> None:
    """Bad parameters give 400 INVALID_PARAMETER, unknown things 404 NOT_FOUND, with the request id."""
    for url, status, code in [
        ("/v1/filings?limit=0", 400, "INVALID_PARAMETER"),
        ("/v1/filings?sort_by=nonsense", 400, "INVALID_PARAMETER"),
        ("/v1/filings?from=2024-99-01", 400, "INVALID_PARAMETER"),
        ("/v1/filings?cursor=garbage", 400, "INVALID_PARAMETER"),
        ("/v1/statements?cik=320193&stmt=equity", 400, "INVALID_PARAMETER"),
        ("/v1/companies/999999999", 404, "NOT_FOUND"),
        ("/v1/filings/0000000000-00-000000", 404, "NOT_FOUND"),
        ("/v1/companies/abc", 404, "NOT_FOUND"),
    ]:
        response = client.get(url)
        body = response.json()
        assert response.status_code == status, url
        assert body["error"]["code"] == code, url
        assert body["request_id"] == response.headers["x-request-id"], url


def test_raw_document_is_the_stored_object(client: Client, built_lake: Lake) -> None:
    """/raw streams the lake's stored bytes of the primary document."""
    docs = [
        r
        for r in read_table(built_lake, "raw_documents").to_pylist()
        if r["filing_id"] == "0000320193-24-000123"
    ]
    assert [d["name"] for d in docs] == ["apple-10k-2024-09-28.htm"]  # the mirror's file name
    primary = docs[0]
    response = client.get("/v1/filings/0000320193-24-000123/raw")
    assert response.status_code == 200
    assert response.content == built_lake.get_object(primary["object_key"])
    assert response.headers["content-type"].startswith("text/html")
