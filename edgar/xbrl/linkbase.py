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
    fragment = href.rpartition("#")[2]
    prefix, sep, local = fragment.partition("_")
    return f"{prefix}:{local}" if sep else fragment


def _root(data: bytes, source: str) -> Any:
    body, offset = prepare(data)
    if not body:
        raise ParseError(source, "empty document")
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(source, exc, offset) from exc


def _links(root: Any, link_local: str) -> Iterator[tuple[str, dict[str, list[str]], Any]]:
    """Each extended link: its role, its locator label -> concepts, and the element."""
    for link in root.iter(f"{{{LINK_NS}}}{link_local}"):
        locs: dict[str, list[str]] = {}
        for loc in link.iter(_LOC):
            locs.setdefault(loc.get(_XLABEL) or "", []).append(_concept(loc.get(_HREF) or ""))
        yield link.get(_ROLE) or "", locs, link


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
    for _, locs, link in _links(root, "labelLink"):
        texts: dict[str, list[tuple[str, str]]] = {}
        for label in link.iter(_LABEL):
            text = " ".join("".join(label.itertext()).split())
            texts.setdefault(label.get(_XLABEL) or "", []).append((label.get(_ROLE) or "", text))
        for arc in link.iter(f"{{{LINK_NS}}}labelArc"):
            for concept in locs.get(arc.get(_FROM) or "", ()):
                for role, text in texts.get(arc.get(_TO) or "", ()):
                    out.setdefault(concept, {}).setdefault(role, text)
    return out


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
    root = _root(data, source)
    out: list[CalcArc] = []
    for role, locs, link in _links(root, "calculationLink"):
        for arc in link.iter(f"{{{LINK_NS}}}calculationArc"):
            for parent in locs.get(arc.get(_FROM) or "", ()):
                for child in locs.get(arc.get(_TO) or "", ()):
                    out.append(
                        CalcArc(
                            role=role,
                            parent=parent,
                            child=child,
                            weight=_float(arc.get("weight"), 1.0),
                            order=_float(arc.get("order"), 1.0),
                        )
                    )
    return out


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
    root = _root(data, source)
    out: list[PresArc] = []
    for role, locs, link in _links(root, "presentationLink"):
        for arc in link.iter(f"{{{LINK_NS}}}presentationArc"):
            for parent in locs.get(arc.get(_FROM) or "", ()):
                for child in locs.get(arc.get(_TO) or "", ()):
                    out.append(
                        PresArc(
                            role=role,
                            parent=parent,
                            child=child,
                            order=_float(arc.get("order"), 1.0),
                            preferred_label=arc.get("preferredLabel"),
                        )
                    )
    return out
