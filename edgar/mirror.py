"""The offline mirror (``<shared>/edgar``) seen through SEC URL paths.

The mirror keeps SEC files under descriptive names (``reference/submissions-CIK0000320193-apple.json``,
``13f/0001894188-23-000007.txt``). :func:`resolve` maps the path a live client would request
(``/submissions/CIK0000320193.json``) to the mirror file that holds that response, so the offline source and the
loopback test server answer the same requests the same way.

:func:`read` also answers what the SEC derives from a full submission in the mirror: the filing folder's
``{accession}-index-headers.html`` (header and document list), its ``index.json`` listing and each document
by file name (the ``<TEXT>`` of its ``<DOCUMENT>``, uudecoded when uuencoded, as the SEC serves it).
"""

from __future__ import annotations

import html
import json
import re
from functools import cache, lru_cache
from pathlib import Path

from edgar.parse.sgml import SgmlSubmission, parse_sgml_submission

_SUBMISSIONS = re.compile(r"^/submissions/CIK(\d{10})(?:-submissions-(\d{3}))?\.json$")
_COMPANYFACTS = re.compile(r"^/api/xbrl/companyfacts/CIK(\d{10})\.json$")
_DAILY_INDEX = re.compile(r"^/Archives/edgar/daily-index/\d{4}/QTR[1-4]/((?:form|company)\.\d{8}\.idx)$")
_ARCHIVE_FILE = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/([^/]+)$")
_FILED_AS_ACCESSION = re.compile(r"^(\d{10}-\d{2}-\d{6})(\.txt|\.nc|-index\.html)$")


class NotInMirror(LookupError):
    """The requested SEC document is not part of the offline mirror."""


