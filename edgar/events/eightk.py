"""8-K current reports: items, item texts, exhibits and press releases.

``parse_8k`` reads a full submission (``.txt`` or ``.nc``) or a primary document (HTML). Items come from two
places, merged by item number:

* the SGML header: ``ITEM INFORMATION`` titles (``.txt``) or ``ITEMS`` numbers (``.nc``), normalised to numbers
  with :data:`EIGHT_K_ITEMS`;
* the document text: headings ``Item 2.02 Results of Operations...``. A heading is ``Item`` + number followed by
  a capitalised word (so ``Item 2.02 of this Current Report`` is a reference, not a heading), and item numbers
  must ascend through the document. Each item's text runs to the next heading (the last one to ``SIGNATURE``).

Press releases are the ``EX-99.1`` documents (and other ``EX-99.x`` described as press releases): title = the
first bold or heading block of four words or more that is not an ``Exhibit 99.1`` caption or a contact line;
date = the first ``Month D, YYYY`` date in the first 1,500 characters of text.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import msgspec
from selectolax.lexbor import LexborHTMLParser

from edgar.errors import ParseError
from edgar.parse.sgml import SgmlSubmission, parse_sgml_submission

#: 8-K item number -> official title (Form 8-K, as amended 2004 and later)
EIGHT_K_ITEMS: dict[str, str] = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "1.03": "Bankruptcy or Receivership",
    "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation or an Obligation under an Off-Balance Sheet Arrangement of a Registrant",
    "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation or an Obligation under an Off-Balance Sheet Arrangement",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or Standard; Transfer of Listing",
    "3.02": "Unregistered Sales of Equity Securities",
    "3.03": "Material Modification to Rights of Security Holders",
    "4.01": "Changes in Registrant's Certifying Accountant",
    "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report or Completed Interim Review",
    "5.01": "Changes in Control of Registrant",
    "5.02": "Departure of Directors or Certain Officers; Election of Directors; Appointment of Certain Officers; Compensatory Arrangements of Certain Officers",
    "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
    "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "5.05": "Amendment to Registrant's Code of Ethics, or Waiver of a Provision of the Code of Ethics",
    "5.06": "Change in Shell Company Status",
    "5.07": "Submission of Matters to a Vote of Security Holders",
    "5.08": "Shareholder Director Nominations",
    "6.01": "ABS Informational and Computational Material",
    "6.02": "Change of Servicer or Trustee",
    "6.03": "Change in Credit Enhancement or Other External Support",
    "6.04": "Failure to Make a Required Distribution",
    "6.05": "Securities Act Updating Disclosure",
    "6.06": "Static Pool",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}

_WS = re.compile(r"\s+")
_KEY = re.compile(r"[^a-z0-9]+")
_BY_TITLE = {_KEY.sub(" ", t.lower()).strip(): n for n, t in EIGHT_K_ITEMS.items()}
_SGML_START = (b"<SEC-DOCUMENT", b"<SUBMISSION", b"<SEC-HEADER", b"<IMS-DOCUMENT")
_BLOCK_END = re.compile(rb"(?i)(</(?:p|div|tr|td|th|h[1-6]|li|table|font|span)>|<br\s*/?>)")
_IX_HEADER = re.compile(rb"(?is)<ix:header>.*?</ix:header>")
_HEADING = re.compile(
    r"\b(?i:item)\s*(\d{1,2})\s*\.\s*(\d{2})(?:\s*\([a-z]\))?\s*[.:\-\u2013\u2014]?\s*(?=[A-Z])"
)
_SIGNATURE = re.compile(r"\bSIGNATURES?\b")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(rf"\b({_MONTHS})\.?\s+(\d{{1,2}})\s*,\s*(\d{{4}})\b")
_EXHIBIT_LINE = re.compile(
    r"(?:Exhibit\s+)?\b(\d{1,3}(?:\.\d{1,2})?)\s+([A-Z][^\n]*?)"
    r"(?=\s+(?:Exhibit\s+)?\d{1,3}(?:\.\d{1,2})?\s+[A-Z]|$)"
)
_NOT_TITLE = re.compile(r"(?i)^exhibit\b|immediate release|contact|phone|fax|^web\b|investor relations")
_EARNINGS = re.compile(r"(?i)\b(results|earnings|net income|net loss|net sales)\b")


class EightKItem(msgspec.Struct, frozen=True, kw_only=True):
    """One reported item.

    Attributes:
        number: item number (``2.02``); None when a header title matches no known item.
        title: official title for a known number, else the title as given.
        in_header: listed in the SGML header.
        in_text: found as a heading in the primary document.
        text: the item's text (heading excluded), whitespace-normalised; None when not found in the document.
    """

    number: str | None
    title: str | None
    in_header: bool
    in_text: bool
    text: str | None


class Exhibit(msgspec.Struct, frozen=True, kw_only=True):
    """An exhibit of the filing.

    Attributes:
        type: exhibit type (``EX-99.1``).
        sequence: document sequence in the submission, None when read from the item 9.01 text.
        filename: file name, None when read from the item 9.01 text.
        description: description as given.
    """

    type: str
    sequence: int | None
    filename: str | None
    description: str | None


class PressRelease(msgspec.Struct, frozen=True, kw_only=True):
    """A press release exhibit.

    Attributes:
        type: exhibit type (``EX-99.1``).
        filename: file name, None when unknown.
        title: first heading or bold line, None when none is found.
        date: first date near the top, None when none is found.
        text: whole text, whitespace-normalised.
    """

    type: str
    filename: str | None
    title: str | None
    date: date | None
    text: str


class EightK(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed 8-K.

    Attributes:
        source: name of the parsed file.
        accession: accession number (SGML header), None for a primary document alone.
        form: submission type (``8-K``, ``8-K/A``), None for a primary document alone.
        cik: filer CIK (SGML header), None for a primary document alone.
        company_name: filer name (SGML header), None for a primary document alone.
        period_of_report: date of the earliest event reported (SGML header), None when unknown.
        filing_date: FILED AS OF DATE, None for a primary document alone.
        items: reported items, by item number (unknown header titles last).
        exhibits: exhibits: embedded ``EX-`` documents, or the item 9.01 list for a primary document alone.
        press_releases: press release exhibits found in the file.
        text: the primary document's text, whitespace-normalised.
    """

    source: str
    accession: str | None
    form: str | None
    cik: int | None
    company_name: str | None
    period_of_report: date | None
    filing_date: date | None
    items: list[EightKItem]
    exhibits: list[Exhibit]
    press_releases: list[PressRelease]
    text: str


