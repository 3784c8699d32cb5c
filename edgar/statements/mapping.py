"""The mapping table: which XBRL concepts or formulas, in which priority, make each standardized line item.

The table is ``line_items.csv`` next to this module, the single place that says how an FD field is filled. Columns:

* ``statement``: ``income``, ``balance_sheet`` or ``cash_flow``.
* ``field``: the FinancialDatasets field name (fd-api.md §3.2).
* ``priority``: 1 is tried first; unique within a (statement, field).
* ``kind``: ``flow`` (a duration amount), ``stock`` (an instant amount), ``per_share`` (currency per share, a
  duration) or ``shares`` (a share count; a duration for weighted averages, an instant for shares outstanding).
* ``sign``: ``1`` or ``-1``, applied to a concept's value (cash-flow outflows are negative: ``-1`` on a
  ``PaymentsTo...`` concept). Formula rows carry ``1``; their signs are written in the formula.
* ``concept``: a QName (``us-gaap:Revenues``) for a concept row; empty for a formula row.
* ``formula``: for a derived row, terms joined by ``+`` and ``-`` (an optional leading ``-``). A term is another field
  of the same statement or a concept QName; a term ending in ``?`` is optional (counts 0 when unknown), every other
  term is required. A formula is unknown when a required term is unknown, or when all its terms are optional and
  none is known.
* ``scope``: ``all``, ``non_financial`` (skipped for banks and insurers) or ``financial`` (only for them).
* ``note``: free text.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from importlib import resources
from typing import Literal

import msgspec

Statement = Literal["income", "balance_sheet", "cash_flow"]
Kind = Literal["flow", "stock", "per_share", "shares"]
Scope = Literal["all", "non_financial", "financial"]

STATEMENTS: tuple[Statement, ...] = ("income", "balance_sheet", "cash_flow")

INCOME_FIELDS: tuple[str, ...] = (
    "revenue",
    "cost_of_revenue",
    "gross_profit",
    "operating_expense",
    "selling_general_and_administrative_expenses",
    "research_and_development",
    "operating_income",
    "interest_expense",
    "ebit",
    "income_tax_expense",
    "net_income_discontinued_operations",
    "net_income_non_controlling_interests",
    "net_income",
    "net_income_common_stock",
    "preferred_dividends_impact",
    "consolidated_income",
    "earnings_per_share",
    "earnings_per_share_diluted",
    "dividends_per_common_share",
    "weighted_average_shares",
    "weighted_average_shares_diluted",
)
"""FD's income-statement fields, in FD's order (21)."""

BALANCE_SHEET_FIELDS: tuple[str, ...] = (
    "total_assets",
    "current_assets",
    "cash_and_equivalents",
    "inventory",
    "current_investments",
    "trade_and_non_trade_receivables",
    "non_current_assets",
    "property_plant_and_equipment",
    "goodwill_and_intangible_assets",
    "investments",
    "non_current_investments",
    "outstanding_shares",
    "tax_assets",
    "total_liabilities",
    "current_liabilities",
    "current_debt",
    "trade_and_non_trade_payables",
    "deferred_revenue",
    "deposit_liabilities",
    "non_current_liabilities",
    "non_current_debt",
    "tax_liabilities",
    "shareholders_equity",
    "retained_earnings",
    "accumulated_other_comprehensive_income",
    "total_debt",
)
"""FD's balance-sheet fields, in FD's order (26)."""

CASH_FLOW_FIELDS: tuple[str, ...] = (
    "net_income",
    "depreciation_and_amortization",
    "share_based_compensation",
    "net_cash_flow_from_operations",
    "capital_expenditure",
    "business_acquisitions_and_disposals",
    "investment_acquisitions_and_disposals",
    "net_cash_flow_from_investing",
    "issuance_or_repayment_of_debt_securities",
    "issuance_or_purchase_of_equity_shares",
    "dividends_and_other_cash_distributions",
    "net_cash_flow_from_financing",
    "change_in_cash_and_equivalents",
    "effect_of_exchange_rate_changes",
    "ending_cash_balance",
    "free_cash_flow",
)
"""FD's cash-flow fields, in FD's order (16)."""

FIELDS: dict[Statement, tuple[str, ...]] = {
    "income": INCOME_FIELDS,
    "balance_sheet": BALANCE_SHEET_FIELDS,
    "cash_flow": CASH_FLOW_FIELDS,
}
"""Every FD field of each statement, in FD's order."""

