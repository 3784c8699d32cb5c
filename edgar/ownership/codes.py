"""SEC Form 4/5 transaction codes (General Instructions, item 8) with their meanings and short labels."""

from __future__ import annotations

#: code -> (official meaning, short human label used as ``transaction_type``)
TRANSACTION_CODES: dict[str, tuple[str, str]] = {
    "P": ("Open market or private purchase of non-derivative or derivative security", "Open market purchase"),
    "S": ("Open market or private sale of non-derivative or derivative security", "Sale"),
    "V": ("Transaction voluntarily reported earlier than required", "Voluntary report"),
    "A": ("Grant, award or other acquisition pursuant to Rule 16b-3(d)", "Grant or award"),
    "D": (
        "Disposition to the issuer of issuer equity securities pursuant to Rule 16b-3(e)",
        "Disposition to issuer",
    ),
    "F": (
        "Payment of exercise price or tax liability by delivering or withholding securities incident to the "
        "receipt, exercise or vesting of a security issued in accordance with Rule 16b-3",
        "Tax withholding or exercise payment",
    ),
    "I": (
        "Discretionary transaction in accordance with Rule 16b-3(f) resulting in acquisition or disposition of "
        "issuer securities",
        "Discretionary transaction",
    ),
    "M": ("Exercise or conversion of derivative security exempted pursuant to Rule 16b-3", "Option exercise"),
    "C": ("Conversion of derivative security", "Conversion"),
    "E": ("Expiration of short derivative position", "Expiration of short position"),
    "H": (
        "Expiration (or cancellation) of long derivative position with value received",
        "Expiration of long position",
    ),
    "O": ("Exercise of out-of-the-money derivative security", "Out-of-the-money exercise"),
    "X": ("Exercise of in-the-money or at-the-money derivative security", "In-the-money exercise"),
    "G": ("Bona fide gift", "Gift"),
    "L": ("Small acquisition under Rule 16a-6", "Small acquisition"),
    "W": (
        "Acquisition or disposition by will or the laws of descent and distribution",
        "Will or inheritance",
    ),
    "Z": ("Deposit into or withdrawal from voting trust", "Voting trust"),
    "J": ("Other acquisition or disposition (describe transaction)", "Other"),
    "K": ("Transaction in equity swap or instrument with similar characteristics", "Equity swap"),
    "U": (
        "Disposition pursuant to a tender of shares in a change of control transaction",
        "Tender in change of control",
    ),
}


def code_meaning(code: str | None) -> str | None:
    """The SEC's meaning of a transaction code, None for an unknown or missing code.

    Args:
        code: a one-letter transaction code (``P``, ``S``, ``M``...).

    Returns:
        The official meaning, or None.
    """
    entry = TRANSACTION_CODES.get((code or "").strip().upper())
    return entry[0] if entry else None


def code_label(code: str | None) -> str | None:
    """A short human label of a transaction code (``S`` -> ``Sale``), None for an unknown or missing code.

    Args:
        code: a one-letter transaction code.

    Returns:
        The label, or None.
    """
    entry = TRANSACTION_CODES.get((code or "").strip().upper())
    return entry[1] if entry else None
