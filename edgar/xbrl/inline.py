"""Facts of an inline XBRL document (XHTML with ``ix:`` tags).

:func:`parse_inline` parses the document once with lxml (C speed) and walks only the ``ix:`` elements and the
``xbrli:context`` / ``xbrli:unit`` resources. Documents that are not well-formed XML (mismatched tags, undeclared
prefixes; both seen on EDGAR) are re-read with lxml's recovering parser and a warning; undeclared ``ix:``,
``xbrli:``, ``xbrldi:`` prefixes are then read as their standard namespaces.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from edgar.errors import ParseError
from edgar.parse import ixt
from edgar.xbrl.contexts import Context, read_context, read_unit
from edgar.xbrl.factset import (
    FACT_FOOTNOTE_ARCROLE,
    FactSet,
    RawFact,
    RawFootnote,
    RawLink,
    assemble,
    parse_decimals,
    parse_order,
)
from edgar.xbrl.namespaces import CONVENTIONAL_NAMESPACES, IX_NAMESPACES, XBRLI_NS, XSI_NS, QNameResolver
from edgar.xbrl.xmlread import prepare, syntax_error

_NIL = f"{{{XSI_NS}}}nil"
_FACT_LOCALS = (
    "nonFraction",
    "nonNumeric",
    "fraction",
    "continuation",
    "tuple",
    "exclude",
    "footnote",
    "relationship",
)
_IX_TAGS = tuple(f"{{{ns}}}{local}" for ns in IX_NAMESPACES for local in _FACT_LOCALS)
_EXCLUDE = frozenset(f"{{{ns}}}exclude" for ns in IX_NAMESPACES)
_CONTEXT = f"{{{XBRLI_NS}}}context"
_UNIT = f"{{{XBRLI_NS}}}unit"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CLOSING_HTML = re.compile(rb"</(?:\w+:)?html\s*>\s*$", re.IGNORECASE)


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _fix_undeclared_prefixes(root: Any, warnings: list[str]) -> None:
    """After a recovering parse, tags such as ``ix:nonNumeric`` with an undeclared prefix have no namespace."""
    fixed: set[str] = set()
    for elem in root.iter():
        tag = elem.tag
        if isinstance(tag, str) and tag[:1] != "{" and ":" in tag:
            prefix, _, local = tag.partition(":")
            namespace = CONVENTIONAL_NAMESPACES.get(prefix)
            if namespace is not None:
                elem.tag = f"{{{namespace}}}{local}"
                fixed.add(prefix)
    if fixed:
        warnings.append(f"undeclared prefixes {sorted(fixed)} read as their standard namespaces")


def _load(data: bytes, source: str, warnings: list[str]) -> tuple[Any, int]:
    body, offset = prepare(data)
    if not body:
        raise ParseError(source, "empty document")
    try:
        return etree.fromstring(body, _parser(False)), offset
    except etree.XMLSyntaxError as exc:
        if not _CLOSING_HTML.search(body[-1024:]):
            raise ParseError(
                source, f"truncated document: no closing </html> ({exc.msg})", body.count(b"\n") + 1 + offset
            ) from exc
        error = syntax_error(source, exc, offset)
    root = etree.fromstring(body, _parser(True))
    if root is None:
        raise error
    warnings.append(
        f"not well-formed XML (line {error.line}: {error.message}); read with lxml's recovering parser"
    )
    _fix_undeclared_prefixes(root, warnings)
    return root, offset


def _text(elem: Any) -> str:
    """Text content of an ix element without its ``ix:exclude`` parts."""
    if next(elem.iter(*_EXCLUDE), None) is None:
        return "".join(elem.itertext())
    parts: list[str] = [elem.text or ""]
    for child in elem:
        if child.tag not in _EXCLUDE:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _fraction_value(elem: Any, ns: str) -> str | None:
    num = elem.find(f"{{{ns}}}numerator")
    den = elem.find(f"{{{ns}}}denominator")
    if num is None or den is None:
        return None
    top = ixt.parse_number("".join(num.itertext()), num.get("format"), num.get("scale"), num.get("sign"))
    bottom = ixt.parse_number("".join(den.itertext()), den.get("format"), den.get("scale"), den.get("sign"))
    if top is None or bottom is None or bottom == 0:
        return None
    return ixt.canonical_number(top / bottom)


def parse_inline(data: bytes, source: str) -> FactSet:
    """Read every fact of an inline XBRL document.

    ``ix:nonFraction`` values get their ``format``, ``scale`` and ``sign``; ``ix:nonNumeric`` values are the
    text of the element (without ``ix:exclude`` parts, followed by its ``continuedAt`` chain), whitespace
    collapsed, transformed by its ``format`` when it has one. A fact shown in several places is one fact.
    ``ix:footnote`` texts are attached to the facts that ``ix:relationship`` (arcrole fact-footnote) links them to.

    Args:
        data: The whole document.
        source: File name or URL (for warnings and errors).

    Returns:
        The :class:`FactSet`. A document without any ``ix:`` fact gives no facts and the warning
        ``"no inline XBRL facts"``; unreadable values are ``None`` with a warning.

    Raises:
        ParseError: The document is empty or truncated, or a fact refers to an undefined context or unit.
    """
    warnings: list[str] = []
    root, offset = _load(data, source, warnings)
    resolver = QNameResolver(root.nsmap)
    contexts: dict[str, Context] = {
        elem.get("id") or "": read_context(elem, resolver, warnings) for elem in root.iter(_CONTEXT)
    }
    units: dict[str, str] = {elem.get("id") or "": read_unit(elem) for elem in root.iter(_UNIT)}

    facts: list[Any] = []
    continuations: dict[str, tuple[str, str | None]] = {}
    notes: list[Any] = []
    links: list[RawLink] = []
    tuples = 0
    for elem in root.iter(*_IX_TAGS):
        local = elem.tag.rpartition("}")[2]
        if local == "continuation":
            continuations[elem.get("id") or ""] = (_text(elem), elem.get("continuedAt"))
        elif local == "tuple":
            tuples += 1
        elif local == "footnote":
            notes.append(elem)
        elif local == "relationship":
            if elem.get("arcrole", FACT_FOOTNOTE_ARCROLE) == FACT_FOOTNOTE_ARCROLE:
                order = parse_order(elem.get("order"))
                for target in (elem.get("toRefs") or "").split():
                    links.extend((source, target, order) for source in (elem.get("fromRefs") or "").split())
        elif local != "exclude":
            facts.append(elem)

    raw_facts: list[RawFact] = []
    unreadable: list[str] = []
    broken_chains = 0
    footnotes: dict[str, RawFootnote] = {}
    for elem in notes:
        note_id = elem.get("id") or ""
        text, nxt, seen_ids = _text(elem), elem.get("continuedAt"), set()
        while nxt and nxt in continuations and nxt not in seen_ids:
            seen_ids.add(nxt)
            more, nxt = continuations[nxt]
            text += more
        footnotes[note_id] = (note_id, " ".join(text.split()), elem.get("footnoteRole"), elem.get(_XML_LANG))
    for elem in facts:
        ns, _, local = elem.tag[1:].partition("}")
        name = elem.get("name")
        context_ref = elem.get("contextRef")
        if not name or context_ref is None:
            unreadable.append(f"ix:{local} without name/contextRef (line {elem.sourceline})")
            continue
        concept = resolver.qname(name)
        fmt = elem.get("format")
        is_nil = elem.get(_NIL) in ("true", "1")
        value: str | None = None
        unit_ref = elem.get("unitRef")
        if local == "nonNumeric":
            unit_ref = None
            if not is_nil:
                text = _text(elem)
                nxt = elem.get("continuedAt")
                seen: set[str] = set()
                while nxt:
                    if nxt in seen or nxt not in continuations:
                        broken_chains += 1
                        break
                    seen.add(nxt)
                    more, nxt = continuations[nxt]
                    text += more
                value = ixt.transform(text, fmt)
                if value is None:
                    unreadable.append(f"{concept} {' '.join(text.split())[:40]!r} ({fmt})")
        elif not is_nil:
            if local == "fraction":
                value = _fraction_value(elem, ns)
                text = "".join(elem.itertext())
            else:
                text = "".join(elem.itertext())
                number = ixt.parse_number(text, fmt, elem.get("scale"), elem.get("sign"))
                value = None if number is None else ixt.canonical_number(number)
            if value is None:
                unreadable.append(f"{concept} {' '.join(text.split())[:40]!r} ({fmt or 'no format'})")
        raw_facts.append(
            (
                concept,
                context_ref,
                unit_ref,
                value,
                local != "nonNumeric",
                parse_decimals(elem.get("decimals")),
                parse_decimals(elem.get("precision")),
                is_nil,
                elem.get("id"),
                (elem.sourceline or 0) + offset or None,
            )
        )
    if not facts:
        warnings.append("no inline XBRL facts")
    if unreadable:
        warnings.append(f"{len(unreadable)} value(s) could not be read (None): {'; '.join(unreadable[:5])}")
    if broken_chains:
        warnings.append(f"{broken_chains} continuedAt chain(s) point to a missing or looping ix:continuation")
    if tuples:
        warnings.append(f"{tuples} ix:tuple(s): their facts were read, the tuple structure was not")
    if resolver.undeclared:
        warnings.append(f"undeclared prefixes kept as written: {sorted(resolver.undeclared)}")
    return assemble(source, "inline-xbrl", raw_facts, contexts, units, warnings, footnotes, links)
