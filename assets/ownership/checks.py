"""Ownership checks: 13F tables reconcile with their cover pages; insider share arithmetic adds up."""

import dagster as dg

from assets.resources import LakeResource
from lake.delta import read_table
from lake.tables import INSIDER_TRADES, THIRTEENF_FILINGS


@dg.asset_check(
    asset=THIRTEENF_FILINGS.name, blocking=False, description="table rows and value sum = cover totals"
)
def thirteenf_totals_reconcile(lake: LakeResource) -> dg.AssetCheckResult:
    """Every 13F table's row count and value sum equal its cover page totals (mismatches listed, as a warning)."""
    rows = read_table(lake.lake(), THIRTEENF_FILINGS).to_pylist()
    checked = [r for r in rows if r["rows_match"] is not None or r["value_match"] is not None]
    bad = [f"{r['filing_id']}: {'; '.join(r['mismatches'])}" for r in checked if r["mismatches"]]
    return dg.AssetCheckResult(
        passed=not bad,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"filings_checked": len(checked), "unreconciled": "\n".join(bad) or "none"},
    )


@dg.asset_check(asset=INSIDER_TRADES.name, blocking=False, description="owned before ± shares = owned after")
def insider_share_arithmetic(lake: LakeResource) -> dg.AssetCheckResult:
    """On every transaction row where all three are reported: shares owned before + signed shares = after."""
    rows = read_table(lake.lake(), INSIDER_TRADES).to_pylist()
    fields = ("shares_owned_before_transaction", "transaction_shares", "shares_owned_after_transaction")
    checked = [r for r in rows if all(r[f] is not None for f in fields)]
    bad = [
        r["row_id"]
        for r in checked
        if abs(r[fields[0]] + r[fields[1]] - r[fields[2]]) > 1e-6 * max(1.0, abs(r[fields[2]]))
    ]
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={
            "rows_checked": len(checked),
            "rows_off": len(bad),
            "first_off": ", ".join(bad[:5]) or "none",
        },
    )
