"""The items of 10-K and 10-Q reports (Regulation S-K), named as FinancialDatasets names them.

One definition for the whole project: the ``report_items`` asset names the sections the parser finds with
:func:`item_name`, and the API lists (``/filings/items/types``) and parses (``item=``) item names with
:data:`ANNUAL_ITEMS`, :data:`QUARTERLY_ITEMS` and :func:`parse_item_name`.

Names: a 10-K item is ``Item-1A`` (its part follows from the number); a 10-Q item is ``Part-1,Item-2`` (Item 1
exists in both parts). Parts are stored as Roman numerals (``I``, ``II``), as the forms print them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ANNUAL_FORMS = ("10-K", "10-K/A")
QUARTERLY_FORMS = ("10-Q", "10-Q/A")
#: Every form whose primary document is split into items.
REPORT_FORMS = ANNUAL_FORMS + QUARTERLY_FORMS

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_ARABIC = {v: k for k, v in _ROMAN.items()}


class ReportItem(NamedTuple):
    """An item of Form 10-K or 10-Q.

    Attributes:
        part: the part the form places it in (``I`` … ``IV``).
        number: the item number as printed, upper case (``1A``, ``7``).
        title: the form's title of the item.
        name: FinancialDatasets' name (``Item-1A``; ``Part-2,Item-1A`` for a 10-Q).
    """

    part: str
    number: str
    title: str
    name: str


def item_name(form: str, part: str | None, number: str) -> str:
    """FinancialDatasets' name of an item: ``Item-7`` on a 10-K, ``Part-1,Item-2`` on a 10-Q.

    A 10-Q item without a known part is named ``Item-<n>`` (it cannot be told from the same number in the other
    part). ``form`` may be an amendment (``10-Q/A``).
    """
    bare = f"Item-{number.upper()}"
    if form.upper() in QUARTERLY_FORMS and part and part.upper() in _ROMAN:
        return f"Part-{_ROMAN[part.upper()]},{bare}"
    return bare


def _items(form: str, rows: list[tuple[str, str, str]]) -> tuple[ReportItem, ...]:
    return tuple(ReportItem(p, n, t, item_name(form, p, n)) for p, n, t in rows)


#: Form 10-K, Parts I-IV (Regulation S-K as amended through 2023: Item 1C Cybersecurity, Item 9C HFCAA).
ANNUAL_ITEMS = _items(
    "10-K",
    [
        ("I", "1", "Business"), ("I", "1A", "Risk Factors"), ("I", "1B", "Unresolved Staff Comments"),
        ("I", "1C", "Cybersecurity"), ("I", "2", "Properties"), ("I", "3", "Legal Proceedings"),
        ("I", "4", "Mine Safety Disclosures"),
        ("II", "5", "Market for Registrant's Common Equity, Related Stockholder Matters and Issuer Purchases of Equity Securities"),
        ("II", "6", "[Reserved]"),
        ("II", "7", "Management's Discussion and Analysis of Financial Condition and Results of Operations"),
        ("II", "7A", "Quantitative and Qualitative Disclosures About Market Risk"),
        ("II", "8", "Financial Statements and Supplementary Data"),
        ("II", "9", "Changes in and Disagreements with Accountants on Accounting and Financial Disclosure"),
        ("II", "9A", "Controls and Procedures"), ("II", "9B", "Other Information"),
        ("II", "9C", "Disclosure Regarding Foreign Jurisdictions that Prevent Inspections"),
        ("III", "10", "Directors, Executive Officers and Corporate Governance"),
        ("III", "11", "Executive Compensation"),
        ("III", "12", "Security Ownership of Certain Beneficial Owners and Management and Related Stockholder Matters"),
        ("III", "13", "Certain Relationships and Related Transactions, and Director Independence"),
        ("III", "14", "Principal Accountant Fees and Services"),
        ("IV", "15", "Exhibits and Financial Statement Schedules"), ("IV", "16", "Form 10-K Summary"),
    ],
)  # fmt: skip

#: Form 10-Q, Part I (financial information) and Part II (other information).
QUARTERLY_ITEMS = _items(
    "10-Q",
    [
        ("I", "1", "Financial Statements"),
        ("I", "2", "Management's Discussion and Analysis of Financial Condition and Results of Operations"),
        ("I", "3", "Quantitative and Qualitative Disclosures About Market Risk"), ("I", "4", "Controls and Procedures"),
        ("II", "1", "Legal Proceedings"), ("II", "1A", "Risk Factors"),
        ("II", "2", "Unregistered Sales of Equity Securities and Use of Proceeds"),
        ("II", "3", "Defaults Upon Senior Securities"), ("II", "4", "Mine Safety Disclosures"),
        ("II", "5", "Other Information"), ("II", "6", "Exhibits"),
    ],
)  # fmt: skip


def form_items(form: str) -> tuple[ReportItem, ...]:
    """The items of a form (``10-K``, ``10-Q`` or an amendment of either); empty for any other form."""
    upper = form.upper()
    if upper in ANNUAL_FORMS:
        return ANNUAL_ITEMS
    if upper in QUARTERLY_FORMS:
        return QUARTERLY_ITEMS
    return ()


_NAME = re.compile(
    r"^\s*(?:part[\s_-]*(?P<part>[1-4]|iv|i{1,3})\s*[,;/\s]\s*)?(?:item[\s_-]*)?(?P<number>\d{1,2}[a-c]?)\s*$",
    re.IGNORECASE,
)


def parse_item_name(form: str, name: str) -> ReportItem | None:
    """The item of ``form`` that ``name`` designates, or None when the form has no such item.

    Accepts FinancialDatasets' names (``Item-1A``, ``Part-1,Item-2``) and the usual variants (``item 7a``,
    ``Part-II,Item-1A``, ``Part 2, Item 1A``, ``7A``). A 10-Q item needs its part unless only one part has that
    number (``Item-1A`` is Part II's).
    """
    m = _NAME.match(name)
    if m is None:
        return None
    number = m["number"].upper()
    part = m["part"]
    roman = None
    if part is not None:
        roman = _ARABIC[int(part)] if part.isdigit() else part.upper()
    found = [i for i in form_items(form) if i.number == number and (roman is None or i.part == roman)]
    return found[0] if len(found) == 1 else None
