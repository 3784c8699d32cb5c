"""Great Expectations validations for asset checks: run an expectation suite on a table, report each result.

Great Expectations is imported here only, when a check runs (it takes ~2 s to import), with an ephemeral
context, no analytics and no progress bars.
"""

import os
from collections.abc import Sequence
from typing import Any

import msgspec
import pyarrow as pa


class Outcome(msgspec.Struct, frozen=True):
    """One expectation's result: its name, pass/fail, how many rows failed and a few of them."""

    expectation: str
    passed: bool
    unexpected: int
    sample: str


def validate(table: pa.Table, expectations: Sequence[Any]) -> list[Outcome]:
    """Validate ``table`` (as a pandas frame) against GX ``expectations``; one :class:`Outcome` each."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("lake")
    batch = (
        source.add_dataframe_asset("table")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": table.to_pandas()})
    )
    suite = gx.ExpectationSuite(name="checks")
    for expectation in expectations:
        suite.add_expectation(expectation)
    result = batch.validate(suite)
    outcomes = []
    for item in result.results:
        details = item.result or {}
        config = item.expectation_config
        name = f"{config.type}({_args(config.kwargs)})" if config is not None else "expectation"
        outcomes.append(
            Outcome(
                expectation=name,
                passed=bool(item.success),
                unexpected=int(details.get("unexpected_count") or 0),
                sample=repr(details.get("partial_unexpected_list", [])[:5]),
            )
        )
    return outcomes


def _args(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("batch_id", "result_format"))
