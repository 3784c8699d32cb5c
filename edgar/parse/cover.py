"""Identity of a filing read from the document itself: the cover page.

:func:`extract_cover` turns the bytes of one EDGAR document into a :class:`Cover`: CIK, form, period of report,
fiscal year/period, tickers, shares outstanding... taken from

* XBRL instances: the ``dei:`` facts (any ``http://xbrl.sec.gov/dei/YYYY`` or ``http://xbrl.us/dei/...``
  namespace), preferring the fact in a context without dimensions; the CIK falls back on the context
  ``<identifier scheme="http://www.sec.gov/CIK">``;
* inline XBRL (XHTML): the same ``dei:`` facts as ``ix:nonNumeric`` / ``ix:nonFraction``, with the ``ixt``
  transformations applied; documents that are not well-formed XML are read with an HTML parser instead;
* ownership XML (Forms 3/4/5): ``issuerCik``, ``documentType``, ``periodOfReport``, ``issuerTradingSymbol``;
* 13F cover pages (``edgarSubmission``): ``submissionType``, the filer's ``credentials/cik``,
  ``periodOfReport`` (written ``MM-DD-YYYY``);
* full SGML submissions (``.txt`` / ``.nc``): the SEC header, the only source here that states an accession.

Nothing is invented: what the document does not state is ``None``, and the reasons are in ``warnings``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
from lxml import etree

from edgar.errors import ParseError
from edgar.parse import ixt
from edgar.parse.detect import HEAD_BYTES, IX_NAMESPACES, DocKind, detect_kind

XBRLI_NS = "http://www.xbrl.org/2003/instance"
XBRLDI_NS = "http://xbrl.org/2006/xbrldi"
CIK_SCHEME = "http://www.sec.gov/CIK"
_DEI_NS = re.compile(r"^http://xbrl\.(?:sec\.gov|us)/dei/")
_PERIODIC_FORMS = re.compile(r"^(?:10-K|10-Q|10-KT|10-QT|20-F|40-F|N-CSR\w*)(?:/A)?$")
#: fewer ix:nonFraction than this in a periodic report earns a warning
MIN_NONFRACTION_PERIODIC = 20
_FILER_CATEGORIES = {
    c.lower(): c
    for c in (
        "Large Accelerated Filer",
        "Accelerated Filer",
        "Non-accelerated Filer",
        "Smaller Reporting Company",
        "Smaller Reporting Accelerated Filer",
    )
}
_COVER_CONCEPTS = frozenset(
    {
        "EntityCentralIndexKey",
        "EntityRegistrantName",
        "DocumentType",
        "DocumentPeriodEndDate",
        "DocumentFiscalYearFocus",
        "DocumentFiscalPeriodFocus",
        "CurrentFiscalYearEndDate",
        "TradingSymbol",
        "AmendmentFlag",
        "EntityCommonStockSharesOutstanding",
        "EntityFilerCategory",
    }
)


class ShareCount(msgspec.Struct, frozen=True, kw_only=True):
    """One ``dei:EntityCommonStockSharesOutstanding`` fact.

    Attributes:
        value: Number of shares (scale and sign applied).
        member: The class-of-stock dimension member(s) of its context (``"us-gaap:CommonClassAMember"``),
            ``None`` for the context without dimensions (all common stock).
        as_of: The instant of its context (the cover page's "as of" date), when known.
    """

    value: int
    member: str | None = None
    as_of: date | None = None


class Cover(msgspec.Struct, frozen=True, kw_only=True):
    """Identity of a filing as its document states it.

    Attributes:
        kind: What the document is (see :func:`edgar.parse.detect.detect_kind`).
        cik: Central Index Key of the subject: the registrant (XBRL), the issuer (Forms 3/4/5), the filing
            manager (13F), the issuer/subject company/filer (SGML header).
        entity_name: Registrant / issuer / filing manager name, whitespace collapsed.
        form: Document type as filed: ``"10-K"``, ``"10-Q"``, ``"8-K"``, ``"4"``, ``"13F-HR"``...
        period_of_report: ``dei:DocumentPeriodEndDate`` / ``periodOfReport``.
        fiscal_year: ``dei:DocumentFiscalYearFocus``.
        fiscal_period: ``dei:DocumentFiscalPeriodFocus`` (``"FY"``, ``"Q1"``...).
        fiscal_year_end: ``dei:CurrentFiscalYearEndDate`` as ``"--MM-DD"``.
        tickers: Every ``dei:TradingSymbol`` (all share classes and listed securities, document order) or the
            ownership ``issuerTradingSymbol``.
        amendment: ``dei:AmendmentFlag``; for ownership/13F/SGML, whether the form is an amendment.
        shares_outstanding: Every ``dei:EntityCommonStockSharesOutstanding`` fact, one per class.
        filer_category: ``dei:EntityFilerCategory`` in its canonical spelling (``"Large Accelerated Filer"``).
        accession: Accession number, only when the document states it (SGML headers); never for XBRL.
        reporting_owner_ciks: Forms 3/4/5: the reporting owners' CIKs.
        warnings: What was missing, inconsistent or unusual.
        n_facts: Number of XBRL facts (instance) or ``ix:nonNumeric`` + ``ix:nonFraction`` + ``ix:fraction``
            (inline); ``None`` for other kinds.
        n_ix_nonfraction: Number of ``ix:nonFraction`` (inline XBRL only).
    """

    kind: DocKind
    cik: int | None = None
    entity_name: str | None = None
    form: str | None = None
    period_of_report: date | None = None
    fiscal_year: int | None = None
    fiscal_period: str | None = None
    fiscal_year_end: str | None = None
    tickers: tuple[str, ...] = ()
    amendment: bool | None = None
    shares_outstanding: tuple[ShareCount, ...] = ()
    filer_category: str | None = None
    accession: str | None = None
    reporting_owner_ciks: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()
    n_facts: int | None = None
    n_ix_nonfraction: int | None = None


# ---------------------------------------------------------------------------------------------------------------
# shared pieces


@dataclass(slots=True)
class _Context:
    identifier: str | None = None
    scheme: str | None = None
    members: tuple[str, ...] = ()
    instant: date | None = None


@dataclass(slots=True)
class _Fact:
    concept: str  # local name in the dei namespace
    context: str | None
    text: str
    fmt: str | None = None
    scale: str | None = None
    sign: str | None = None
    continued_at: str | None = None


@dataclass(slots=True)
class _Collected:
    facts: list[_Fact] = field(default_factory=list)
    contexts: dict[str, _Context] = field(default_factory=dict)
    continuations: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    n_facts: int = 0
    n_nonfraction: int = 0
    warnings: list[str] = field(default_factory=list)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _strip_prolog(data: bytes) -> tuple[bytes, int]:
    """Drop leading whitespace/BOM (an XML declaration must come first); returns the newlines dropped."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    body = data[start:].lstrip(b" \t\r\n")
    return body, data[: len(data) - len(body)].count(b"\n")


def _parse_error(source: str, exc: etree.XMLSyntaxError, data: bytes, line_offset: int) -> ParseError:
    msg = str(exc.msg or exc)
    line = exc.lineno + line_offset if exc.lineno else None
    if "Premature end of data" in msg or "EndTag: '</' not found" in msg:
        msg = f"truncated document: {msg}"
    return ParseError(source, f"malformed XML: {msg}", line)


def _iterparse(source: str, data: bytes, events: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    body, offset = _strip_prolog(data)
    if not body:
        raise ParseError(source, "empty document", None)
    parser = etree.iterparse(
        io.BytesIO(body),
        events=events,
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        yield from parser
    except etree.XMLSyntaxError as exc:
        raise _parse_error(source, exc, body, offset) from exc


def _dims_text(members: list[str]) -> tuple[str, ...]:
    return tuple(m for m in (_clean(x) for x in members) if m)


def _read_context(elem: Any) -> tuple[str | None, _Context]:
    ctx = _Context()
    ident = elem.find(f".//{{{XBRLI_NS}}}identifier")
    if ident is not None:
        ctx.identifier = _clean(ident.text)
        ctx.scheme = ident.get("scheme")
    members: list[str] = []
    for container in ("segment", "scenario"):
        for seg in elem.iter(f"{{{XBRLI_NS}}}{container}"):
            for member in seg:
                if not isinstance(member.tag, str):
                    continue
                members.append(
                    member.text if _local(member.tag) == "explicitMember" else "".join(member.itertext())
                )
    ctx.members = _dims_text(members)
    point = elem.find(f".//{{{XBRLI_NS}}}instant")
    if point is None:
        point = elem.find(f".//{{{XBRLI_NS}}}endDate")
    if point is not None:
        ctx.instant = ixt.parse_date(point.text or "")
    return elem.get("id"), ctx


# ---------------------------------------------------------------------------------------------------------------
# XBRL instance


def _collect_instance(source: str, data: bytes) -> _Collected:
    out = _Collected()
    depth = 0
    for event, elem in _iterparse(source, data, ("start", "end")):
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth != 1:
            continue
        tag = elem.tag
        if not isinstance(tag, str):
            continue
        if tag == f"{{{XBRLI_NS}}}context":
            cid, ctx = _read_context(elem)
            if cid:
                out.contexts[cid] = ctx
        elif elem.get("contextRef") is not None:
            out.n_facts += 1
            if _DEI_NS.match(_namespace(tag)):
                name = _local(tag)
                if name in _COVER_CONCEPTS:
                    out.facts.append(_Fact(name, elem.get("contextRef"), elem.text or ""))
        # facts and contexts are children of the root: once read, drop them (streaming memory)
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
    return out


# ---------------------------------------------------------------------------------------------------------------
# inline XBRL

_IX_FACTS = ("nonNumeric", "nonFraction", "fraction")
_SGML_WRAPPER = re.compile(rb"^\s*<DOCUMENT>.*?<TEXT>\s*(?:<XBRL>|<XML>)?", re.DOTALL | re.IGNORECASE)
_SGML_TRAILER = re.compile(rb"(?:</XBRL>|</XML>)?\s*</TEXT>\s*</DOCUMENT>\s*$", re.IGNORECASE)


def _unwrap_sgml(data: bytes) -> bytes:
    """An EDGAR ``<DOCUMENT><TYPE>..<TEXT>`` block around a document: keep the document."""
    head = _SGML_WRAPPER.match(data[:HEAD_BYTES])
    if head is None:
        return data
    body = data[head.end() :]
    tail = _SGML_TRAILER.search(body[-256:])
    return body[: len(body) - (len(body[-256:]) - tail.start())] if tail else body


def _ix_text(elem: Any, ix_ns: str) -> str:
    """Text content of an ix element, without ``ix:exclude`` parts."""
    parts: list[str] = [elem.text or ""]
    for child in elem:
        if isinstance(child.tag, str) and child.tag != f"{{{ix_ns}}}exclude":
            parts.append(_ix_text(child, ix_ns))
        parts.append(child.tail or "")
    return "".join(parts)


def _dei_prefixes(nsmap: dict[str | None, str]) -> set[str]:
    return {p for p, ns in nsmap.items() if p and _DEI_NS.match(ns)}


def _collect_inline_lxml(source: str, data: bytes) -> _Collected:
    out = _Collected()
    keep = 0  # >0 while inside something whose subtree is still needed (ix:header, a wanted fact)
    wanted_continuations: set[str] = set()
    undeclared_warned = False
    raised: list[bool] = []  # per open element: did its start raise keep
    for event, elem in _iterparse(source, data, ("start", "end")):
        tag = elem.tag
        if not isinstance(tag, str):
            continue
        ns, local = _namespace(tag), _local(tag)
        is_ix = ns in IX_NAMESPACES
        if event == "start":
            needed = is_ix and (
                local == "header"
                or (local in _IX_FACTS and _is_wanted_ix(elem))
                or (local == "continuation" and elem.get("id") in wanted_continuations)
            )
            raised.append(needed)
            keep += needed
            continue
        if is_ix and local in _IX_FACTS:
            out.n_facts += 1
            if local == "nonFraction":
                out.n_nonfraction += 1
            if _is_wanted_ix(elem):
                if "dei" not in elem.nsmap and not undeclared_warned:
                    undeclared_warned = True
                    out.warnings.append(
                        "prefix dei: is not declared; read as the dei namespace by convention"
                    )
                fact = _Fact(
                    (elem.get("name") or "").split(":", 1)[-1],
                    elem.get("contextRef"),
                    _ix_text(elem, ns),
                    elem.get("format"),
                    elem.get("scale"),
                    elem.get("sign"),
                    elem.get("continuedAt"),
                )
                out.facts.append(fact)
                if fact.continued_at:
                    wanted_continuations.add(fact.continued_at)
        elif is_ix and local == "continuation" and elem.get("id") in wanted_continuations:
            nxt = elem.get("continuedAt")
            out.continuations[elem.get("id")] = (_ix_text(elem, ns), nxt)
            if nxt:
                wanted_continuations.add(nxt)
        elif tag == f"{{{XBRLI_NS}}}context":
            cid, ctx = _read_context(elem)
            if cid:
                out.contexts[cid] = ctx
        keep -= raised.pop()
        if keep == 0:
            elem.clear(keep_tail=True)
    return out


def _is_wanted_ix(elem: Any) -> bool:
    name = elem.get("name") or ""
    prefix, _, local = name.rpartition(":")
    if local not in _COVER_CONCEPTS:
        return False
    nsmap = elem.nsmap
    # an undeclared "dei" prefix (seen in real filings) is read as the dei namespace by convention
    return prefix in _dei_prefixes(nsmap) or (prefix == "dei" and "dei" not in nsmap)


def _collect_inline_html(source: str, data: bytes) -> _Collected:
    """Fallback for inline documents that are not well-formed XML: an HTML5 parser (tags come lower case)."""
    from selectolax.lexbor import LexborHTMLParser

    out = _Collected()
    tree = LexborHTMLParser(data)
    root = tree.root
    if root is None:
        return out
    dei_prefixes: set[str] = set()
    declared: set[str] = set()
    for attr, value in root.attributes.items():
        if attr.lower().startswith("xmlns:"):
            declared.add(attr.split(":", 1)[1].lower())
            if value and _DEI_NS.match(value):
                dei_prefixes.add(attr.split(":", 1)[1].lower())
    if "dei" not in declared:
        dei_prefixes.add("dei")
        out.warnings.append("prefix dei: is not declared; read as the dei namespace by convention")

    def text_of(node: Any) -> str:
        parts: list[str] = []
        child = node.child
        while child is not None:
            if child.tag == "-text":
                parts.append(child.text_content or "")
            elif child.tag != "ix:exclude" and not child.tag.startswith("-"):
                parts.append(text_of(child))
            child = child.next
        return "".join(parts)

    for node in root.traverse():
        tag = node.tag
        if tag in ("ix:nonnumeric", "ix:nonfraction", "ix:fraction"):
            out.n_facts += 1
            if tag == "ix:nonfraction":
                out.n_nonfraction += 1
            attrs = node.attributes
            prefix, _, local = (attrs.get("name") or "").rpartition(":")
            if local in _COVER_CONCEPTS and prefix.lower() in dei_prefixes:
                out.facts.append(
                    _Fact(
                        local,
                        attrs.get("contextref"),
                        text_of(node),
                        attrs.get("format"),
                        attrs.get("scale"),
                        attrs.get("sign"),
                        attrs.get("continuedat"),
                    )
                )
        elif tag == "ix:continuation":
            attrs = node.attributes
            cid = attrs.get("id")
            if cid:
                out.continuations[cid] = (text_of(node), attrs.get("continuedat"))
        elif tag == "xbrli:context":
            cid = node.attributes.get("id")
            ctx = _Context()
            ident = node.css_first("xbrli\\:identifier")
            if ident is not None:
                ctx.identifier = _clean(ident.text())
                ctx.scheme = ident.attributes.get("scheme")
            members = [m.text() for m in node.css("xbrldi\\:explicitmember, xbrldi\\:typedmember")]
            ctx.members = _dims_text(members)
            point = node.css_first("xbrli\\:instant") or node.css_first("xbrli\\:enddate")
            if point is not None:
                ctx.instant = ixt.parse_date(point.text())
            if cid:
                out.contexts[cid] = ctx
    return out


def _collect_inline(source: str, data: bytes) -> _Collected:
    data = _unwrap_sgml(data)
    try:
        return _collect_inline_lxml(source, data)
    except ParseError as exc:
        if not re.search(rb"</html\s*>\s*$", data[-1024:], re.IGNORECASE):
            raise ParseError(source, "truncated document: no closing </html>", data.count(b"\n") + 1) from exc
        out = _collect_inline_html(source, data)
        out.warnings.append(f"not well-formed XHTML ({exc}); read with the HTML parser")
        return out


# ---------------------------------------------------------------------------------------------------------------
# dei facts -> Cover


def _continued_text(fact: _Fact, collected: _Collected) -> str:
    text, nxt, seen = fact.text, fact.continued_at, set()
    while nxt and nxt not in seen and nxt in collected.continuations:
        seen.add(nxt)
        more, nxt = collected.continuations[nxt]
        text += more
    return text


def _value(fact: _Fact, collected: _Collected) -> Any:
    text = _continued_text(fact, collected)
    name = fact.concept
    if name == "DocumentPeriodEndDate":
        return ixt.parse_date(text, fact.fmt)
    if name == "CurrentFiscalYearEndDate":
        return ixt.parse_month_day(text, fact.fmt)
    if name == "AmendmentFlag":
        return ixt.parse_bool(text, fact.fmt)
    if name == "EntityCommonStockSharesOutstanding":
        number = ixt.parse_number(text, fact.fmt, fact.scale, fact.sign)
        return int(number) if number is not None and number == number.to_integral_value() else None
    if name == "DocumentFiscalYearFocus":
        cleaned = _clean(text)
        return int(cleaned) if re.fullmatch(r"\d{4}", cleaned) else None
    if name == "EntityCentralIndexKey":
        cleaned = _clean(text)
        return int(cleaned) if re.fullmatch(r"\d{1,10}", cleaned) else None
    if name == "EntityFilerCategory":
        cleaned = _clean(text)
        return _FILER_CATEGORIES.get(cleaned.lower(), cleaned) or None
    return _clean(text) or None


def _pick(concept: str, collected: _Collected, warnings: list[str]) -> Any:
    """The value of a single-valued dei concept: prefer contexts without dimensions, then document order."""
    candidates = [f for f in collected.facts if f.concept == concept]
    if not candidates:
        return None

    def dimensional(f: _Fact) -> bool:
        ctx = collected.contexts.get(f.context or "")
        return bool(ctx and ctx.members)

    ordered = [f for f in candidates if not dimensional(f)] or candidates
    values = [_value(f, collected) for f in ordered]
    present = [v for v in values if v is not None]
    if not present:
        raw = _clean(_continued_text(ordered[0], collected))
        warnings.append(f"dei:{concept} {raw!r} could not be read (format {ordered[0].fmt or 'none'})")
        return None
    distinct = list(dict.fromkeys(present))
    if len(distinct) > 1:
        warnings.append(f"dei:{concept} has conflicting values {distinct!r}; kept the first")
    return distinct[0]


def _cover_from_dei(kind: DocKind, collected: _Collected, inline: bool) -> Cover:
    warnings = list(collected.warnings)
    if not collected.facts:
        warnings.append("no dei facts found")
    get = lambda concept: _pick(concept, collected, warnings)  # noqa: E731

    cik = get("EntityCentralIndexKey")
    identifiers = list(
        dict.fromkeys(
            c.identifier for c in collected.contexts.values() if c.scheme == CIK_SCHEME and c.identifier
        )
    )
    ident_ciks = [int(i) for i in identifiers if i.isdigit()]
    if len(ident_ciks) > 1:
        warnings.append(f"contexts name several CIKs {ident_ciks}")
    if cik is None and ident_ciks:
        cik = ident_ciks[0]
        if collected.facts:
            warnings.append("no dei:EntityCentralIndexKey; CIK taken from the context identifier")
    elif cik is not None and ident_ciks and cik not in ident_ciks:
        warnings.append(
            f"dei:EntityCentralIndexKey {cik} differs from the context identifier {ident_ciks[0]}"
        )

    tickers: list[str] = []
    shares: list[ShareCount] = []
    for fact in collected.facts:
        if fact.concept == "TradingSymbol":
            symbol = _clean(_continued_text(fact, collected))
            if symbol and symbol not in tickers:
                tickers.append(symbol)
        elif fact.concept == "EntityCommonStockSharesOutstanding":
            value = _value(fact, collected)
            if value is None:
                warnings.append(
                    f"dei:EntityCommonStockSharesOutstanding {_clean(fact.text)!r} is not a whole number"
                )
                continue
            ctx = collected.contexts.get(fact.context or "")
            count = ShareCount(
                value=value,
                member=" ".join(ctx.members) if ctx and ctx.members else None,
                as_of=ctx.instant if ctx else None,
            )
            if count not in shares:
                shares.append(count)

    form = get("DocumentType")
    period = get("DocumentPeriodEndDate")
    for label, value in (
        ("dei:EntityCentralIndexKey / CIK", cik),
        ("dei:DocumentType", form),
        ("dei:DocumentPeriodEndDate", period),
    ):
        if value is None and collected.facts:
            warnings.append(f"missing {label}")
    if inline and form and _PERIODIC_FORMS.match(form) and collected.n_nonfraction < MIN_NONFRACTION_PERIODIC:
        warnings.append(f"document has almost no inline XBRL tags: {collected.n_nonfraction} ix:nonFraction")
    return Cover(
        kind=kind,
        cik=cik,
        entity_name=get("EntityRegistrantName"),
        form=form,
        period_of_report=period,
        fiscal_year=get("DocumentFiscalYearFocus"),
        fiscal_period=get("DocumentFiscalPeriodFocus"),
        fiscal_year_end=get("CurrentFiscalYearEndDate"),
        tickers=tuple(tickers),
        amendment=get("AmendmentFlag"),
        shares_outstanding=tuple(shares),
        filer_category=get("EntityFilerCategory"),
        accession=None,
        warnings=tuple(warnings),
        n_facts=collected.n_facts,
        n_ix_nonfraction=collected.n_nonfraction if inline else None,
    )


# ---------------------------------------------------------------------------------------------------------------
# ownership XML, 13F cover page


def _to_cik(text: str | None) -> int | None:
    cleaned = _clean(text)
    return int(cleaned) if re.fullmatch(r"\d{1,10}", cleaned) else None


def _amendment_of(form: str | None) -> bool | None:
    return form.upper().endswith("/A") if form else None


def _ownership_cover(source: str, data: bytes) -> Cover:
    values: dict[str, str] = {}
    owners: list[int] = []
    for _, elem in _iterparse(source, data, ("end",)):
        local = _local(elem.tag)
        if local in ("documentType", "periodOfReport", "issuerCik", "issuerName", "issuerTradingSymbol"):
            values.setdefault(local, _clean(elem.text))
        elif local == "rptOwnerCik":
            cik = _to_cik(elem.text)
            if cik is not None and cik not in owners:
                owners.append(cik)
    warnings: list[str] = []
    period = ixt.parse_date(values.get("periodOfReport", ""))
    if values.get("periodOfReport") and period is None:
        warnings.append(f"periodOfReport {values['periodOfReport']!r} is not a date")
    form = values.get("documentType") or None
    cik = _to_cik(values.get("issuerCik"))
    for label, value in (("issuerCik", cik), ("documentType", form), ("periodOfReport", period)):
        if value is None:
            warnings.append(f"missing {label}")
    symbol = values.get("issuerTradingSymbol")
    return Cover(
        kind="ownership-xml",
        cik=cik,
        entity_name=values.get("issuerName") or None,
        form=form,
        period_of_report=period,
        tickers=(symbol,) if symbol and symbol.upper() != "NONE" else (),
        amendment=_amendment_of(form),
        reporting_owner_ciks=tuple(owners),
        warnings=tuple(warnings),
    )


def _date_mdy(text: str | None) -> date | None:
    match = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", _clean(text))
    if match is None:
        return None
    try:
        return date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def _thirteenf_cover(source: str, data: bytes) -> Cover:
    values: dict[str, str] = {}
    path: list[str] = []
    for event, elem in _iterparse(source, data, ("start", "end")):
        local = _local(elem.tag)
        if event == "start":
            path.append(local)
            continue
        where = "/".join(path)
        path.pop()
        if where.endswith("headerData/filerInfo/filer/credentials/cik"):
            values.setdefault("cik", elem.text or "")
        elif local in ("submissionType", "periodOfReport", "reportCalendarOrQuarter", "isAmendment"):
            values.setdefault(local, _clean(elem.text))
        elif where.endswith("coverPage/filingManager/name"):
            values.setdefault("name", _clean(elem.text))
        if local == "documents":  # base64 copies of the attached documents follow; nothing more to read
            elem.clear()
    warnings: list[str] = []
    raw_period = values.get("periodOfReport") or values.get("reportCalendarOrQuarter")
    period = _date_mdy(raw_period)
    if raw_period and period is None:
        warnings.append(f"periodOfReport {raw_period!r} is not MM-DD-YYYY")
    form = values.get("submissionType") or None
    cik = _to_cik(values.get("cik"))
    for label, value in (("filer cik", cik), ("submissionType", form), ("periodOfReport", period)):
        if value is None:
            warnings.append(f"missing {label}")
    flag = values.get("isAmendment")
    amendment = ixt.parse_bool(flag) if flag else _amendment_of(form)
    return Cover(
        kind="13f-primary",
        cik=cik,
        entity_name=values.get("name") or None,
        form=form,
        period_of_report=period,
        amendment=amendment,
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------------------------------------------------------
# SGML submission header

_SGML_HEADER_END = re.compile(rb"<DOCUMENT>|</SEC-HEADER>", re.IGNORECASE)
_SECTION_TXT = re.compile(r"^(FILER|ISSUER|SUBJECT COMPANY|REPORTING-OWNER|FILED BY):\s*$", re.MULTILINE)
_SECTION_NC = re.compile(r"<(FILER|ISSUER|SUBJECT-COMPANY|REPORTING-OWNER|FILED-BY)>")


def _sgml_field(header: str, txt_key: str, nc_tag: str) -> str | None:
    match = re.search(rf"^\s*{txt_key}:[ \t]*(.*?)\s*$", header, re.MULTILINE) or re.search(
        rf"<{nc_tag}>([^<\n]*)", header
    )
    return _clean(match.group(1)) if match and _clean(match.group(1)) else None


def _sgml_cover(source: str, data: bytes) -> Cover:
    end = _SGML_HEADER_END.search(data)
    header = data[: end.start() if end else min(len(data), 65536)].decode("latin-1")
    warnings: list[str] = []
    accession = _sgml_field(header, "ACCESSION NUMBER", "ACCESSION-NUMBER")
    form = _sgml_field(header, "CONFORMED SUBMISSION TYPE", "TYPE")
    raw_period = _sgml_field(header, "CONFORMED PERIOD OF REPORT", "PERIOD")
    period = None
    if raw_period:
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw_period)
        try:
            period = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
        except ValueError:
            period = None
        if period is None:
            warnings.append(f"period of report {raw_period!r} is not YYYYMMDD")
    # sections in the order the subject is preferred: issuer, subject company, filer, reporting owner
    sections: list[tuple[str, str]] = []
    marks = list(_SECTION_TXT.finditer(header)) or list(_SECTION_NC.finditer(header))
    for i, mark in enumerate(marks):
        body = header[mark.end() : marks[i + 1].start() if i + 1 < len(marks) else len(header)]
        sections.append((mark.group(1).replace("-", " ").upper(), body))
    cik = name = None
    for wanted in ("ISSUER", "SUBJECT COMPANY", "FILER", "FILED BY", "REPORTING OWNER"):
        for section, body in sections:
            if section == wanted and cik is None:
                cik = _to_cik(_sgml_field(body, "CENTRAL INDEX KEY", "CIK"))
                name = _sgml_field(body, "COMPANY CONFORMED NAME", "CONFORMED-NAME")
    owners: list[int] = []
    for section, body in sections:
        owner = (
            _to_cik(_sgml_field(body, "CENTRAL INDEX KEY", "CIK")) if section == "REPORTING OWNER" else None
        )
        if owner is not None and owner not in owners:
            owners.append(owner)
    for label, value in (
        ("ACCESSION NUMBER", accession),
        ("CENTRAL INDEX KEY", cik),
        ("SUBMISSION TYPE", form),
    ):
        if value is None:
            warnings.append(f"SGML header has no {label}")
    return Cover(
        kind="sgml-submission",
        cik=cik,
        entity_name=name,
        form=form,
        period_of_report=period,
        amendment=_amendment_of(form),
        accession=accession,
        reporting_owner_ciks=tuple(owners),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------------------------------------------------------


def extract_cover(name: str, data: bytes) -> Cover:
    """Read the identity of a filing from one of its documents.

    Args:
        name: File name or URL of the document (for kind detection and error messages).
        data: The whole document.

    Returns:
        The :class:`Cover`. Kinds without identity (linkbases, schemas, 13F information tables, JSON, text, plain
        HTML) give a Cover with only ``kind`` and a warning.

    Raises:
        ParseError: The document is XML (instance, ownership, 13F) but not well-formed, or it is truncated.
    """
    kind = detect_kind(name, data[:HEAD_BYTES])
    if kind == "xbrl-instance":
        return _cover_from_dei(kind, _collect_instance(name, data), inline=False)
    if kind == "inline-xbrl":
        return _cover_from_dei(kind, _collect_inline(name, data), inline=True)
    if kind == "ownership-xml":
        return _ownership_cover(name, data)
    if kind == "13f-primary":
        return _thirteenf_cover(name, data)
    if kind == "sgml-submission":
        return _sgml_cover(name, data)
    if kind == "html":
        return Cover(kind=kind, warnings=("HTML without inline XBRL: no dei facts found",))
    return Cover(kind=kind, warnings=(f"a {kind} document states no filing identity",))
