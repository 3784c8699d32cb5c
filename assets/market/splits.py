"""Stock splits -> ``splits``: the override file plus the split ratios tagged in filings."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.checks import table_check_specs
from assets.publish import publish
from assets.resources import EdgarResource, LakeResource
from edgar import urls
from edgar.errors import EdgarError
from edgar.source import EdgarSource
from lake.batches import stored_groups
from lake.delta import merge_upsert, read_table
from lake.prices.splits import (
    SPLIT_CONCEPTS,
    companyfacts_split_facts,
    merge_splits,
    parse_overrides,
    splits_from_facts,
)
from lake.storage import Lake
from lake.tables import COMPANIES, COMPANYFACTS_FETCHES, FACTS, SPLITS


@dg.asset(
    name="splits",
    group_name="market",
    kinds={"delta", "python"},
    code_version="1",
    description=SPLITS.description,
    deps=["facts", "companies"],
    check_specs=table_check_specs(SPLITS),
)
def splits(
    context: dg.AssetExecutionContext, lake: LakeResource, edgar: EdgarResource
) -> dg.MaterializeResult:
    """Every known split: ``SPLITS_OVERRIDES`` (exact ex-dates) plus the ratios filings tag.

    A filer's companyfacts is downloaded when it is new to ``companyfacts_fetches`` or its last download is
    older than ``SPLITS_COMPANYFACTS_REFRESH_DAYS``; otherwise the stored split facts are used.

    A ``StockholdersEquityNoteStockSplitConversionRatio1`` fact, in the lake's ``facts`` or in the SEC's
    companyfacts of a filer with XBRL filings in the lake (every filing's tagged facts, also of filings not in
    the lake), confirms an override of the same ratio near its date (the override's note names the filing) or,
    when none covers it, is a row of its own dated by the fact's period end. A malformed override row fails the
    run with its line number.
    """
    settings = lake.settings()
    store = lake.lake()
    path = Path(settings.splits_overrides)
    overrides = parse_overrides(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else []
    facts = read_table(
        store,
        FACTS,
        filters=pc.field("concept").isin(list(SPLIT_CONCEPTS)),
        columns=["cik", "accession", "form", "concept", "value_num", "period_end", "dimensions"],
    ).to_pylist()
    companies = read_table(store, COMPANIES, columns=["cik", "tickers"]).to_pylist()
    tickers = {c["cik"]: c["tickers"][0] for c in companies if c["tickers"]}
    ciks = {t: c["cik"] for c in companies for t in (c["tickers"] or ())}
    filers = sorted(c for c in stored_groups(store, FACTS, key="cik") if c in tickers)
    reported, fetched = cached_companyfacts_splits(
        store, lambda: edgar.open(), filers, refresh_days=settings.splits_companyfacts_refresh_days
    )
    filed = splits_from_facts(facts, tickers) + splits_from_facts(reported, tickers, source="companyfacts")
    merged = merge_splits(overrides, filed, ciks)
    context.log.info(
        f"splits: {len(overrides)} override(s) from {path}, {len(facts)} split fact(s) in the lake's facts, "
        f"{len(reported)} in the companyfacts of {len(filers)} filer(s) ({fetched} downloaded) -> {len(merged)} row(s)"
    )
    return publish(
        store,
        SPLITS,
        [s.row() for s in merged],
        overrides=len(overrides),
        split_facts=len(facts),
        companyfacts_split_facts=len(reported),
        companyfacts_downloaded=fetched,
        added_from_filings=sum(1 for s in merged if s.source != "override"),
        confirmed_by_filings=sum(
            1 for s in merged if s.source == "override" and "confirmed by" in (s.note or "")
        ),
    )


def cached_companyfacts_splits(
    store: Lake, open_source: Callable[[], EdgarSource], ciks: list[int], *, refresh_days: float
) -> tuple[list[dict[str, Any]], int]:
    """The split-ratio facts of ``ciks``' companyfacts, downloading only new or stale filers.

    Downloads go to ``companyfacts_fetches`` (one upsert); returns the facts of every CIK and how many
    companyfacts were downloaded. ``open_source`` is called only when something must be downloaded.
    """
    if not ciks:
        return [], 0
    stored = read_table(store, COMPANYFACTS_FETCHES, filters=pc.field("cik").isin(ciks))
    cutoff = datetime.now(UTC) - timedelta(days=refresh_days)
    fresh = stored.filter(
        pc.greater_equal(stored["fetched_at"], pa.scalar(cutoff, stored.schema.field("fetched_at").type))
    )
    known = set(fresh.column("cik").to_pylist())
    stale = [cik for cik in ciks if cik not in known]
    rows: list[dict[str, Any]] = []
    for record in fresh.to_pylist():
        rows.extend({"cik": record["cik"], "dimensions": [], **fact} for fact in record["split_facts"] or [])
    if not stale:
        return rows, 0
    source = open_source()
    now = datetime.now(UTC)
    fetched: list[dict[str, Any]] = []
    for cik in stale:
        try:
            payload = source.get(urls.companyfacts_path(cik))
        except EdgarError:
            fetched.append({"cik": cik, "fetched_at": now, "found": False, "split_facts": []})
            continue
        facts = companyfacts_split_facts(payload)
        rows.extend(facts)
        fetched.append(
            {
                "cik": cik,
                "fetched_at": now,
                "found": True,
                "split_facts": [{k: f[k] for k in _FACT_FIELDS} for f in facts],
            }
        )
    merge_upsert(
        store, COMPANYFACTS_FETCHES, pa.Table.from_pylist(fetched, schema=COMPANYFACTS_FETCHES.schema)
    )
    return rows, len(stale)


_FACT_FIELDS = ("accession", "form", "concept", "value_num", "period_end")


def companyfacts_splits(source: EdgarSource, ciks: list[int]) -> list[dict[str, Any]]:
    """Split-ratio facts of the SEC's companyfacts of ``ciks`` (a CIK the source has none for gives none)."""
    rows: list[dict[str, Any]] = []
    for cik in ciks:
        try:
            payload = source.get(urls.companyfacts_path(cik))
        except EdgarError:
            continue
        rows.extend(companyfacts_split_facts(payload))
    return rows
