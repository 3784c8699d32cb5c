"""Event filings: 8-K current reports and their press releases."""

from edgar.events.eightk import (
    EIGHT_K_ITEMS,
    EightK,
    EightKItem,
    Exhibit,
    PressRelease,
    is_earnings_release,
    item_number,
    parse_8k,
    parse_press_release,
)

__all__ = [
    "EIGHT_K_ITEMS",
    "EightK",
    "EightKItem",
    "Exhibit",
    "PressRelease",
    "is_earnings_release",
    "item_number",
    "parse_8k",
    "parse_press_release",
]
