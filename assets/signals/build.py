"""The ``signals`` table: late filings, restatements, abnormal 13F flows and insider clusters, point in time.

The signals and their formulas are defined in ``edgar.signals.definitions`` (one table); this asset only reads
the lake tables they need, turns rows into the pure functions' inputs and writes the result.

Inputs: ``filings`` and ``sec_submissions`` (forms, dates, acceptance times, 8-K items of the submissions
feed), ``companies`` (filer category as the submissions feed reports it today, tickers), ``restatements``,
``facts`` (the filer category on a 10-K/10-Q cover), ``insider_trades``, ``holdings_quarter`` (13F positions after amendments) and, when the lake declares it, ``eightk_items`` (8-K items read
from the filings themselves).
"""

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import dagster as dg
import msgspec

from assets.checks import table_check_specs
from assets.publish import publish
from assets.resources import LakeResource
from edgar.signals import (
    FilingRecord,
    HoldingRow,
    InsiderTradeRow,
    RestatedValue,
    Signal,
    abnormal_13f_flows,
    insider_clusters,
    issuer_quarters,
    late_filing_signals,
    restatement_signals,
)
from lake.delta import read_table
from lake.storage import Lake
from lake.tables import (
    COMPANIES,
    EIGHTK_ITEMS,
    FACTS,
    FILINGS,
    HOLDINGS_QUARTER,
    INSIDER_TRADES,
    RESTATEMENTS,
    SEC_SUBMISSIONS,
    SIGNALS,
)

#: The cover-page fact that states the filer category of a 10-K/10-Q.
FILER_CATEGORY = "dei:EntityFilerCategory"


def _items(text: str | None) -> tuple[str, ...]:
    return tuple(i.strip() for i in (text or "").split(",") if i.strip())


def filing_records(
    filings: Iterable[dict[str, Any]],
    submissions: Iterable[dict[str, Any]],
    eightk_items: Iterable[dict[str, Any]] = (),
) -> list[FilingRecord]:
    """Every known filing, once per accession: the lake's filings, completed by the submissions feed.

    A filing in both keeps the lake's identity and takes the feed's period, acceptance and items where the lake
    has none; 8-K items of ``eightk_items`` rows (columns ``accession`` or ``filing_id``, and ``item`` or
    ``items``) are added to their filing's.
    """
    records: dict[str, dict[str, Any]] = {}
    for s in submissions:
        records[s["accession"]] = {
            "accession": s["accession"],
            "cik": s["cik"],
            "form": s["form"] or "",
            "filing_date": s["filing_date"],
            "acceptance_utc": s["acceptance_utc"],
            "period_of_report": s["report_date"],
            "items": _items(s["items"]),
        }
    ids: dict[str, str] = {}
    for f in filings:
        key = f["accession"] or f["filing_id"]
        ids[f["filing_id"]] = key
        feed = records.get(key, {})
        records[key] = {
            "accession": key,
            "cik": f["cik"] if f["cik"] is not None else feed.get("cik"),
            "form": f["form"] or feed.get("form") or "",
            "filing_date": f["filing_date"] or feed.get("filing_date"),
            "acceptance_utc": f["acceptance_utc"] or feed.get("acceptance_utc"),
            "period_of_report": f["period_of_report"] or feed.get("period_of_report"),
            "items": feed.get("items", ()),
        }
    for row in eightk_items:
        key = row.get("accession") or ids.get(row.get("filing_id") or "", row.get("filing_id"))
        if key not in records:
            continue
        found = row.get("items") if "items" in row else row.get("item")
        extra = _items(",".join(found)) if isinstance(found, list) else _items(found)
        records[key]["items"] = tuple(sorted({*records[key]["items"], *extra}))
    return [msgspec.convert(r, FilingRecord) for r in records.values()]


def _convert(rows: Iterable[dict[str, Any]], kind: type[Any]) -> list[Any]:
    return [msgspec.convert(r, kind) for r in rows]


def signal_rows(signals: Iterable[Signal], tickers: dict[int, str | None]) -> list[dict[str, Any]]:
    """Rows of ``signals`` (one per signal id; details as sorted JSON)."""
    rows: dict[str, dict[str, Any]] = {}
    for s in signals:
        rows.setdefault(
            s.signal_id,
            {
                "signal_id": s.signal_id,
                "kind": s.kind,
                "cik": s.cik,
                "ticker": s.ticker or (tickers.get(s.cik) if s.cik is not None else None),
                "accession": s.accession,
                "subject": s.subject,
                "score": s.score,
                "confidence": s.confidence,
                "details": json.dumps(s.details, sort_keys=True, default=str),
                "as_of": s.as_of,
                "created_from": list(s.created_from),
            },
        )
    return sorted(rows.values(), key=lambda r: (r["as_of"], r["kind"], r["signal_id"]))


def eightk_item_rows(store: Lake) -> list[dict[str, Any]]:
    """Rows of ``eightk_items`` (none before the events assets have run)."""
    return read_table(store, EIGHTK_ITEMS).to_pylist()


def cover_categories(store: Lake) -> dict[str, str]:
    """Filing id -> ``dei:EntityFilerCategory`` as the filing's cover states it."""
    facts = read_table(
        store, FACTS, filters=[("concept", "=", FILER_CATEGORY)], columns=["filing_id", "value"]
    ).to_pylist()
    return {f["filing_id"]: f["value"] for f in facts if f["value"]}


def compute_signals(store: Lake) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every signal of the lake's data, as ``signals`` rows, and the run's metadata."""
    companies = read_table(store, COMPANIES).to_pylist()
    categories = {c["cik"]: c["filer_category"] for c in companies}
    tickers = {c["cik"]: (c["tickers"] or [None])[0] for c in companies}
    eightk = eightk_item_rows(store)
    filings = filing_records(
        read_table(store, FILINGS).to_pylist(), read_table(store, SEC_SUBMISSIONS).to_pylist(), eightk
    )
    signals = late_filing_signals(filings, cover_categories(store), categories)
    signals += restatement_signals(
        _convert(read_table(store, RESTATEMENTS).to_pylist(), RestatedValue), filings
    )
    signals += insider_clusters(_convert(read_table(store, INSIDER_TRADES).to_pylist(), InsiderTradeRow))
    holdings = _convert(read_table(store, HOLDINGS_QUARTER).to_pylist(), HoldingRow)
    signals += abnormal_13f_flows(issuer_quarters(holdings))
    rows = signal_rows(signals, tickers)
    kinds = Counter(r["kind"] for r in rows)
    metadata: dict[str, Any] = {
        "filings": len(filings),
        "eightk_items": "read" if eightk else "absent (8-K items of the submissions feed only)",
        **{f"signals_{kind}": n for kind, n in sorted(kinds.items())},
    }
    return rows, metadata


@dg.asset(
    name="signals",
    group_name="signals",
    kinds={"delta", "python"},
    code_version="1",
    description=SIGNALS.description,
    deps=[
        "filings",
        "sec_submissions",
        "companies",
        "facts",
        "restatements",
        "insider_trades",
        "holdings_quarter",
    ],
    check_specs=table_check_specs(SIGNALS),
)
def signals(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """Point-in-time signals of every company in the lake (definitions: ``edgar.signals.definitions``).

    Recomputed from the whole lake on each run and overwritten; each row's ``as_of`` is when its triggering
    filing became public, so readers filter ``as_of <= D`` for what was knowable at D.
    """
    store = lake.lake()
    rows, metadata = compute_signals(store)
    context.log.info(f"signals: {len(rows)} ({metadata})")
    return publish(store, SIGNALS, rows, **metadata)
