"""Structs of a parsed ownership document (Forms 3, 4, 5 and their amendments)."""

from __future__ import annotations

from datetime import date

import msgspec


class Footnote(msgspec.Struct, frozen=True, kw_only=True):
    """A footnote of the document.

    Attributes:
        id: footnote id (``F1``).
        text: footnote text, whitespace-normalised.
    """

    id: str
    text: str


class FieldFootnote(msgspec.Struct, frozen=True, kw_only=True):
    """A footnote attached to one value of a row.

    Attributes:
        field: the row field the footnote is attached to (``price_per_share``, ``transaction_code``...).
        id: footnote id.
        text: resolved footnote text; None when the document has no footnote of that id (e.g. a fragment).
    """

    field: str
    id: str
    text: str | None


class Issuer(msgspec.Struct, frozen=True, kw_only=True):
    """The issuer whose securities are reported.

    Attributes:
        cik: issuer CIK, None when absent.
        name: issuer name.
        trading_symbol: trading symbol as given (may be None, ``NONE``...).
    """

    cik: int | None
    name: str | None
    trading_symbol: str | None


class OwnerAddress(msgspec.Struct, frozen=True, kw_only=True):
    """A reporting owner's address.

    Attributes:
        street1: first street line.
        street2: second street line.
        city: city.
        state: state code.
        zip: postal code.
        state_description: state description (non-US addresses).
    """

    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    state_description: str | None = None


class ReportingOwner(msgspec.Struct, frozen=True, kw_only=True):
    """A reporting owner and its relationship to the issuer.

    A relationship flag the filing leaves out is None (the SEC schema lets filers write only the flags that are
    true).

    Attributes:
        cik: owner CIK.
        name: owner name as filed (usually ``Last First Middle``).
        address: owner address, None when absent.
        is_director: director of the issuer.
        is_officer: officer of the issuer.
        officer_title: officer title.
        is_ten_percent_owner: owner of 10% or more.
        is_other: other relationship.
        other_text: description of the other relationship.
    """

    cik: int | None
    name: str | None
    address: OwnerAddress | None
    is_director: bool | None
    is_officer: bool | None
    officer_title: str | None
    is_ten_percent_owner: bool | None
    is_other: bool | None
    other_text: str | None


class OwnershipRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the non-derivative or derivative table: a transaction or a holding.

    Holdings have no transaction fields (date, code, shares, price... are None). Derivative-only fields
    (conversion price, exercise/expiration dates, underlying security) are None in non-derivative rows.

    Attributes:
        table: ``non-derivative`` or ``derivative``.
        kind: ``transaction`` or ``holding``.
        index: 0-based position of the row in its table (transactions and holdings counted together, file order).
        security_title: title of the security.
        conversion_or_exercise_price: conversion or exercise price (derivatives).
        transaction_date: transaction date.
        deemed_execution_date: deemed execution date.
        transaction_form_type: form type given in the transaction coding (``4``, ``5``).
        transaction_code: transaction code (``P``, ``S``, ``A``, ``M``, ``F``, ``G``...).
        transaction_code_meaning: the SEC's meaning of the code; None for an unknown code.
        equity_swap_involved: equity swap flag.
        transaction_timeliness: ``E`` (early) or ``L`` (late), None when blank.
        shares: number of securities in the transaction (unsigned, as filed).
        price_per_share: price per share (None when only given by footnote).
        total_value: transaction total value (used instead of shares for some securities).
        acquired_disposed: ``A`` (acquired) or ``D`` (disposed).
        shares_owned_following: securities owned following the transaction (or held, for holdings).
        value_owned_following: value owned following, when reported as a value.
        direct_or_indirect: ``D`` (direct) or ``I`` (indirect).
        nature_of_ownership: nature of indirect ownership.
        exercise_date: date exercisable (derivatives).
        expiration_date: expiration date (derivatives).
        underlying_security_title: title of the underlying security (derivatives).
        underlying_security_shares: number of underlying shares (derivatives).
        footnotes: footnotes attached to the row's values, with texts resolved.
    """

    table: str
    kind: str
    index: int
    security_title: str | None
    conversion_or_exercise_price: float | None = None
    transaction_date: date | None = None
    deemed_execution_date: date | None = None
    transaction_form_type: str | None = None
    transaction_code: str | None = None
    transaction_code_meaning: str | None = None
    equity_swap_involved: bool | None = None
    transaction_timeliness: str | None = None
    shares: float | None = None
    price_per_share: float | None = None
    total_value: float | None = None
    acquired_disposed: str | None = None
    shares_owned_following: float | None = None
    value_owned_following: float | None = None
    direct_or_indirect: str | None = None
    nature_of_ownership: str | None = None
    exercise_date: date | None = None
    expiration_date: date | None = None
    underlying_security_title: str | None = None
    underlying_security_shares: float | None = None
    footnotes: list[FieldFootnote] = msgspec.field(default_factory=list)


class Signature(msgspec.Struct, frozen=True, kw_only=True):
    """An owner signature.

    Attributes:
        name: signature name (``/s/ ...``).
        date: signature date.
    """

    name: str | None
    date: date | None


class OwnershipDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed Form 3, 4 or 5 (or amendment).

    Attributes:
        source: name of the parsed file.
        accession: accession number (from the SGML header), None for a stand-alone XML file.
        filing_date: FILED AS OF DATE from the SGML header, None for a stand-alone XML file.
        schema_version: ``X0306``, ``X0508``...
        document_type: ``3``, ``4``, ``5``, ``3/A``, ``4/A``, ``5/A``.
        is_amendment: the document type ends in ``/A``.
        period_of_report: period of report.
        date_of_original_submission: for amendments, the original filing date.
        not_subject_to_section16: the box "no longer subject to Section 16" (Forms 4/5).
        no_securities_owned: Form 3 "no securities beneficially owned" flag; None when absent.
        aff10b5_one: the Rule 10b5-1(c) box (schema X0508 and later).
        issuer: the issuer.
        reporting_owners: every reporting owner, in file order.
        non_derivative: rows of the non-derivative table (Table I), in file order; empty when absent.
        derivative: rows of the derivative table (Table II), in file order; empty when absent.
        footnotes: every footnote.
        remarks: remarks, None when blank.
        signatures: owner signatures.
    """

    source: str
    accession: str | None
    filing_date: date | None
    schema_version: str | None
    document_type: str
    is_amendment: bool
    period_of_report: date | None
    date_of_original_submission: date | None
    not_subject_to_section16: bool | None
    no_securities_owned: bool | None
    aff10b5_one: bool | None
    issuer: Issuer
    reporting_owners: list[ReportingOwner]
    non_derivative: list[OwnershipRow]
    derivative: list[OwnershipRow]
    footnotes: list[Footnote]
    remarks: str | None
    signatures: list[Signature]


class InsiderTrade(msgspec.Struct, frozen=True, kw_only=True):
    """One row of FinancialDatasets' ``/insider-trades/`` response (v1 keys in v1 order, then v2's extras).

    Every key is always emitted (no defaults); unknown values are null.

    Attributes:
        ticker: issuer trading symbol (upper case), or the caller's fallback.
        issuer: issuer name.
        name: reporting owner name.
        title: officer title, else ``Director``, ``10% Owner`` or the "other" text.
        is_board_director: owner is a director (False when the relationship omits the flag; None without a
            relationship element).
        transaction_date: ISO date of the transaction; None for holdings.
        transaction_shares: signed shares: negative for dispositions (``D``), positive for acquisitions.
        transaction_price_per_share: price per share.
        transaction_value: transaction_shares x price (so negative for dispositions) when both are known.
        shares_owned_before_transaction: shares owned after minus the signed shares; None when unknown.
        shares_owned_after_transaction: shares owned following the transaction (held, for holdings).
        security_title: title of the security.
        filing_date: ISO filing date; None only for a stand-alone document whose filing date no source states
            (see :func:`edgar.ownership.trades.insider_trades`, ``allow_unknown_date``).
        transaction_type: short label of the transaction code (``Sale``); ``Holding`` for holdings rows.
        row_id: stable id: hash of accession (or source), owner CIK, table and row index.
    """

    ticker: str
    issuer: str | None
    name: str | None
    title: str | None
    is_board_director: bool | None
    transaction_date: str | None
    transaction_shares: float | None
    transaction_price_per_share: float | None
    transaction_value: float | None
    shares_owned_before_transaction: float | None
    shares_owned_after_transaction: float | None
    security_title: str | None
    filing_date: str | None
    transaction_type: str | None
    row_id: str
