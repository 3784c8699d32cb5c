"""SEC reference feeds: the ticker list and each filer's submissions feed -> ``companies``, ``sec_submissions``."""

import re
from collections.abc import Iterable
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import EdgarResource, LakeResource
from edgar import source as sources
from edgar.errors import EdgarError
from edgar.parse.acceptance import resolve_feed_acceptance
from edgar.parse.submissions import Submissions, parse_submissions
from edgar.parse.tickers import TickerEntry, parse_company_tickers
from edgar.source import EdgarSource, OfflineSource
from lake.tables import COMPANIES, SEC_SUBMISSIONS

_FEED_NAME = re.compile(r"^submissions-CIK(\d{10})-.+\.json$")


def feed_ciks(source: EdgarSource, watchlist: Iterable[int]) -> list[int]:
    """CIKs whose submissions feeds to read: the watchlist, or (offline) every feed the mirror holds."""
    ciks = set(watchlist)
    if isinstance(source, OfflineSource):
        for path in (source.root / "reference").glob("submissions-CIK*.json"):
            if m := _FEED_NAME.match(path.name):
                ciks.add(int(m.group(1)))
    return sorted(ciks)


def submission_rows(feed: Submissions, cik: int) -> list[dict[str, Any]]:
    """Rows of ``sec_submissions`` for one feed page, acceptance resolved with that page's convention."""
    _, times = resolve_feed_acceptance(feed.filings)
    rows = []
    for row, when in zip(feed.filings, times, strict=True):
        rows.append(
            {
                "accession": row.accession,
                "cik": cik,
                "form": row.form,
                "filing_date": row.filing_date,
                "report_date": row.report_date,
                "acceptance_raw": row.acceptance_raw,
                "acceptance_utc": when.acceptance_utc,
                "acceptance_basis": when.basis,
                "acceptance_ambiguous": when.ambiguous,
                "primary_document": row.primary_document,
                "items": row.items,
                "size": row.size,
                "is_xbrl": row.is_xbrl,
                "is_inline_xbrl": row.is_inline_xbrl,
                "source": feed.source,
            }
        )
    return rows


def company_rows(tickers: list[TickerEntry], feeds: dict[int, Submissions]) -> list[dict[str, Any]]:
    """Rows of ``companies``: every CIK of the ticker list and of the feeds, feed facts where known."""
    by_cik: dict[int, dict[str, Any]] = {}
    for entry in tickers:
        row = by_cik.setdefault(
            entry.cik,
            {"cik": entry.cik, "name": entry.title, "tickers": [], "sources": ["company_tickers.json"]},
        )
        if entry.ticker not in row["tickers"]:
            row["tickers"].append(entry.ticker)
    for cik, feed in feeds.items():
        row = by_cik.setdefault(cik, {"cik": cik, "tickers": [], "sources": []})
        row.update(
            name=feed.name or row.get("name"),
            exchanges=list(feed.exchanges),
            sic=feed.sic,
            sic_description=feed.sic_description,
            filer_category=feed.category,
            entity_type=feed.entity_type,
            fiscal_year_end=feed.fiscal_year_end,
            state_of_incorporation=feed.state_of_incorporation,
        )
        row["tickers"] = list(dict.fromkeys([*feed.tickers, *row["tickers"]]))
        row["sources"].append(feed.source)
    return [by_cik[c] for c in sorted(by_cik)]


@dg.multi_asset(
    specs=[table_asset(COMPANIES, group="edgar"), table_asset(SEC_SUBMISSIONS, group="edgar")],
    check_specs=[*table_check_specs(COMPANIES), *table_check_specs(SEC_SUBMISSIONS)],
)
def sec_reference(
    context: dg.AssetExecutionContext, edgar: EdgarResource, lake: LakeResource
) -> Iterable[Any]:
    """Filers and their filing metadata from the SEC's ticker list and submissions feeds.

    Offline, every feed in the mirror is read; live, the feeds of ``EDGAR_CIKS``. A feed that is missing or
    malformed is reported (log and metadata) and skipped; the others are stored.
    """
    settings = edgar.settings()
    source = edgar.open()
    store = lake.lake()
    tickers = parse_company_tickers(sources.company_tickers(source))
    ciks = feed_ciks(source, settings.edgar_ciks)
    feeds: dict[int, Submissions] = {}
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    problems: list[str] = []
    progress = Progress("submissions feeds", len(ciks), context.log.info)
    for cik in ciks:
        try:
            for path, body in sources.submissions_pages(source, cik):
                feed = parse_submissions(body, path)
                if not feed.is_overflow_page:
                    feeds[cik] = feed
                for row in submission_rows(feed, cik):
                    rows.setdefault((row["accession"], cik), row)
        except EdgarError as exc:
            problems.append(f"CIK {cik}: {exc}")
            context.log.warning(f"submissions feed of CIK {cik} skipped: {exc}")
        progress.step(requests=1)

    for spec, data in ((SEC_SUBMISSIONS, list(rows.values())), (COMPANIES, company_rows(tickers, feeds))):
        yield publish(
            store, spec, data, feeds=len(feeds), problems="\n".join(problems) or "none", **progress.metadata()
        )
