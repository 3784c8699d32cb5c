"""Discovery from submissions feeds: the filings of a CIK universe, without the daily indexes.

For each scope CIK, one request for ``/submissions/CIK##########.json``, plus the overflow pages its
``filings.files`` lists whose date range overlaps the run's quarters. Feeds change every day, so they are read
again on every run (only for the CIKs in scope). Each feed row of the run's quarters becomes an ``edgar_index``
row whose ``index_file`` is the feed page, with the SEC's acceptance time (resolved to UTC per page, see
:mod:`edgar.parse.acceptance`) and primary document; each page read gets one ``edgar_index_files`` row per
run quarter, named ``{page}#{quarter}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from assets.partitions import quarter_days, quarter_label
from edgar import urls
from edgar.errors import DocumentNotFound, EdgarError, SecNotFound
from edgar.parse.acceptance import resolve_feed_acceptance
from edgar.parse.submissions import Submissions, overflow_pages_for, parse_submissions
from edgar.source import EdgarSource
from lake.tables import FILING_QUARTER


def feed_index_rows(
    feed: Submissions, cik: int, company: str | None, path: str, quarters: set[str]
) -> list[dict[str, Any]]:
    """``edgar_index`` rows of one feed page: its filings dated in ``quarters``, acceptance resolved to UTC."""
    _, times = resolve_feed_acceptance(feed.filings)
    rows = []
    for line, (filing, when) in enumerate(zip(feed.filings, times, strict=True), start=1):
        quarter = quarter_label(filing.filing_date)
        if quarter not in quarters:
            continue
        flag = "unknown" if when.acceptance_utc is None else "ambiguous" if when.ambiguous else None
        rows.append(
            {
                "accession": filing.accession,
                "cik": cik,
                "form": filing.form,
                "company": company,
                "date_filed": filing.filing_date,
                "file_name": f"edgar/data/{cik}/{filing.accession}.txt",
                "index_file": path,
                "line": line,
                FILING_QUARTER: quarter,
                "acceptance_utc": when.acceptance_utc,
                "acceptance_basis": when.basis if when.acceptance_utc else None,
                "acceptance_flag": flag,
                "primary_document": filing.primary_document or None,
            }
        )
    return rows


def _status(
    path: str, quarter: str, rows: int, status: str = "ok", error: str | None = None
) -> dict[str, Any]:
    return {
        "index_file": f"{path}#{quarter}",
        "index_date": None,
        "rows": rows,
        "status": status,
        "error": error,
        FILING_QUARTER: quarter,
    }


def _pages(
    source: EdgarSource, cik: int, quarters: list[str]
) -> Iterator[tuple[str, Submissions | Exception]]:
    main_path = urls.submissions_path(cik)
    try:
        main = parse_submissions(source.get(main_path), main_path)
    except EdgarError as exc:
        yield main_path, exc
        return
    yield main_path, main
    days = [d for q in quarters for d in quarter_days(q)]
    for page in overflow_pages_for(main.files, min(days), max(days)):
        path = f"/submissions/{page.name}"
        try:
            yield path, parse_submissions(source.get(path), path)
        except EdgarError as exc:
            yield path, exc


def discover_from_feeds(
    source: EdgarSource, ciks: list[int], quarters: list[str], log: Callable[[str], None]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(status rows, index rows, requests sent) of the feeds of ``ciks`` for ``quarters``.

    A feed page that is missing or malformed gives a ``missing``/``error`` status row per quarter naming the
    page and the reason; the other CIKs are read.
    """
    wanted = set(quarters)
    statuses: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    requests = 0
    for cik in ciks:
        company: str | None = None
        for path, page in _pages(source, cik, quarters):
            requests += 1
            if isinstance(page, Exception):
                status = "missing" if isinstance(page, DocumentNotFound | SecNotFound) else "error"
                log(f"submissions feed page {path} of CIK {cik} skipped: {page}")
                statuses += [_status(path, q, 0, status, f"{path}: {page}") for q in quarters]
                continue
            company = page.name if not page.is_overflow_page else company
            rows = feed_index_rows(page, cik, company, path, wanted)
            entries += rows
            for quarter in quarters:
                statuses.append(_status(path, quarter, sum(r[FILING_QUARTER] == quarter for r in rows)))
    return statuses, entries, requests