def item_number(label: str) -> str | None:
    """Normalise an 8-K item label (``5.02``, ``Item 2.02``, ``Regulation FD Disclosure``) to its number.

    Args:
        label: an item number or title as written in an SGML header or a heading.

    Returns:
        The item number (``7.01``), or None when the label matches no known item.
    """
    m = re.search(r"(\d{1,2})\s*\.\s*(\d{2})", label)
    if m:
        number = f"{int(m.group(1))}.{m.group(2)}"
        return number if number in EIGHT_K_ITEMS else None
    key = _KEY.sub(" ", label.lower()).strip()
    if key in _BY_TITLE:
        return _BY_TITLE[key]
    for title, number in _BY_TITLE.items():
        if key and (title.startswith(key) or key.startswith(title)):
            return number
    return None


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _html_text(data: bytes) -> str:
    data = _IX_HEADER.sub(b"", data)
    tree = LexborHTMLParser(_BLOCK_END.sub(rb"\1 ", data))
    root = tree.body or tree.root
    return _norm(root.text(separator="")) if root is not None else ""


def _headings(text: str) -> list[tuple[str, int, int]]:
    """(number, heading start, text start) of each item heading, numbers ascending."""
    out: list[tuple[str, int, int]] = []
    last = (0, 0)
    for m in _HEADING.finditer(text):
        key = (int(m.group(1)), int(m.group(2)))
        number = f"{key[0]}.{m.group(2)}"
        if number not in EIGHT_K_ITEMS or key <= last:
            continue
        last = key
        out.append((number, m.start(), m.end()))
    return out


