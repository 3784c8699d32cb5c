"""EDGAR full submissions: the ``.txt`` SGML file and the ``.nc`` dissemination file.

``.txt``: ``<SEC-DOCUMENT>`` / ``<SEC-HEADER>`` with ``KEY:<tab>value`` lines; a party (``FILER:``,
``REPORTING-OWNER:``...) opens a block whose sections (``COMPANY DATA:``, ``FILING VALUES:``...) are indented by
one tab and whose values by two. ``.nc``: ``<SUBMISSION>`` with ``<TAG>value`` lines and nested
``<FILER>...</FILER>`` blocks (lines may end in CR only). Both are followed by ``<DOCUMENT>`` blocks
(``<TYPE>``, ``<SEQUENCE>``, ``<FILENAME>``, ``<DESCRIPTION>``, ``<TEXT>...</TEXT>``).

Differences downstream code must know: ``.nc`` files carry no ACCEPTANCE-DATETIME (``acceptance_utc`` is None)
and list 8-K items by number (``<ITEMS>5.02``) where ``.txt`` gives their titles (``ITEM INFORMATION:
Regulation FD Disclosure``). PUBLIC DOCUMENT COUNT counts documents the file may not embed.
"""

from __future__ import annotations

import binascii
import re
from datetime import date, datetime

import msgspec

from edgar.errors import ParseError
from edgar.parse.acceptance import from_sgml

_ROLES = {
    "FILER": "filer",
    "ISSUER": "issuer",
    "REPORTING-OWNER": "reporting-owner",
    "SUBJECT-COMPANY": "subject-company",
    "FILED-BY": "filed-by",
}
#: .txt keys (spaces -> '-') that differ from the .nc tag of the same value
_ALIASES = {
    "ACCESSION-NUMBER": "ACCESSION-NUMBER",
    "CONFORMED-SUBMISSION-TYPE": "TYPE",
    "CONFORMED-PERIOD-OF-REPORT": "PERIOD",
    "FILED-AS-OF-DATE": "FILING-DATE",
    "DATE-AS-OF-CHANGE": "DATE-OF-FILING-DATE-CHANGE",
    "ITEM-INFORMATION": "ITEMS",
    "COMPANY-CONFORMED-NAME": "CONFORMED-NAME",
    "CENTRAL-INDEX-KEY": "CIK",
    "EIN": "IRS-NUMBER",
    "SEC-ACT": "ACT",
    "SEC-FILE-NUMBER": "FILE-NUMBER",
    "STREET-1": "STREET1",
    "STREET-2": "STREET2",
    "BUSINESS-PHONE": "PHONE",
    "OWNER-DATA": "COMPANY-DATA",
    "FORMER-CONFORMED-NAME": "FORMER-CONFORMED-NAME",
    "DATE-OF-NAME-CHANGE": "DATE-CHANGED",
}
_SIC_RE = re.compile(r"^(.*?)\s*\[(\d+)\]\s*$")
_TAG_LINE = re.compile(rb"^<([A-Z0-9][A-Z0-9-]*)>(.*)$")
_NC_TOKEN = re.compile(rb"<(/?)([A-Z0-9][A-Z0-9-]*)>([^<\r\n]*)")
_DOC_OPEN = re.compile(rb"<DOCUMENT>\r?\n?|<DOCUMENT>\r")
_BREAK = re.compile(rb"\r\n|\r|\n")


class Address(msgspec.Struct, frozen=True, kw_only=True):
    """A business or mail address of a party, as given.

    Attributes:
        street1: first street line.
        street2: second street line.
        city: city.
        state: state or country code.
        zip: postal code.
        phone: phone number (business address only).
    """

    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    phone: str | None = None


class FormerName(msgspec.Struct, frozen=True, kw_only=True):
    """A former name of a party.

    Attributes:
        name: the former conformed name.
        changed: date of the name change (None when absent or invalid).
    """

    name: str
    changed: date | None


