from __future__ import annotations

import pytest

from edgar.statements import FIELDS, MappingError, line_items, parse_line_items
from edgar.statements.mapping import parse_formula

HEADER = "statement,field,priority,kind,sign,concept,formula,scope,note\n"


def shipped_text() -> str:
    from importlib import resources

    return resources.files("edgar.statements").joinpath("line_items.csv").read_text(encoding="utf-8")


def test_every_fd_field_is_mapped_exactly_once_as_a_field() -> None:
    items = line_items()
    pairs = {(i.statement, i.field) for i in items}
    assert len(FIELDS["income"]) == 21
    assert len(FIELDS["balance_sheet"]) == 26
    assert len(FIELDS["cash_flow"]) == 16
    assert pairs == {(s, f) for s, fields in FIELDS.items() for f in fields}
    assert len(pairs) == 63


def test_fd_sign_conventions_in_the_table() -> None:
    by_concept = {(i.field, i.concept): i for i in line_items() if i.concept}
    assert by_concept["capital_expenditure", "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"].sign == -1
    assert by_concept["dividends_and_other_cash_distributions", "us-gaap:PaymentsOfDividends"].sign == -1
    assert by_concept["revenue", "us-gaap:Revenues"].sign == 1
    fcf = [i for i in line_items() if i.field == "free_cash_flow"]
    assert [i.formula for i in fcf] == ["net_cash_flow_from_operations + capital_expenditure"]


def test_priorities_sorted_and_revenue_prefers_total_revenues() -> None:
    revenue = [i for i in line_items() if i.statement == "income" and i.field == "revenue"]
    assert [i.priority for i in revenue] == sorted(i.priority for i in revenue)
    assert revenue[0].concept == "us-gaap:Revenues"


def test_formula_parsing() -> None:
    terms = parse_formula(
        "- us-gaap:PaymentsToAcquireBusinessesNetOfCashAcquired + us-gaap:ProceedsFromX? - revenue"
    )
    assert [(t.name, t.sign, t.optional) for t in terms] == [
        ("us-gaap:PaymentsToAcquireBusinessesNetOfCashAcquired", -1, False),
        ("us-gaap:ProceedsFromX", 1, True),
        ("revenue", -1, False),
    ]
    for bad in ("", "revenue +", "revenue cost_of_revenue", "+ + revenue", "Bad Name"):
        with pytest.raises(MappingError):
            parse_formula(bad)


def _without(text: str, predicate) -> str:
    lines = text.splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if not predicate(line))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda t: _without(t, lambda line: line.startswith("balance_sheet,deposit_liabilities,")),
            "deposit_liabilities",
        ),
        (
            lambda t: t + "income,revenue,1,flow,1,us-gaap:SalesRevenueGoodsNet,,all,\n",
            "duplicate priorities",
        ),
        (
            lambda t: t + "income,revenue,9,flow,2,us-gaap:SalesRevenueGoodsNet,,all,\n",
            "sign must be 1 or -1",
        ),
        (lambda t: t + "income,revenue_usd,1,flow,1,us-gaap:Revenues,,all,\n", "not an FD income field"),
        (lambda t: t + "income,revenue,9,flow,1,us-gaap:Revenues,revenue,all,\n", "exactly one of concept"),
        (lambda t: t + "income,revenue,9,stock,1,us-gaap:Revenues2,,all,\n", "one kind"),
        (lambda t: t + "income,revenue,9,flow,1,,gross_profit + cost_of_revenue,all,\n", "cycle"),
        (lambda t: t + "income,revenue,9,flow,1,,total_assets,all,\n", "not a income field"),
        (lambda t: t + "income,revenue,9,flow,1,Revenues,,all,\n", "not a QName"),
        (lambda t: t + "income,revenue,9,flow,-1,,cost_of_revenue,all,\n", "formula row carries sign 1"),
        (lambda t: t.replace("scope,note", "scope"), "header"),
    ],
)
def test_loader_fails_loudly(mutate, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_line_items(mutate(shipped_text()))


def test_shipped_table_parses_and_is_cached() -> None:
    assert parse_line_items(shipped_text()) == line_items()
    assert line_items() is line_items()
