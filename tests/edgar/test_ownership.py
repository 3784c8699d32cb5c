import re
from datetime import date
from pathlib import Path

import msgspec
import pytest

from edgar.errors import ParseError
from edgar.ownership import (
    InsiderTrade,
    OwnershipDocument,
    code_label,
    code_meaning,
    insider_trades,
    parse_ownership,
    parse_ownership_fragment,
)


def _doc(mirror: Path, name: str) -> OwnershipDocument:
    path = mirror / "ownership" / name
    return parse_ownership(path.read_bytes(), path.name)


def test_snowflake_form4_transactions(mirror: Path) -> None:
    doc = _doc(mirror, "form4-snowflake.xml")
    assert (doc.document_type, doc.is_amendment, doc.schema_version) == ("4", False, "X0306")
    assert doc.period_of_report == date(2022, 12, 13)
    assert (doc.issuer.cik, doc.issuer.name, doc.issuer.trading_symbol) == (1640147, "Snowflake Inc.", "SNOW")
    assert (doc.accession, doc.filing_date) == (None, None)
    (owner,) = doc.reporting_owners
    assert (owner.cik, owner.name) == (1402349, "Scarpelli Michael")
    assert (owner.is_director, owner.is_officer, owner.is_ten_percent_owner, owner.is_other) == (
        False,
        True,
        False,
        False,
    )
    assert owner.officer_title == "Chief Financial Officer"
    assert owner.other_text is None
    assert owner.address is not None
    assert (owner.address.city, owner.address.state, owner.address.zip) == ("BOZEMAN", "MT", "59715")
    tx = [r for r in doc.non_derivative if r.kind == "transaction"]
    assert [
        (
            r.transaction_date,
            r.transaction_code,
            r.shares,
            r.price_per_share,
            r.acquired_disposed,
            r.shares_owned_following,
        )
        for r in tx
    ] == [
        (date(2022, 12, 13), "M", 200000, 8.88, "A", 301097),
        (date(2022, 12, 13), "S", 73170, 150.841, "D", 227927),
        (date(2022, 12, 13), "S", 74907, 151.814, "D", 153020),
        (date(2022, 12, 13), "S", 41986, 152.655, "D", 111034),
        (date(2022, 12, 13), "S", 5496, 153.872, "D", 105538),
        (date(2022, 12, 13), "S", 4441, 154.76, "D", 101097),
    ]
    assert all(r.direct_or_indirect == "D" and r.equity_swap_involved is False for r in tx)
    assert tx[1].transaction_code_meaning == code_meaning("S")
    # footnotes resolved per value
    assert [(f.field, f.id) for f in tx[1].footnotes] == [
        ("price_per_share", "F3"),
        ("transaction_code", "F2"),
    ]
    assert tx[1].footnotes[1].text == (
        "The sales reported in this Form 4 were effected for financial and tax planning purposes."
    )
    assert tx[0].footnotes[0].text == (
        "Includes shares to be issued in connection with the vesting of one or more restricted stock units."
    )
    holdings = [r for r in doc.non_derivative if r.kind == "holding"]
    assert [r.shares_owned_following for r in holdings] == [
        577218,
        178947,
        9686,
        2755,
        9686,
        2755,
        9686,
        2755,
    ]
    assert holdings[0].direct_or_indirect == "I"
    assert holdings[0].nature_of_ownership == "Trust"
    assert holdings[0].transaction_date is None and holdings[0].shares is None
    assert holdings[0].footnotes[0].text is not None
    assert holdings[0].footnotes[0].text.startswith("The shares are held by the Michael P. Scarpelli 2019")
    (opt,) = doc.derivative
    assert (opt.kind, opt.security_title, opt.conversion_or_exercise_price) == (
        "transaction",
        "Stock Option (Right to Buy)",
        8.88,
    )
    assert (opt.transaction_code, opt.shares, opt.price_per_share, opt.acquired_disposed) == (
        "M",
        200000,
        0,
        "A",
    )
    assert (opt.exercise_date, opt.expiration_date) == (None, date(2029, 8, 26))
    assert (opt.underlying_security_title, opt.underlying_security_shares) == ("Class A Common Stock", 200000)
    assert opt.shares_owned_following == 2219299
    assert [(f.field, f.id) for f in opt.footnotes] == [("exercise_date", "F16")]
    assert len(doc.footnotes) == 16
    assert doc.remarks is None
    assert [(s.name, s.date) for s in doc.signatures] == [
        ("/s/ Travis Shrout, Attorney-in-Fact", date(2022, 12, 14))
    ]