class Party(msgspec.Struct, frozen=True, kw_only=True):
    """A filer, issuer, reporting owner, subject company or filed-by entity of a submission.

    Attributes:
        role: ``filer``, ``issuer``, ``reporting-owner``, ``subject-company`` or ``filed-by``.
        cik: Central Index Key.
        name: conformed name.
        sic: SIC code (digits) or None.
        sic_description: SIC title (``.txt`` only, e.g. ``PHARMACEUTICAL PREPARATIONS``).
        organization_name: SEC office (``03 Life Sciences``) or None.
        irs_number: IRS number / EIN as given.
        state_of_incorporation: state code as given.
        fiscal_year_end: ``MMDD`` as given.
        form_type: FILING VALUES form type.
        act: FILING VALUES act as given (``1934 Act`` in .txt, ``34`` in .nc).
        file_number: SEC file number.
        film_number: film number.
        business_address: business address or None.
        mail_address: mail address or None.
        former_names: former names, in file order.
    """

    role: str
    cik: int
    name: str | None
    sic: str | None = None
    sic_description: str | None = None
    organization_name: str | None = None
    irs_number: str | None = None
    state_of_incorporation: str | None = None
    fiscal_year_end: str | None = None
    form_type: str | None = None
    act: str | None = None
    file_number: str | None = None
    film_number: str | None = None
    business_address: Address | None = None
    mail_address: Address | None = None
    former_names: list[FormerName] = msgspec.field(default_factory=list)


class SgmlDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One ``<DOCUMENT>`` embedded in a submission.

    Attributes:
        type: document type (``10-K``, ``EX-99.1``, ``GRAPHIC``...).
        sequence: sequence number, None when absent or not a number.
        filename: file name, None when absent.
        description: description, None when absent.
        wrapper: ``XML`` or ``XBRL`` when the text was wrapped in that tag, else None.
        body: the embedded bytes exactly as in the file, without the ``<TEXT>`` and ``<XML>``/``<XBRL>``
            wrappers and one newline after/before each.
        uuencoded: the body is a uuencoded file (``begin 644 name``).
        decoded: the decoded bytes of a uuencoded body; None when not uuencoded or undecodable.
        note: why ``decoded`` is None for a uuencoded body, or that a wrapper was not closed; else None.
    """

    type: str
    sequence: int | None
    filename: str | None
    description: str | None
    wrapper: str | None
    body: bytes
    uuencoded: bool
    decoded: bytes | None
    note: str | None = None


class SgmlSubmission(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed full submission (``.txt`` or ``.nc``).

    Attributes:
        source: name of the parsed file.
        format: ``sgml-txt`` or ``nc``.
        accession: accession number.
        form: submission type (CONFORMED SUBMISSION TYPE / TYPE).
        public_document_count: PUBLIC DOCUMENT COUNT, None when absent.
        period_of_report: CONFORMED PERIOD OF REPORT / PERIOD, None when absent.
        filed_as_of: FILED AS OF DATE / FILING-DATE.
        date_of_change: DATE AS OF CHANGE / DATE-OF-FILING-DATE-CHANGE, None when absent.
        effectiveness_date: EFFECTIVENESS DATE, None when absent.
        acceptance_utc: ACCEPTANCE-DATETIME (Eastern) in UTC; None when absent (always in ``.nc``).
        items: ITEM INFORMATION titles (``.txt``) or ITEMS numbers (``.nc``), as given.
        parties: every party block, in file order.
        documents: every embedded document, in file order.
        warnings: values that could not be read and became None.
    """

    source: str
    format: str
    accession: str
    form: str
    public_document_count: int | None
    period_of_report: date | None
    filed_as_of: date
    date_of_change: date | None
    effectiveness_date: date | None
    acceptance_utc: datetime | None
    items: list[str]
    parties: list[Party]
    documents: list[SgmlDocument]
    warnings: list[str]


