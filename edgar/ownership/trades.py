"""FinancialDatasets-shaped insider trades from a parsed ownership document.

Decisions:

* **Signs.** ``transaction_shares`` is negative for dispositions (``D``) and positive for acquisitions (``A``),
  as FD returns it: ai-hedge-fund's sentiment agent reads ``transaction_shares < 0`` as a bearish (selling)
  signal. ``transaction_value`` = signed shares x price, so it is negative for dispositions too. When the
  acquired/disposed code is missing, shares stay unsigned and before-holdings stay None.
* **Owners.** One row per reporting owner x table row (``owners="each"``, the default): every owner of a joint
  filing reports the same transaction, and FD's ``name`` filter must find each of them. ``owners="first"``
  keeps only the first owner (for sums that must not double count a joint filing).
* **Holdings.** Holding rows (Table I/II holdings of Forms 3, 4, 5) become rows with ``transaction_type
  "Holding"``, ``shares_owned_after_transaction`` = the amount held, and transaction_date, transaction_shares,
  price, value and shares_owned_before_transaction None. ``include_holdings=False`` drops them.
* Derivative rows are included (option exercises etc.); their share counts are in derivative units.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from edgar.ownership.codes import code_label
from edgar.ownership.model import InsiderTrade, OwnershipDocument, OwnershipRow, ReportingOwner

_NO_SYMBOL = {"", "NONE", "N/A", "NA", "-"}


def _title(owner: ReportingOwner) -> str | None:
    if owner.officer_title:
        return owner.officer_title
    if owner.is_director:
        return "Director"
    if owner.is_ten_percent_owner:
        return "10% Owner"
    if owner.other_text:
        return owner.other_text
    return None


def _is_director(owner: ReportingOwner, has_relationship: bool) -> bool | None:
    if owner.is_director is not None:
        return owner.is_director
    return False if has_relationship else None


def row_id(key: str, owner_cik: int | None, row: OwnershipRow) -> str:
    """A stable id of one insider-trade row.

    Args:
        key: the accession number, or the document's source name when there is none.
        owner_cik: the reporting owner's CIK.
        row: the table row.

    Returns:
        16 hex digits of a SHA-1 over key, owner, table and row index.
    """
    raw = f"{key}|{owner_cik}|{row.table}|{row.index}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:16]


def _trade(
    doc: OwnershipDocument,
    owner: ReportingOwner,
    row: OwnershipRow,
    ticker: str,
    filing_date: str | None,
) -> InsiderTrade:
    has_relationship = any(
        v is not None
        for v in (owner.is_director, owner.is_officer, owner.is_ten_percent_owner, owner.is_other)
    )
    after = row.shares_owned_following
    shares: float | None = None
    value: float | None = None
    before: float | None = None
    tx_type = "Holding"
    if row.kind == "transaction":
        tx_type = code_label(row.transaction_code) or row.transaction_code or "Unknown"
        shares = row.shares
        if shares is not None and row.acquired_disposed == "D":
            shares = -shares
        if shares is not None and row.price_per_share is not None:
            value = round(shares * row.price_per_share, 4)
        if shares is not None and after is not None and row.acquired_disposed in ("A", "D"):
            before = after - shares
    return InsiderTrade(
        ticker=ticker,
        issuer=doc.issuer.name,
        name=owner.name,
        title=_title(owner),
        is_board_director=_is_director(owner, has_relationship),
        transaction_date=row.transaction_date.isoformat() if row.transaction_date else None,
        transaction_shares=shares,
        transaction_price_per_share=row.price_per_share if row.kind == "transaction" else None,
        transaction_value=value,
        shares_owned_before_transaction=before,
        shares_owned_after_transaction=after,
        security_title=row.security_title,
        filing_date=filing_date,
        transaction_type=tx_type,
        row_id=row_id(doc.accession or doc.source, owner.cik, row),
    )


def insider_trades(
    doc: OwnershipDocument,
    *,
    filing_date: date | str | None = None,
    ticker_fallback: str | None = None,
    owners: Literal["each", "first"] = "each",
    include_holdings: bool = True,
    allow_unknown_date: bool = False,
) -> list[InsiderTrade]:
    """FD ``InsiderTrade`` rows of an ownership document (see the module docstring for the decisions).

    Args:
        doc: a parsed ownership document.
        filing_date: the filing date; defaults to the SGML header's FILED AS OF DATE.
        ticker_fallback: ticker to use when the document's trading symbol is missing or ``NONE``.
        owners: ``each`` (one row per reporting owner) or ``first``.
        include_holdings: emit holding rows as well as transactions.
        allow_unknown_date: without a filing date (a stand-alone XML whose SEC metadata no source gives), emit
            the rows with ``filing_date`` None instead of raising; the caller flags them.

    Returns:
        Rows in file order: non-derivative then derivative, per owner. Empty when the document reports no
        securities (a Form 3 with ``noSecuritiesOwned``) or has no owner.

    Raises:
        ValueError: No filing date was given, the document has none and ``allow_unknown_date`` is False.
    """
    when = filing_date if filing_date is not None else doc.filing_date
    if when is None and not allow_unknown_date:
        raise ValueError(f"{doc.source}: no filing date (pass filing_date=)")
    when_text = when.isoformat() if isinstance(when, date) else when
    symbol = (doc.issuer.trading_symbol or "").strip().upper()
    ticker = symbol if symbol not in _NO_SYMBOL else (ticker_fallback or "").strip().upper()
    chosen = doc.reporting_owners[:1] if owners == "first" else doc.reporting_owners
    out: list[InsiderTrade] = []
    for owner in chosen:
        for row in (*doc.non_derivative, *doc.derivative):
            if row.kind == "holding" and not include_holdings:
                continue
            out.append(_trade(doc, owner, row, ticker, when_text))
    return out
