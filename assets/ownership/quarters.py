"""13F quarters after amendments -> ``holdings_quarter``; their quarter-over-quarter changes -> ``holdings_changes``.

Both are recomputed from ``thirteenf_filings`` and ``institutional_holdings`` as a whole on each run (an
amendment can change a quarter filed in an earlier filing quarter). The rules are in ``edgar.thirteenf``
(``fold_quarter``, ``aggregate``, ``quarter_changes``); this module only turns lake rows into their inputs.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.thirteenf import Holding, aggregate
from edgar.thirteenf.amendments import QuarterFiling, Standing
from edgar.thirteenf.quarters import holdings_changes, standing_quarters
from lake.delta import read_table
from lake.tables import HOLDINGS_CHANGES, HOLDINGS_QUARTER, INSTITUTIONAL_HOLDINGS, THIRTEENF_FILINGS


def quarter_filings(rows: Iterable[dict[str, Any]]) -> list[QuarterFiling]:
    """``thirteenf_filings`` rows that can be placed (filer and period known, parsed) as amendment inputs."""
    return [
        QuarterFiling(
            filing_id=r["filing_id"],
            filer_cik=r["filer_cik"],
            period=r["period_of_report"],
            form=(r["form"] or "").upper(),
            filing_date=r["filing_date"],
            acceptance_utc=r["acceptance_utc"],
            is_amendment=(r["form"] or "").upper().endswith("/A"),
            amendment_type=r["amendment_type"],
            report_type=r["report_type"],
        )
        for r in rows
        if r["status"] == "ok" and r["filer_cik"] is not None and r["period_of_report"] is not None
    ]


def holdings_by_filing(rows: Iterable[dict[str, Any]]) -> dict[str, list[Holding]]:
    """``institutional_holdings`` rows as :class:`Holding` per filing, VALUE in dollars (null when unknown)."""
    out: dict[str, list[Holding]] = {}
    for r in sorted(rows, key=lambda r: (r["filing_id"], r["row"])):
        out.setdefault(r["filing_id"], []).append(
            Holding(
                row=r["row"],
                issuer_name=r["issuer_name"],
                title_of_class=r["title_of_class"],
                cusip=r["cusip"],
                figi=r["figi"],
                value=r["value_usd"],
                shares_or_principal=r["shares_or_principal"],
                sh_prn=r["sh_prn"],
                put_call=r["put_call"],
                investment_discretion=r["investment_discretion"],
                other_managers=tuple(r["other_managers"] or ()),
                voting_sole=r["voting_sole"],
                voting_shared=r["voting_shared"],
                voting_none=r["voting_none"],
            )
        )
    return out


def as_of(standing: Standing[Holding]) -> datetime | None:
    """When the quarter's last applied filing became public: acceptance, else filing date 00:00 UTC."""
    if standing.last_acceptance_utc is not None:
        return standing.last_acceptance_utc
    if standing.last_filing_date is not None:
        return datetime.combine(standing.last_filing_date, time(0), tzinfo=UTC)
    return None


def _filings_of(standing: Standing[Holding], cusip: str, put_call: str | None) -> list[str]:
    return sorted({fid for fid, h in standing.rows if h.cusip == cusip and h.put_call == put_call})


def quarter_rows(standing: Standing[Holding]) -> list[dict[str, Any]]:
    """``holdings_quarter`` rows of one filer's quarter."""
    positions = aggregate(h for _, h in standing.rows)
    return [
        {
            "filer_cik": standing.filer_cik,
            "period_of_report": standing.period,
            "cusip": p.cusip,
            "put_call": p.put_call or "",
            "issuer_name": p.issuer_name,
            "title_of_class": p.title_of_class,
            "sh_prn": p.sh_prn,
            "shares_or_principal": p.shares,
            "value_usd": p.value,
            "rows": p.rows,
            "mixed_units": p.mixed_units,
            "filing_ids": _filings_of(standing, p.cusip, p.put_call),
            "applied": list(standing.applied),
            "order_basis": standing.order_basis,
            "notes": list(standing.notes),
            "filing_date": standing.last_filing_date,
            "as_of": as_of(standing),
        }
        for p in positions.values()
    ]


def change_rows(
    current: Standing[Holding], previous: Standing[Holding], changes: Iterable[Any]
) -> list[dict[str, Any]]:
    """``holdings_changes`` rows of one filer between two quarters."""
    return [
        {
            "filer_cik": current.filer_cik,
            "period_of_report": current.period,
            "cusip": c.cusip,
            "put_call": c.put_call or "",
            "previous_period": previous.period,
            "issuer_name": c.issuer_name,
            "title_of_class": c.title_of_class,
            "change": c.kind,
            "shares_before": c.shares_before,
            "shares_after": c.shares_after,
            "share_delta": c.share_delta,
            "value_before": c.value_before,
            "value_after": c.value_after,
            "value_delta": c.value_delta,
            "filing_ids": _filings_of(current, c.cusip, c.put_call),
            "previous_filing_ids": _filings_of(previous, c.cusip, c.put_call),
            "filing_date": current.last_filing_date,
            "as_of": as_of(current),
        }
        for c in changes
    ]


@dg.multi_asset(
    specs=[
        table_asset(
            HOLDINGS_QUARTER, group="ownership", deps=[INSTITUTIONAL_HOLDINGS.name, THIRTEENF_FILINGS.name]
        ),
        table_asset(
            HOLDINGS_CHANGES, group="ownership", deps=[INSTITUTIONAL_HOLDINGS.name, THIRTEENF_FILINGS.name]
        ),
    ],
    check_specs=[*table_check_specs(HOLDINGS_QUARTER), *table_check_specs(HOLDINGS_CHANGES)],
)
def holdings_quarters(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """Each filer's 13F holdings per quarter after amendments, and the changes between consecutive quarters.

    Filings in ``error`` or without filer or period are left out (they are listed in ``thirteenf_filings``).
    """
    store = lake.lake()
    filings = quarter_filings(read_table(store, THIRTEENF_FILINGS).to_pylist())
    tables = holdings_by_filing(read_table(store, INSTITUTIONAL_HOLDINGS).to_pylist())
    quarters = standing_quarters(filings, tables)
    rows = [row for q in quarters for row in quarter_rows(q)]
    compared = holdings_changes(filings, tables)
    changes = [row for c in compared for row in change_rows(c.current, c.previous, c.changes)]
    context.log.info(f"13F quarters: {len(quarters)}, compared with their previous quarter: {len(compared)}")
    yield publish(store, HOLDINGS_QUARTER, rows, filer_quarters=len(quarters))
    yield publish(store, HOLDINGS_CHANGES, changes, compared_quarters=len(compared))