def _item_texts(text: str) -> dict[str, str]:
    heads = _headings(text)
    out: dict[str, str] = {}
    for i, (number, _, start) in enumerate(heads):
        end = heads[i + 1][1] if i + 1 < len(heads) else len(text)
        if i + 1 == len(heads):
            sig = _SIGNATURE.search(text, start)
            if sig:
                end = sig.start()
        body = text[start:end].strip()
        title = EIGHT_K_ITEMS[number]
        if body.lower().startswith(title.lower()):
            body = body[len(title) :].lstrip(" .:")
        out[number] = body
    return out


def _parse_date(m: re.Match[str]) -> date | None:
    month = m.group(1)[:3]
    try:
        return datetime.strptime(f"{month} {m.group(2)} {m.group(3)}", "%b %d %Y").date()
    except ValueError:
        return None


def _is_bold(node: object) -> bool:
    html = getattr(node, "html", "") or ""
    low = html.lower()
    return "bold" in low or "font-weight:700" in low.replace(" ", "") or "<b>" in low or "<strong" in low


def _title(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("h1, h2, h3, h4, h5, h6, p, div, td"):
        if len(node.css("p, div, td, table")) > 1:  # the node matches itself
            continue
        text = _norm(node.text(separator=""))
        if len(text.split()) < 4 or _NOT_TITLE.search(text):
            continue
        if (node.tag or "").startswith("h") or _is_bold(node):
            return text
    return None


def _press_release(type_: str, filename: str | None, body: bytes) -> PressRelease:
    tree = LexborHTMLParser(_BLOCK_END.sub(rb"\1 ", body))
    root = tree.body or tree.root
    text = _norm(root.text(separator="")) if root is not None else ""
    m = _DATE.search(text[:1500])
    return PressRelease(
        type=type_, filename=filename, title=_title(tree), date=_parse_date(m) if m else None, text=text
    )


def _is_press_release(type_: str, description: str | None) -> bool:
    t = type_.upper()
    return t == "EX-99.1" or (t.startswith("EX-99") and "PRESS" in (description or "").upper())


def _document_fragment(data: bytes) -> tuple[str, str | None, bytes] | None:
    """(type, filename, text) of a lone ``<DOCUMENT>`` block (an exhibit saved as EDGAR serves it)."""
    if not data.lstrip().startswith(b"<DOCUMENT>"):
        return None
    head = data[:2000].decode("latin-1")
    type_m = re.search(r"<TYPE>([^\r\n<]+)", head)
    file_m = re.search(r"<FILENAME>([^\r\n<]+)", head)
    start = data.find(b"<TEXT>")
    end = data.rfind(b"</TEXT>")
    body = data[start + 6 : end if end > start else len(data)] if start >= 0 else data
    return (type_m.group(1).strip() if type_m else "", file_m.group(1).strip() if file_m else None, body)


def parse_press_release(name: str, data: bytes) -> PressRelease:
    """Parse a press release exhibit (HTML, or a lone ``<DOCUMENT>`` block as EDGAR serves exhibits).

    Args:
        name: file name, used in errors and as the filename when the file gives none.
        data: the exhibit's bytes.

    Returns:
        The press release (title and date None when not found).

    Raises:
        ParseError: The file is empty.
    """
    if not data.strip():
        raise ParseError(name, "empty document")
    fragment = _document_fragment(data)
    if fragment:
        type_, filename, body = fragment
        return _press_release(type_ or "EX-99.1", filename or name, body)
    return _press_release("EX-99.1", name, data)


def _merge_items(header: list[str], texts: dict[str, str]) -> list[EightKItem]:
    numbers: dict[str, bool] = {}
    unknown: list[str] = []
    for label in header:
        number = item_number(label)
        if number is None:
            unknown.append(_norm(label))
        else:
            numbers[number] = True
    items = [
        EightKItem(
            number=n,
            title=EIGHT_K_ITEMS[n],
            in_header=n in numbers,
            in_text=n in texts,
            text=texts.get(n),
        )
        for n in sorted(set(numbers) | set(texts), key=lambda n: tuple(int(p) for p in n.split(".")))
    ]
    items += [EightKItem(number=None, title=t, in_header=True, in_text=False, text=None) for t in unknown]
    return items


def _exhibits_from_text(text: str | None) -> list[Exhibit]:
    if not text:
        return []
    out: list[Exhibit] = []
    for m in _EXHIBIT_LINE.finditer(text):
        number = m.group(1)
        description = m.group(2).strip()[:300]
        if description.lower().startswith(("description", "exhibit")):
            continue
        out.append(Exhibit(type=f"EX-{number}", sequence=None, filename=None, description=description))
    return out


def _from_submission(name: str, sub: SgmlSubmission) -> EightK:
    primary = next((d for d in sub.documents if d.type.upper().startswith("8-K")), None)
    if primary is None:
        raise ParseError(name, f"no 8-K document in the submission (form {sub.form})")
    text = _html_text(primary.body)
    texts = _item_texts(text)
    exhibits = [
        Exhibit(type=d.type, sequence=d.sequence, filename=d.filename, description=d.description)
        for d in sub.documents
        if d.type.upper().startswith("EX-")
    ]
    releases = [
        _press_release(d.type, d.filename, d.body)
        for d in sub.documents
        if _is_press_release(d.type, d.description)
    ]
    filer = next((p for p in sub.parties if p.role in ("filer", "subject-company")), None)
    return EightK(
        source=name,
        accession=sub.accession,
        form=sub.form,
        cik=filer.cik if filer else None,
        company_name=filer.name if filer else None,
        period_of_report=sub.period_of_report,
        filing_date=sub.filed_as_of,
        items=_merge_items(sub.items, texts),
        exhibits=exhibits,
        press_releases=releases,
        text=text,
    )


def parse_8k(name: str, data: bytes) -> EightK:
    """Parse an 8-K: a full submission (``.txt``/``.nc``) or its primary HTML document.

    Args:
        name: file name or URL, used in errors.
        data: the file's bytes.

    Returns:
        The 8-K. Header fields are None for a primary document alone; its exhibits are read from the item
        9.01 text (no filenames) and its press releases list is empty.

    Raises:
        ParseError: The file is empty, the submission is malformed or has no 8-K document, or the document
            has neither header items nor item headings.
    """
    if not data.strip():
        raise ParseError(name, "empty document")
    if data[:512].lstrip().startswith(_SGML_START):
        return _from_submission(name, parse_sgml_submission(data, name))
    fragment = _document_fragment(data)
    body = fragment[2] if fragment else data
    text = _html_text(body)
    texts = _item_texts(text)
    if not texts:
        raise ParseError(name, "no 8-K item headings found")
    return EightK(
        source=name,
        accession=None,
        form=None,
        cik=None,
        company_name=None,
        period_of_report=None,
        filing_date=None,
        items=_merge_items([], texts),
        exhibits=_exhibits_from_text(texts.get("9.01")),
        press_releases=[],
        text=text,
    )


def is_earnings_release(eightk: EightK) -> bool:
    """Whether an 8-K announces results: item 2.02 is reported, or a press release title mentions results.

    Args:
        eightk: a parsed 8-K.

    Returns:
        True for an earnings release.
    """
    if any(item.number == "2.02" for item in eightk.items):
        return True
    return any(pr.title and _EARNINGS.search(pr.title) for pr in eightk.press_releases)