class _Block:
    """A party block being read: section name -> key -> values."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.sections: list[tuple[str, dict[str, str]]] = []


def _line_of(data: bytes, offset: int) -> int:
    return len(_BREAK.findall(data, 0, offset)) + 1


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace").strip()


def _key(raw: str) -> str:
    key = "-".join(raw.strip().upper().split())
    return _ALIASES.get(key, key)


# ---------------------------------------------------------------- headers


def _header_txt(data: bytes, source: str) -> tuple[dict[str, list[str]], list[_Block], int]:
    start = data.find(b"<SEC-HEADER>")
    end = data.find(b"</SEC-HEADER>")
    if start < 0:
        raise ParseError(source, "no <SEC-HEADER>", 1)
    if end < 0:
        raise ParseError(
            source,
            "<SEC-HEADER> is never closed (</SEC-HEADER> missing): file truncated?",
            _line_of(data, len(data)),
        )
    fields: dict[str, list[str]] = {}
    blocks: list[_Block] = []
    block: _Block | None = None
    section: dict[str, str] | None = None
    first = _line_of(data, start)
    for n, raw in enumerate(_BREAK.split(data[start:end])[1:], start=first + 1):
        if not raw.strip():
            continue
        if m := _TAG_LINE.match(raw):
            fields.setdefault(m.group(1).decode(), []).append(_text(m.group(2)))
            continue
        line = raw.decode("utf-8", errors="replace")
        depth = len(line) - len(line.lstrip("\t"))
        key_raw, sep, value = line.strip().partition(":")
        if not sep:
            raise ParseError(source, f"header line is not 'KEY: value': {line.strip()!r}", n)
        key, value = _key(key_raw), value.strip()
        if depth == 0 and not value:
            block, section = _Block(key), None
            blocks.append(block)
        elif depth == 0:
            block, section = None, None
            fields.setdefault(key, []).append(value)
        elif depth == 1 and block is not None and not value:
            section = {}
            block.sections.append((key, section))
        elif section is not None:
            section[key] = value
        else:
            raise ParseError(source, f"header value {line.strip()!r} is outside any party section", n)
    return fields, blocks, end


def _header_nc(data: bytes, source: str) -> tuple[dict[str, list[str]], list[_Block], int]:
    first_doc = data.find(b"<DOCUMENT>")
    end = first_doc if first_doc >= 0 else data.find(b"</SUBMISSION>")
    if end < 0:
        raise ParseError(
            source, "no <DOCUMENT> and no </SUBMISSION>: file truncated?", _line_of(data, len(data))
        )
    head = data[:end]
    closers = {m.group(1) for m in re.finditer(rb"</([A-Z0-9-]+)>", head)}
    fields: dict[str, list[str]] = {}
    blocks: list[_Block] = []
    stack: list[str] = []
    block: _Block | None = None
    section: dict[str, str] | None = None
    for m in _NC_TOKEN.finditer(head):
        closing, tag, value = m.group(1) == b"/", m.group(2), _text(m.group(3))
        name = _ALIASES.get(tag.decode(), tag.decode())
        if name == "SUBMISSION":
            continue
        if closing:
            if not stack or stack[-1] != name:  # names are aliased on both sides
                raise ParseError(
                    source,
                    f"</{name}> does not close {('<' + stack[-1] + '>') if stack else 'anything'}",
                    _line_of(data, m.start()),
                )
            stack.pop()
            if len(stack) == 0:
                block, section = None, None
            elif len(stack) == 1:
                section = None
            continue
        if not value and tag in closers:
            stack.append(name)
            if len(stack) == 1:
                block, section = _Block(name), None
                blocks.append(block)
            elif len(stack) == 2 and block is not None:
                section = {}
                block.sections.append((name, section))
            continue
        if section is not None:
            section[name] = value
        elif not stack:
            fields.setdefault(name, []).append(value)
    if stack:
        raise ParseError(source, f"<{stack[-1]}> is never closed in the header", _line_of(data, end))
    return fields, blocks, end


# ---------------------------------------------------------------- parties


def _address(values: dict[str, str] | None) -> Address | None:
    if values is None:
        return None
    return Address(
        street1=values.get("STREET1") or None,
        street2=values.get("STREET2") or None,
        city=values.get("CITY") or None,
        state=values.get("STATE") or None,
        zip=values.get("ZIP") or None,
        phone=values.get("PHONE") or None,
    )


def _date(value: str | None, what: str, warnings: list[str]) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        warnings.append(f"{what} {value!r} is not a YYYYMMDD date")
        return None


def _party(block: _Block, source: str, warnings: list[str]) -> Party | None:
    role = _ROLES.get(block.tag)
    if role is None:
        warnings.append(f"unknown header block {block.tag!r} skipped")
        return None
    first: dict[str, dict[str, str]] = {}
    former: list[FormerName] = []
    for name, values in block.sections:
        if name in ("FORMER-COMPANY", "FORMER-NAME"):
            fname = values.get("FORMER-CONFORMED-NAME") or values.get("FORMER-NAME")
            if fname:
                former.append(
                    FormerName(
                        name=fname,
                        changed=_date(values.get("DATE-CHANGED"), f"{role} name change date", warnings),
                    )
                )
        else:
            first.setdefault(name, values)
    company = first.get("COMPANY-DATA", {})
    cik_text = company.get("CIK", "")
    if not cik_text.isdigit():
        raise ParseError(source, f"{role} block has CIK {cik_text!r}, not digits")
    sic: str | None = company.get("ASSIGNED-SIC") or None
    sic_description: str | None = None
    if standard := company.get("STANDARD-INDUSTRIAL-CLASSIFICATION"):
        if m := _SIC_RE.match(standard):
            sic_description, sic = m.group(1) or None, m.group(2)
        else:
            sic_description = standard
    values = first.get("FILING-VALUES", {})
    return Party(
        role=role,
        cik=int(cik_text),
        name=company.get("CONFORMED-NAME") or None,
        sic=sic,
        sic_description=sic_description,
        organization_name=company.get("ORGANIZATION-NAME") or None,
        irs_number=company.get("IRS-NUMBER") or None,
        state_of_incorporation=company.get("STATE-OF-INCORPORATION") or None,
        fiscal_year_end=company.get("FISCAL-YEAR-END") or None,
        form_type=values.get("FORM-TYPE") or None,
        act=values.get("ACT") or None,
        file_number=values.get("FILE-NUMBER") or None,
        film_number=values.get("FILM-NUMBER") or None,
        business_address=_address(first.get("BUSINESS-ADDRESS")),
        mail_address=_address(first.get("MAIL-ADDRESS")),
        former_names=former,
    )


# ---------------------------------------------------------------- documents


def _strip_one_break_start(b: bytes) -> bytes:
    for nl in (b"\r\n", b"\n", b"\r"):
        if b.startswith(nl):
            return b[len(nl) :]
    return b


def _strip_one_break_end(b: bytes) -> bytes:
    for nl in (b"\r\n", b"\n", b"\r"):
        if b.endswith(nl):
            return b[: -len(nl)]
    return b


def _uudecode(body: bytes) -> tuple[bytes | None, str | None]:
    lines = _BREAK.split(body)
    out = bytearray()
    for n, line in enumerate(lines[1:], start=2):
        if line.strip() == b"end":
            return bytes(out), None
        if not line:
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            try:  # some encoders pad short lines wrongly: decode by the length byte
                nbytes = (line[0] - 32) & 63
                out += binascii.a2b_uu(line[: 1 + (nbytes * 4 + 2) // 3])
            except binascii.Error as exc:
                return None, f"uuencoded line {n} of the body is invalid: {exc}"
    return None, "uuencoded body has no 'end' line"


def _document(data: bytes, start: int, end: int, source: str, index: int) -> SgmlDocument:
    chunk = data[start:end]
    text_at = chunk.find(b"<TEXT>")
    if text_at < 0:
        raise ParseError(source, f"document {index} has no <TEXT>", _line_of(data, start))
    text_end = chunk.rfind(b"</TEXT>")
    if text_end < text_at:
        raise ParseError(source, f"document {index} has no </TEXT>: file truncated?", _line_of(data, end))
    meta: dict[str, str] = {}
    for raw in _BREAK.split(chunk[:text_at]):
        for m in _NC_TOKEN.finditer(raw):
            if m.group(1) != b"/":
                meta.setdefault(m.group(2).decode(), _text(m.group(3)))
    if "TYPE" not in meta:
        raise ParseError(source, f"document {index} has no <TYPE>", _line_of(data, start))
    body = _strip_one_break_end(_strip_one_break_start(chunk[text_at + len(b"<TEXT>") : text_end]))
    wrapper: str | None = None
    note: str | None = None
    for tag in (b"XML", b"XBRL"):
        if body.startswith(b"<" + tag + b">"):
            wrapper = tag.decode()
            inner = _strip_one_break_start(body[len(tag) + 2 :])
            closing = b"</" + tag + b">"
            stripped = _strip_one_break_end(inner)
            if stripped.endswith(closing):
                body = _strip_one_break_end(stripped[: -len(closing)])
            else:
                body = inner
                note = f"<{wrapper}> wrapper is not closed"
            break
    uuencoded = re.match(rb"begin [0-7]{3} ", body) is not None
    decoded: bytes | None = None
    if uuencoded:
        decoded, note = _uudecode(body)
    seq_text = meta.get("SEQUENCE", "")
    return SgmlDocument(
        type=meta["TYPE"],
        sequence=int(seq_text) if seq_text.isdigit() else None,
        filename=meta.get("FILENAME") or None,
        description=meta.get("DESCRIPTION") or None,
        wrapper=wrapper,
        body=body,
        uuencoded=uuencoded,
        decoded=decoded,
        note=note,
    )


def _documents(data: bytes, offset: int, source: str) -> list[SgmlDocument]:
    docs: list[SgmlDocument] = []
    pos = offset
    while (start := data.find(b"<DOCUMENT>", pos)) >= 0:
        end = data.find(b"</DOCUMENT>", start)
        nxt = data.find(b"<DOCUMENT>", start + 10)
        if end < 0 or (0 <= nxt < end):
            raise ParseError(
                source,
                f"document {len(docs) + 1} is never closed (</DOCUMENT> missing): file truncated?",
                _line_of(data, start),
            )
        docs.append(_document(data, start + len(b"<DOCUMENT>"), end, source, len(docs) + 1))
        pos = end + len(b"</DOCUMENT>")
    return docs


# ---------------------------------------------------------------- entry point


def parse_sgml_submission(data: bytes, source: str) -> SgmlSubmission:
    """Parse a full EDGAR submission, ``.txt`` (SEC-DOCUMENT/SEC-HEADER) or ``.nc`` (SUBMISSION).

    A file holding only the header (``<SEC-HEADER>...</SEC-HEADER>``, ``.hdr.sgml``) parses with no documents.

    Args:
        data: the raw bytes.
        source: file name used in error messages.

    Returns:
        Header values, parties and every embedded document.

    Raises:
        ParseError: unknown format, truncated file (a block is not closed), missing accession number, form
            or filing date, or a party without a numeric CIK. The message names the source and, where known,
            the line.
    """
    head = data.lstrip()[:64]
    if head.startswith((b"<SEC-DOCUMENT>", b"<SEC-HEADER>", b"<IMS-HEADER>")):
        fmt = "sgml-txt"
        fields, blocks, header_end = _header_txt(data, source)
        if head.startswith(b"<SEC-DOCUMENT>") and b"</SEC-DOCUMENT>" not in data[header_end:]:
            raise ParseError(
                source,
                "<SEC-DOCUMENT> is never closed (</SEC-DOCUMENT> missing): file truncated?",
                _line_of(data, len(data)),
            )
    elif head.startswith(b"<SUBMISSION>"):
        fmt = "nc"
        fields, blocks, header_end = _header_nc(data, source)
        if b"</SUBMISSION>" not in data[header_end:]:
            raise ParseError(
                source,
                "<SUBMISSION> is never closed (</SUBMISSION> missing): file truncated?",
                _line_of(data, len(data)),
            )
    else:
        raise ParseError(source, f"not an EDGAR submission: starts with {head[:20]!r}", 1)
    warnings: list[str] = []

    def one(key: str) -> str | None:
        values = fields.get(key)
        return values[0] if values else None

    accession = one("ACCESSION-NUMBER")
    if not accession or not re.fullmatch(r"\d{10}-\d{2}-\d{6}", accession):
        raise ParseError(source, f"accession number {accession!r} missing or malformed")
    form = one("TYPE")
    if not form:
        raise ParseError(source, "submission type missing")
    filed_text = one("FILING-DATE")
    filed = _date(filed_text, "FILED AS OF DATE", warnings)
    if filed is None:
        raise ParseError(source, f"filing date {filed_text!r} missing or not YYYYMMDD")
    count_text = one("PUBLIC-DOCUMENT-COUNT")
    count = int(count_text) if count_text and count_text.isdigit() else None
    if count_text and count is None:
        warnings.append(f"PUBLIC DOCUMENT COUNT {count_text!r} is not a number")
    acceptance_text = one("ACCEPTANCE-DATETIME")
    acceptance: datetime | None = None
    if acceptance_text:
        try:
            acceptance = from_sgml(acceptance_text, source)
        except ParseError as exc:
            warnings.append(exc.message)
    parties = [p for b in blocks if (p := _party(b, source, warnings)) is not None]
    return SgmlSubmission(
        source=source,
        format=fmt,
        accession=accession,
        form=form,
        public_document_count=count,
        period_of_report=_date(one("PERIOD"), "period of report", warnings),
        filed_as_of=filed,
        date_of_change=_date(one("DATE-OF-FILING-DATE-CHANGE"), "date as of change", warnings),
        effectiveness_date=_date(one("EFFECTIVENESS-DATE"), "effectiveness date", warnings),
        acceptance_utc=acceptance,
        items=list(fields.get("ITEMS", [])),
        parties=parties,
        documents=_documents(data, header_end, source),
        warnings=warnings,
    )
