"""Signals on real filings: deadlines from the mirror's submissions feeds, restatements and 8-K items as the lake
and the mirror hold them, insider and 13F rows as the lake holds them (then modified where the mirror has too
little data for a positive)."""

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from edgar.events import parse_8k
from edgar.signals import (
    BY_KIND,
    DEFINITIONS,
    FilingRecord,
    HoldingRow,
    InsiderTradeRow,
    IssuerQuarter,
    RestatedValue,
    abnormal_13f_flows,
    category_in_force,
    deadline,
    filer_category,
    insider_clusters,
    is_split_adjustment,
    issuer_quarters,
    late_filing,
    late_filing_signals,
    restatement_signals,
)
from edgar.signals.insiders import cluster_score
from edgar.signals.late import deadline_days, extended_deadline, federal_holidays, next_business_day

CARBO = "submissions-CIK0001009672-carbo-ceramics.json"
APPLE = "submissions-CIK0000320193-apple.json"
CARBO_OLD = "submissions-CIK0001009672-carbo-ceramics-001.json"
TESLA = "submissions-CIK0001318605-tesla-2026.json"
TESLA_OLD = "submissions-CIK0001318605-tesla-2026-001.json"


def _feed(mirror: Path, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The filer category and every recent filing of a submissions JSON in the mirror."""
    data = json.loads((mirror / "reference" / name).read_text())
    recent = data["filings"]["recent"]
    filings = [{k: recent[k][i] for k in recent} for i in range(len(recent["accessionNumber"]))]
    return data["category"], filings


def _filing(filings: list[dict[str, Any]], accession: str) -> dict[str, Any]:
    (found,) = [f for f in filings if f["accessionNumber"] == accession]
    return found


def _late(f: dict[str, Any], category: str | None, source: Any = "submissions") -> Any:
    return late_filing(
        f["form"],
        date.fromisoformat(f["reportDate"]),
        date.fromisoformat(f["filingDate"]),
        category,
        accession=f["accessionNumber"],
        accepted_at=datetime.fromisoformat(f["acceptanceDateTime"].replace("Z", "+00:00")),
        category_source=source,
    )


def test_every_kind_is_defined_once_with_a_formula_and_a_confidence_rule() -> None:
    kinds = [d.kind for d in DEFINITIONS]
    assert kinds == [
        "late_filing",
        "late_filing_notice",
        "restatement",
        "amended_report",
        "non_reliance",
        "abnormal_13f_flow",
        "insider_cluster",
    ]
    assert len(set(kinds)) == len(kinds) == len(BY_KIND)
    assert all(d.description and d.score_formula and d.confidence_rule for d in DEFINITIONS)


def test_filer_categories_as_the_sec_spells_them(mirror: Path) -> None:
    carbo, _ = _feed(mirror, CARBO)
    apple, _ = _feed(mirror, APPLE)
    assert carbo == "Non-accelerated filer<br>Smaller reporting company"
    assert filer_category(carbo) == "non_accelerated"
    assert filer_category(apple) == "large_accelerated"
    # the cover page's spelling (dei:EntityFilerCategory of Carbo's 10-K FY2017 in the lake)
    assert filer_category("Accelerated Filer") == "accelerated"
    assert filer_category("Smaller Reporting Company") == "non_accelerated"
    assert filer_category("Accelerated filer<br>Smaller reporting company") == "accelerated"
    assert filer_category(None) is None
    assert filer_category("Large Accelerated Filer") == "large_accelerated"


def test_apple_10k_fy2023_is_on_time(mirror: Path) -> None:
    category, filings = _feed(mirror, APPLE)
    f = _filing(filings, "0000320193-23-000106")
    assert (f["form"], f["reportDate"], f["filingDate"]) == ("10-K", "2023-09-30", "2023-11-03")
    assert deadline("10-K", date(2023, 9, 30), "large_accelerated") == date(2023, 11, 29)
    assert _late(f, category) is None


def test_carbo_10k_fy2017_was_on_time_under_either_category(mirror: Path) -> None:
    category, filings = _feed(mirror, CARBO)
    f = _filing(filings, "0001564590-18-004771")
    assert (f["form"], f["reportDate"], f["filingDate"]) == ("10-K", "2017-12-31", "2018-03-08")
    # today's category: non-accelerated, 90 days -> Saturday 2018-03-31 -> Monday 2018-04-02
    assert deadline("10-K", date(2017, 12, 31), "non_accelerated") == date(2018, 4, 2)
    assert _late(f, category) is None
    # the category on its own cover (point in time): accelerated, 75 days -> Friday 2018-03-16
    assert deadline("10-K", date(2017, 12, 31), "accelerated") == date(2018, 3, 16)
    assert _late(f, "Accelerated Filer", "filing") is None


def test_carbo_fy2019_nt_10k_then_a_late_10k(mirror: Path) -> None:
    category, filings = _feed(mirror, CARBO)
    notice = _late(_filing(filings, "0001564590-20-013837"), category)
    assert (notice.kind, notice.score, notice.confidence) == ("late_filing_notice", 1.0, 1.0)
    assert notice.as_of == datetime(2020, 3, 30, 7, 1, 50, tzinfo=UTC)
    f = _filing(filings, "0001564590-20-025870")
    late = late_filing(
        f["form"],
        date.fromisoformat(f["reportDate"]),
        date.fromisoformat(f["filingDate"]),
        category,
        accession=f["accessionNumber"],
        accepted_at=datetime.fromisoformat(f["acceptanceDateTime"].replace("Z", "+00:00")),
        notice_filed=date(2020, 3, 30),  # the NT 10-K above, filed on the due date
    )
    assert late is not None
    assert late.kind == "late_filing"
    assert late.details["deadline"] == "2020-03-30"  # 2019-12-31 + 90 days, a Monday
    assert late.details["extended_deadline"] == "2020-04-14"  # Rule 12b-25: 15 more days
    assert late.details["days_late"] == 31
    # late even under the most lenient deadline: the category (today's, from the feed) does not matter
    assert late.details["late_under_any_category"] is True
    assert (late.score, late.confidence) == (1.0, 0.9)
    assert late.as_of == datetime(2020, 5, 15, 17, 31, 5, tzinfo=UTC)
    # one day late: Thursday 2019-11-14 was the due date (45 days)
    short = late_filing("10-Q", date(2019, 9, 30), date(2019, 11, 15), category)
    assert short is not None
    assert (short.details["days_late"], round(short.score, 4), short.confidence) == (1, 0.0333, 0.9)
    assert short.as_of == datetime(2019, 11, 15, tzinfo=UTC)  # no acceptance time: filing date, 00:00 UTC
    # only late under today's stricter category: low confidence, and the details say so
    # (40 days = Saturday 2019-11-09 -> Monday the 11th, Veterans Day -> Tuesday 2019-11-12)
    assert late_filing("10-Q", date(2019, 9, 30), date(2019, 11, 12), "Large accelerated filer") is None
    strict = late_filing("10-Q", date(2019, 9, 30), date(2019, 11, 14), "Large accelerated filer")
    assert strict is not None
    assert (strict.details["days_late"], strict.confidence, strict.details["category_source"]) == (
        2,
        0.4,
        "submissions",
    )


def test_federal_holidays_and_rule_0_3() -> None:
    assert sorted(federal_holidays(2024)) == [
        date(2024, 1, 1),
        date(2024, 1, 15),
        date(2024, 2, 19),
        date(2024, 5, 27),
        date(2024, 6, 19),
        date(2024, 7, 4),
        date(2024, 9, 2),
        date(2024, 10, 14),
        date(2024, 11, 11),
        date(2024, 11, 28),
        date(2024, 12, 25),
    ]
    assert date(2021, 12, 31) in federal_holidays(2021)  # New Year's Day 2022 was a Saturday
    assert date(2020, 6, 19) not in federal_holidays(2020)  # Juneteenth from 2021
    # Independence Day 2021 (Sunday) observed Monday the 5th: a 10-Q due Sunday 4 July is due Tuesday 6 July
    assert next_business_day(date(2021, 7, 4)) == date(2021, 7, 6)
    # a 10-Q for the quarter ended 2024-09-30 of a non-accelerated filer: 45 days = Thursday 2024-11-14
    assert deadline("10-Q", date(2024, 9, 30), "non_accelerated") == date(2024, 11, 14)
    # an accelerated filer's 10-K for a year ended 2022-08-28: 75 days = Friday 2022-11-11, Veterans Day
    assert deadline("10-K", date(2022, 8, 28), "accelerated") == date(2022, 11, 14)
    assert deadline("10-K", date(2023, 9, 30), "accelerated") == date(2023, 12, 14)


def test_deadlines_as_phased_in() -> None:
    # before fiscal years ending 2003-12-15 every filer had 90 / 45 days
    assert deadline_days("10-K", date(2002, 12, 31), "large_accelerated") == 90
    assert deadline_days("10-Q", date(2003, 9, 30), "accelerated") == 45
    # then accelerated filers 75 / 40; large accelerated filers' 60-day 10-K from fiscal 2006
    assert deadline_days("10-K", date(2005, 12, 31), "large_accelerated") == 75
    assert deadline_days("10-Q", date(2004, 3, 31), "large_accelerated") == 40
    assert deadline_days("10-K", date(2006, 12, 31), "large_accelerated") == 60
    assert deadline_days("10-K", date(2006, 12, 31), "non_accelerated") == 90
    # Rule 12b-25: a notice filed the business day after the due date still extends it; two days after, not
    assert extended_deadline("10-K", date(2013, 3, 1), date(2013, 3, 4)) == date(2013, 3, 18)
    assert extended_deadline("10-K", date(2013, 3, 1), date(2013, 3, 5)) is None
    assert extended_deadline("10-Q", date(2024, 11, 14), date(2024, 11, 14)) == date(2024, 11, 19)


def _records(mirror: Path, *names: str) -> tuple[str, list[FilingRecord]]:
    records: dict[str, FilingRecord] = {}
    category = ""
    for name in names:
        data = json.loads((mirror / "reference" / name).read_text())
        recent = data["filings"]["recent"] if "filings" in data else data
        category = data.get("category", category)
        for i, accession in enumerate(recent["accessionNumber"]):
            report = recent["reportDate"][i]
            records[accession] = FilingRecord(
                accession=accession,
                cik=int(name.split("CIK")[1][:10]),
                form=recent["form"][i],
                filing_date=date.fromisoformat(recent["filingDate"][i]),
                period_of_report=date.fromisoformat(report) if report else None,
            )
    return category, list(records.values())


def test_tesla_late_filings_were_false_positives_of_todays_category(mirror: Path) -> None:
    """Tesla (IPO June 2010) is a large accelerated filer today; in 2010-2011 it was not."""
    category, records = _records(mirror, TESLA, TESLA_OLD)
    assert category == "Large accelerated filer"
    by_accession = {r.accession: r for r in records}
    # 10-Q for Q2 2010: filed 2010-08-13, 44 days; with today's category (40 days) it looked 4 days late
    q2 = by_accession["0001193125-10-188792"]
    assert category_in_force(q2, records, {}, category) == (
        "Non-accelerated Filer",
        "no_annual_report_yet",
        "no annual report filed before the fiscal year end 2009-12-31 (Rule 12b-2)",
    )
    # 10-Q for Q3 2011: its category was set at 2010-12-31, before Tesla's first 10-K (filed 2011-03-03)
    q3 = by_accession["0001193125-11-308489"]
    assert category_in_force(q3, records, {}, category)[1] == "no_annual_report_yet"
    # 10-K FY2012: today's category (60 days: Friday 2013-03-01), but the NT 10-K of Monday 2013-03-04
    # extended it to 2013-03-18, so the 10-K of 2013-03-07 was timely
    fy12 = by_accession["0001193125-13-096241"]
    assert category_in_force(fy12, records, {}, category)[1] == "submissions"
    signals = late_filing_signals(records, {}, {1318605: category})
    assert [(s.kind, s.accession) for s in signals] == [("late_filing_notice", "0001193125-13-088624")]


def test_category_from_the_preceding_10k_cover(mirror: Path) -> None:
    category, records = _records(mirror, CARBO, CARBO_OLD)
    covers = {"0001564590-18-004771": "Accelerated Filer"}  # dei:EntityFilerCategory of its 10-K FY2017
    q1 = next(r for r in records if r.form == "10-Q" and r.period_of_report == date(2018, 3, 31))
    assert category_in_force(q1, records, covers, category) == (
        "Accelerated Filer",
        "prior_annual_report",
        "cover of the 10-K 0001564590-18-004771 for 2017-12-31",
    )
    signals = {s.accession: s for s in late_filing_signals(records, covers, {1009672: category})}
    assert sorted(signals) == ["0000930661-96-000556", "0001564590-20-013837", "0001564590-20-025870"]
    # Carbo's first 10-Q after its April 1996 IPO: 19 days after the ordinary 45-day due date, but a first
    # report may be due 45 days after the registration became effective: confidence halved
    first = signals["0000930661-96-000556"]
    assert (first.details["days_late"], first.details["first_report"], first.confidence) == (19, True, 0.45)
    assert signals["0001564590-20-025870"].details["extended_deadline"] == "2020-04-14"


def _restated(**fields: Any) -> RestatedValue:
    return msgspec.convert(fields, RestatedValue)


# restatements rows of the built lake (values as filed)
NVDA = [
    _restated(
        cik=1045810,
        statement="income",
        field="earnings_per_share_diluted",
        period="annual",
        report_period=date(2023, 1, 29),
        old_value=1.74,
        new_value=0.17,
        old_accession="0001045810-23-000017",
        new_accession="0001045810-25-000023",
        new_accepted_at=datetime(2025, 2, 26, 21, 48, 33, tzinfo=UTC),
    ),
    _restated(
        cik=1045810,
        statement="income",
        field="earnings_per_share",
        period="annual",
        report_period=date(2023, 1, 29),
        old_value=1.76,
        new_value=0.18,
        old_accession="0001045810-23-000017",
        new_accession="0001045810-25-000023",
        new_accepted_at=datetime(2025, 2, 26, 21, 48, 33, tzinfo=UTC),
    ),
]
NVDA_CASH = _restated(
    cik=1045810,
    statement="cash_flow",
    field="issuance_or_purchase_of_equity_shares",
    period="annual",
    report_period=date(2023, 1, 29),
    old_value=-10039000000.0,
    new_value=-9684000000.0,
    old_accession="0001045810-23-000017",
    new_accession="0001045810-25-000023",
    new_accepted_at=datetime(2025, 2, 26, 21, 48, 33, tzinfo=UTC),
)
TSLA_EPS = _restated(
    cik=1318605,
    statement="income",
    field="earnings_per_share",
    period="ytd",
    report_period=date(2024, 6, 30),
    old_value=0.83,
    new_value=0.89,
    old_accession="0001628280-24-032662",
    new_accession="0001628280-25-035806",
    new_accepted_at=datetime(2025, 7, 24, 0, 23, 31, tzinfo=UTC),
)


def test_nvidia_split_adjusted_eps_is_not_a_restatement() -> None:
    assert all(is_split_adjustment(r) for r in NVDA)  # 10-for-1 split of June 2024
    assert not is_split_adjustment(NVDA_CASH)
    assert restatement_signals(NVDA, []) == []
    (signal,) = restatement_signals([*NVDA, NVDA_CASH], [])
    assert (signal.kind, signal.cik, signal.accession) == ("restatement", 1045810, "0001045810-25-000023")
    assert round(signal.score, 4) == 0.0354  # 355M / 10,039M
    assert signal.confidence == 0.6
    assert (signal.details["restated_values"], signal.details["split_adjustments"]) == (1, 2)
    assert signal.as_of == datetime(2025, 2, 26, 21, 48, 33, tzinfo=UTC)


def test_tesla_2024_comparatives_restated_in_2025() -> None:
    (signal,) = restatement_signals([TSLA_EPS], [])
    assert round(signal.score, 4) == 0.0674  # 0.06 / 0.89
    assert signal.created_from == ("0001628280-24-032662", "0001628280-25-035806")
    assert signal.details["largest"]["old_value"] == 0.83


def test_abvc_8k_item_402_and_amended_reports(mirror: Path) -> None:
    path = mirror / "8k" / "0001213900-25-032135.txt"
    e = parse_8k(path.name, path.read_bytes())
    assert e.accession is not None
    assert e.form is not None
    abvc = FilingRecord(
        accession=e.accession,
        cik=e.cik,
        form=e.form,
        filing_date=e.filing_date,
        items=tuple(i.number for i in e.items if i.number),
    )
    # Carbo's 10-Q/A of 2019-04-01 (submissions feed) for the quarter ended 2018-09-30
    carbo = FilingRecord(
        accession="0001564590-19-010442",
        cik=1009672,
        form="10-Q/A",
        filing_date=date(2019, 4, 1),
        acceptance_utc=datetime(2019, 4, 1, 20, 34, 27, tzinfo=UTC),
        period_of_report=date(2018, 9, 30),
    )
    amended, non_reliance = restatement_signals([], [abvc, carbo])
    assert (non_reliance.kind, non_reliance.cik, non_reliance.accession) == (
        "non_reliance",
        1173313,
        "0001213900-25-032135",
    )
    assert (non_reliance.score, non_reliance.confidence) == (1.0, 1.0)
    assert non_reliance.as_of == datetime(2025, 4, 15, tzinfo=UTC)
    assert non_reliance.details["items"] == ["2.02", "4.02", "7.01", "9.01"]
    assert (amended.kind, amended.score, amended.confidence) == ("amended_report", 0.5, 0.5)
    # an amendment that restates values scores 1 (constructed: Tesla's restating 10-Q, as if filed as a 10-Q/A)
    restating = FilingRecord(
        accession="0001628280-25-035806", cik=1318605, form="10-Q/A", filing_date=date(2025, 7, 23)
    )
    kinds = {(s.kind, round(s.score, 4)) for s in restatement_signals([TSLA_EPS], [restating])}
    assert kinds == {("restatement", 0.0674), ("amended_report", 1.0)}


def _trade(**fields: Any) -> InsiderTradeRow:
    return msgspec.convert(fields, InsiderTradeRow)


# insider_trades rows of the built lake
AAR = _trade(
    name="Garascia Jessica A.",
    issuer_cik=1750,
    ticker="AIR",
    transaction_type="Sale",
    transaction_date=date(2025, 1, 10),
    transaction_shares=-1500.0,
    transaction_price_per_share=66.903,
    filing_date=date(2025, 1, 10),
    acceptance_utc=datetime(2025, 1, 10, 21, 7, 30, tzinfo=UTC),
    filing_id="0001127602-25-001055",
    accession="0001127602-25-001055",
)
ARW = [
    _trade(
        name="Jean-Claude Carine Lamercie",
        issuer_cik=7536,
        ticker="ARW",
        transaction_type=kind,
        transaction_date=date(2025, 2, 12),
        transaction_shares=shares,
        transaction_price_per_share=106.82,
        filing_date=date(2025, 2, 13),
        filing_id="0001127602-25-004598",
        accession="0001127602-25-004598",
    )
    for kind, shares in (("Grant or award", 2193.0), ("Tax withholding or exercise payment", -1009.0))
]


def test_no_insider_cluster_in_the_real_trades() -> None:
    assert insider_clusters([AAR, *ARW]) == []
    # Arrow's award as an open-market purchase: one insider is no cluster
    assert insider_clusters([msgspec.structs.replace(ARW[0], transaction_type="Open market purchase")]) == []


def test_insider_cluster_of_three_purchases_completes_with_the_third_filing() -> None:
    """AAR's sale turned into a purchase (code P), bought again by two more insiders in the following weeks."""
    base = msgspec.structs.replace(AAR, transaction_type="P", transaction_shares=1500.0)
    second = msgspec.structs.replace(
        base,
        name="Holmes John McClain III",
        transaction_date=date(2025, 1, 24),
        filing_date=date(2025, 1, 27),
        acceptance_utc=datetime(2025, 1, 27, 21, 0, tzinfo=UTC),
        filing_id="x-2",
        accession="x-2",
    )
    third = msgspec.structs.replace(
        base,
        name="Regan Sean M.",
        transaction_shares=3000.0,
        transaction_date=date(2025, 2, 7),
        filing_date=date(2025, 2, 10),
        acceptance_utc=None,
        filing_id="x-3",
        accession="x-3",
    )
    # Garascia buying again does not add an insider; a sale does not count
    again = msgspec.structs.replace(
        base, transaction_date=date(2025, 1, 15), filing_id="x-4", accession="x-4"
    )
    (signal,) = insider_clusters([third, second, base, again, AAR])
    assert (signal.kind, signal.cik, signal.ticker, signal.accession) == (
        "insider_cluster",
        1750,
        "AIR",
        "x-3",
    )
    assert signal.as_of == datetime(2025, 2, 10, tzinfo=UTC)
    assert signal.details["insiders"] == ["Garascia Jessica A.", "Holmes John McClain III", "Regan Sean M."]
    dollars = (1500 * 3 + 3000) * 66.903
    assert signal.details["dollars"] == pytest.approx(dollars)
    assert signal.score == pytest.approx(0.6 * 0.5 + 0.4 * math.log10(1 + dollars) / 7)
    assert signal.score == pytest.approx(cluster_score(3, dollars, 3))
    assert round(signal.score, 4) == 0.6257
    assert signal.confidence == 1.0
    # a 13-day window: the third purchase is 14 days after the second, no three insiders within it
    assert insider_clusters([base, second, third], window_days=13) == []
    # point in time: without the third filing there is no cluster
    assert insider_clusters([base, second, again]) == []


def _holding(**fields: Any) -> HoldingRow:
    return msgspec.convert(fields, HoldingRow)


# holdings_quarter row of the built lake: Lindsell Train's IFF position, 13F-HR for 2023-09-30
IFF = _holding(
    filer_cik=1894188,
    period_of_report=date(2023, 9, 30),
    filing_date=date(2023, 11, 14),
    cusip="459506101",
    put_call="",
    issuer_name="INTERNATIONAL FLAVORS&FRAGRA",
    shares_or_principal=2265000,
    sh_prn="SH",
    filing_ids=("0001894188-23-000007",),
)


def test_no_13f_flow_from_a_single_quarter() -> None:
    quarters = issuer_quarters([IFF])
    assert quarters["459506101"] == [
        IssuerQuarter(
            cusip="459506101",
            period=date(2023, 9, 30),
            shares=2265000,
            filers=1,
            filing_date=date(2023, 11, 14),
            filings=("0001894188-23-000007",),
            issuer_name="INTERNATIONAL FLAVORS&FRAGRA",
        )
    ]
    assert abnormal_13f_flows(quarters) == []


def test_abnormal_13f_flow_against_the_issuers_history() -> None:
    """The IFF row as the latest of five quarters whose earlier changes were small (amendments are already
    applied in holdings_quarter, so its rows are summed as they are)."""
    history = [(date(2022, 9, 30), 2000000), (date(2022, 12, 31), 2010000), (date(2023, 3, 31), 2005000)]
    history += [(date(2023, 6, 30), 2015000), (date(2023, 9, 30), 2265000)]
    rows = [
        msgspec.structs.replace(
            IFF,
            filing_ids=(f"q{i}",),
            period_of_report=period,
            filing_date=date(period.year + (period.month == 12), (period.month % 12) + 2, 14),
            shares_or_principal=shares,
        )
        for i, (period, shares) in enumerate(history)
    ]
    rows[-1] = IFF
    # a put on IFF and a position mixing shares and principal do not count
    rows.append(msgspec.structs.replace(IFF, put_call="Put", shares_or_principal=10**9))
    rows.append(msgspec.structs.replace(IFF, filer_cik=1, mixed_units=True, shares_or_principal=10**9))
    quarters = issuer_quarters(rows)
    assert [q.shares for q in quarters["459506101"]] == [2000000, 2010000, 2005000, 2015000, 2265000]
    (signal,) = abnormal_13f_flows(quarters)
    changes = [10000, -5000, 10000]
    mean = sum(changes) / 3
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / 2)
    z = (250000 - mean) / sd
    assert signal.details["z"] == pytest.approx(z)
    assert (signal.kind, signal.score) == ("abnormal_13f_flow", 1.0)  # z = 27.4
    assert signal.confidence == 3 / 8  # three earlier changes, eight for full confidence
    assert signal.as_of == datetime(2023, 11, 14, tzinfo=UTC)
    assert signal.subject == "459506101@2023-09-30"
    assert "0001894188-23-000007" in signal.created_from
    # two earlier changes are the minimum: the fourth quarter is judged against the first two changes only
    assert abnormal_13f_flows(quarters, threshold=1000) == []
