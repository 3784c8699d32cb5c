"""CUSIPs of the 13F tables -> ``cusip_map`` (issuer CIK and ticker, source and confidence)."""

from pathlib import Path
from typing import Any

import dagster as dg

from assets.checks import table_check_specs
from assets.publish import publish
from assets.resources import LakeResource
from edgar.thirteenf.cusips import map_cusips, parse_overrides
from lake.delta import read_table
from lake.tables import COMPANIES, CUSIP_MAP, INSTITUTIONAL_HOLDINGS


@dg.asset(
    name="cusip_map",
    group_name="ownership",
    kinds={"delta", "python"},
    code_version="1",
    deps=["institutional_holdings", "companies"],
    check_specs=table_check_specs(CUSIP_MAP),
)
def cusip_map(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """Map every CUSIP held in a 13F table to its issuer: the override file first, then the issuer's name.

    The override file is ``CUSIP_OVERRIDES`` (``infra/cusip_overrides.csv`` by default); a malformed row fails the
    run with its line number. Unmapped CUSIPs are rows with ``source = 'unmapped'`` and the reason.
    """
    settings = lake.settings()
    store = lake.lake()
    path = Path(settings.cusip_overrides)
    overrides = parse_overrides(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else {}
    holdings = read_table(store, INSTITUTIONAL_HOLDINGS, columns=["cusip", "issuer_name"]).to_pylist()
    companies = read_table(store, COMPANIES, columns=["cik", "name", "tickers"]).to_pylist()
    mappings = map_cusips(
        ((h["cusip"], h["issuer_name"]) for h in holdings),
        ((c["cik"], c["name"], c["tickers"] or ()) for c in companies),
        overrides,
    )
    rows = [{f: getattr(m, f) for f in m.__struct_fields__} for m in mappings]
    by_source: dict[str, Any] = {}
    for m in mappings:
        by_source[m.source] = by_source.get(m.source, 0) + 1
    context.log.info(f"cusip_map: {by_source}")
    return publish(
        store, CUSIP_MAP, rows, overrides=len(overrides), **{f"cusips_{k}": v for k, v in by_source.items()}
    )
