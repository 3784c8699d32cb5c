"""XBRL namespaces and the conventional prefixes that name concepts across filings.

Standard taxonomies change their namespace every year (``http://fasb.org/us-gaap/2023``), and a filer may
declare any prefix for them; :func:`conventional_prefix` maps a namespace URI to the prefix everybody uses
(``us-gaap``, ``dei``, ``srt``, ``ifrs-full``...) so that concepts compare across years and filers. Filer
extensions keep the prefix the document declares.
"""

from __future__ import annotations

import re
from functools import lru_cache

XBRLI_NS = "http://www.xbrl.org/2003/instance"
XBRLDI_NS = "http://xbrl.org/2006/xbrldi"
LINK_NS = "http://www.xbrl.org/2003/linkbase"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ISO4217_NS = "http://www.xbrl.org/2003/iso4217"
IX_NAMESPACES = ("http://www.xbrl.org/2013/inlineXBRL", "http://www.xbrl.org/2008/inlineXBRL")

_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"^https?://fasb\.org/([a-z][\w-]*)/\d{4}(?:-\d{2}-\d{2})?$"), None),  # us-gaap, srt, ...
    (re.compile(r"^https?://xbrl\.sec\.gov/([a-z][\w-]*)/\d{4}(?:-\d{2}-\d{2})?$"), None),  # dei, ecd, ...
    (re.compile(r"^https?://xbrl\.us/([a-z][\w-]*)/\d{4}-\d{2}-\d{2}$"), None),  # 2009-2011 us-gaap, dei
    (re.compile(r"^https?://xbrl\.ifrs\.org/taxonomy/\d{4}-\d{2}-\d{2}/ifrs-full$"), "ifrs-full"),
    (re.compile(r"^https?://xbrl\.ifrs\.org/taxonomy/\d{4}-\d{2}-\d{2}/ifrs-smes$"), "ifrs-smes"),
)
_FIXED = {
    XBRLI_NS: "xbrli",
    XBRLDI_NS: "xbrldi",
    ISO4217_NS: "iso4217",
    LINK_NS: "link",
    XLINK_NS: "xlink",
    "http://www.xbrl.org/dtr/type/numeric": "num",
    "http://www.xbrl.org/dtr/type/non-numeric": "nonnum",
}
#: prefixes read as standard namespaces when a document uses them without declaring them
CONVENTIONAL_NAMESPACES = {
    "ix": IX_NAMESPACES[0],
    "xbrli": XBRLI_NS,
    "xbrldi": XBRLDI_NS,
    "link": LINK_NS,
    "xlink": XLINK_NS,
    "xsi": XSI_NS,
    "iso4217": ISO4217_NS,
}


@lru_cache(maxsize=1024)
def conventional_prefix(namespace: str, declared: str | None = None) -> str:
    """The prefix that names a namespace across filings.

    Args:
        namespace: The namespace URI, e.g. ``http://fasb.org/us-gaap/2023``.
        declared: The prefix the document declares for it (used for filer extensions and unknown namespaces).

    Returns:
        ``us-gaap``, ``dei``, ``srt``, ``ifrs-full``, ``country``, ``ecd``... for standard taxonomies (any year),
        else ``declared``, else the namespace URI itself (never guessed).
    """
    fixed = _FIXED.get(namespace)
    if fixed is not None:
        return fixed
    for pattern, prefix in _PATTERNS:
        match = pattern.match(namespace)
        if match is not None:
            return prefix or match.group(1)
    return declared or namespace


def split_qname(qname: str) -> tuple[str, str]:
    """Split ``prefix:local`` (``("", local)`` without a prefix).

    Args:
        qname: A QName as written in an attribute or element text.

    Returns:
        The prefix and the local name.
    """
    prefix, _, local = qname.strip().rpartition(":")
    return prefix, local


class QNameResolver:
    """Rewrites QNames written with a document's prefixes into conventional-prefix QNames.

    Args:
        nsmap: The document's prefix -> namespace declarations (``None`` for the default namespace).

    Attributes:
        undeclared: Prefixes used but not declared (read by convention; the caller warns).
    """

    def __init__(self, nsmap: dict[str | None, str]) -> None:
        """Remember the declarations; canonical names are cached per prefix."""
        self.nsmap = dict(nsmap)
        self.undeclared: set[str] = set()
        self._by_prefix: dict[str, str] = {}
        self._qnames: dict[str, str] = {}

    def prefix_for(self, prefix: str) -> str:
        """The conventional prefix of a declared prefix (an undeclared one is kept and recorded)."""
        cached = self._by_prefix.get(prefix)
        if cached is not None:
            return cached
        namespace = self.nsmap.get(prefix or None)
        if namespace is None:
            if prefix:
                self.undeclared.add(prefix)
            result = prefix
        else:
            result = conventional_prefix(namespace, prefix or None)
        self._by_prefix[prefix] = result
        return result

    def qname(self, text: str) -> str:
        """``us-gaap:Revenues`` with the conventional prefix of the namespace the document binds to its prefix.

        Args:
            text: The QName as written (``"us-gaap:Revenues"``, ``"gaap:Revenues"``...).

        Returns:
            The QName with the conventional prefix; a name without prefix is returned stripped.
        """
        cached = self._qnames.get(text)
        if cached is not None:
            return cached
        prefix, local = split_qname(text)
        canon = self.prefix_for(prefix)
        result = self._qnames[text] = f"{canon}:{local}" if canon else local
        return result


@lru_cache(maxsize=65536)
def clark_to_qname(tag: str, declared: str | None) -> str:
    """``{http://fasb.org/us-gaap/2023}Revenues`` -> ``us-gaap:Revenues`` (cached: tags repeat across filings).

    Args:
        tag: An lxml (Clark notation) tag.
        declared: The prefix the element was written with (``elem.prefix``).

    Returns:
        The concept QName with its conventional prefix.
    """
    if tag[:1] != "{":
        return tag
    namespace, _, local = tag[1:].partition("}")
    return f"{conventional_prefix(namespace, declared)}:{local}"
