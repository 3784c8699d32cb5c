"""The filer's label, calculation and presentation linkbases (``_lab.xml``, ``_cal.xml``, ``_pre.xml``).

Locators point to concepts by schema element id (``...us-gaap-2023.xsd#us-gaap_Revenues``); they are named here
``us-gaap:Revenues`` like :attr:`edgar.xbrl.model.Fact.concept`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from lxml import etree

from edgar.errors import ParseError
from edgar.xbrl.namespaces import LINK_NS, XLINK_NS
from edgar.xbrl.xmlread import prepare, syntax_error

_LOC = f"{{{LINK_NS}}}loc"
_LABEL = f"{{{LINK_NS}}}label"
_HREF = f"{{{XLINK_NS}}}href"
_XLABEL = f"{{{XLINK_NS}}}label"
_ROLE = f"{{{XLINK_NS}}}role"
_FROM = f"{{{XLINK_NS}}}from"
_TO = f"{{{XLINK_NS}}}to"


class CalcArc(msgspec.Struct, frozen=True, kw_only=True):
    """One calculation relationship: ``parent`` = sum of ``weight`` x ``child`` within ``role``.

    Attributes:
        role: Extended link role (the statement or note), e.g. ``http://www.apple.com/role/CONSOLIDATEDSTATEMENTSOFOPERATIONS``.
        parent: Summation concept.
        child: Contributing concept.
        weight: ``1.0`` or ``-1.0`` (as written).
        order: Arc order.
    """

    role: str
    parent: str
    child: str
    weight: float
    order: float


class PresArc(msgspec.Struct, frozen=True, kw_only=True):
    """One presentation relationship (a line of a statement tree).

    Attributes:
        role: Extended link role.
        parent: Parent concept (an abstract, table, axis or line item).
        child: Child concept.
        order: Arc order among siblings.
        preferred_label: Label role to show the child with (``...terseLabel``, ``...totalLabel``), if any.
    """

    role: str
    parent: str
    child: str
    order: float
    preferred_label: str | None = None


def _concept(href: str) -> str:
    """``...us-gaap-2023.xsd#us-gaap_Revenues`` -> ``us-gaap:Revenues`` (the first ``_`` of the fragment)."""
    return href.rpartition("#")[2].replace("_", ":", 1)


def _root(data: bytes, source: str) -> Any:
    body, offset = prepare(data)
    if not body:
        raise ParseError(source, "empty document")
    parser = etree.XMLParser(
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        collect_ids=False,  # no id table: nothing looks elements up by id
        remove_blank_text=True,  # fewer nodes; label text has its whitespace collapsed anyway
    )
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(source, exc, offset) from exc


class _Link:
    """One extended link, read in a single pass over its descendants.

    Attributes:
        role: The link's ``xlink:role``.
        locs: Locator label -> concepts it points to (in document order).
        labels: Resource label -> ``(label role, text with whitespace collapsed)`` of its ``link:label`` elements
            (label linkbases only), in document order.
        arcs: The arcs of the wanted kind, in document order.
    """

    __slots__ = ("arcs", "labels", "locs", "role")

    def __init__(self, role: str) -> None:
        """An empty link with its role."""
        self.role = role
        self.locs: dict[str, list[str]] = {}
        self.labels: dict[str, list[tuple[str, str]]] = {}
        self.arcs: list[Any] = []


