"""Classify an EDGAR document from its file name and its first bytes.

:func:`detect_kind` looks at the first ~8 KB of a document (the root element, its namespaces, SGML markers) and
falls back on the file name only when the content says nothing. It never raises: binary, empty or random bytes
come back as ``"unknown"``.
"""

from __future__ import annotations

import re
from typing import Literal

DocKind = Literal[
    "xbrl-instance",
    "inline-xbrl",
    "html",
    "xbrl-linkbase",
    "xbrl-schema",
    "ownership-xml",
    "13f-primary",
    "13f-infotable",
    "schedule13-xml",
    "sgml-submission",
    "json",
    "text",
    "unknown",
]

#: how many leading bytes :func:`detect_kind` needs (it uses at most this many)
HEAD_BYTES = 8192

IX_NAMESPACES = ("http://www.xbrl.org/2013/inlineXBRL", "http://www.xbrl.org/2008/inlineXBRL")
THIRTEENF_FILER_NS = "http://www.sec.gov/edgar/thirteenffiler"
INFOTABLE_NS = "http://www.sec.gov/edgar/document/thirteenf/informationtable"
#: namespaces of the structured Schedule 13D / 13G primary documents (required since December 2024)
SCHEDULE13_NS = ("http://www.sec.gov/edgar/schedule13D", "http://www.sec.gov/edgar/schedule13g")
#: elements an HTML document or fragment can start with (the <TEXT> of an SGML <DOCUMENT> often has no <html>)
_HTML_ROOTS = frozenset(
    {"html", "head", "body", "title", "meta", "div", "p", "table", "font", "center", "pre"}
)

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# things before the root element: XML declaration / processing instructions, comments, doctype
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_SGML_DOC_WRAPPER = re.compile(r"\s*<DOCUMENT>.*?<TEXT>\s*(?:<XBRL>|<XML>)?", re.DOTALL | re.IGNORECASE)
_IX_TAG = re.compile(r"<ix:(?:header|nonNumeric|nonFraction|hidden|references)\b", re.IGNORECASE)
_LINKBASE_NAME = re.compile(r"_(?:cal|def|lab|pre)\.xml$", re.IGNORECASE)


def _decode(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    # latin-1 maps every byte, so this never fails; markup is ASCII in every encoding EDGAR accepts
    return head.decode("latin-1")


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_BOMS[1:]):
        return False
    sample = head[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(sample) // 20:
        return True
    high = sum(1 for b in sample if b >= 0x80)
    if high * 10 > len(sample) * 3:  # mostly non-ASCII: text only if it is UTF-8
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc.start < len(sample) - 4  # a multi-byte character cut at the end is fine
    return False


def _by_name(name: str) -> DocKind:
    lower = name.lower()
    if lower.endswith((".xsd", ".xsd.xml")):
        return "xbrl-schema"
    if _LINKBASE_NAME.search(lower):
        return "xbrl-linkbase"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".htm", ".html")):
        return "html"
    return "unknown"


def _xml_kind(root_local: str, text: str) -> DocKind | None:
    root = root_local.lower()
    if root == "xbrl":
        return "xbrl-instance"
    if root == "linkbase":
        return "xbrl-linkbase"
    if root == "schema":
        return "xbrl-schema"
    if root == "ownershipdocument":
        return "ownership-xml"
    if root == "informationtable":
        return "13f-infotable"
    if root == "edgarsubmission":
        if THIRTEENF_FILER_NS in text or re.search(r"<(?:\w+:)?submissionType>\s*13F", text):
            return "13f-primary"
        if any(ns.lower() in text.lower() for ns in SCHEDULE13_NS) or re.search(
            r"<(?:\w+:)?submissionType>\s*SCHEDULE 13[DG]", text, re.IGNORECASE
        ):
            return "schedule13-xml"
        return "unknown"
    if root in _HTML_ROOTS and root != "html":
        return "html"
    if root == "html":
        if any(ns in text for ns in IX_NAMESPACES) or _IX_TAG.search(text):
            return "inline-xbrl"
        if INFOTABLE_NS in text and re.search(r"<title>[^<]*information table", text, re.IGNORECASE):
            # the SEC's rendering of a 13F information table (what EDGAR shows as the .html table)
            return "13f-infotable"
        return "html"
    return None


def detect_kind(name: str, head: bytes) -> DocKind:
    """Classify a document.

    Args:
        name: File name or URL of the document (used only when the content is not conclusive).
        head: The first bytes of the document (at least ~8 KB when the document is that long; more is ignored).

    Returns:
        The document kind: ``"xbrl-instance"``, ``"inline-xbrl"``, ``"html"`` (HTML without the inline XBRL
        namespace), ``"xbrl-linkbase"``, ``"xbrl-schema"``, ``"ownership-xml"`` (Forms 3/4/5),
        ``"13f-primary"`` (13F cover page), ``"13f-infotable"``, ``"schedule13-xml"`` (Schedule 13D/13G primary
        document), ``"sgml-submission"`` (a full EDGAR submission,
        ``<SEC-DOCUMENT>`` or ``<SUBMISSION>``), ``"json"``, ``"text"`` or ``"unknown"``.
    """
    head = head[:HEAD_BYTES]
    if not head.strip():
        return "unknown"
    if _looks_binary(head):
        return "unknown"
    text = _decode(head)
    stripped = text.lstrip()
    upper = stripped[:64].upper()
    if upper.startswith(("<SEC-DOCUMENT>", "<SUBMISSION>", "<SEC-HEADER>", "<IMS-DOCUMENT>")):
        return "sgml-submission"
    if stripped.startswith(("{", "[")):
        return "json"
    if stripped.startswith("<"):
        wrapper = _SGML_DOC_WRAPPER.match(stripped) if upper.startswith("<DOCUMENT>") else None
        body = stripped[wrapper.end() :] if wrapper else stripped
        pos = 0
        while True:
            prolog = _PROLOG.match(body, pos)
            if prolog is None:
                break
            pos = prolog.end()
        root = _ROOT.match(body, pos)
        if root is not None:
            kind = _xml_kind(root.group(2), body)
            if kind is not None:
                return kind
            return _by_name(name) if _by_name(name) != "html" else "unknown"
        by_name = _by_name(name)
        if by_name != "unknown":
            return by_name
        return "unknown"
    by_name = _by_name(name)
    if by_name in ("json", "xbrl-schema", "xbrl-linkbase"):
        return "unknown"  # the content is not what the name promises
    return "text"
