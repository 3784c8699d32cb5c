"""Insider trades and 13F holdings in the built lake: values read from the filings, reconciliation recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from lake.delta import read_table
from lake.storage import Lake
from lake.tables import INSIDER_TRADES, INSTITUTIONAL_HOLDINGS, THIRTEENF_FILINGS


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
    # stand-alone Form 3/4/5 XML files carry no filing date: FinancialDatasets rows need one, so none is invented
    assert {t["filing_id"] for t in trades} == {"0001127602-25-001055", "0001127602-25-004598"}


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
