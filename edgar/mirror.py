"""The offline mirror (``<shared>/edgar``) seen through SEC URL paths.

The mirror keeps SEC files under descriptive names (``reference/submissions-CIK0000320193-apple.json``,
``13f/0001894188-23-000007.txt``). :func:`resolve` maps the path a live client would request
(``/submissions/CIK0000320193.json``) to the mirror file that holds that response, so the offline source and the
loopback test server answer the same requests the same way.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

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
        candidates = [p for p in (root / "reference").glob(pattern) if page or not re.search(r"-\d{3}\.json$", p.name)]
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
