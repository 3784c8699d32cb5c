"""XBRL: facts from instance documents and inline XBRL, the filer's linkbases, standardized statements."""

from __future__ import annotations

from edgar.errors import ParseError
from edgar.parse.detect import HEAD_BYTES, detect_kind
from edgar.xbrl.factset import FactSet
from edgar.xbrl.inline import parse_inline
from edgar.xbrl.instance import parse_instance
from edgar.xbrl.model import Fact

__all__ = ["Fact", "FactSet", "parse_facts", "parse_inline", "parse_instance"]


def parse_facts(name: str, data: bytes) -> FactSet:
    """Read every XBRL fact of a document, whichever form it has.

    Args:
        name: File name or URL (for kind detection and messages).
        data: The whole document.

    Returns:
        The :class:`FactSet` of an XBRL instance or an inline XBRL document. An HTML document without inline XBRL
        gives an empty FactSet with the warning ``"no inline XBRL facts"``.

    Raises:
        ParseError: The document is another kind (linkbase, schema, ownership XML, JSON...), or it is malformed,
            truncated, or refers to undefined contexts/units.
    """
    kind = detect_kind(name, data[:HEAD_BYTES])
    if kind == "xbrl-instance":
        return parse_instance(data, name)
    if kind in ("inline-xbrl", "html"):
        return parse_inline(data, name)
    raise ParseError(name, f"not an XBRL instance or inline XBRL document (detected {kind})")
