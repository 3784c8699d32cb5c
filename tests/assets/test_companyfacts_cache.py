"""The splits asset downloads a filer's companyfacts once, then again only after the refresh period."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from assets.market.splits import cached_companyfacts_splits, splits
from assets.resources import EdgarResource, LakeResource
from edgar import urls
from edgar.errors import EdgarError
from lake.delta import overwrite_table, read_table, write_partition
from lake.registry import TableSpec
from lake.settings import Settings
from lake.storage import Lake
from lake.tables import COMPANIES, COMPANYFACTS_FETCHES, FACTS
from tests.support.sec_server import SecServer


def _payload(cik: int, ratio: float) -> bytes:
    fact = {"accn": f"000{cik}-20-000001", "form": "10-K", "val": ratio, "end": "2020-08-31"}
    concept = {"units": {"pure": [fact]}}
    return json.dumps(
        {"cik": cik, "facts": {"us-gaap": {"StockholdersEquityNoteStockSplitConversionRatio1": concept}}}
    ).encode()


class CountingSource:
    """An EDGAR source serving companyfacts of two CIKs (others are missing), counting requests."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.payloads = {
            urls.companyfacts_path(1): _payload(1, 4.0),
            urls.companyfacts_path(2): _payload(2, 7.0),
        }

    def get(self, path: str) -> bytes:
        self.paths.append(path)
        if path not in self.payloads:
            raise EdgarError(f"not found: {path}")
        return self.payloads[path]


def test_second_run_downloads_no_companyfacts(tmp_path: Path) -> None:
    store = Lake.from_settings(
        Settings.from_env(env={"LAKE_URI": str(tmp_path / "lakehouse")}, dotenv=tmp_path / ".env")
    )
    source = CountingSource()
    first, downloaded = cached_companyfacts_splits(store, lambda: source, [1, 2, 3], refresh_days=30)  # type: ignore[arg-type, return-value]
    assert downloaded == 3 and len(source.paths) == 3
    assert sorted((r["cik"], r["value_num"], r["period_end"]) for r in first) == [
        (1, 4.0, date(2020, 8, 31)),
        (2, 7.0, date(2020, 8, 31)),
    ]
    stored = read_table(store, COMPANYFACTS_FETCHES).sort_by("cik")
    assert stored["found"].to_pylist() == [True, True, False]

    opened: list[int] = []
    again, downloaded = cached_companyfacts_splits(
        store,
        lambda: opened.append(1) or source,
        [1, 2, 3],
        refresh_days=30,  # type: ignore[arg-type, return-value]
    )
    assert downloaded == 0 and len(source.paths) == 3 and not opened  # nothing fetched, source never opened
    key = lambda r: (r["cik"], r["accession"])  # noqa: E731
    assert sorted(again, key=key) == sorted(first, key=key)

    # a new filer is fetched at once; everything again once the refresh period has passed
    _, downloaded = cached_companyfacts_splits(store, lambda: source, [1, 2, 3, 4], refresh_days=30)  # type: ignore[arg-type, return-value]
    assert downloaded == 1 and source.paths[-1] == urls.companyfacts_path(4)
    _, downloaded = cached_companyfacts_splits(store, lambda: source, [1, 2], refresh_days=0)  # type: ignore[arg-type, return-value]
    assert downloaded == 2


def _rows(spec: TableSpec, **values: list[object]) -> pa.Table:
    """One row per value list position: the given columns, nulls elsewhere."""
    n = len(next(iter(values.values())))
    return pa.table({f.name: values.get(f.name, [None] * n) for f in spec.schema}, schema=spec.schema)


def test_splits_asset_against_the_loopback_sec_downloads_companyfacts_once(
    sec_server: SecServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEC_DATA_URL", sec_server.base_url)
    monkeypatch.setenv("SEC_WWW_URL", sec_server.base_url)
    store = Lake.from_settings(
        Settings.from_env(env={"LAKE_URI": str(tmp_path / "lakehouse")}, dotenv=tmp_path / ".env")
    )
    apple = 320193
    overwrite_table(store, COMPANIES, _rows(COMPANIES, cik=[apple], tickers=[["AAPL"]]))
    facts = _rows(
        FACTS, filing_id=["f1"], fact_key=["k1"], concept=["dei:X"], cik=[apple], filing_quarter=["2020Q4"]
    )
    write_partition(store, FACTS, facts, partitions={"filing_quarter": ["2020Q4"]})
    edgar = EdgarResource(source="live", user_agent="AIHF tests tests@example.com")
    resources = {"lake": LakeResource(uri=str(tmp_path / "lakehouse")), "edgar": edgar}
    path = urls.companyfacts_path(apple)

    assert dg.materialize([splits], resources=resources).success
    assert len(sec_server.requests_for(path)) == 1
    rows = read_table(store, "splits").sort_by("ex_date")
    assert "companyfacts" in set(rows["source"].to_pylist()) or "confirmed by" in str(
        rows["note"].to_pylist()
    )

    assert dg.materialize([splits], resources=resources).success
    assert len(sec_server.requests_for(path)) == 1  # the second run downloads no companyfacts
    assert read_table(store, "splits").sort_by("ex_date").equals(rows)
