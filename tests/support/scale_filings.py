"""The replicated filings behind :mod:`tests.support.scale_sec`: base filings of the mirror and their replicas.

See :mod:`tests.support.scale_sec` for how replication works. This module is pure: it reads the mirror once
(``base_filings``) and renders the bytes of one replica on request (``submission``, ``document``...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from edgar.inventory import group_identity, group_of, inspect, list_mirror_files
from edgar.urls import accession_nodash, cik10

#: Replica CIKs are ``BASE_CIK + k * BLOCK + cik_index``; replica accessions start with ``BASE_CIK + k * BLOCK``.
BASE_CIK = 9_000_000
BLOCK = 10_000
#: The forms replicated (the mirror's periodic XBRL reports).
FORMS = ("10-K", "10-Q", "10-K/A", "10-Q/A")
#: Days at the end of the quarter kept free of base filings, for daily increments.
RESERVED_DAYS = 3
#: A line of a form nobody tracks, so that every business day of the quarter has a published index.
FILLER_CIK = 8_999_999

_CIK_ELEMENT = re.compile(rb"(EntityCentralIndexKey\b[^>]*>\s*)(\d{1,10})(\s*<)")
_CIK_IDENTIFIER = re.compile(rb"(http://www\.sec\.gov/CIK[\"']\s*>\s*)(\d{1,10})(\s*<)")


@dataclass(frozen=True)
class BaseDoc:
    """One document of a base filing: its name, mirror file, EDGAR document type and detected kind."""

    name: str
    path: Path
    type: str
    kind: str


@dataclass(frozen=True)
class BaseFiling:
    """A 10-K/10-Q XBRL document set of the mirror, the template of its replicas."""

    index: int
    cik: int
    cik_index: int
    name: str
    form: str
    period: date | None
    day_slot: int  # position among the quarter's business days not reserved for increments (0-based)
    docs: tuple[BaseDoc, ...]  # primary document first


@dataclass(frozen=True)
class Replica:
    """Replica ``k`` of a base filing: a new filer (CIK), accession and filing day."""

    k: int
    base: BaseFiling
    cik: int
    accession: str
    day: date

    @property
    def company(self) -> str:
        """The replica filer's conformed name."""
        return f"{self.base.name} SCALE REPLICA {self.k}".upper()

    @property
    def acceptance(self) -> str:
        """ACCEPTANCE-DATETIME (Eastern), ``YYYYMMDDhhmmss``: 16:00 plus the base index in minutes."""
        minutes = 16 * 60 + self.base.index
        return f"{self.day:%Y%m%d}{minutes // 60:02d}{minutes % 60:02d}00"


def _doc_type(name: str, kind: str, form: str) -> str:
    lower = name.lower()
    if kind == "xbrl-instance":
        return "EX-101.INS"
    if lower.endswith((".xsd", ".xsd.xml")):
        return "EX-101.SCH"
    for suffix, kind_ in (("_cal.xml", "CAL"), ("_def.xml", "DEF"), ("_lab.xml", "LAB"), ("_pre.xml", "PRE")):
        if lower.endswith(suffix):
            return f"EX-101.{kind_}"
    if lower.endswith((".htm", ".html")):
        return form
    return "XML"


@cache
def base_filings(mirror_root: Path) -> tuple[BaseFiling, ...]:
    """The mirror's 10-K/10-Q XBRL filings (``xbrl/`` folders and single instances, ``ixbrl/`` documents)."""
    files = [f for f in list_mirror_files(mirror_root) if f.path.startswith(("xbrl/", "ixbrl/"))]
    paths = [f.path for f in files]
    groups: dict[str, list] = {}
    for file in files:
        group = group_of(file.path, paths)
        groups.setdefault(group, []).append(inspect(mirror_root, file, group)[0])
    found = []
    for _group, entries in sorted(groups.items()):
        identity = group_identity(entries)
        if identity is None or identity.form not in FORMS or identity.cik is None:
            continue
        docs = [
            BaseDoc(
                Path(e.path).name,
                mirror_root / e.path,
                _doc_type(Path(e.path).name, e.kind, identity.form),
                e.kind,
            )
            for e in entries
        ]
        docs.sort(key=lambda d: (d.type != identity.form, d.type != "EX-101.INS", d.name))
        found.append((identity, tuple(docs)))
    ciks = sorted({i.cik for i, _ in found if i.cik is not None})
    return tuple(
        BaseFiling(
            index=n,
            cik=int(identity.cik or 0),
            cik_index=ciks.index(identity.cik),
            name=identity.entity_name or f"CIK {identity.cik}",
            form=identity.form or "",
            period=identity.period_of_report,
            day_slot=n,
            docs=docs,
        )
        for n, (identity, docs) in enumerate(found)
    )


