"""Footnotes attached to facts: ``link:footnoteLink`` of instances, ``ix:footnote``/``ix:relationship`` inline."""

from __future__ import annotations

from pathlib import Path

from edgar.xbrl import parse_facts
from edgar.xbrl.factset import attach_footnotes
from edgar.xbrl.instance import parse_instance


def _notes(mirror: Path, name: str) -> list[tuple[str, str | None, str, str]]:
    facts = parse_facts(name, (mirror / name).read_bytes())
    return [
        (facts.facts[n.fact_index].concept, facts.facts[n.fact_index].value, n.footnote_id, n.text)
        for n in facts.footnotes
    ]


def test_instance_footnotes_resolve_locators_to_facts(mirror: Path) -> None:
    notes = _notes(mirror, "xbrl/unp-10k-2012-12-31/unp-20121231.xml")
    assert len(notes) == 20
    concept, value, footnote_id, text = notes[0]
    assert (concept, value, footnote_id) == ("unp:DepreciationRate", "0.033", "footnote_157")
    assert text.startswith(
        "Includes a weighted-average composite rate for rail in high-density traffic corridors"
    )


def test_instance_footnote_text_of_an_older_filing(mirror: Path) -> None:
    notes = _notes(mirror, "xbrl/nflx-10q-2010-09-30/nflx-20100930.xml")
    assert len(notes) == 16
    assert notes[0][:3] == ("nflx:FulfillmentExpense", "52063000", "footnote_7746497")
    assert notes[0][3].startswith(
        "Stock-based compensation included in expense line items: Fulfillment expenses"
    )


def test_inline_footnotes_follow_ix_relationship(mirror: Path) -> None:
    notes = _notes(mirror, "ixbrl/unp-10q-2025-06-30.htm")
    assert len(notes) == 33
    assert notes[0][:3] == (
        "us-gaap:OtherComprehensiveIncomeLossNetOfTaxPortionAttributableToParent",
        "28000000",
        "fn-1",
    )
    assert notes[0][3].startswith(
        "Net of deferred taxes of ($1.7) million and $0.0 million during the three months ended June 30, 2025"
    )
    oracle = _notes(mirror, "ixbrl/oracle-10q.htm")
    assert len(oracle) == 115
    assert (oracle[0][0], oracle[0][1]) == ("orcl:CloudServicesAndLicenseSupportExpenses", "2597000000")
    assert oracle[0][3] == "Exclusive of amortization of intangible assets, which is shown separately."


def test_document_without_footnotes_has_none(mirror: Path) -> None:
    assert _notes(mirror, "ixbrl/netflix-10k-2024-12-31.htm") == []


def test_dangling_footnote_link_is_a_warning_not_an_error(mirror: Path) -> None:
    data = (mirror / "xbrl/unp-10k-2012-12-31/unp-20121231.xml").read_bytes()
    broken = data.replace(b'xlink:to="footnote_157"', b'xlink:to="footnote_missing"')
    facts = parse_instance(broken, "unp-broken.xml")
    assert len(facts.footnotes) == 18
    assert any("2 footnote link(s) point to a missing fact or footnote" in w for w in facts.warnings)


def test_attach_footnotes_drops_duplicate_links() -> None:
    warnings: list[str] = []
    notes = attach_footnotes(
        {"f1": 0, "f2": 0},
        {"n1": ("n1", "text", None, "en")},
        [("f1", "n1", 1.0), ("f2", "n1", 1.0), ("f3", "n1", None)],
        warnings,
    )
    assert [(n.fact_index, n.footnote_id, n.text, n.lang) for n in notes] == [(0, "n1", "text", "en")]
    assert warnings == ["1 footnote link(s) point to a missing fact or footnote"]