_QNAME = re.compile(r"^[A-Za-z][\w.-]*:[A-Za-z_][\w.-]*$")
_FIELD = re.compile(r"^[a-z][a-z0-9_]*$")
_KINDS = frozenset({"flow", "stock", "per_share", "shares"})
_SCOPES = frozenset({"all", "non_financial", "financial"})
_COLUMNS = ("statement", "field", "priority", "kind", "sign", "concept", "formula", "scope", "note")


class MappingError(ValueError):
    """The mapping table is malformed (raised when it is loaded, never silently tolerated)."""


class Term(msgspec.Struct, frozen=True):
    """One term of a formula.

    Attributes:
        name: a field of the same statement, or a concept QName (contains ``:``).
        sign: ``1`` or ``-1``.
        optional: the term counts 0 when unknown (written ``name?``).
    """

    name: str
    sign: int
    optional: bool

    @property
    def is_concept(self) -> bool:
        """The term names an XBRL concept rather than another field."""
        return ":" in self.name


class LineItem(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the mapping table: one way (concept or formula) to fill one field.

    Attributes:
        statement: ``income``, ``balance_sheet`` or ``cash_flow``.
        field: the FD field name.
        priority: lower is tried first.
        kind: ``flow``, ``stock``, ``per_share`` or ``shares``.
        sign: ``1`` or ``-1`` applied to a concept's value.
        concept: the concept QName, or ``None`` for a formula row.
        formula: the formula text as written in the table, or ``None`` for a concept row.
        terms: the parsed formula (empty for a concept row).
        scope: ``all``, ``non_financial`` or ``financial``.
        note: free text from the table.
    """

    statement: Statement
    field: str
    priority: int
    kind: Kind
    sign: int
    concept: str | None
    formula: str | None
    terms: tuple[Term, ...] = ()
    scope: Scope = "all"
    note: str = ""

    @property
    def source(self) -> str:
        """What this row records as the source of a value: the concept QName, or ``=`` and the formula."""
        return self.concept if self.concept is not None else f"={self.formula}"


def parse_formula(text: str) -> tuple[Term, ...]:
    """Parse a formula of the mapping table.

    Args:
        text: terms joined by `` + `` / `` - `` (spaces around operators), optionally starting with ``- ``; a term
            ending in ``?`` is optional.

    Returns:
        The terms in order.

    Raises:
        MappingError: on an empty formula, a dangling operator or a malformed term.
    """
    tokens = text.split()  # operators are written between spaces: prefixes such as ``us-gaap`` hold hyphens
    if not tokens:
        raise MappingError(f"empty formula {text!r}")
    terms: list[Term] = []
    sign = 1
    expect_term = True
    for position, token in enumerate(tokens):
        if token in "+-":
            if not expect_term and position > 0:
                sign = 1 if token == "+" else -1
                expect_term = True
            elif position == 0 and token == "-":
                sign = -1
            else:
                raise MappingError(f"malformed formula {text!r}")
            continue
        if not expect_term:
            raise MappingError(f"missing operator in formula {text!r}")
        optional = token.endswith("?")
        name = token.rstrip("?")
        if not (_QNAME.match(name) or _FIELD.match(name)):
            raise MappingError(f"bad term {token!r} in formula {text!r}")
        terms.append(Term(name=name, sign=sign, optional=optional))
        expect_term = False
        sign = 1
    if expect_term:
        raise MappingError(f"formula {text!r} ends with an operator")
    return tuple(terms)


def parse_line_items(text: str) -> tuple[LineItem, ...]:
    """Parse and validate mapping-table CSV text.

    Checks: the header; every FD field of every statement appears (and nothing else); each (statement, field) has
    one kind and unique priorities; signs are ``1``/``-1`` (``1`` on formula rows); each row has exactly one of
    concept and formula; concepts are QNames; formula field terms name fields of the same statement and the
    field-to-field references have no cycle.

    Args:
        text: the CSV text.

    Returns:
        The rows sorted by statement (income, balance sheet, cash flow), FD field order, priority.

    Raises:
        MappingError: on the first problem found, naming the line.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise MappingError(f"header must be {','.join(_COLUMNS)}, got {reader.fieldnames}")
    items: list[LineItem] = []
    for line_no, row in enumerate(reader, start=2):
        where = f"line {line_no}"
        statement = row["statement"]
        if statement not in FIELDS:
            raise MappingError(f"{where}: unknown statement {statement!r}")
        field = row["field"]
        if field not in FIELDS[statement]:  # type: ignore[index]
            raise MappingError(f"{where}: {field!r} is not an FD {statement} field")
        try:
            priority = int(row["priority"])
            sign = int(row["sign"])
        except ValueError as exc:
            raise MappingError(f"{where}: priority and sign must be integers") from exc
        if priority < 1:
            raise MappingError(f"{where}: priority must be >= 1")
        if sign not in (1, -1):
            raise MappingError(f"{where}: sign must be 1 or -1, got {sign}")
        kind = row["kind"]
        if kind not in _KINDS:
            raise MappingError(f"{where}: unknown kind {kind!r}")
        scope = row["scope"] or "all"
        if scope not in _SCOPES:
            raise MappingError(f"{where}: unknown scope {scope!r}")
        concept = row["concept"].strip() or None
        formula = row["formula"].strip() or None
        if (concept is None) == (formula is None):
            raise MappingError(f"{where}: exactly one of concept and formula must be given")
        terms: tuple[Term, ...] = ()
        if concept is not None and not _QNAME.match(concept):
            raise MappingError(f"{where}: concept {concept!r} is not a QName")
        if formula is not None:
            try:
                terms = parse_formula(formula)
            except MappingError as exc:
                raise MappingError(f"{where}: {exc}") from exc
            if sign != 1:
                raise MappingError(f"{where}: a formula row carries sign 1; write signs in the formula")
            for term in terms:
                if not term.is_concept and term.name not in FIELDS[statement]:  # type: ignore[index]
                    raise MappingError(f"{where}: formula term {term.name!r} is not a {statement} field")
        items.append(
            LineItem(
                statement=statement,  # type: ignore[arg-type]
                field=field,
                priority=priority,
                kind=kind,  # type: ignore[arg-type]
                sign=sign,
                concept=concept,
                formula=formula,
                terms=terms,
                scope=scope,  # type: ignore[arg-type]
                note=row["note"],
            )
        )
    _check_complete(items)
    _check_acyclic(items)
    order = {(s, f): i for s in STATEMENTS for i, f in enumerate(FIELDS[s])}
    return tuple(
        sorted(items, key=lambda i: (STATEMENTS.index(i.statement), order[i.statement, i.field], i.priority))
    )


def _check_complete(items: list[LineItem]) -> None:
    seen: dict[tuple[str, str], list[LineItem]] = {}
    for item in items:
        seen.setdefault((item.statement, item.field), []).append(item)
    for statement in STATEMENTS:
        for field in FIELDS[statement]:
            rows = seen.get((statement, field))
            if not rows:
                raise MappingError(f"FD field {statement}.{field} has no row in the mapping table")
            priorities = [r.priority for r in rows]
            if len(set(priorities)) != len(priorities):
                raise MappingError(f"{statement}.{field}: duplicate priorities {sorted(priorities)}")
            kinds = {r.kind for r in rows}
            if len(kinds) != 1:
                raise MappingError(f"{statement}.{field}: one field must have one kind, got {sorted(kinds)}")


def _check_acyclic(items: list[LineItem]) -> None:
    edges: dict[tuple[str, str], set[str]] = {}
    for item in items:
        deps = edges.setdefault((item.statement, item.field), set())
        deps.update(t.name for t in item.terms if not t.is_concept)
    for statement in STATEMENTS:
        state: dict[str, int] = {}

        def visit(
            field: str, path: tuple[str, ...], statement: str = statement, state: dict[str, int] = state
        ) -> None:
            if state.get(field) == 2:
                return
            if state.get(field) == 1:
                raise MappingError(f"{statement}: formula cycle {' -> '.join((*path, field))}")
            state[field] = 1
            for dep in sorted(edges.get((statement, field), ())):
                visit(dep, (*path, field))
            state[field] = 2

        for field in FIELDS[statement]:
            visit(field, ())


@cache
def line_items() -> tuple[LineItem, ...]:
    """The shipped mapping table, parsed and validated once.

    Returns:
        Every row of ``edgar/statements/line_items.csv``, sorted by statement, FD field order and priority.

    Raises:
        MappingError: when the shipped table is malformed.
    """
    text = resources.files("edgar.statements").joinpath("line_items.csv").read_text(encoding="utf-8")
    return parse_line_items(text)


def field_kind(statement: Statement, field: str, items: tuple[LineItem, ...] | None = None) -> Kind:
    """The kind of a field.

    Args:
        statement: the statement.
        field: the FD field.
        items: the mapping table (default: the shipped one).

    Returns:
        ``flow``, ``stock``, ``per_share`` or ``shares``.

    Raises:
        KeyError: when the field is not in the table.
    """
    for item in items if items is not None else line_items():
        if item.statement == statement and item.field == field:
            return item.kind
    raise KeyError(f"{statement}.{field}")
