"""Item sections of 10-K and 10-Q reports (``Item 1A. Risk Factors``, ``Part I, Item 2. MD&A``) from their HTML.

``parse_sections`` reads a primary document (plain HTML or inline XBRL) and returns its items in document order:
part, item number, title as printed and the item's text (markup removed, whitespace collapsed to single spaces).

How (rules checked on the real Apple, NVIDIA, Netflix, Tesla, Union Pacific and Oracle reports of the mirror):

* The document is cut into blocks (paragraphs, ``div``s, table rows; the cells of a row are one block), after
  dropping ``ix:header`` (inline XBRL's hidden facts) and every element styled ``display:none``. Whitespace,
  non-breaking and zero-width spaces collapse to one space, so ``Item&nbsp;1A.`` and a heading split over
  several ``span``s read as one line.
* A heading is a block that *starts* with ``Item <n>`` (``ITEM 1A``, ``Item 1A.``, ``Item 1A:``, ``Item 1A —``,
  optionally after ``Part I,``), is at most 300 characters and whose title does not start in lower case (``Item 7
  of this report`` is a reference). A heading alone on its line takes the next short block as its title.
  ``Part I`` / ``PART II — OTHER INFORMATION`` blocks set the part of the items that follow.
* The table of contents is skipped: a table holding two or more item headings is a table of contents (its
  headings and part lines are ignored). Of several remaining headings of the same item, the one that is not a
  link and has the most text wins; then the longest run of headings whose items ascend in form order is kept
  (items out of order are references or stray lines).
* An item's text runs from its heading to the next kept heading (the last item ends at ``SIGNATURES``), without
  part lines, page numbers, ``Table of Contents`` links and running page headers or footers (short lines outside
  tables that repeat, digits aside, three times or more).
* 10-Q: Item 1 exists in Part I and in Part II. An item without a part line before it takes the part of the item
  before it, Part II once the numbers start again (Part I for the first).

A document without item headings is not an error: the result has no sections and ``reason`` says why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import msgspec
from selectolax.lexbor import LexborHTMLParser, LexborNode

from edgar.errors import ParseError

#: Forms whose primary document is read here.
SECTION_FORMS = ("10-K", "10-K/A", "10-Q", "10-Q/A")
#: The highest item number of Regulation S-K's report forms (10-K Item 16); higher numbers are not items.
MAX_ITEM = 16
MAX_HEADING_CHARS = 300
_MAX_TITLE_CHARS = 200
_MAX_PART_CHARS = 120

_BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "div", "dl", "dt",
     "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
     "section", "table", "tbody", "tfoot", "thead", "tr", "ul"]
)  # fmt: skip
_CELL_TAGS = frozenset(("td", "th"))
_SKIP_TAGS = frozenset(("script", "style", "head", "title", "-comment", "ix:header"))
_HIDDEN = (
    '[style*="display:none"], [style*="display: none"], [style*="DISPLAY:NONE"], [style*="DISPLAY: NONE"]'
)
_WS = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_DASHES = "\u2013\u2014\u2012\u2212"
_HEADING = re.compile(
    rf"^(?:(?i:part)\s+(?P<part>IV|I{{1,3}})\s*[,.:;\-{_DASHES}]?\s*)?"
    rf"(?i:items?)\s*(?P<number>\d{{1,2}}[A-Ca-c]?)(?![A-Za-z0-9])\s*[.:;\-{_DASHES}]*\s*(?P<title>.*)$"
)
_PART = re.compile(rf"^(?i:part)\s+(?P<part>IV|I{{1,3}})(?:\s*$|\s*[.:;,\-{_DASHES}]\s*[A-Z(]|\s+[A-Z(])")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,3}$", re.IGNORECASE)
_TOC_LINK = re.compile(
    r"^(?:table of contents|index|back to (?:top|contents|table of contents))$", re.IGNORECASE
)
_SIGNATURES = re.compile(r"^SIGNATURES?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


class Section(msgspec.Struct, frozen=True, kw_only=True):
    """One item of a report.

    Attributes:
        part: the report's part the item belongs to, as a Roman numeral (``I`` … ``IV``); None when the
            document states none (a 10-K without ``PART`` lines).
        item: the item number, upper case (``1A``, ``7``).
        title: the item's title as printed (``Risk Factors``; ``RISK FACTORS`` when printed so); None when the
            heading has none.
        text: the item's text without its heading, whitespace collapsed; empty when the heading is followed
            directly by the next one.
    """

    part: str | None
    item: str
    title: str | None
    text: str


class Sections(msgspec.Struct, frozen=True, kw_only=True):
    """The items of one document.

    Attributes:
        source: name of the document that was read.
        form: the form it was read as (``10-K``, ``10-Q`` or an amendment).
        sections: the items in document order.
        toc_entries: item lines recognised as the table of contents (skipped).
        reason: why ``sections`` is empty (None when it is not).
    """

    source: str
    form: str
    sections: list[Section]
    toc_entries: int
    reason: str | None


@dataclass(slots=True)
class _Block:
    """A block of text: where it sits (outermost table, inside a link) and its collapsed text."""

    text: str
    table: int | None
    link: bool


@dataclass(slots=True)
class _Walk:
    """State of the walk over the document tree."""

    blocks: list[_Block] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    table: int | None = None
    link: bool = False
    tables: int = 0

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.parts)).strip()
        self.parts.clear()
        if text:
            self.blocks.append(_Block(text, self.table, self.link))
        self.link = False


def _walk(node: LexborNode, walk: _Walk, table: int | None, link: bool) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            walk.parts.append(child.text_content or "")
            walk.table = table
            walk.link = walk.link or link
            continue
        if tag is None or tag in _SKIP_TAGS:
            continue
        block = tag in _BLOCK_TAGS
        if block:
            walk.flush()
        inner = table
        if tag == "table" and table is None:
            walk.tables += 1
            inner = walk.tables
        if tag in _CELL_TAGS:
            walk.parts.append(" ")
        _walk(child, walk, inner, link or (tag == "a" and bool(child.attributes.get("href"))))
        if block:
            walk.flush()
        elif tag in _CELL_TAGS:
            walk.parts.append(" ")


def blocks(content: bytes | str) -> list[_Block]:
    """The text blocks of an HTML document in order (hidden content and ``ix:header`` removed)."""
    tree = LexborHTMLParser(content)
    for hidden in [*tree.css("ix\\:header"), *tree.css(_HIDDEN)]:
        hidden.decompose()
    root = tree.body or tree.root
    walk = _Walk()
    if root is not None:
        _walk(root, walk, None, False)
        walk.flush()
    return walk.blocks


@dataclass(slots=True)
class _Heading:
    index: int
    end: int  # first block after the heading (and its title block)
    part: str | None
    number: str
    title: str | None
    link: bool
    body: int = 0


def _order(number: str) -> tuple[int, str]:
    digits = number.rstrip("ABC")
    return int(digits), number[len(digits) :]


def _is_part(block: _Block) -> str | None:
    if len(block.text) > _MAX_PART_CHARS:
        return None
    m = _PART.match(block.text)
    if m is None or _HEADING.match(block.text):
        return None
    return m["part"].upper()


def _heading(found: list[_Block], i: int) -> _Heading | None:
    block = found[i]
    if len(block.text) > MAX_HEADING_CHARS:
        return None
    m = _HEADING.match(block.text)
    if m is None:
        return None
    number = m["number"].upper()
    if not 1 <= _order(number)[0] <= MAX_ITEM:
        return None
    title = m["title"].strip() or None
    end = i + 1
    if title is not None and title[0].islower():
        return None
    if title is None and end < len(found):
        nxt = found[end].text
        if (
            len(nxt) <= _MAX_TITLE_CHARS
            and not _HEADING.match(nxt)
            and not _PART.match(nxt)
            and nxt[0].isupper()
        ):
            title, end = nxt, end + 1
    part = m["part"].upper() if m["part"] else None
    return _Heading(i, end, part, number, title, block.link)


def _ascending(headings: list[_Heading], quarterly: bool) -> list[_Heading]:
    """The longest run of headings whose items ascend (10-Q: by part, then item), ties to the most text."""

    def key(h: _Heading) -> tuple[int, int, str]:
        part = _ROMAN.get(h.part or "", 0) if quarterly else 0
        return (part, *_order(h.number))

    n = len(headings)
    best: list[tuple[int, int]] = []  # (count, text) of the best run ending at each heading
    prev: list[int] = []
    for j in range(n):
        here, back = (1, headings[j].body), -1
        for i in range(j):
            if key(headings[i]) < key(headings[j]):
                cand = (best[i][0] + 1, best[i][1] + headings[j].body)
                if cand > here:
                    here, back = cand, i
        best.append(here)
        prev.append(back)
    if not headings:
        return []
    j = max(range(n), key=lambda k: best[k])
    run = []
    while j >= 0:
        run.append(headings[j])
        j = prev[j]
    return run[::-1]


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_ROMAN_OF = {v: k for k, v in _ROMAN.items()}


def _noise(found: list[_Block]) -> set[int]:
    """Blocks that are page furniture: page numbers, ``Table of Contents`` links, running headers and footers."""
    repeats = Counter(_DIGITS.sub("#", b.text) for b in found if b.table is None and len(b.text) < 100)
    noise = set()
    for i, b in enumerate(found):
        if b.table is not None:
            continue
        furniture = _PAGE_NUMBER.match(b.text) or _TOC_LINK.match(b.text)
        running = (
            len(b.text) < 100 and any(c.isdigit() for c in b.text) and repeats[_DIGITS.sub("#", b.text)] >= 3
        )
        if furniture or running:
            noise.add(i)
    return noise


def parse_sections(source: str, content: bytes | str, form: str) -> Sections:
    """The item sections of a 10-K or 10-Q primary document (HTML or inline XBRL), in document order.

    Args:
        source: the document's name (used in errors).
        content: the document's bytes or text.
        form: ``10-K``, ``10-Q`` or an amendment (``10-K/A``); decides whether items are numbered per part.

    Returns:
        The sections; when the document has no item headings, no sections and the reason.

    Raises:
        ParseError: The form is not a 10-K or 10-Q, or the document is empty.
    """
    upper = form.upper()
    if upper not in SECTION_FORMS:
        raise ParseError(
            source, f"form {form!r} has no items to read (expected one of {', '.join(SECTION_FORMS)})"
        )
    if not content.strip():
        raise ParseError(source, "empty document")
    quarterly = upper.startswith("10-Q")
    found = blocks(content)
    if not found:
        return Sections(
            source=source, form=upper, sections=[], toc_entries=0, reason="the document has no text"
        )
    headings: list[_Heading] = []
    parts: list[tuple[int, str]] = []
    for i in range(len(found)):
        h = _heading(found, i)
        if h is not None:
            headings.append(h)
            continue
        p = _is_part(found[i])
        if p is not None:
            parts.append((i, p))
    per_table = Counter(found[h.index].table for h in headings if found[h.index].table is not None)
    toc_tables = {t for t, count in per_table.items() if count >= 2}
    toc = [h for h in headings if found[h.index].table in toc_tables]
    headings = [h for h in headings if found[h.index].table not in toc_tables]
    parts = [(i, p) for i, p in parts if found[i].table not in toc_tables]
    part_lines = {i for i, _ in parts}
    if not headings:
        why = (
            f"only table-of-contents item lines ({len(toc)}), no item heading in the body"
            if toc
            else f"no item headings (no block starting 'Item <number>' among {len(found)} text blocks)"
        )
        return Sections(source=source, form=upper, sections=[], toc_entries=len(toc), reason=why)
    _assign_parts(headings, parts, quarterly)
    for k, h in enumerate(headings):
        stop = headings[k + 1].index if k + 1 < len(headings) else len(found)
        h.body = sum(len(found[i].text) for i in range(h.end, stop))
    chosen: dict[tuple[str | None, str], _Heading] = {}
    for h in headings:
        key = (h.part if quarterly else None, h.number)
        old = chosen.get(key)
        if old is None or (not h.link, h.body) > (not old.link, old.body):
            chosen[key] = h
    kept = _ascending(sorted(chosen.values(), key=lambda h: h.index), quarterly)
    noise = _noise(found) | part_lines
    sections = []
    for k, h in enumerate(kept):
        if k + 1 < len(kept):
            stop = kept[k + 1].index
        else:
            stop = next((i for i in range(h.end, len(found)) if _SIGNATURES.match(found[i].text)), len(found))
        text = " ".join(found[i].text for i in range(h.end, stop) if i not in noise)
        sections.append(Section(part=h.part, item=h.number, title=h.title, text=text))
    return Sections(source=source, form=upper, sections=sections, toc_entries=len(toc), reason=None)


def _assign_parts(headings: list[_Heading], parts: list[tuple[int, str]], quarterly: bool) -> None:
    """Give each heading the part of the part line before it.

    A 10-Q item with no new part line since the item before it keeps that item's part, or moves from Part I to
    Part II when the numbers start again (the first one is in Part I).
    """
    k = 0
    current: str | None = None
    previous: _Heading | None = None
    for h in headings:
        new_line = False
        while k < len(parts) and parts[k][0] < h.index:
            current, new_line = parts[k][1], True
            k += 1
        if h.part is None:
            if new_line or not quarterly:
                h.part = current
            elif previous is None or previous.part is None:
                h.part = current or "I"
            elif previous.part == "I" and _order(h.number) <= _order(previous.number):
                h.part = "II"
            else:
                h.part = previous.part
        previous = h