def _links(root: Any, link_local: str, arc_local: str) -> Iterator[_Link]:
    """Each extended link with its locators, labels and arcs, in document order.

    One walk of each link's descendants sorts them by tag (the same elements, in the same order, as one
    ``link.iter(tag)`` per kind); a locator's ``href`` is turned into a concept once per document, a label's text
    is read as it is met.

    Args:
        root: The linkbase's root element.
        link_local: Local name of the extended links (``labelLink``, ``calculationLink``...).
        arc_local: Local name of their arcs (``labelArc``, ``calculationArc``...).

    Yields:
        A :class:`_Link` per extended link.
    """
    arc_tag = f"{{{LINK_NS}}}{arc_local}"
    concepts: dict[str, str] = {}
    for link in root.iter(f"{{{LINK_NS}}}{link_local}"):
        out = _Link(link.get(_ROLE) or "")
        locs, labels, arcs = out.locs, out.labels, out.arcs
        for elem in link.iter():
            tag = elem.tag
            if tag == arc_tag:
                arcs.append(elem)
            elif tag == _LOC:
                href = elem.get(_HREF) or ""
                concept = concepts.get(href)
                if concept is None:
                    concept = concepts[href] = _concept(href)
                xlabel = elem.get(_XLABEL) or ""
                concepts_of = locs.get(xlabel)
                if concepts_of is None:
                    locs[xlabel] = [concept]
                else:
                    concepts_of.append(concept)
            elif tag == _LABEL:
                raw = "".join(elem.itertext()) if len(elem) else elem.text or ""
                entry = (elem.get(_ROLE) or "", " ".join(raw.split()))
                xlabel = elem.get(_XLABEL) or ""
                entries = labels.get(xlabel)
                if entries is None:
                    labels[xlabel] = [entry]
                else:
                    entries.append(entry)
        yield out


def _float(raw: str | None, default: float) -> float:
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


def parse_labels(data: bytes, source: str) -> dict[str, dict[str, str]]:
    """Read a label linkbase.

    Args:
        data: The ``_lab.xml`` document.
        source: File name (for errors).

    Returns:
        concept -> label role -> label text (whitespace collapsed), e.g.
        ``labels["us-gaap:Revenues"]["http://www.xbrl.org/2003/role/label"]``.

    Raises:
        ParseError: The document is not well-formed XML.
    """
    root = _root(data, source)
    out: dict[str, dict[str, str]] = {}
    for link in _links(root, "labelLink", "labelArc"):
        locs, texts = link.locs, link.labels
        for arc in link.arcs:
            for concept in locs.get(arc.get(_FROM) or "", ()):
                for role, text in texts.get(arc.get(_TO) or "", ()):
                    roles = out.get(concept)
                    if roles is None:
                        out[concept] = {role: text}
                    elif role not in roles:
                        roles[role] = text
    return out


def _arc_pairs(root: Any, link_name: str, arc_name: str) -> Iterator[tuple[str, str, str, Any]]:
    """``(role, parent concept, child concept, arc element)`` for every arc of the named extended links."""
    for link in _links(root, link_name, arc_name):
        for arc in link.arcs:
            for parent in link.locs.get(arc.get(_FROM) or "", ()):
                for child in link.locs.get(arc.get(_TO) or "", ()):
                    yield link.role, parent, child, arc


def parse_calculation(data: bytes, source: str) -> list[CalcArc]:
    """Read a calculation linkbase.

    Args:
        data: The ``_cal.xml`` document.
        source: File name (for errors).

    Returns:
        Every summation-item arc, in document order.

    Raises:
        ParseError: The document is not well-formed XML.
    """
    return [
        CalcArc(
            role=role,
            parent=parent,
            child=child,
            weight=_float(arc.get("weight"), 1.0),
            order=_float(arc.get("order"), 1.0),
        )
        for role, parent, child, arc in _arc_pairs(_root(data, source), "calculationLink", "calculationArc")
    ]


def parse_presentation(data: bytes, source: str) -> list[PresArc]:
    """Read a presentation linkbase.

    Args:
        data: The ``_pre.xml`` document.
        source: File name (for errors).

    Returns:
        Every parent-child arc, in document order.

    Raises:
        ParseError: The document is not well-formed XML.
    """
    return [
        PresArc(
            role=role,
            parent=parent,
            child=child,
            order=_float(arc.get("order"), 1.0),
            preferred_label=arc.get("preferredLabel"),
        )
        for role, parent, child, arc in _arc_pairs(_root(data, source), "presentationLink", "presentationArc")
    ]
