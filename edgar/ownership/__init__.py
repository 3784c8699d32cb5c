"""Ownership documents (Forms 3, 4, 5): parsing and FinancialDatasets-shaped insider trades."""

from edgar.ownership.codes import TRANSACTION_CODES, code_label, code_meaning
from edgar.ownership.model import (
    FieldFootnote,
    Footnote,
    InsiderTrade,
    Issuer,
    OwnerAddress,
    OwnershipDocument,
    OwnershipRow,
    ReportingOwner,
    Signature,
)
from edgar.ownership.parse import parse_ownership, parse_ownership_fragment
from edgar.ownership.trades import insider_trades

__all__ = [
    "TRANSACTION_CODES",
    "FieldFootnote",
    "Footnote",
    "InsiderTrade",
    "Issuer",
    "OwnerAddress",
    "OwnershipDocument",
    "OwnershipRow",
    "ReportingOwner",
    "Signature",
    "code_label",
    "code_meaning",
    "insider_trades",
    "parse_ownership",
    "parse_ownership_fragment",
]
