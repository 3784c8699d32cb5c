"""Form 13F: cover pages, information tables, whole filings, amendments and quarter-over-quarter changes."""

from edgar.thirteenf.amendments import (
    QuarterFiling,
    QuarterHoldings,
    Standing,
    apply_amendments,
    fold_quarter,
)
from edgar.thirteenf.changes import Position, PositionChange, aggregate, quarter_changes
from edgar.thirteenf.cover import Cover13F, OtherManager, parse_cover
from edgar.thirteenf.infotable import (
    Holding,
    parse_information_table,
    parse_information_table_html,
    value_usd,
)
from edgar.thirteenf.quarters import QuarterChanges, holdings_changes, previous_quarter_end, standing_quarters
from edgar.thirteenf.submission import Filing13F, Validation, parse_13f, validate

__all__ = [
    "Cover13F",
    "Filing13F",
    "Holding",
    "OtherManager",
    "Position",
    "PositionChange",
    "QuarterChanges",
    "QuarterFiling",
    "QuarterHoldings",
    "Standing",
    "Validation",
    "aggregate",
    "apply_amendments",
    "fold_quarter",
    "holdings_changes",
    "parse_13f",
    "parse_cover",
    "parse_information_table",
    "parse_information_table_html",
    "previous_quarter_end",
    "quarter_changes",
    "standing_quarters",
    "validate",
    "value_usd",
]
