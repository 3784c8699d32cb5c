"""The API's 13F endpoints serve the lake's quarters after amendments (holdings_quarter) and their changes.

The SEC's samples (BIG FUND TRUST, 2021-12-31) are an original 13F-HR, a 13F-NT and a 13F-HR/A RESTATEMENT: the
quarter is the restatement's table (169 rows, 168 positions). The mirror has no filer with two consecutive
quarters, so ``holdings_changes`` is empty in the built lake; the change test relabels Acorn Creek's real filing as
LTS One's next quarter in a copy of the lake (filer, period and filing date set here; the rows are as filed) and
rebuilds both tables with the asset's own functions, as tests/edgar/test_thirteenf_quarters.py does.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
from litestar.testing import TestClient

from assets.ownership.quarters import change_rows, holdings_by_filing, quarter_filings, quarter_rows
from edgar.thirteenf.quarters import holdings_changes, standing_quarters
from lake.delta import overwrite_table, read_table
from lake.storage import Lake
from lake.tables import HOLDINGS_CHANGES, HOLDINGS_QUARTER, THIRTEENF_FILINGS
from serving.app import create_app
from tests.serving.conftest import lake_settings

Client = TestClient  # type: ignore[type-arg]
SAMPLES = 123456789
LTS, ACORN = "0001894188-23-000007", "0001951757-25-000093"


def _walk(client: Client, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            return rows


def _sample_ids(lake: Lake) -> dict[str, str]:
    return {
        r["form"]: r["filing_id"]
        for r in read_table(lake, THIRTEENF_FILINGS).to_pylist()
        if r["filer_cik"] == SAMPLES
    }


def test_v1_holdings_are_the_quarter_after_amendments(client: Client, built_lake: Lake) -> None:
    """AT&T in the samples: 80,699 shares from the restatement's 2 rows; the original and the notice only
    appear in ``applied``; values stay null (undated samples: unit unknown), no previous quarter: no change."""
    ids = _sample_ids(built_lake)
    rows = _walk(client, f"/v1/holdings/13f?cik={SAMPLES}&sort_by=shares&limit=50")
    assert len(rows) == len({r["cusip"] for r in rows}) == 168
    att = next(r for r in rows if r["cusip"] == "02079K107")
    assert (att["issuer_name"], att["shares"], att["rows"], att["value_usd"]) == ("AT&T INC", 80699, 2, None)
    assert att["filing_ids"] == [ids["13F-HR/A"]]
    assert att["applied"] == [ids["13F-HR"], ids["13F-NT"], ids["13F-HR/A"]]
    assert (att["filer_name"], att["period_of_report"]) == ("BIG FUND TRUST inc", "2021-12-31")
    assert all(r[k] is None for r in rows for k in ("change", "previous_period", "share_delta", "change_pct"))
    assert [r["shares"] for r in rows] == sorted((r["shares"] for r in rows), reverse=True)
    # the superseded original answers with the quarter that replaced it
    original = _walk(client, f"/v1/holdings/13f/{ids['13F-HR']}?limit=200")
    assert {r["cusip"]: r["shares"] for r in original} == {r["cusip"]: r["shares"] for r in rows}
    # the issuer view: AAPL's two holders, each with its own quarter
    aapl = client.get("/v1/holdings/13f?ticker=AAPL").json()["data"]
    assert [(h["filer_cik"], h["shares"], h["value_usd"], h["as_of"]) for h in aapl] == [
        (1994827, 18577, 4652092, "2025-01-22T00:00:00Z"),
        (SAMPLES, 35606, None, None),
    ]


def test_fd_institutional_holdings_report_the_restatement(built_lake: Lake) -> None:
    """FD shape kept; the samples' quarter is the 13F-HR/A's rows (not the original's as well)."""
    app = create_app(lake_settings(built_lake), built_lake, page_size=200)
    ids = _sample_ids(built_lake)
    with TestClient(app, base_url="http://testserver.local") as client:
        body = client.get("/institutional-holdings", params={"filer_cik": SAMPLES, "limit": 200}).json()
        held = body["institutional_holdings"]
        assert (body["filer_cik"], body["ticker"], len(held)) == (SAMPLES, None, 168)
        assert sum(len(h["subsidiaries"]) for h in held) == 169  # the restatement's rows only
        att = next(h for h in held if h["cusip"] == "02079K107")
        assert (att["name_of_issuer"], att["shares"], att["value_usd"], att["reported_price"]) == (
            "AT&T INC",
            80699,
            None,
            None,
        )
        assert (att["form_type"], att["report_period"], att["filer_name"]) == (
            "13F-HR/A",
            "2021-12-31",
            "BIG FUND TRUST inc",
        )
        assert [x["shares"] for x in att["subsidiaries"]] == [79296, 1403]
        assert ids["13F-HR/A"] != ids["13F-HR"]
        older = client.get("/institutional-ownership", params={"ticker": "AAPL"}).json()
        assert older["institutional-ownership"] == [
            {"ticker": "AAPL", "investor": "ACORN CREEK CAPITAL LLC", "report_period": "2024-12-31",
             "price": 4652092 / 18577, "shares": 18577, "market_value": 4652092},
            {"ticker": "AAPL", "investor": "BIG FUND TRUST inc", "report_period": "2021-12-31",
             "price": None, "shares": 35606, "market_value": None},
        ]  # fmt: skip


def _relabelled_lake(built_lake: Lake, tmp_path: Path) -> Lake:
    """A copy of the lake where Acorn Creek's filing is LTS One's 2023-12-31 report; 13F quarters rebuilt."""
    copy = Lake(str(tmp_path / "lake"))
    shutil.copytree(built_lake.uri, copy.uri)
    filings = read_table(copy, THIRTEENF_FILINGS).to_pylist()
    for r in filings:
        if r["filing_id"] == ACORN:
            r.update(filer_cik=1894188, period_of_report=dt.date(2023, 12, 31),
                     filing_date=dt.date(2024, 2, 14), acceptance_utc=None)  # fmt: skip
    inputs = quarter_filings(filings)
    tables = holdings_by_filing(read_table(copy, "institutional_holdings").to_pylist())
    quarters = [row for q in standing_quarters(inputs, tables) for row in quarter_rows(q)]
    changes = [
        row for c in holdings_changes(inputs, tables) for row in change_rows(c.current, c.previous, c.changes)
    ]
    overwrite_table(copy, HOLDINGS_QUARTER, pa.Table.from_pylist(quarters, schema=HOLDINGS_QUARTER.schema))
    overwrite_table(copy, HOLDINGS_CHANGES, pa.Table.from_pylist(changes, schema=HOLDINGS_CHANGES.schema))
    return copy


def test_v1_holdings_join_their_changes(built_lake: Lake, tmp_path: Path) -> None:
    """MSFT reduced 65,000 -> 6,752 shares, IFF sold out (0 shares, still listed), 74 new positions."""
    copy = _relabelled_lake(built_lake, tmp_path)
    with TestClient(create_app(lake_settings(copy), copy), base_url="http://testserver.local") as client:
        rows = _walk(
            client, "/v1/holdings/13f?cik=1894188&from=2023-12-01&sort_by=share_delta&order=asc&limit=30"
        )
        kinds = [r["change"] for r in rows]
        assert (len(rows), kinds.count("new"), kinds.count("reduced"), kinds.count("sold_out")) == (
            88,
            74,
            3,
            11,
        )
        assert {r["previous_period"] for r in rows} == {"2023-09-30"}
        deltas = [r["share_delta"] for r in rows]
        assert deltas == sorted(deltas)
        msft = next(r for r in rows if r["cusip"] == "594918104")
        assert (msft["shares_before"], msft["shares"], msft["share_delta"]) == (65000, 6752, -58248)
        assert (msft["value_before"], msft["value_usd"], msft["value_delta"]) == (
            20524000,
            2845940,
            -17678060,
        )
        assert msft["change_pct"] == -58248 / 65000 and msft["filing_ids"] == [ACORN]
        iff = next(r for r in rows if r["cusip"] == "459506101")
        assert (iff["change"], iff["shares"], iff["value_usd"], iff["shares_before"], iff["ticker"]) == (
            "sold_out",
            0,
            0,
            2265000,
            "IFF",
        )
        # the earlier quarter has no previous report: positions without a change
        first = _walk(client, "/v1/holdings/13f?cik=1894188&to=2023-09-30&limit=100")
        assert len(first) == 14 and {r["change"] for r in first} == {None}
        # the issuer view sees LTS One's exit from IFF in 2023Q4 next to its 2023Q3 position
        iff_rows = client.get("/v1/holdings/13f?ticker=IFF&sort_by=period_of_report").json()["data"]
        assert [(r["period_of_report"], r["shares"], r["change"]) for r in iff_rows] == [
            ("2023-12-31", 0, "sold_out"),
            ("2023-09-30", 2265000, None),
        ]
