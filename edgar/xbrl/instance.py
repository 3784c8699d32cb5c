"""Facts of an XBRL instance document (``.xml``), read in one pass over the root's children.

:func:`parse_instance` reads each child of the root (context, unit, fact) once. Documents up to
:data:`TREE_LIMIT` are built by lxml's C parser first (faster than event streaming: no Python call per element);
larger ones stream through ``lxml.etree.iterparse``, each child dropped once read, so memory stays flat.
Contexts and units may come after the facts that use them (older filings), so facts are resolved at the end;
so are the ``link:footnoteLink`` footnotes, attached to the facts their arcs name.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from edgar.errors import ParseError
from edgar.xbrl.contexts import Context, build_context, build_unit, read_context, read_unit
from edgar.xbrl.factset import (
    FACT_FOOTNOTE_ARCROLE,
    FactSet,
    RawFact,
    RawFootnote,
    RawLink,
    assemble,
    number_text,
    parse_decimals,
    parse_order,
)
from edgar.xbrl.namespaces import (
    LINK_NS,
    XBRLDI_NS,
    XBRLI_NS,
    XLINK_NS,
    XSI_NS,
    QNameResolver,
    clark_to_qname,
)
from edgar.xbrl.xmlread import prepare, syntax_error

try:  # the optional C accelerator (setup.py); without it lxml reads every document
    from edgar.xbrl import _scan
except ImportError:  # pragma: no cover - a build without a C compiler
    _scan = None  # type: ignore[assignment]

_CONTEXT = f"{{{XBRLI_NS}}}context"
_UNIT = f"{{{XBRLI_NS}}}unit"
_NIL = f"{{{XSI_NS}}}nil"
_LINK_PREFIX = f"{{{LINK_NS}}}"
_FOOTNOTE_LINK = f"{{{LINK_NS}}}footnoteLink"
_LOC = f"{{{LINK_NS}}}loc"
_FOOTNOTE = f"{{{LINK_NS}}}footnote"
_FOOTNOTE_ARC = f"{{{LINK_NS}}}footnoteArc"
_XL_LABEL = f"{{{XLINK_NS}}}label"
_XL_HREF = f"{{{XLINK_NS}}}href"
_XL_ROLE = f"{{{XLINK_NS}}}role"
_XL_FROM = f"{{{XLINK_NS}}}from"
_XL_TO = f"{{{XLINK_NS}}}to"
_XL_ARCROLE = f"{{{XLINK_NS}}}arcrole"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MARKUP = re.compile(r"<(?:[A-Za-z][\w:.-]*[\s/>]|/[A-Za-z]|!--)")
_TAG = re.compile(r"<[^>]*>")
#: the no-break space as text blocks write it (most of their character references): replaced by ``str.replace``
#: before :func:`html.unescape`, whose per-reference Python callback is the slow part. A reference never overlaps
#: another (each starts at its own ``&``), so replacing these first gives the same text.
_NBSP_REFS = ("&#160;", "&#xA0;", "&#xa0;", "&nbsp;")


def markup_text(text: str) -> str:
    """The text of an escaped (X)HTML fact value (text blocks), as inline XBRL shows it; other text unchanged.

    Args:
        text: The element text, e.g. ``"<p style=...>Note 1.&#160;Organization</p>"``.

    Returns:
        The text without tags, character references resolved (whitespace is left to the caller).
    """
    if not text.rstrip().endswith(">") or _MARKUP.search(text) is None:
        return text
    text = _TAG.sub("", text)
    if "&" not in text:
        return text
    for ref in _NBSP_REFS:
        if ref in text:
            text = text.replace(ref, "\xa0")
    return html.unescape(text) if "&" in text else text


#: Documents up to this size are parsed into a tree by lxml's C parser (fastest); larger ones are streamed with
#: ``iterparse``, each top-level element freed once read, so memory stays flat however large the instance.
TREE_LIMIT = 64 * 1024 * 1024
#: at most this many distinct number texts are remembered per document
_NUMBER_CACHE = 4096
_OPTIONS: dict[str, Any] = {
    "huge_tree": True,
    "collect_ids": False,  # no id table: ids are read as attributes
    "remove_blank_text": True,  # fewer nodes; whitespace-only text collapses to "" anyway
    "resolve_entities": False,
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
}


def _top_level(body: bytes) -> Iterator[tuple[Any, Any]]:
    """Yield ``(root, child)`` for every element child of the document root, in document order."""
    if len(body) <= TREE_LIMIT:
        root = etree.fromstring(body, etree.XMLParser(**_OPTIONS))
        for child in root.iterchildren(tag=etree.Element):
            yield root, child
        return
    top = None
    for _, elem in etree.iterparse(io.BytesIO(body), events=("end",), **_OPTIONS):
        if top is None:
            top = elem.getroottree().getroot()
        if elem.getparent() is not top:
            continue
        yield top, elem
        elem.clear()
        while elem.getprevious() is not None:
            del top[0]


def read_footnote_link(elem: Any, footnotes: dict[str, RawFootnote], links: list[RawLink]) -> None:
    """Read one ``link:footnoteLink``: its footnotes (by label) and its fact-footnote arcs (by fact id).

    Args:
        elem: The ``link:footnoteLink`` element.
        footnotes: Footnote label -> (label, text, role, lang); filled in.
        links: (fact id, footnote label, order); filled in. A locator's ``href`` fragment is the fact's id.
    """
    locs: dict[str, str] = {}
    arcs: list[tuple[str, str, float | None]] = []
    for child in elem.iterchildren(tag=etree.Element):
        tag = child.tag
        if tag == _LOC:
            locs[child.get(_XL_LABEL) or ""] = (child.get(_XL_HREF) or "").rpartition("#")[2]
        elif tag == _FOOTNOTE:
            label = child.get(_XL_LABEL) or ""
            text = "".join(child.itertext())
            if "<" in text:
                text = markup_text(text)
            footnotes[label] = (label, " ".join(text.split()), child.get(_XL_ROLE), child.get(_XML_LANG))
        elif tag == _FOOTNOTE_ARC and child.get(_XL_ARCROLE, FACT_FOOTNOTE_ARCROLE) == FACT_FOOTNOTE_ARCROLE:
            arcs.append((child.get(_XL_FROM) or "", child.get(_XL_TO) or "", parse_order(child.get("order"))))
    for source, target, order in arcs:
        links.append((locs.get(source, source), target, order))


class _FactRows:
    """Turns what a fact element holds into a :data:`RawFact` (one definition for the lxml and C readers)."""

    def __init__(self) -> None:
        self.concepts: dict[str, str] = {}  # Clark tag -> concept QName
        self.numbers: dict[str, str] = {}  # number text as written -> canonical text (values repeat: 0, 1...)
        self.bad_numbers = 0
        self.first_bad = ""

    def row(
        self,
        tag: str,
        prefix: str | None,
        context_ref: str,
        unit_ref: str | None,
        text: str,
        decimals: int | str | None,
        precision: int | str | None,
        is_nil: bool,
        fact_id: str | None,
        line: int | None,
    ) -> RawFact:
        """The raw fact of one element.

        Args:
            tag: The element's Clark tag.
            prefix: The prefix it was written with.
            context_ref: ``contextRef``.
            unit_ref: ``unitRef`` (numeric facts).
            text: The element's text as read (a text fact's markup is removed and its whitespace collapsed here).
            decimals: ``decimals`` (an int already read, or the attribute text).
            precision: ``precision`` (likewise).
            is_nil: ``xsi:nil`` is true.
            fact_id: The element's ``id``.
            line: Line in the document (for messages).

        Returns:
            The raw fact, naming its concept by ``tag`` (see :attr:`concepts`); a numeric text that is not a
            number gives the value ``None`` and is counted.
        """
        concept = self.concepts.get(tag)
        if concept is None:
            concept = self.concepts[tag] = clark_to_qname(tag, prefix)
        value: str | None = None
        if is_nil:
            pass
        elif unit_ref is not None:
            value = self.numbers.get(text)
            if value is None:
                value = number_text(text)
                if value is None:
                    self.bad_numbers += 1
                    self.first_bad = self.first_bad or f"{concept} {text.strip()!r} (line {line})"
                elif len(self.numbers) < _NUMBER_CACHE:
                    self.numbers[text] = value
        else:
            if "<" in text:
                text = markup_text(text)
            value = " ".join(text.split())
        if decimals.__class__ is str:
            decimals = parse_decimals(decimals)  # type: ignore[arg-type]
        if precision.__class__ is str:
            precision = parse_decimals(precision)  # type: ignore[arg-type]
        return (
            tag,
            context_ref,
            unit_ref,
            value,
            unit_ref is not None,
            decimals,
            precision,  # type: ignore[return-value]
            is_nil,
            fact_id,
            line,
        )


def _footnotes_of_spans(
    body: bytes, spans: list[tuple[int, int, list[tuple[str | None, str]]]]
) -> tuple[dict[str, RawFootnote], list[RawLink]]:
    """Read ``link:footnoteLink`` elements the C scanner located, each with lxml and its namespaces in scope."""
    footnotes: dict[str, RawFootnote] = {}
    links: list[RawLink] = []
    parser = etree.XMLParser(**_OPTIONS)
    for start, end, scope in spans:
        declarations = " ".join(
            f"xmlns{':' + prefix if prefix else ''}={quoteattr(uri)}" for prefix, uri in scope
        )
        wrapper = etree.fromstring(f"<w {declarations}>".encode() + body[start:end] + b"</w>", parser)
        read_footnote_link(wrapper[0], footnotes, links)
    return footnotes, links


def _scan_instance(body: bytes, source: str) -> FactSet | None:
    """The FactSet of an instance read by the C scanner, or ``None`` when lxml must read it.

    ``None`` when the accelerator is not built, when the scanner declines the document (see ``_scan.c``: other
    encodings, tuples, markup inside facts, every well-formedness error), or when something needs the line
    numbers only the lxml reader has (numbers that are not numbers, undefined contexts or units).
    """
    if _scan is None:
        return None
    scanned = _scan.scan(body, XBRLI_NS, XBRLDI_NS, LINK_NS, XSI_NS)
    if scanned is None:
        return None
    nsmap, n_children, raw_contexts, raw_units, raw_facts, tags, pending, spans = scanned
    if not n_children:
        return None
    warnings: list[str] = []
    resolver = QNameResolver(dict(nsmap))
    contexts = {
        cid or "": build_context(cid, identifier, points, dims, resolver, warnings)
        for cid, identifier, points, dims in raw_contexts
    }
    units = {uid or "": build_unit(has_divide, measures) for uid, has_divide, measures in raw_units}
    rows = _FactRows()
    for index in pending:  # what the scanner left to Python: other numbers, text needing html.unescape...
        tag, cref, uref, text, _, decimals, precision, is_nil, fact_id, _ = raw_facts[index]
        raw_facts[index] = rows.row(
            tag, tags[tag], cref, uref, text or "", decimals, precision, is_nil, fact_id, None
        )
    if rows.bad_numbers:
        return None
    concept_of = {tag: clark_to_qname(tag, prefix) for tag, prefix in tags.items()}
    footnotes, links = _footnotes_of_spans(body, spans) if spans else ({}, [])
    if resolver.undeclared:
        warnings.append(f"undeclared prefixes kept as written: {sorted(resolver.undeclared)}")
    try:
        return assemble(
            source, "xbrl-instance", raw_facts, contexts, units, warnings, footnotes, links, concept_of
        )
    except ParseError:
        return None


def parse_instance(data: bytes, source: str) -> FactSet:
    """Read every fact of an XBRL instance document.

    The C scanner (``edgar/xbrl/_scan.c``, built on install when a C compiler is present) reads ordinary
    instances in one pass; lxml reads the rest and gives every error. Both give the same :class:`FactSet`.

    Args:
        data: The whole document.
        source: File name or URL (for warnings and errors).

    Returns:
        The :class:`FactSet`: facts with their concept (conventional prefix), value, unit, period, dimensions,
        deduplicated; unreadable numbers are ``None`` with a warning.

    Raises:
        ParseError: The document is empty, not well-formed or truncated (with the line), or a fact refers to a
            context or unit the document does not define.
    """
    body, offset = prepare(data)
    if not body:
        raise ParseError(source, "empty document")
    fast = _scan_instance(body, source)
    if fast is not None:
        return fast
    return parse_instance_lxml(body, offset, source)


def parse_instance_lxml(body: bytes, offset: int, source: str) -> FactSet:
    """Read every fact of an instance document with lxml (see :func:`parse_instance`).

    Args:
        body: The document as :func:`~edgar.xbrl.xmlread.prepare` returns it.
        offset: Lines dropped before ``body``.
        source: File name or URL.

    Returns:
        The :class:`FactSet`.

    Raises:
        ParseError: As :func:`parse_instance`.
    """
    warnings: list[str] = []
    contexts: dict[str, Context] = {}
    units: dict[str, str] = {}
    raw_facts: list[RawFact] = []
    seen = False
    resolver, resolver_root = QNameResolver({}), None
    tuples = 0
    footnotes: dict[str, RawFootnote] = {}
    links: list[RawLink] = []
    rows = _FactRows()

    def read_fact(fact: Any, context_ref: str) -> RawFact:
        get = fact.get
        unit_ref = get("unitRef")
        if unit_ref is not None:
            text = fact.text or ""
        else:
            text = "".join(fact.itertext()) if len(fact) else (fact.text or "")
        return rows.row(
            fact.tag,
            fact.prefix,
            context_ref,
            unit_ref,
            text,
            get("decimals"),
            get("precision"),
            get(_NIL) in ("true", "1"),
            get("id"),
            (fact.sourceline or 0) + offset or None,
        )

    try:
        for root, elem in _top_level(body):
            if root is not resolver_root:
                resolver, resolver_root = QNameResolver(root.nsmap), root
            tag = elem.tag
            context_ref = elem.get("contextRef")
            if context_ref is not None:
                raw_facts.append(read_fact(elem, context_ref))
            elif tag == _CONTEXT:
                contexts[elem.get("id") or ""] = read_context(elem, resolver, warnings)
            elif tag == _UNIT:
                units[elem.get("id") or ""] = read_unit(elem)
            elif tag == _FOOTNOTE_LINK:
                read_footnote_link(elem, footnotes, links)
            elif not tag.startswith(_LINK_PREFIX):  # schemaRef, roleRef... are skipped
                tuples += 1
                raw_facts.extend(
                    read_fact(e, e.get("contextRef")) for e in elem.iter() if e.get("contextRef")
                )
            seen = True
    except etree.XMLSyntaxError as exc:
        raise syntax_error(source, exc, offset) from exc
    if not seen:
        raise ParseError(source, "no XML elements")
    if rows.bad_numbers:
        warnings.append(
            f"{rows.bad_numbers} numeric fact(s) are not numbers (value None), e.g. {rows.first_bad}"
        )
    if tuples:
        warnings.append(f"{tuples} tuple(s): their facts were read, the tuple structure was not")
    if resolver.undeclared:
        warnings.append(f"undeclared prefixes kept as written: {sorted(resolver.undeclared)}")
    return assemble(
        source, "xbrl-instance", raw_facts, contexts, units, warnings, footnotes, links, rows.concepts
    )
