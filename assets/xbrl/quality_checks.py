"""Great Expectations checks on the statement tables: accounting identities, keys, one row per version."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.quality import Outcome, validate
from assets.resources import LakeResource
from lake.delta import read_table
from lake.tables import BALANCE_SHEETS, INCOME_STATEMENTS

#: Relative tolerance of the identities: rounding in the filings, and equity that includes minority interests.
TOLERANCE = 0.01
_KEYS = ["cik", "period", "fiscal_period", "report_period", "version"]


def _key_expectations() -> list[object]:
    import great_expectations as gx

    return [
        *(gx.expectations.ExpectColumnValuesToNotBeNull(column=c) for c in _KEYS),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=_KEYS),
    ]


def _gap_column(table: pa.Table, total: str, parts: list[tuple[str, int]]) -> pa.Table:
    """Add ``gap`` = |total - sum(sign * part)| / |total| where every column is present, else null."""
    value = table.column(total)
    rest = pc.multiply(table.column(parts[0][0]), parts[0][1])
    for name, sign in parts[1:]:
        rest = pc.add(rest, pc.multiply(table.column(name), sign))
    gap = pc.divide(pc.abs(pc.subtract(value, rest)), pc.abs(value))
    return table.append_column("gap", gap)


def _result(outcomes: list[Outcome], rows: int) -> dg.AssetCheckResult:
    # a failed identity is reported, not hidden, as a warning: filers with temporary (mezzanine) equity or
    # minority interests outside shareholders' equity do not add up on FD's fields alone
    return dg.AssetCheckResult(
        passed=all(o.passed for o in outcomes),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": rows,
            **{
                o.expectation: f"{'ok' if o.passed else 'FAILED'} ({o.unexpected} unexpected) {o.sample}"
                for o in outcomes
            },
        },
    )


@dg.asset_check(
    asset=BALANCE_SHEETS.name,
    blocking=False,
    description="total_assets = total_liabilities + shareholders_equity (1%); keys",
)
def balance_sheet_identity(lake: LakeResource) -> dg.AssetCheckResult:
    """Assets equal liabilities plus equity (within 1%) on every row that has all three; keys complete and unique."""
    import great_expectations as gx

    table = read_table(lake.lake(), BALANCE_SHEETS)
    table = _gap_column(table, "total_assets", [("total_liabilities", 1), ("shareholders_equity", 1)])
    outcomes = validate(
        table,
        [
            *_key_expectations(),
            gx.expectations.ExpectColumnValuesToBeBetween(column="gap", max_value=TOLERANCE),
        ],
    )
    return _result(outcomes, table.num_rows)


@dg.asset_check(
    asset=INCOME_STATEMENTS.name,
    blocking=False,
    description="gross_profit = revenue - cost_of_revenue (1%); keys",
)
def income_statement_identity(lake: LakeResource) -> dg.AssetCheckResult:
    """Gross profit equals revenue minus cost of revenue (within 1%) where all three exist; keys complete and unique."""
    import great_expectations as gx

    table = read_table(lake.lake(), INCOME_STATEMENTS)
    table = _gap_column(table, "gross_profit", [("revenue", 1), ("cost_of_revenue", -1)])
    outcomes = validate(
        table,
        [
            *_key_expectations(),
            gx.expectations.ExpectColumnValuesToBeBetween(column="gap", max_value=TOLERANCE),
        ],
    )
    return _result(outcomes, table.num_rows)
