"""The filer's labels and statement hierarchy in the built lake, read from its _lab/_cal/_pre linkbases."""

from __future__ import annotations

from collections import Counter
from typing import Any

from assets.xbrl.linkbases import extract_linkbases, linkbase_of, role_name
from lake.delta import read_table
from lake.storage import Lake
from lake.tables import CONCEPT_LABELS, LINKBASE_ARCS

APPLE_FY2023 = "0000320193-23-000106"
REVENUE = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
INCOME_STATEMENT = "http://www.apple.com/role/CONSOLIDATEDSTATEMENTSOFOPERATIONS"


def _rows(lake: Lake, spec: Any, filing_id: str) -> list[dict[str, Any]]:
    return [r for r in read_table(lake, spec).to_pylist() if r["filing_id"] == filing_id]


def test_linkbase_names_and_label_roles() -> None:
    assert linkbase_of("aapl-20230930_lab.xml") == "label"
    assert linkbase_of("aapl-20230930_cal.xml") == "calculation"
    assert linkbase_of("aapl-20230930_pre.xml") == "presentation"
    assert linkbase_of("aapl-20230930_def.xml") is None
    assert role_name("http://www.xbrl.org/2003/role/terseLabel") == "terseLabel"
    assert role_name("http://www.xbrl.org/2009/role/negatedLabel") == "negatedLabel"


def test_apple_fy2023_labels_are_the_filers(built_lake: Lake) -> None:
    labels = _rows(built_lake, CONCEPT_LABELS, APPLE_FY2023)
    # every <link:label> of aapl-20230930_lab.xml: 1,485 labels of 689 concept/label arcs
    assert len(labels) == 1485
    by_role = Counter(r["role"] for r in labels)
    assert by_role["label"] == 689
    assert by_role["terseLabel"] == 587
    assert by_role["totalLabel"] == 59
    assert by_role["negatedLabel"] == 30
    assert by_role["documentation"] == 79
    revenue = {r["role"]: r for r in labels if r["concept"] == REVENUE}
    assert set(revenue) == {"label", "terseLabel"}
    assert revenue["terseLabel"]["label"] == "Net sales"
    assert revenue["terseLabel"]["role_uri"] == "http://www.xbrl.org/2003/role/terseLabel"
    assert revenue["label"]["label"] == "Revenue from Contract with Customer, Excluding Assessed Tax"
    row = revenue["terseLabel"]
    assert (row["document"], row["filing_quarter"], row["form"], row["cik"]) == (
        "aapl-20230930_lab.xml",
        "2023Q4",
        "10-K",
        320193,
    )
    assert row["acceptance_utc"].isoformat() == "2023-11-02T22:08:27+00:00"


def test_apple_fy2023_calculation_and_presentation_arcs(built_lake: Lake) -> None:
    arcs = _rows(built_lake, LINKBASE_ARCS, APPLE_FY2023)
    # the 215 calculation arcs of aapl-20230930_cal.xml, and 762 of the 768 presentation arcs of _pre.xml
    # (6 repeat an arc key within the filing and are dropped)
    assert Counter(r["linkbase"] for r in arcs) == {"presentation": 762, "calculation": 215}
    gross_profit = sorted(
        (r["order"], r["child"], r["weight"])
        for r in arcs
        if r["linkbase"] == "calculation"
        and r["role"] == INCOME_STATEMENT
        and r["parent"] == "us-gaap:GrossProfit"
    )
    assert gross_profit == [(1.0, REVENUE, 1.0), (2.0, "us-gaap:CostOfGoodsAndServicesSold", -1.0)]
    assert all(r["preferred_label"] is None for r in arcs if r["linkbase"] == "calculation")
    assert all(r["weight"] is None for r in arcs if r["linkbase"] == "presentation")
    [net_sales] = [
        r
        for r in arcs
        if r["linkbase"] == "presentation" and r["role"] == INCOME_STATEMENT and r["child"] == REVENUE
    ]
    assert net_sales["parent"] == "us-gaap:StatementLineItems"
    assert net_sales["order"] == 1.0
    assert net_sales["preferred_label"] == "http://www.xbrl.org/2003/role/terseLabel"
    assert net_sales["document"] == "aapl-20230930_pre.xml"


def test_only_filings_with_linkbase_files_have_rows(built_lake: Lake) -> None:
    labels = read_table(built_lake, CONCEPT_LABELS).to_pylist()
    arcs = read_table(built_lake, LINKBASE_ARCS).to_pylist()
    assert len({r["filing_id"] for r in labels}) == 14
    assert {r["filing_id"] for r in arcs} <= {r["filing_id"] for r in labels}
    assert not any(r["document"].endswith("_def.xml") for r in arcs)
    # inline-only filings (NVIDIA's 10-K in the mirror) have no linkbases: no rows
    assert not [r for r in labels if r["filing_id"] == "0001045810-23-000017"]


class _Store:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get_object(self, key: str) -> bytes:
        return self.objects[key]


def test_a_linkbase_that_fails_to_parse_records_nothing_and_does_not_raise() -> None:
    lab = (
        b'<link:linkbase xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<link:labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">'
        b'<link:loc xlink:type="locator" xlink:href="x.xsd#us-gaap_Revenues" xlink:label="loc_rev"/>'
        b'<link:label xlink:type="resource" xlink:label="lab_rev" xlink:role="http://www.xbrl.org/2003/role/label">'
        b"Revenues</link:label>"
        b'<link:labelArc xlink:type="arc" xlink:from="loc_rev" xlink:to="lab_rev"/>'
        b"</link:labelLink></link:linkbase>"
    )
    filing = {
        "filing_id": "f1",
        "accession": None,
        "cik": 1,
        "form": "10-K",
        "filing_date": None,
        "acceptance_utc": None,
        "filing_quarter": "2024Q1",
    }
    docs = [
        {"name": "x_lab.xml", "kind": "xbrl-linkbase", "object_key": "lab", "size": len(lab)},
        {"name": "x_cal.xml", "kind": "xbrl-linkbase", "object_key": "cal", "size": 10},
        {"name": "x_def.xml", "kind": "xbrl-linkbase", "object_key": "def", "size": 10},
    ]
    store = _Store({"lab": lab, "cal": b"<link:linkbase><never-closed", "def": b"not read"})
    result = extract_linkbases(store, filing, docs)  # type: ignore[arg-type]
    assert [(r["concept"], r["role"], r["label"]) for r in result.labels.values()] == [
        ("us-gaap:Revenues", "label", "Revenues")
    ]
    assert result.arcs == {}
    assert len(result.errors) == 1 and result.errors[0].startswith("f1: x_cal.xml: ")
