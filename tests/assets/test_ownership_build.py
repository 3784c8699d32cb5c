"""Insider trades and 13F holdings in the built lake: values read from the filings, reconciliation recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lake.delta import read_table
from lake.storage import Lake
from lake.tables import (
    HOLDINGS_CHANGES,
    HOLDINGS_QUARTER,
    INSIDER_TRADES,
    INSTITUTIONAL_HOLDINGS,
    THIRTEENF_FILINGS,
)


def _rows(lake: Lake, spec: Any) -> list[dict[str, Any]]:
    return read_table(lake, spec).to_pylist()


def test_form_4_submissions_become_fd_insider_trades(built_lake: Lake) -> None:
    trades = _rows(built_lake, INSIDER_TRADES)
    aar = [t for t in trades if t["ticker"] == "AIR"]
    assert len(aar) == 1
    (sale,) = aar
    assert (sale["name"], sale["title"], sale["transaction_type"]) == (
        "Garascia Jessica A.",
        "Senior VP, GC, CAO & Secretary",
        "Sale",
    )
    assert (sale["transaction_date"], sale["filing_date"]) == (date(2025, 1, 10), date(2025, 1, 10))
    assert (sale["transaction_shares"], sale["transaction_price_per_share"]) == (-1500.0, 66.903)
    assert (sale["shares_owned_before_transaction"], sale["shares_owned_after_transaction"]) == (
        39065.0,
        37565.0,
    )
    assert sale["accession"] == "0001127602-25-001055" and sale["issuer_cik"] == 1750
    arrow = sorted(
        (t for t in trades if t["ticker"] == "ARW"), key=lambda t: t["shares_owned_after_transaction"]
    )
    assert [(t["transaction_type"], t["transaction_shares"]) for t in arrow] == [
        ("Tax withholding or exercise payment", -1009.0),
        ("Grant or award", 2193.0),
    ]
    # owned before +/- the transaction = owned after, on every transaction row
    for t in trades:
        if t["transaction_shares"] is not None and t["shares_owned_before_transaction"] is not None:
            assert (
                t["shares_owned_before_transaction"] + t["transaction_shares"]
                == t["shares_owned_after_transaction"]
            )
    # only the two full submissions are dated (SGML header); stand-alone XML rows are kept, flagged
    dated = {t["filing_id"] for t in trades if t["filing_date"] is not None}
    assert dated == {"0001127602-25-001055", "0001127602-25-004598"}
    assert {t["metadata_source"] for t in trades if t["filing_id"] in dated} == {"sgml-header"}


def test_stand_alone_ownership_xml_keeps_its_rows_without_a_filing_date(built_lake: Lake) -> None:
    """No SEC source in the mirror dates the stand-alone Forms 3/4/5 (no SGML header; no submissions feed of
    Snowflake, 374Water or SunPower; the daily indexes do not list them): their rows stay, filing date null."""
    undated = [t for t in _rows(built_lake, INSIDER_TRADES) if t["filing_date"] is None]
    assert {(t["filing_date_flag"], t["metadata_source"], t["accession"]) for t in undated} == {
        ("unknown", "document", None)
    }
    assert sorted({t["ticker"] for t in undated}) == ["SCWO", "SNOW"]
    assert len(undated) == 28  # Snowflake Form 4 (15), Forms 3 (6 + 2) and 5 (3), 374Water Form 4 (2)
    sales = sorted(
        (t for t in undated if t["ticker"] == "SNOW" and t["transaction_type"] == "Sale"),
        key=lambda t: -t["shares_owned_before_transaction"],
    )
    first = sales[
        0
    ]  # Snowflake's CFO, 2022-12-13: 73,170 shares at $150.841 after exercising 200,000 options
    assert (first["name"], first["title"], first["transaction_date"]) == (
        "Scarpelli Michael",
        "Chief Financial Officer",
        date(2022, 12, 13),
    )
    assert (first["transaction_shares"], first["transaction_price_per_share"]) == (-73170.0, 150.841)
    assert (first["shares_owned_before_transaction"], first["shares_owned_after_transaction"]) == (
        301097.0,
        227927.0,
    )
    # placed in the quarter of its period of report, the only date the document states
    assert first["filing_quarter"] == "2022Q4"


def test_13f_tables_are_stored_and_reconciled_with_their_cover_pages(built_lake: Lake) -> None:
    filings = {r["filing_id"]: r for r in _rows(built_lake, THIRTEENF_FILINGS)}
    lts = filings["0001894188-23-000007"]
    assert (lts["rows"], lts["table_entry_total"], lts["value_sum"], lts["table_value_total"]) == (
        14,
        14,
        454926000,
        454926000,
    )
    assert (lts["rows_match"], lts["value_match"], lts["status"]) == (True, True, "ok")
    acorn = filings["0001951757-25-000093"]
    assert (acorn["rows"], acorn["value_sum"], acorn["value_match"]) == (77, 194611845, True)
    # the SEC's own samples do not add up to their summary pages: recorded, not hidden
    samples = [r for r in filings.values() if r["filer_cik"] == 123456789 and r["form"] != "13F-NT"]
    assert sorted((r["form"], r["rows"], r["table_entry_total"], r["rows_match"]) for r in samples) == [
        ("13F-HR", 169, 111, False),
        ("13F-HR/A", 169, 1222, False),
    ]
    holdings = _rows(built_lake, INSTITUTIONAL_HOLDINGS)
    iff = [h for h in holdings if h["filing_id"] == "0001894188-23-000007" and h["cusip"] == "459506101"]
    assert len(iff) == 1
    assert (iff[0]["value_reported"], iff[0]["value_usd"], iff[0]["shares_or_principal"]) == (
        154405000,
        154405000,  # filed 2023-11-14: the table reports dollars
        2265000,
    )
    # no filing date, no unit: the samples' values stay as reported and value_usd is null
    assert all(h["value_usd"] is None for h in holdings if h["filing_id"].startswith("local-"))
    assert len(holdings) == 14 + 77 + 169 + 169


def test_every_held_cusip_is_in_the_cusip_map(built_lake: Lake) -> None:
    mapping = {r["cusip"]: r for r in read_table(built_lake, "cusip_map").to_pylist()}
    held = {h["cusip"] for h in _rows(built_lake, INSTITUTIONAL_HOLDINGS) if h["cusip"]}
    assert held == set(mapping)
    assert (mapping["037833100"]["ticker"], mapping["037833100"]["source"]) == ("AAPL", "override")
    assert (mapping["459506101"]["ticker"], mapping["459506101"]["cik"]) == ("IFF", 51253)
    unmapped = [m for m in mapping.values() if m["source"] == "unmapped"]
    assert unmapped and all(m["note"] and m["cik"] is None for m in unmapped)


def test_holdings_quarter_applies_the_amendments(built_lake: Lake) -> None:
    quarter = _rows(built_lake, HOLDINGS_QUARTER)
    per_filer: dict[tuple[int, date], int] = {}
    for r in quarter:
        per_filer[(r["filer_cik"], r["period_of_report"])] = (
            per_filer.get((r["filer_cik"], r["period_of_report"]), 0) + 1
        )
    # MetLife's and Abacus' cover pages come without their tables: no positions
    assert per_filer == {
        (123456789, date(2021, 12, 31)): 168,
        (1894188, date(2023, 9, 30)): 14,
        (1994827, date(2024, 12, 31)): 77,
    }
    filings = {r["filing_id"]: r for r in _rows(built_lake, THIRTEENF_FILINGS) if r["filer_cik"] == 123456789}
    by_form = {r["form"]: r["filing_id"] for r in filings.values()}
    # the SEC samples (no filing dates): original, notice, then the RESTATEMENT that replaces the table
    att = next(r for r in quarter if r["filer_cik"] == 123456789 and r["cusip"] == "02079K107")
    assert (att["issuer_name"], att["shares_or_principal"], att["rows"], att["put_call"]) == (
        "AT&T INC",
        80699,
        2,
        "",
    )
    assert att["filing_ids"] == [by_form["13F-HR/A"]]
    assert att["applied"] == [by_form["13F-HR"], by_form["13F-NT"], by_form["13F-HR/A"]]
    assert (att["order_basis"], att["value_usd"], att["as_of"]) == ("structural", None, None)
    assert att["notes"][1] == f"{by_form['13F-NT']}: 13F-NT after a holdings report; holdings kept"
    iff = next(r for r in quarter if r["filer_cik"] == 1894188 and r["cusip"] == "459506101")
    assert (iff["shares_or_principal"], iff["value_usd"], iff["filing_ids"]) == (
        2265000,
        154405000,
        ["0001894188-23-000007"],
    )
    assert iff["as_of"] == datetime(2023, 11, 14, 14, 38, 54, tzinfo=UTC)  # its SGML ACCEPTANCE-DATETIME
    alphabet = next(r for r in quarter if r["filer_cik"] == 1994827 and r["cusip"] == "02079K107")
    assert (alphabet["issuer_name"], alphabet["shares_or_principal"], alphabet["value_usd"]) == (
        "ALPHABET INC",
        6551,
        1247638,
    )
    # the .nc submission states no acceptance time: its filing date at 00:00 UTC
    assert alphabet["as_of"] == datetime(2025, 1, 22, tzinfo=UTC)
    # no filer has two consecutive quarters in the mirror (see tests/edgar/test_thirteenf_quarters.py)
    assert _rows(built_lake, HOLDINGS_CHANGES) == []
