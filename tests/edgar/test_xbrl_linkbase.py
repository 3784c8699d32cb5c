"""Apple FY2023 label, calculation and presentation linkbases."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgar.errors import ParseError
from edgar.xbrl.linkbase import CalcArc, PresArc, parse_calculation, parse_labels, parse_presentation
from lake.settings import Settings

DIR: Path = Settings.from_env().edgar_mirror / "xbrl/aapl-10k-2023-09-30"
ROLE = "http://www.xbrl.org/2003/role/"
INCOME = "http://www.apple.com/role/CONSOLIDATEDSTATEMENTSOFOPERATIONS"


def test_labels() -> None:
    labels = parse_labels((DIR / "aapl-20230930_lab.xml").read_bytes(), "aapl-20230930_lab.xml")
    assert len(labels) == 689
    assert labels["us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"] == {
        f"{ROLE}terseLabel": "Net sales",
        f"{ROLE}label": "Revenue from Contract with Customer, Excluding Assessed Tax",
    }
    assert labels["aapl:IPhoneMember"][f"{ROLE}terseLabel"] == "iPhone"
    assert (
        labels["us-gaap:ProceedsFromRepaymentsOfShortTermDebtMaturingInMoreThanThreeMonths"][
            f"{ROLE}totalLabel"
        ]
        == "Proceeds from/(Repayments of) commercial paper, net"
    )


def test_calculation() -> None:
    arcs = parse_calculation((DIR / "aapl-20230930_cal.xml").read_bytes(), "aapl-20230930_cal.xml")
    assert len(arcs) == 215
    assert [a for a in arcs if a.parent == "us-gaap:OperatingIncomeLoss"] == [
        CalcArc(
            role=INCOME,
            parent="us-gaap:OperatingIncomeLoss",
            child="us-gaap:GrossProfit",
            weight=1.0,
            order=1.0,
        ),
        CalcArc(
            role=INCOME,
            parent="us-gaap:OperatingIncomeLoss",
            child="us-gaap:OperatingExpenses",
            weight=-1.0,
            order=2.0,
        ),
    ]


def test_presentation() -> None:
    arcs = parse_presentation((DIR / "aapl-20230930_pre.xml").read_bytes(), "aapl-20230930_pre.xml")
    assert len(arcs) == 768
    assert len({a.role for a in arcs}) == 78
    assert arcs[0] == PresArc(
        role="http://www.apple.com/role/CoverPage",
        parent="dei:CoverAbstract",
        child="dei:EntitiesTable",
        order=1.0,
        preferred_label=f"{ROLE}terseLabel",
    )
    net_income = [a for a in arcs if a.child == "us-gaap:NetIncomeLoss" and a.role == INCOME]
    assert net_income == [
        PresArc(
            role=INCOME,
            parent="us-gaap:StatementLineItems",
            child="us-gaap:NetIncomeLoss",
            order=9.0,
            preferred_label=f"{ROLE}totalLabel",
        )
    ]


def test_malformed_linkbase() -> None:
    data = (DIR / "aapl-20230930_cal.xml").read_bytes()
    with pytest.raises(ParseError) as info:
        parse_calculation(data[:5000], "aapl-20230930_cal.xml")
    assert info.value.source == "aapl-20230930_cal.xml"
    assert info.value.line is not None