def test_snowflake_form4_insider_trades(mirror: Path) -> None:
    doc = _doc(mirror, "form4-snowflake.xml")
    rows = insider_trades(doc, filing_date=date(2022, 12, 15))
    assert len(rows) == 15
    tx = [r for r in rows if r.transaction_type != "Holding"]
    assert [r.transaction_type for r in tx] == ["Option exercise", *["Sale"] * 5, "Option exercise"]
    first, sale = tx[0], tx[1]
    assert (first.ticker, first.issuer, first.name, first.title, first.is_board_director) == (
        "SNOW",
        "Snowflake Inc.",
        "Scarpelli Michael",
        "Chief Financial Officer",
        False,
    )
    assert (
        first.transaction_shares,
        first.shares_owned_before_transaction,
        first.shares_owned_after_transaction,
    ) == (
        200000,
        101097,
        301097,
    )
    assert first.transaction_value == 1776000
    assert (sale.transaction_date, sale.transaction_shares, sale.transaction_price_per_share) == (
        "2022-12-13",
        -73170,
        150.841,
    )
    assert sale.transaction_value == pytest.approx(-73170 * 150.841)
    assert (sale.shares_owned_before_transaction, sale.shares_owned_after_transaction) == (301097, 227927)
    for r in tx:
        assert r.transaction_shares is not None and r.shares_owned_after_transaction is not None
        assert r.shares_owned_before_transaction == r.shares_owned_after_transaction - r.transaction_shares
        assert r.filing_date == "2022-12-15"
    # the sales chain: each sale's "before" is the previous row's "after"
    assert [r.shares_owned_before_transaction for r in tx[2:6]] == [227927, 153020, 111034, 105538]
    holding = rows[6]
    assert (holding.transaction_type, holding.shares_owned_after_transaction) == ("Holding", 577218)
    assert (
        holding.transaction_date,
        holding.transaction_shares,
        holding.transaction_price_per_share,
        holding.transaction_value,
        holding.shares_owned_before_transaction,
    ) == (None, None, None, None, None)
    assert len({r.row_id for r in rows}) == 15
    assert rows[0].row_id == insider_trades(doc, filing_date="2022-12-15")[0].row_id
    assert len(insider_trades(doc, filing_date="2022-12-15", include_holdings=False)) == 7
    # every FD key is emitted, in FD's order, then v2's transaction_type and our row_id
    keys = list(msgspec.json.decode(msgspec.json.encode(rows[0])))
    assert keys == [
        "ticker", "issuer", "name", "title", "is_board_director", "transaction_date", "transaction_shares",
        "transaction_price_per_share", "transaction_value", "shares_owned_before_transaction",
        "shares_owned_after_transaction", "security_title", "filing_date", "transaction_type", "row_id",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="no filing date"):
        insider_trades(doc)


def test_aar_full_submission_txt(mirror: Path) -> None:
    doc = _doc(mirror, "0001127602-25-001055.txt")
    assert (doc.accession, doc.filing_date, doc.document_type) == (
        "0001127602-25-001055",
        date(2025, 1, 10),
        "4",
    )
    assert (doc.issuer.cik, doc.issuer.name, doc.issuer.trading_symbol) == (1750, "AAR CORP", "AIR")
    assert doc.aff10b5_one is False
    (owner,) = doc.reporting_owners
    assert (owner.cik, owner.name, owner.officer_title) == (
        1806647,
        "Garascia Jessica A.",
        "Senior VP, GC, CAO & Secretary",
    )
    # only isOfficer is written: the other flags are unknown, not invented
    assert (owner.is_officer, owner.is_director, owner.is_ten_percent_owner) == (True, None, None)
    (row,) = doc.non_derivative
    assert (
        row.transaction_code,
        row.shares,
        row.price_per_share,
        row.acquired_disposed,
        row.shares_owned_following,
    ) == (
        "S",
        1500,
        66.903,
        "D",
        37565,
    )
    assert row.footnotes[0].text is not None
    assert row.footnotes[0].text.startswith("The price reported in Column 4 is a weighted average price.")
    assert doc.derivative == []
    (trade,) = insider_trades(doc)
    assert (
        trade.ticker,
        trade.filing_date,
        trade.transaction_shares,
        trade.shares_owned_before_transaction,
    ) == (
        "AIR",
        "2025-01-10",
        -1500,
        39065,
    )
    assert trade.is_board_director is False
    assert trade.title == "Senior VP, GC, CAO & Secretary"


