"""``/filings/items`` for 10-K and 10-Q reports as FinancialDatasets clients call it (dexter), over the built lake."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from lake.items import ANNUAL_ITEMS, QUARTERLY_ITEMS

Client = TestClient
Q = "\u2019"


def _get(client: Client, params: list[tuple[str, str]]) -> tuple[int, Any]:
    response = client.get("/filings/items/", params=tuple(params))
    return response.status_code, response.json()


def test_10k_items_by_accession_as_dexter_asks(client: Client) -> None:
    status, body = _get(
        client,
        [("ticker", "AAPL"), ("filing_type", "10-K"), ("accession_number", "0000320193-24-000123"),
         ("item", "Item-1A"), ("item", "Item-7")],
    )  # fmt: skip
    assert status == 200
    assert {k: v for k, v in body.items() if k != "items"} == {
        "ticker": "AAPL",
        "cik": 320193,
        "filing_type": "10-K",
        "accession_number": "0000320193-24-000123",
        "year": 2024,
        "quarter": None,
    }
    assert [(i["number"], i["name"]) for i in body["items"]] == [
        ("Item-1A", "Risk Factors"),
        ("Item-7", "Management's Discussion and Analysis of Financial Condition and Results of Operations"),
    ]
    risk, mdna = (i["text"] for i in body["items"])
    assert risk.startswith(
        f"The Company{Q}s business, reputation, results of operations, financial condition and stock price can be"
        " affected by a number of factors"
    )
    assert 68_000 <= len(risk) <= 69_000
    assert mdna.startswith(
        "The following discussion should be read in conjunction with the consolidated financial"
    )


def test_10q_items_by_fiscal_year_and_quarter(client: Client) -> None:
    status, body = _get(
        client,
        [("ticker", "AAPL"), ("filing_type", "10-Q"), ("year", "2025"), ("quarter", "2"),
         ("item", "Part-1,Item-2"), ("item", "Part-2,Item-1A")],
    )  # fmt: skip
    assert status == 200
    # Apple's Q2 FY2025 10-Q (period 2025-03-29)
    assert (body["accession_number"], body["year"], body["quarter"]) == ("0000320193-25-000057", 2025, 2)
    assert [i["number"] for i in body["items"]] == ["Part-1,Item-2", "Part-2,Item-1A"]
    assert body["items"][0]["text"].startswith(
        "This Item and other sections of this Quarterly Report on Form 10-Q"
    )
    assert body["items"][1]["text"].startswith(f"The Company{Q}s business, reputation")
    # no item filter: every item in document order; no quarter: the latest 10-Q of the fiscal year (Q3, 2025-06-28)
    status, body = _get(client, [("ticker", "AAPL"), ("filing_type", "10-Q"), ("year", "2025")])
    assert (status, body["accession_number"], body["quarter"]) == (200, "0000320193-25-000073", 3)
    assert [i["number"] for i in body["items"]] == [i.name for i in QUARTERLY_ITEMS]
    assert body["items"][9] == {"number": "Part-2,Item-5", "name": "Other Information",
                                "text": "Insider Trading Arrangements None."}  # fmt: skip
    # the form decides when filing_type is absent
    status, body = _get(client, [("accession_number", "0001628280-25-035806"), ("item", "Part-2,Item-3")])
    assert (status, body["ticker"], body["filing_type"]) == (200, "TSLA", "10-Q")
    assert body["items"] == [
        {"number": "Part-2,Item-3", "name": "Defaults Upon Senior Securities", "text": "None."}
    ]


def test_latest_10k_of_a_company(client: Client) -> None:
    status, body = _get(client, [("ticker", "NVDA"), ("filing_type", "10-K"), ("item", "item 1a")])
    assert status == 200
    assert (body["accession_number"], body["year"]) == ("0001045810-25-000023", 2025)
    assert body["items"][0]["text"].startswith(
        "The following risk factors should be considered in addition to"
    )
    # NVIDIA's FY2023 10-K, whose headings are printed in capitals
    status, body = _get(client, [("ticker", "NVDA"), ("filing_type", "10-K"), ("year", "2023")])
    assert (status, body["accession_number"]) == (200, "0001045810-23-000017")
    assert [i["number"] for i in body["items"]] == [i.name for i in ANNUAL_ITEMS if i.number != "1C"]


def test_item_and_filing_errors(client: Client) -> None:
    cases = [
        ([("ticker", "AAPL"), ("filing_type", "10-K"), ("item", "Item-99")], 400,
         "Unknown 10-K item 'Item-99'. Known items: Item-1, Item-1A, "),
        ([("ticker", "AAPL"), ("filing_type", "10-Q"), ("item", "Item-7")], 400, "Unknown 10-Q item 'Item-7'."),
        ([("ticker", "AAPL"), ("filing_type", "20-F")], 400, "Items are available for 10-K, 10-K/A, 10-Q"),
        ([("ticker", "AAPL"), ("filing_type", "10-Q"), ("quarter", "5")], 400, "quarter must be 1 to 4."),
        ([("ticker", "AAPL"), ("filing_type", "10-K"), ("accession_number", "0000000000-00-000000")], 404,
         "Filing 0000000000-00-000000 not found"),
        ([("ticker", "AAPL"), ("filing_type", "10-K"), ("accession_number", "0000320193-25-000057")], 404,
         "Filing 0000320193-25-000057 is a 10-Q, not a 10-K"),
        # Apple's FY2023 10-K is in the lake as XBRL only: no HTML to read items from, and the API says so
        ([("ticker", "AAPL"), ("filing_type", "10-K"), ("accession_number", "0000320193-23-000106")], 404,
         "No items found in 10-K 0000320193-23-000106 (no-document: no HTML document (among the 6 stored: "),
        ([("ticker", "AAPL"), ("filing_type", "10-K"), ("year", "2023")], 404,
         "No 10-K items found for AAPL for fiscal year 2023"),
        ([("ticker", "ZZZZZ"), ("filing_type", "10-K")], 404, "Ticker ZZZZZ not found"),
    ]  # fmt: skip
    for params, status, message in cases:
        got, body = _get(client, params)
        assert (got, set(body)) == (status, {"error", "message"}), params
        assert body["message"].startswith(message), body


def test_item_types_are_the_canonical_lists(client: Client) -> None:
    body = client.get("/filings/items/types/").json()
    assert [t["name"] for t in body["10-K"]][:5] == ["Item-1", "Item-1A", "Item-1B", "Item-1C", "Item-2"]
    assert len(body["10-K"]) == 23 and len(body["10-Q"]) == 11
    assert body["10-Q"][5] == {
        "name": "Part-2,Item-1A",
        "title": "Risk Factors",
        "description": "Risk Factors",
    }