@cache
def _files(root: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md"))


@cache
def _newest_filing_date(path: Path) -> str:
    data = json.loads(path.read_bytes())
    dates = (data.get("filings", {}).get("recent") or data).get("filingDate") or [""]
    return max(dates)


def _by_name(root: Path, name: str) -> Path | None:
    return next((p for p in _files(root) if p.name == name), None)


def _accession_file(root: Path, accession: str, suffix: str) -> Path | None:
    if suffix == "-index.html":
        return next((p for p in _files(root) if p.name.endswith(f"-{accession}-index.html")), None)
    # a full submission is kept as .txt or, for some, as the .nc dissemination file
    return _by_name(root, f"{accession}.txt") or _by_name(root, f"{accession}.nc")


def resolve(root: Path, url_path: str) -> Path:
    """Return the mirror file that answers ``url_path`` (a path on www.sec.gov or data.sec.gov).

    Raises:
        NotInMirror: the mirror has no file for this path; the message names the path.
    """
    root = root.resolve()
    path = url_path.split("?", 1)[0]
    found: Path | None = None
    if path == "/files/company_tickers.json":
        found = root / "reference" / "company_tickers.json"
    elif m := _SUBMISSIONS.match(path):
        cik, page = m.groups()
        pattern = f"submissions-CIK{cik}-*-{page}.json" if page else f"submissions-CIK{cik}-*.json"
        candidates = [
            p for p in (root / "reference").glob(pattern) if page or not re.search(r"-\d{3}\.json$", p.name)
        ]
        # several snapshots of one feed (tesla as of 2022, tesla-2026): answer with the newest one
        found = max(candidates, key=_newest_filing_date) if candidates else None
    elif m := _COMPANYFACTS.match(path):
        found = next(iter(sorted((root / "reference").glob(f"companyfacts-CIK{m.group(1)}-*.json"))), None)
    elif m := _DAILY_INDEX.match(path):
        found = _by_name(root / "index", m.group(1))
    elif m := _ARCHIVE_FILE.match(path):
        name = m.group(3)
        if (fm := _FILED_AS_ACCESSION.match(name)) and fm.group(1).replace("-", "") == m.group(2):
            found = _accession_file(root, fm.group(1), fm.group(2))
    if found is None or not found.is_file():
        raise NotInMirror(f"{url_path} is not in the offline EDGAR mirror at {root}")
    return found


@lru_cache(maxsize=8)
def _submission(path: Path) -> tuple[bytes, SgmlSubmission]:
    data = path.read_bytes()
    return data, parse_sgml_submission(data, path.name)


def render_index_headers(data: bytes, sub: SgmlSubmission, folder: str) -> bytes:
    """The ``-index-headers.html`` page of a full submission: its header and one stub per document.

    As the SEC renders it: the SGML text HTML-escaped in a ``<pre>``, document text left out, each file name a
    link into the filing ``folder`` (a URL path ending in ``/``).
    """
    first = data.find(b"<DOCUMENT>")
    head = data[: first if first >= 0 else len(data)].decode("latin-1")
    lines = [html.escape(head.rstrip("\r\n"), quote=False)]
    for doc in sub.documents:
        lines.append("&lt;DOCUMENT&gt;")
        lines.append(f"&lt;TYPE&gt;{html.escape(doc.type, quote=False)}")
        if doc.sequence is not None:
            lines.append(f"&lt;SEQUENCE&gt;{doc.sequence}")
        if doc.filename:
            name = html.escape(doc.filename)
            lines.append(f'&lt;FILENAME&gt;<a href="{folder}{name}">{name}</a>')
        if doc.description:
            lines.append(f"&lt;DESCRIPTION&gt;{html.escape(doc.description, quote=False)}")
        lines += ["&lt;TEXT&gt;", "&lt;/TEXT&gt;", "&lt;/DOCUMENT&gt;"]
    lines.append("&lt;/SUBMISSION&gt;" if sub.format == "nc" else "&lt;/SEC-DOCUMENT&gt;")
    title = f"{sub.accession}.hdr.sgml"
    page = (
        f"<html><head><title>{title}</title></head><body><pre>\n"
        + "\n".join(lines)
        + "\n</pre></body></html>\n"
    )
    return page.encode("latin-1", errors="replace")


def document_body(sub: SgmlSubmission, filename: str) -> bytes | None:
    """The bytes of the document ``filename`` of a submission as served on its own, None when not listed."""
    doc = next((d for d in sub.documents if d.filename == filename), None)
    if doc is None:
        return None
    return doc.decoded if doc.uuencoded and doc.decoded is not None else doc.body


def _folder_listing(data: bytes, sub: SgmlSubmission, folder: str) -> bytes:
    items = [
        {"name": d.filename, "type": "text.gif", "size": str(len(document_body(sub, d.filename) or b""))}
        for d in sub.documents
        if d.filename
    ]
    items.append({"name": f"{sub.accession}.txt", "type": "text.gif", "size": str(len(data))})
    return json.dumps({"directory": {"item": items, "name": folder, "parent-dir": folder}}).encode()


def _derived(root: Path, url_path: str) -> bytes | None:
    m = _ARCHIVE_FILE.match(url_path) or re.match(
        r"^/Archives/edgar/data/(\d+)/(\d{18})/(index\.json)$", url_path
    )
    if m is None:
        return None
    nodash, name = m.group(2), m.group(3)
    accession = f"{nodash[:10]}-{nodash[10:12]}-{nodash[12:]}"
    found = _accession_file(root, accession, ".txt")
    if found is None:
        return None
    data, sub = _submission(found)
    folder = url_path.rsplit("/", 1)[0] + "/"
    if name == f"{accession}-index-headers.html":
        return render_index_headers(data, sub, folder)
    if name == "index.json":
        return _folder_listing(data, sub, folder)
    return document_body(sub, name)


def read(root: Path, url_path: str) -> bytes:
    """The body the SEC sends for ``url_path``: a mirror file, else one derived from a full submission.

    First :func:`resolve`; then a filing's ``-index-headers.html``, ``index.json`` or one of its documents, from
    the mirror's full submission of that accession.

    Raises:
        NotInMirror: neither a mirror file nor a derived document answers the path.
    """
    try:
        return resolve(root, url_path).read_bytes()
    except NotInMirror:
        derived = _derived(root.resolve(), url_path.split("?", 1)[0])
        if derived is None:
            raise
        return derived