def business_days(quarter: str) -> list[date]:
    """The weekdays of a quarter (``2024Q3``)."""
    year, q = int(quarter[:4]), int(quarter[-1])
    day, end = date(year, 3 * q - 2, 1), date(year + (q == 4), (3 * q) % 12 + 1, 1)
    days = []
    while day < end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def replica(base: BaseFiling, k: int, n: int, quarter: str, n_bases: int) -> Replica:
    """Replica ``k`` of ``base`` when ``n`` replicas make the quarter's backfill (``k >= n``: an increment day)."""
    days = business_days(quarter)
    usable = len(days) - RESERVED_DAYS
    if k < n:
        day = days[base.day_slot * usable // max(n_bases, 1)]
    else:
        day = days[usable + min(k - n, RESERVED_DAYS - 1)]
    prefix = BASE_CIK + k * BLOCK
    return Replica(
        k=k,
        base=base,
        cik=prefix + base.cik_index,
        accession=f"{prefix:010d}-{day.year % 100:02d}-{base.index + 1:06d}",
        day=day,
    )


def rewrite(data: bytes, cik: int) -> bytes:
    """A document's bytes with the entity CIK (``dei:EntityCentralIndexKey``, context identifiers) set to ``cik``."""
    new = cik10(cik).encode()
    data = _CIK_ELEMENT.sub(lambda m: m.group(1) + new + m.group(3), data)
    return _CIK_IDENTIFIER.sub(lambda m: m.group(1) + new + m.group(3), data)


@cache
def _raw(path: Path) -> bytes:
    return path.read_bytes()


def document(rep: Replica, name: str) -> bytes | None:
    """The rewritten bytes of one document of a replica (None: the filing has no such document)."""
    doc = next((d for d in rep.base.docs if d.name == name), None)
    return None if doc is None else rewrite(_raw(doc.path), rep.cik)


def header_lines(rep: Replica) -> list[str]:
    """The ``.txt`` SEC-HEADER lines (``KEY:<tab>value``), without the SEC-DOCUMENT/SEC-HEADER tags."""
    period = f"CONFORMED PERIOD OF REPORT:\t{rep.base.period:%Y%m%d}" if rep.base.period else None
    fye = f"{rep.base.period:%m%d}" if rep.base.period and rep.base.form.startswith("10-K") else "1231"
    lines = [
        f"ACCESSION NUMBER:\t\t{rep.accession}",
        f"CONFORMED SUBMISSION TYPE:\t{rep.base.form}",
        f"PUBLIC DOCUMENT COUNT:\t\t{len(rep.base.docs)}",
        *([period] if period else []),
        f"FILED AS OF DATE:\t\t{rep.day:%Y%m%d}",
        f"DATE AS OF CHANGE:\t\t{rep.day:%Y%m%d}",
        "",
        "FILER:",
        "",
        "\tCOMPANY DATA:\t",
        f"\t\tCOMPANY CONFORMED NAME:\t\t\t{rep.company}",
        f"\t\tCENTRAL INDEX KEY:\t\t\t{cik10(rep.cik)}",
        f"\t\tFISCAL YEAR END:\t\t\t{fye}",
        "",
        "\tFILING VALUES:",
        f"\t\tFORM TYPE:\t\t{rep.base.form}",
        "\t\tSEC ACT:\t\t1934 Act",
        f"\t\tSEC FILE NUMBER:\t001-{rep.cik % 100000:05d}",
    ]
    return lines


def submission(rep: Replica) -> bytes:
    """The replica's full SGML submission (``{accession}.txt``): header, then every document in a <DOCUMENT>."""
    head = [
        f"<SEC-DOCUMENT>{rep.accession}.txt : {rep.day:%Y%m%d}",
        f"<SEC-HEADER>{rep.accession}.hdr.sgml : {rep.day:%Y%m%d}",
        f"<ACCEPTANCE-DATETIME>{rep.acceptance}",
        *header_lines(rep),
        "</SEC-HEADER>",
        "",
    ]
    parts = ["\n".join(head).encode()]
    for seq, doc in enumerate(rep.base.docs, start=1):
        body = rewrite(_raw(doc.path), rep.cik)
        xml = doc.kind != "html"
        parts.append(
            (
                f"<DOCUMENT>\n<TYPE>{doc.type}\n<SEQUENCE>{seq}\n<FILENAME>{doc.name}\n"
                f"<DESCRIPTION>{doc.type}\n<TEXT>\n" + ("<XBRL>\n" if xml else "")
            ).encode()
        )
        parts.append(body if body.endswith(b"\n") else body + b"\n")
        parts.append((("</XBRL>\n" if xml else "") + "</TEXT>\n</DOCUMENT>\n").encode())
    parts.append(b"</SEC-DOCUMENT>\n")
    return b"".join(parts)


def hdr_sgml(rep: Replica) -> bytes:
    """The replica's ``{accession}.hdr.sgml``: the header in the tag format (``<TAG>value``) EDGAR serves."""
    period = [f"<PERIOD>{rep.base.period:%Y%m%d}"] if rep.base.period else []
    lines = [
        f"<SEC-HEADER>{rep.accession}.hdr.sgml : {rep.day:%Y%m%d}",
        f"<ACCEPTANCE-DATETIME>{rep.acceptance}",
        f"<ACCESSION-NUMBER>{rep.accession}",
        f"<TYPE>{rep.base.form}",
        f"<PUBLIC-DOCUMENT-COUNT>{len(rep.base.docs)}",
        *period,
        f"<FILING-DATE>{rep.day:%Y%m%d}",
        f"<DATE-OF-FILING-DATE-CHANGE>{rep.day:%Y%m%d}",
        "<FILER>",
        "<COMPANY-DATA>",
        f"<CONFORMED-NAME>{rep.company}",
        f"<CIK>{cik10(rep.cik)}",
        "</COMPANY-DATA>",
        "<FILING-VALUES>",
        f"<FORM-TYPE>{rep.base.form}",
        "<ACT>34",
        "</FILING-VALUES>",
        "</FILER>",
        "</SEC-HEADER>",
        "",
    ]
    return "\n".join(lines).encode()


def folder_index(rep: Replica) -> bytes:
    """The filing folder's ``index.json`` (directory listing: documents, the .txt and the .hdr.sgml)."""
    folder = f"/Archives/edgar/data/{rep.cik}/{accession_nodash(rep.accession)}"
    items = [
        {
            "last-modified": f"{rep.day:%Y-%m-%d} 16:00:00",
            "name": d.name,
            "type": "text.gif",
            "size": str(d.path.stat().st_size),
        }
        for d in rep.base.docs
    ]
    items.append(
        {
            "last-modified": f"{rep.day:%Y-%m-%d} 16:00:00",
            "name": f"{rep.accession}.txt",
            "type": "text.gif",
            "size": "",
        }
    )
    items.append(
        {
            "last-modified": f"{rep.day:%Y-%m-%d} 16:00:00",
            "name": f"{rep.accession}.hdr.sgml",
            "type": "text.gif",
            "size": "",
        }
    )
    return json.dumps(
        {"directory": {"item": items, "name": folder, "parent-dir": f"/Archives/edgar/data/{rep.cik}"}}
    ).encode()


def daily_index(day: date, reps: list[Replica]) -> bytes:
    """The ``form.YYYYMMDD.idx`` of ``day``: its replicas (sorted by form, name) and one filler S-8 line."""
    lines = [
        "Description:           Daily Index of EDGAR Dissemination Feed by Form Type",
        f"Last Data Received:    {day:%b %d, %Y}",
        "Comments:              webmaster@sec.gov",
        "Anonymous FTP:         ftp://ftp.sec.gov/edgar/",
        " ",
        " ",
        " ",
        f"{'Form Type':<12}{'Company Name':<62}{'CIK':<12}{'Date Filed':<12}File Name",
        "-" * 141,
    ]
    rows = [(r.base.form, r.company, r.cik, r.accession) for r in reps]
    rows.append(("S-8", "SCALE SEC FILLER INC", FILLER_CIK, f"{FILLER_CIK:010d}-{day:%y}-{day:%m%d}00"))
    for form, company, cik, accession in sorted(rows):
        lines.append(
            f"{form:<12}{company[:60]:<62}{cik!s:<12}{day:%Y%m%d}    edgar/data/{cik}/{accession}.txt"
        )
    return ("\n".join(lines) + "\n").encode()
