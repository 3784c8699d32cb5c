"""A filing's document list, and which of its documents the pipeline reads.

The SEC publishes, next to each filing's complete submission (``{accession}.txt``), its
``{accession}-index-headers.html``: the submission's SGML header (accession, ACCEPTANCE-DATETIME, form, filer,
period, items) followed by one ``<DOCUMENT>`` stub per document (TYPE, SEQUENCE, FILENAME, DESCRIPTION, no
text), HTML-escaped in a ``<pre>``, file names as links. :func:`parse_index_headers` reads it into the same
:class:`~edgar.parse.sgml.SgmlSubmission` the full submission gives (documents with empty bodies), so the
filing's identity is the full submission's.

:func:`select_documents` decides from the listed TYPE/FILENAME which documents to fetch: exactly what the
downstream parsers read (see :data:`READ`), nothing of what they never open (R pages, FilingSummary, Excel,
zips, graphics, PDF, the extension schema and definition linkbase, other exhibits).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from edgar.errors import ParseError
from edgar.parse.sgml import SgmlSubmission, parse_sgml_submission

_TAG = re.compile(rb"<[^>]*>")
_STARTS = (b"<SEC-DOCUMENT>", b"<SUBMISSION>", b"<SEC-HEADER>", b"<IMS-HEADER>")
#: what each selected document is read for (documented; the selection rules follow it)
READ = {
    "primary": "the filing's own document (sequence 1): item sections, 8-K items, ownership/13F/13D-G XML",
    "xbrl-instance": "facts (EX-101.INS, or the instance EDGAR extracts from inline XBRL, *_htm.xml)",
    "linkbase": "labels, calculation and presentation arcs (EX-101.CAL/LAB/PRE)",
    "press-release": "8-K press releases (EX-99.x)",
    "13f-infotable": "13F holdings (INFORMATION TABLE)",
}
_TEXT_EXTENSIONS = (".htm", ".html", ".xml", ".txt")
_LINKBASE_TYPES = ("EX-101.CAL", "EX-101.LAB", "EX-101.PRE")
_LINKBASE_SUFFIXES = ("_cal.xml", "_lab.xml", "_pre.xml")
_EIGHT_K = re.compile(r"^8-K(?:12[BG]3?)?(?:/A)?$")
_R_PAGE = re.compile(r"^R\d+\.html?$", re.IGNORECASE)


def header_text(data: bytes) -> bytes:
    """The SGML text of an ``-index-headers.html`` page: markup removed, entities decoded.

    Raises:
        ParseError: the page holds no SGML header.
    """
    text = html.unescape(_TAG.sub(b"", data).decode("utf-8", errors="replace")).encode("utf-8")
    starts = [i for s in _STARTS if (i := text.find(s)) >= 0]
    if not starts:
        raise ParseError("index-headers", "no SGML header (<SEC-HEADER> or <SUBMISSION>) in the page")
    return text[min(starts) :]


def parse_index_headers(data: bytes, source: str) -> SgmlSubmission:
    """Parse a filing's ``-index-headers.html`` page: header values, parties and the document list.

    Raises:
        ParseError: the page holds no header, or the header is malformed (see
            :func:`~edgar.parse.sgml.parse_sgml_submission`).
    """
    try:
        text = header_text(data)
    except ParseError as exc:
        raise ParseError(source, exc.message) from exc
    return parse_sgml_submission(text, source)


_STUB = re.compile(rb"<DOCUMENT>.*?</DOCUMENT>", re.DOTALL)
_STUB_FILE = re.compile(rb"<FILENAME>([^\r\n<]+)")
_EMPTY_TEXT = re.compile(rb"<TEXT>\r?\n?</TEXT>")


def assemble_submission(page: bytes, bodies: Mapping[str, bytes]) -> bytes:
    """The filing's submission text rebuilt from its ``-index-headers.html`` and the documents fetched.

    Each listed document's ``<TEXT>`` gets the fetched body of its file name (empty for documents not fetched),
    so a parser of full submissions (8-K items and press releases, 13F cover and table) reads exactly what it
    reads in the full ``.txt``. Built in memory for parsing; nothing of it is stored.

    Raises:
        ParseError: the page holds no SGML header.
    """
    text = header_text(page)

    def fill(m: re.Match[bytes]) -> bytes:
        stub = m.group(0)
        name = _STUB_FILE.search(stub)
        body = bodies.get(name.group(1).strip().decode("utf-8", "replace"), b"") if name else b""
        return _EMPTY_TEXT.sub(lambda _: b"<TEXT>\n" + body + b"\n</TEXT>", stub, count=1)

    return _STUB.sub(fill, text)


def _name(doc: object) -> str:
    return getattr(doc, "filename", None) or getattr(doc, "document", None) or ""


def reason(form: str, doc: object) -> str | None:
    """Why the pipeline reads ``doc`` of a filing of ``form`` (a key of :data:`READ`), None when it does not."""
    name = _name(doc)
    lower = name.lower()
    dtype = (getattr(doc, "type", "") or "").upper()
    if not lower.endswith(_TEXT_EXTENSIONS) or _R_PAGE.match(name) or lower == "filingsummary.xml":
        return None
    sequence = getattr(doc, "sequence", None) or getattr(doc, "seq", None)
    if sequence == 1 or (dtype and dtype == form.upper()):
        return "primary"
    if dtype == "EX-101.INS" or lower.endswith("_htm.xml"):
        return "xbrl-instance"
    if dtype in _LINKBASE_TYPES or (dtype.startswith("EX-101") and lower.endswith(_LINKBASE_SUFFIXES)):
        return "linkbase"
    if _EIGHT_K.match(form.upper()) and dtype.startswith("EX-99"):
        return "press-release"
    if form.upper().startswith("13F") and dtype == "INFORMATION TABLE":
        return "13f-infotable"
    return None


def select_documents(form: str, docs: Iterable[object]) -> list[str]:
    """The file names of the listed documents the pipeline reads, in listed order, each once.

    Args:
        form: the filing's form type (the header's TYPE).
        docs: the listed documents: :class:`~edgar.parse.sgml.SgmlDocument` (from :func:`parse_index_headers`)
            or :class:`~edgar.parse.index_page.IndexPageDocument` rows of an ``-index.html`` page.
    """
    chosen: list[str] = []
    for doc in docs:
        name = _name(doc)
        if name and name not in chosen and reason(form, doc) is not None:
            chosen.append(name)
    return chosen


def skipped(form: str, docs: Sequence[object]) -> list[str]:
    """The listed file names :func:`select_documents` leaves out (for logs and tests)."""
    chosen = set(select_documents(form, docs))
    return [n for d in docs if (n := _name(d)) and n not in chosen]
