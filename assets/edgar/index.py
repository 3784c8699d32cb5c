"""EDGAR daily indexes -> ``edgar_index`` (what was filed) and ``edgar_index_files`` (each index read, ok or not)."""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.edgar.feeds import discover_from_feeds
from assets.edgar.plans import resolve_scopes, scope_ciks
from assets.partitions import context_quarters, filing_quarters, quarter_days, quarter_label
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import EdgarResource, LakeResource
from edgar import source as sources
from edgar import urls
from edgar.errors import DocumentNotFound, EdgarError
from edgar.parse.daily_index import index_date, parse_daily_index
from edgar.source import EdgarSource, OfflineSource
from lake.delta import read_table
from lake.scopes import load_scopes, use_feeds
from lake.storage import Lake
from lake.tables import EDGAR_INDEX, EDGAR_INDEX_FILES, FILING_QUARTER


def _offline_index_files(source: OfflineSource) -> Iterator[tuple[str, bytes]]:
    for path in sorted((source.root / "index").rglob("*")):
        if path.is_file():
            yield path.relative_to(source.root).as_posix(), path.read_bytes()


def _live_days(quarters: Iterable[str], today: date, done: set[str]) -> list[date]:
    """The business days of ``quarters`` up to yesterday whose index is not in ``done``."""
    days = []
    for quarter in quarters:
        first, last = quarter_days(quarter)
        day = first
        while day <= min(last, today - timedelta(days=1)):
            if day.weekday() < 5 and urls.daily_index_path(day) not in done:
                days.append(day)
            day += timedelta(days=1)
    return days


def _live_index_files(source: EdgarSource, days: list[date]) -> Iterator[tuple[str, bytes | None]]:
    for day in days:
        try:
            yield sources.daily_index(source, day)
        except DocumentNotFound:
            # holidays have no index; a missing business day is reported in edgar_index_files
            yield urls.daily_index_path(day), None


def _indexes_read_before(
    store: Lake, quarters: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Status rows of the indexes of ``quarters`` already read without error, and their entries."""
    in_quarters = pc.field(FILING_QUARTER).isin(quarters)
    ok = [
        s
        for s in read_table(store, EDGAR_INDEX_FILES, filters=in_quarters).to_pylist()
        if s["status"] == "ok" and not s["index_file"].startswith("/submissions/")  # feeds are read again
    ]
    names = {s["index_file"] for s in ok}
    rows = [
        r for r in read_table(store, EDGAR_INDEX, filters=in_quarters).to_pylist() if r["index_file"] in names
    ]
    return ok, rows


def read_index_file(
    name: str, data: bytes | None, quarters: set[str]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Parse one index file into (its status row, its entry rows); ``(None, [])`` when outside ``quarters``.

    A malformed or empty index gives a status row with ``status='error'`` and the error (file and line), and
    no entries: a partly readable index is not trusted.
    """
    short = Path(name).name
    day = index_date(short, data or b"")
    quarter = quarter_label(day) if day else None
    if quarter not in quarters:
        return None, []
    status = {
        "index_file": name,
        "index_date": day,
        "rows": 0,
        "status": "ok",
        "error": None,
        FILING_QUARTER: quarter,
    }
    if data is None:
        return {**status, "status": "missing", "error": f"{name}: not published (holiday?)"}, []
    try:
        parsed = parse_daily_index(data, short)
    except EdgarError as exc:
        return {**status, "status": "error", "error": str(exc)}, []
    entries = [
        {
            "accession": e.accession,
            "cik": e.cik,
            "form": e.form,
            "company": e.company,
            "date_filed": e.date_filed,
            "file_name": e.file_name,
            "index_file": name,
            "line": e.line,
            FILING_QUARTER: quarter,
        }
        for e in parsed.entries
    ]
    return {**status, "rows": len(entries)}, entries


@dg.multi_asset(
    specs=[table_asset(EDGAR_INDEX, group="edgar"), table_asset(EDGAR_INDEX_FILES, group="edgar")],
    check_specs=[*table_check_specs(EDGAR_INDEX), *table_check_specs(EDGAR_INDEX_FILES)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def edgar_daily_index(
    context: dg.AssetExecutionContext, edgar: EdgarResource, lake: LakeResource
) -> Iterable[Any]:
    """The EDGAR daily form indexes of the run's filing quarters.

    Live: every business day's ``form.YYYYMMDD.idx`` up to yesterday, or, when every ingestion scope names its
    CIKs (see ``EDGAR_DISCOVERY``), those CIKs' submissions feeds instead (:mod:`assets.edgar.feeds`). Offline: the indexes in the mirror's
    ``index/`` folder whose day falls in the quarters. Each index file gets a status row; a malformed one is
    an error row naming the file and line, and the run goes on.
    """
    quarters = context_quarters(context)
    source = edgar.open()
    store = lake.lake()
    files: Iterable[tuple[str, bytes | None]]
    statuses: list[dict[str, Any]] = []
    entries: dict[tuple[str, int, str], dict[str, Any]] = {}
    feed_statuses: list[dict[str, Any]] = []
    if isinstance(source, OfflineSource):
        files = list(_offline_index_files(source))
    elif use_feeds(settings := edgar.settings(), scopes := resolve_scopes(load_scopes(settings), source)):
        # a CIK universe: each CIK's submissions feed (read again every run), no daily index; what daily
        # indexes were read before is kept (they never change)
        statuses, kept = _indexes_read_before(store, quarters)
        for row in kept:
            entries.setdefault((row["accession"], row["cik"], row["form"]), row)
        ciks = scope_ciks(scopes)
        feed_statuses, feed_rows, requests = discover_from_feeds(source, ciks, quarters, context.log.warning)
        for row in feed_rows:
            entries[(row["accession"], row["cik"], row["form"])] = row  # the feed knows more than an index
        context.log.info(
            f"submissions feeds: {len(ciks)} CIKs, {requests} requests, {len(feed_rows)} filings"
        )
        files = []
    else:
        # a published daily index never changes: keep what was read before, fetch only the other days
        statuses, kept = _indexes_read_before(store, quarters)
        for row in kept:
            entries.setdefault((row["accession"], row["cik"], row["form"]), row)
        done = {s["index_file"] for s in statuses}
        days = _live_days(quarters, datetime.now(UTC).date(), done)
        files = _live_index_files(source, days)
    progress = Progress(
        "daily indexes", len(files) if isinstance(files, list) else len(days), context.log.info
    )
    for name, data in files:
        status, rows = read_index_file(name, data, set(quarters))
        if status is not None:
            statuses.append(status)
            if status["status"] == "error":
                context.log.warning(f"index skipped: {status['error']}")
        for row in rows:
            entries.setdefault((row["accession"], row["cik"], row["form"]), row)
        progress.step(nbytes=len(data or b""), requests=0 if isinstance(source, OfflineSource) else 1)

    statuses += feed_statuses
    errors = "\n".join(s["error"] for s in statuses if s["status"] == "error") or "none"
    for spec, data_rows in ((EDGAR_INDEX, list(entries.values())), (EDGAR_INDEX_FILES, statuses)):
        yield publish(
            store,
            spec,
            data_rows,
            quarters=quarters,
            index_files=len(statuses),
            index_errors=errors,
            **progress.metadata(),
        )
