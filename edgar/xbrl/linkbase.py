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

try:  # the optional C accelerator (setup.py); without it lxml reads every linkbase
    from edgar.xbrl import _scan
except ImportError:  # pragma: no cover - a build without a C compiler
    _scan = None  # type: ignore[assignment]

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


_OPTIONS: dict[str, Any] = {
    "huge_tree": True,
    "resolve_entities": False,
    "no_network": True,
    "remove_comments": True,
    "collect_ids": False,  # no id table: nothing looks elements up by id
    "remove_blank_text": True,  # fewer nodes; label text has its whitespace collapsed anyway
}

#: an extended link as read: (role, [(loc label, href)], [(resource label, label role, text)],
#: [(from, to, order, weight, preferredLabel)]); absent attributes are None, label text has its whitespace collapsed
RawLink = tuple[
    str | None,
    list[tuple[str | None, str | None]],
    list[tuple[str | None, str | None, str]],
    list[tuple[str | None, str | None, str | None, str | None, str | None]],
]


class _Link:
    """One extended link, with its locators and labels by label.

    Attributes:
        role: The link's ``xlink:role``.
        locs: Locator label -> concepts it points to (in document order).
        labels: Resource label -> ``(label role, text with whitespace collapsed)`` of its ``link:label`` elements
            (label linkbases only), in document order.
        arcs: ``(from, to, order, weight, preferredLabel)`` of the arcs of the wanted kind, in document order.
    """

    __slots__ = ("arcs", "labels", "locs", "role")

    def __init__(self, role: str) -> None:
        """An empty link with its role."""
        self.role = role
        self.locs: dict[str, list[str]] = {}
        self.labels: dict[str, list[tuple[str, str]]] = {}
        self.arcs: list[tuple[str | None, str | None, str | None, str | None, str | None]] = []


def _lxml_links(body: bytes, offset: int, source: str, link_local: str, arc_local: str) -> list[RawLink]:
    """The extended links of a linkbase read with lxml, as :data:`RawLink`.

    Every link element in document order, with its locators, labels and arcs at any depth.
    """
    try:
        root = etree.fromstring(body, etree.XMLParser(**_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise syntax_error(source, exc, offset) from exc
    arc_tag = f"{{{LINK_NS}}}{arc_local}"
    out: list[RawLink] = []
    for link in root.iter(f"{{{LINK_NS}}}{link_local}"):
        raw: RawLink = (link.get(_ROLE), [], [], [])
        locs, labels, arcs = raw[1], raw[2], raw[3]
        for elem in link.iter():
            tag = elem.tag
            if tag == arc_tag:
                get = elem.get
                arcs.append((get(_FROM), get(_TO), get("order"), get("weight"), get("preferredLabel")))
            elif tag == _LOC:
                locs.append((elem.get(_XLABEL), elem.get(_HREF)))
            elif tag == _LABEL:
                text = "".join(elem.itertext()) if len(elem) else elem.text or ""  # type: ignore[arg-type]
                labels.append((elem.get(_XLABEL), elem.get(_ROLE), " ".join(text.split())))
        out.append(raw)
    return out


def _links(data: bytes, source: str, link_local: str, arc_local: str) -> Iterator[_Link]:
    """Each extended link of a linkbase with its locators, labels and arcs, in document order.

    The C scanner (``edgar/xbrl/_scan.c``) reads ordinary linkbases; lxml reads the rest and reports every error.
    A locator's ``href`` is turned into a concept once per document.

    Args:
        data: The linkbase document.
        source: File name (for errors).
        link_local: Local name of the extended links (``labelLink``, ``calculationLink``...).
        arc_local: Local name of their arcs (``labelArc``, ``calculationArc``...).

    Yields:
        A :class:`_Link` per extended link.

    Raises:
        ParseError: The document is empty or not well-formed XML.
    """
    body, offset = prepare(data)
    if not body:
        raise ParseError(source, "empty document")
    raw_links = None
    if _scan is not None:
        raw_links = _scan.scan_links(
            body, LINK_NS, XLINK_NS, link_local, arc_local, link_local == "labelLink"
        )
    if raw_links is None:
        raw_links = _lxml_links(body, offset, source, link_local, arc_local)
    concepts: dict[str, str] = {}
    for role, raw_locs, raw_labels, arcs in raw_links:
        out = _Link(role or "")
        locs, labels = out.locs, out.labels
        for xlabel, href in raw_locs:
            concept = concepts.get(href or "")
            if concept is None:
                concept = concepts[href or ""] = _concept(href or "")
            concepts_of = locs.get(xlabel or "")
            if concepts_of is None:
                locs[xlabel or ""] = [concept]
            else:
                concepts_of.append(concept)
        for xlabel, label_role, text in raw_labels:
            entries = labels.get(xlabel or "")
            if entries is None:
                labels[xlabel or ""] = [(label_role or "", text)]
            else:
                entries.append((label_role or "", text))
        out.arcs = arcs
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
    out: dict[str, dict[str, str]] = {}
    for link in _links(data, source, "labelLink", "labelArc"):
        locs, texts = link.locs, link.labels
        for source_label, target_label, *_ in link.arcs:
            for concept in locs.get(source_label or "", ()):
                for role, text in texts.get(target_label or "", ()):
                    roles = out.get(concept)
                    if roles is None:
                        out[concept] = {role: text}
                    elif role not in roles:
                        roles[role] = text
    return out


def _arc_pairs(
    data: bytes, source: str, link_name: str, arc_name: str
) -> Iterator[tuple[str, str, str, tuple[str | None, ...]]]:
    """``(role, parent concept, child concept, arc)`` for every arc of the named extended links.

    ``arc`` is ``(from, to, order, weight, preferredLabel)``.
    """
    for link in _links(data, source, link_name, arc_name):
        locs = link.locs
        for arc in link.arcs:
            for parent in locs.get(arc[0] or "", ()):
                for child in locs.get(arc[1] or "", ()):
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
            weight=_float(arc[3], 1.0),
            order=_float(arc[2], 1.0),
        )
        for role, parent, child, arc in _arc_pairs(data, source, "calculationLink", "calculationArc")
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
            order=_float(arc[2], 1.0),
            preferred_label=arc[4],
        )
        for role, parent, child, arc in _arc_pairs(data, source, "presentationLink", "presentationArc")
    ]