def test_arrow_full_submission_nc(mirror: Path) -> None:
    doc = _doc(mirror, "0001127602-25-004598.nc")
    assert (doc.accession, doc.filing_date, doc.period_of_report) == (
        "0001127602-25-004598",
        date(2025, 2, 13),
        date(2025, 2, 12),
    )
    assert (doc.issuer.cik, doc.issuer.trading_symbol) == (7536, "ARW")
    assert [
        (r.transaction_code, r.shares, r.price_per_share, r.acquired_disposed, r.shares_owned_following)
        for r in doc.non_derivative
    ] == [
        ("A", 2193, 106.82, "A", 21878),
        ("F", 1009, 106.82, "D", 20869),
    ]
    assert doc.non_derivative[1].footnotes[0].field == "security_title"
    assert doc.non_derivative[1].footnotes[0].text == (
        "Represents shares withheld to satisfy tax withholding obligations upon the vesting of the above-described PSUs."
    )
    trades = insider_trades(doc)
    assert [
        (t.transaction_type, t.transaction_shares, t.shares_owned_before_transaction) for t in trades
    ] == [
        ("Grant or award", 2193, 19685),
        ("Tax withholding or exercise payment", -1009, 21878),
    ]
    assert trades[0].title == "SVP, CLO & Secretary"


def test_form3_no_securities(mirror: Path) -> None:
    doc = _doc(mirror, "form3-nosecurities.xml")
    assert (doc.document_type, doc.no_securities_owned) == ("3", True)
    assert (doc.issuer.name, doc.issuer.trading_symbol) == ("SUNPOWER CORP", "SPWR")
    (owner,) = doc.reporting_owners
    assert (owner.name, owner.is_director, owner.officer_title) == ("Hegde Vinayak", True, None)
    assert (doc.non_derivative, doc.derivative, doc.footnotes) == ([], [], [])
    assert doc.remarks == "Exhibit 24.1 - Power of Attorney"
    assert doc.signatures[0].date == date(2022, 1, 7)
    assert insider_trades(doc, filing_date="2022-01-07") == []


def test_form3_derivative_holdings_and_two_owners(mirror: Path) -> None:
    doc = _doc(mirror, "form3-snowflake.xml")
    assert doc.no_securities_owned is False
    assert len(doc.derivative) == 6
    assert all(r.kind == "holding" and r.table == "derivative" for r in doc.derivative)
    joint = _doc(mirror, "form3-snowflake-nonderiv.xml")
    assert [(o.name, o.is_ten_percent_owner) for o in joint.reporting_owners] == [
        ("BERKSHIRE HATHAWAY INC", True),
        ("BUFFETT WARREN E", True),
    ]
    each = insider_trades(joint, filing_date="2020-09-18")
    assert [(t.name, t.title, t.transaction_type) for t in each] == [
        ("BERKSHIRE HATHAWAY INC", "10% Owner", "Holding"),
        ("BUFFETT WARREN E", "10% Owner", "Holding"),
    ]
    assert each[0].row_id != each[1].row_id
    assert len(insider_trades(joint, filing_date="2020-09-18", owners="first")) == 1


