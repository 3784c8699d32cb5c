"""Parse ownership XML (Forms 3, 4, 5 and amendments), stand-alone or embedded in an SGML submission.

Values sit in ``<value>`` children and may carry ``<footnoteId id="F1"/>`` references, which are resolved
against ``<footnotes>``. A missing element or an empty value reads as None; nothing is invented.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lxml import etree

from edgar.errors import ParseError
from edgar.ownership.codes import code_meaning
from edgar.ownership.model import (
    FieldFootnote,
    Footnote,
    Issuer,
    OwnerAddress,
    OwnershipDocument,
    OwnershipRow,
    ReportingOwner,
    Signature,
)
from edgar.parse.sgml import parse_sgml_submission

_WS = re.compile(r"\s+")
_SGML_START = (b"<SEC-DOCUMENT", b"<SUBMISSION", b"<SEC-HEADER", b"<IMS-DOCUMENT")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=True)

# (row field, element path below the row, value kind)
_COMMON: tuple[tuple[str, str, str], ...] = (
    ("security_title", "securityTitle", "str"),
    ("conversion_or_exercise_price", "conversionOrExercisePrice", "num"),
    ("transaction_date", "transactionDate", "date"),
    ("deemed_execution_date", "deemedExecutionDate", "date"),
    ("transaction_timeliness", "transactionTimeliness", "str"),
    ("shares", "transactionAmounts/transactionShares", "num"),
    ("price_per_share", "transactionAmounts/transactionPricePerShare", "num"),
    ("total_value", "transactionAmounts/transactionTotalValue", "num"),
    ("acquired_disposed", "transactionAmounts/transactionAcquiredDisposedCode", "str"),
    ("exercise_date", "exerciseDate", "date"),
    ("expiration_date", "expirationDate", "date"),
    ("underlying_security_title", "underlyingSecurity/underlyingSecurityTitle", "str"),
    ("underlying_security_shares", "underlyingSecurity/underlyingSecurityShares", "num"),
    ("underlying_security_value", "underlyingSecurity/underlyingSecurityValue", "skip"),
    ("shares_owned_following", "postTransactionAmounts/sharesOwnedFollowingTransaction", "num"),
    ("value_owned_following", "postTransactionAmounts/valueOwnedFollowingTransaction", "num"),
    ("direct_or_indirect", "ownershipNature/directOrIndirectOwnership", "str"),
    ("nature_of_ownership", "ownershipNature/natureOfOwnership", "str"),
)
_TABLES = (
    ("non-derivative", "nonDerivativeTable", "nonDerivativeTransaction", "nonDerivativeHolding"),
    ("derivative", "derivativeTable", "derivativeTransaction", "derivativeHolding"),
)


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    out = _WS.sub(" ", text).strip()
    return out or None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_ns(root: Any) -> None:
    """Drop namespaces so that plain paths work (ownership documents normally have none)."""
    if isinstance(root.tag, str) and root.tag.startswith("{"):
        for el in root.iter():
            if isinstance(el.tag, str):
                el.tag = _local(el.tag)


def _text(el: Any, path: str) -> str | None:
    found = el.find(path)
    return _norm("".join(found.itertext())) if found is not None else None


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.lower()
    if low in {"1", "true", "y", "yes"}:
        return True
    if low in {"0", "false", "n", "no"}:
        return False
    return None


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", "").replace("$", ""))
    except ValueError:
        return None


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _value_of(el: Any) -> str | None:
    """The ``<value>`` child's text, or the element's own text when it has no ``<value>`` child."""
    value = el.find("value")
    if value is not None:
        return _norm("".join(value.itertext()))
    own = _norm(el.text)
    return own


def _row(el: Any, table: str, kind: str, index: int, footnotes: dict[str, str]) -> OwnershipRow:
    values: dict[str, Any] = {}
    notes: list[FieldFootnote] = []

    def attach(field: str, node: Any) -> None:
        for ref in node.findall("footnoteId"):
            fid = ref.get("id")
            if fid:
                notes.append(FieldFootnote(field=field, id=fid, text=footnotes.get(fid)))

    for field, path, how in _COMMON:
        node = el.find(path)
        if node is None:
            continue
        attach(field, node)
        if how == "skip":
            continue
        raw = _value_of(node)
        values[field] = _num(raw) if how == "num" else _date(raw) if how == "date" else raw
    coding = el.find("transactionCoding")
    if coding is not None:
        code = _text(coding, "transactionCode")
        values["transaction_form_type"] = _text(coding, "transactionFormType")
        values["transaction_code"] = code
        values["transaction_code_meaning"] = code_meaning(code)
        values["equity_swap_involved"] = _flag(_text(coding, "equitySwapInvolved"))
        attach("transaction_code", coding)
    return OwnershipRow(table=table, kind=kind, index=index, footnotes=notes, **values)


def _rows(root: Any, footnotes: dict[str, str]) -> tuple[list[OwnershipRow], list[OwnershipRow]]:
    out: list[list[OwnershipRow]] = []
    for table, table_tag, tx_tag, hold_tag in _TABLES:
        rows: list[OwnershipRow] = []
        for table_el in root.findall(table_tag):
            for child in table_el:
                tag = _local(child.tag)
                if tag in (tx_tag, hold_tag):
                    kind = "transaction" if tag == tx_tag else "holding"
                    rows.append(_row(child, table, kind, len(rows), footnotes))
        out.append(rows)
    return out[0], out[1]


def _owner(el: Any) -> ReportingOwner:
    addr_el = el.find("reportingOwnerAddress")
    address = None
    if addr_el is not None:
        address = OwnerAddress(
            street1=_text(addr_el, "rptOwnerStreet1"),
            street2=_text(addr_el, "rptOwnerStreet2"),
            city=_text(addr_el, "rptOwnerCity"),
            state=_text(addr_el, "rptOwnerState"),
            zip=_text(addr_el, "rptOwnerZipCode"),
            state_description=_text(addr_el, "rptOwnerStateDescription"),
        )
    rel = el.find("reportingOwnerRelationship")
    cik = _text(el, "reportingOwnerId/rptOwnerCik")

    def flag(tag: str) -> bool | None:
        return _flag(_text(rel, tag)) if rel is not None else None

    return ReportingOwner(
        cik=int(cik) if cik and cik.isdigit() else None,
        name=_text(el, "reportingOwnerId/rptOwnerName"),
        address=address,
        is_director=flag("isDirector"),
        is_officer=flag("isOfficer"),
        officer_title=_text(rel, "officerTitle") if rel is not None else None,
        is_ten_percent_owner=flag("isTenPercentOwner"),
        is_other=flag("isOther"),
        other_text=_text(rel, "otherText") if rel is not None else None,
    )


def _xml_root(body: bytes, source: str, line_offset: int = 0) -> Any:
    start = 3 if body.startswith(b"\xef\xbb\xbf") else 0
    stripped = body[start:].lstrip(b" \t\r\n")
    offset = line_offset + body[: len(body) - len(stripped)].count(b"\n")
    if not stripped:
        raise ParseError(source, "empty document")
    try:
        root = etree.fromstring(stripped, _PARSER)
    except etree.XMLSyntaxError as exc:
        msg = str(exc.msg or exc)
        if "Premature end of data" in msg or "not found" in msg:
            msg = f"truncated document: {msg}"
        line = exc.lineno + offset if exc.lineno else None
        raise ParseError(source, f"malformed XML: {msg}", line) from exc
    _strip_ns(root)
    return root


def _from_sgml(data: bytes, source: str) -> tuple[bytes, str | None, date | None]:
    sub = parse_sgml_submission(data, source)
    for doc in sub.documents:
        if b"<ownershipDocument" in doc.body[:4096] or (
            doc.wrapper == "XML" and b"<ownershipDocument" in doc.body
        ):
            return doc.body, sub.accession, sub.filed_as_of
    raise ParseError(source, "no ownershipDocument XML among the submission's documents")


def parse_ownership(data: bytes, source: str) -> OwnershipDocument:
    """Parse a Form 3, 4 or 5 (or amendment) ownership document.

    Args:
        data: the ownership XML, or a full SGML submission (``.txt`` or ``.nc``) embedding it.
        source: file name or URL, used in errors.

    Returns:
        The parsed document; absent optional sections are None or empty lists.

    Raises:
        ParseError: The XML is malformed or truncated, its root is not ``ownershipDocument``, the
            submission embeds no ownership document, or the document type is missing.
    """
    accession: str | None = None
    filing_date: date | None = None
    head = data[:512].lstrip()
    if head.startswith(_SGML_START):
        data, accession, filing_date = _from_sgml(data, source)
    root = _xml_root(data, source)
    if _local(root.tag) != "ownershipDocument":
        raise ParseError(source, f"root element is <{_local(root.tag)}>, not <ownershipDocument>")
    doc_type = _text(root, "documentType")
    if not doc_type:
        raise ParseError(source, "ownershipDocument has no documentType")
    footnotes = [
        Footnote(id=fn.get("id", ""), text=_norm("".join(fn.itertext())) or "")
        for fn in root.findall("footnotes/footnote")
    ]
    by_id = {fn.id: fn.text for fn in footnotes}
    non_derivative, derivative = _rows(root, by_id)
    issuer_cik = _text(root, "issuer/issuerCik")
    return OwnershipDocument(
        source=source,
        accession=accession,
        filing_date=filing_date,
        schema_version=_text(root, "schemaVersion"),
        document_type=doc_type,
        is_amendment=doc_type.upper().endswith("/A"),
        period_of_report=_date(_text(root, "periodOfReport")),
        date_of_original_submission=_date(_text(root, "dateOfOriginalSubmission")),
        not_subject_to_section16=_flag(_text(root, "notSubjectToSection16")),
        no_securities_owned=_flag(_text(root, "noSecuritiesOwned")),
        aff10b5_one=_flag(_text(root, "aff10b5One")),
        issuer=Issuer(
            cik=int(issuer_cik) if issuer_cik and issuer_cik.isdigit() else None,
            name=_text(root, "issuer/issuerName"),
            trading_symbol=_text(root, "issuer/issuerTradingSymbol"),
        ),
        reporting_owners=[_owner(el) for el in root.findall("reportingOwner")],
        non_derivative=non_derivative,
        derivative=derivative,
        footnotes=footnotes,
        remarks=_text(root, "remarks"),
        signatures=[
            Signature(name=_text(el, "signatureName"), date=_date(_text(el, "signatureDate")))
            for el in root.findall("ownerSignature")
        ],
    )


def parse_ownership_fragment(data: bytes, source: str) -> list[OwnershipRow]:
    """Parse a fragment of an ownership document: one row, or a table of rows.

    Footnote references are kept with ``text=None`` (the fragment has no ``<footnotes>``).

    Args:
        data: XML whose root is a row (``derivativeHolding``...) or a table (``derivativeTable``...).
        source: file name or URL, used in errors.

    Returns:
        The rows, in file order.

    Raises:
        ParseError: The XML is malformed, or its root is neither a row nor a table.
    """
    root = _xml_root(data, source)
    tag = _local(root.tag)
    for table, table_tag, tx_tag, hold_tag in _TABLES:
        if tag == table_tag:
            holder = etree.Element("ownershipDocument")
            holder.append(root)
            return _rows(holder, {})[0 if table == "non-derivative" else 1]
        if tag in (tx_tag, hold_tag):
            return [_row(root, table, "transaction" if tag == tx_tag else "holding", 0, {})]
    raise ParseError(source, f"root element <{tag}> is not an ownership table or row")