def test_derivative_holding_fragment(mirror: Path) -> None:
    path = mirror / "ownership" / "derivative-holding-fragment.xml"
    with pytest.raises(ParseError, match="not <ownershipDocument>"):
        parse_ownership(path.read_bytes(), path.name)
    (row,) = parse_ownership_fragment(path.read_bytes(), path.name)
    assert (row.table, row.kind, row.security_title) == ("derivative", "holding", "Series E Preferred Stock")
    assert (row.conversion_or_exercise_price, row.exercise_date, row.expiration_date) == (None, None, None)
    assert (row.underlying_security_title, row.underlying_security_shares) == ("Class B Common Stock", 134018)
    assert (row.direct_or_indirect, row.nature_of_ownership) == ("I", "Limited Partnership")
    assert [(f.field, f.id, f.text) for f in row.footnotes] == [
        ("conversion_or_exercise_price", "F1", None),
        ("exercise_date", "F1", None),
        ("expiration_date", "F1", None),
        ("underlying_security_title", "F2", None),
        ("underlying_security_title", "F3", None),
        ("nature_of_ownership", "F4", None),
    ]


def test_form5_rows(mirror: Path) -> None:
    doc = _doc(mirror, "form5-snowflake.xml")
    assert (doc.document_type, doc.period_of_report) == ("5", date(2022, 1, 31))
    (owner,) = doc.reporting_owners
    assert (owner.name, owner.is_director, owner.officer_title, owner.other_text) == (
        "McMahon John Dennis",
        True,
        None,
        None,
    )
    gift, *holdings = doc.non_derivative
    assert (gift.transaction_form_type, gift.transaction_code, gift.shares, gift.price_per_share) == (
        "5",
        "G",
        61386,
        0,
    )
    notes = {f.field: f.text for f in gift.footnotes}
    assert (
        notes["transaction_code"]
        == "Represents shares that the Reporting Person transferred for no consideration."
    )
    assert [h.shares_owned_following for h in holdings] == [151188, 125737]
    assert doc.derivative == []
    trades = insider_trades(doc, filing_date="2022-03-11")
    assert [
        (t.transaction_type, t.transaction_shares, t.transaction_value, t.shares_owned_before_transaction)
        for t in trades
    ] == [
        ("Gift", -61386, 0, 116052),
        ("Holding", None, None, None),
        ("Holding", None, None, None),
    ]
    assert (trades[0].title, trades[0].is_board_director) == ("Director", True)


def test_374water_derivative_transaction(mirror: Path) -> None:
    doc = _doc(mirror, "form4-374water.xml")
    (opt,) = doc.derivative
    assert (opt.security_title, opt.conversion_or_exercise_price, opt.expiration_date) == (
        "Stock options (right to buy)",
        0.33,
        date(2035, 4, 29),
    )
    assert (opt.shares, opt.underlying_security_title, opt.underlying_security_shares) == (
        757576,
        "Common Stock",
        757576,
    )


def test_truncated_form4_names_the_file(mirror: Path) -> None:
    data = (mirror / "ownership" / "form4-snowflake.xml").read_bytes()
    with pytest.raises(ParseError, match="truncated") as err:
        parse_ownership(data[: len(data) // 2], "form4-snowflake-half.xml")
    assert err.value.source == "form4-snowflake-half.xml"
    assert "form4-snowflake-half.xml" in str(err.value)


def test_form4_without_derivative_table(mirror: Path) -> None:
    data = (mirror / "ownership" / "form4-snowflake.xml").read_bytes()
    cut = re.sub(rb"<derivativeTable>.*?</derivativeTable>", b"", data, flags=re.S)
    assert cut != data
    doc = parse_ownership(cut, "form4-no-derivative.xml")
    assert doc.derivative == []
    assert len(doc.non_derivative) == 14
    assert len(insider_trades(doc, filing_date="2022-12-15")) == 14


def test_code_table() -> None:
    assert code_label("P") == "Open market purchase"
    assert code_label("s") == "Sale"
    assert code_meaning("G") == "Bona fide gift"
    assert code_meaning("Q") is None and code_label(None) is None


def test_insider_trade_is_frozen_struct() -> None:
    assert InsiderTrade.__struct_config__.frozen
    with pytest.raises(TypeError):
        InsiderTrade("SNOW")  # type: ignore[misc]
