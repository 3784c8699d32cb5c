"""The C scanner of instances and linkbases (``edgar/xbrl/_scan.c``) against the lxml readers, on the mirror's files.

The scanner is an accelerator: whatever it reads must give exactly the FactSet lxml gives, and whatever it
cannot read exactly (every malformed document among them) it must decline, so that lxml reads it or reports the
error. These tests check both on every real instance and on thousands of variants derived from them.
"""

from __future__ import annotations

import os
import random
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from edgar.errors import ParseError
from edgar.xbrl import instance, linkbase, parse_instance
from edgar.xbrl.namespaces import LINK_NS, XBRLDI_NS, XBRLI_NS, XLINK_NS, XSI_NS
from edgar.xbrl.xmlread import prepare
from tests.edgar.test_xbrl_instance import COUNTS, MIRROR

_scan = instance._scan
needs_scanner = pytest.mark.skipif(
    _scan is None and os.environ.get("CI") != "true", reason="the C accelerator is not built (no C compiler)"
)


def _same(a: object, b: object) -> bool:
    fields = ("facts", "footnotes", "warnings", "n_contexts", "n_units", "n_elements", "kind")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _both(body: bytes, name: str = "doc.xml") -> tuple[object | None, object | BaseException]:
    """(the scanner's FactSet or None, lxml's FactSet or its ParseError)."""
    fast = instance._scan_instance(body, name)
    try:
        slow: object | BaseException = instance.parse_instance_lxml(body, 0, name)
    except ParseError as exc:
        slow = exc
    return fast, slow


def test_accelerator_is_built_in_ci() -> None:
    """CI builds the scanner (gcc is on the machine): a missing build would silently cost the speed targets."""
    if os.environ.get("CI") != "true" and _scan is None:
        pytest.skip("the C accelerator is not built here (no C compiler)")
    assert _scan is not None, "edgar/xbrl/_scan.c was not compiled: install gcc and run `make install`"


@needs_scanner
@pytest.mark.parametrize("rel", sorted(COUNTS))
def test_scanner_reads_every_mirror_instance_as_lxml_does(rel: str) -> None:
    """Every instance of the mirror is read by the scanner (none declined) into lxml's exact FactSet."""
    body, offset = prepare((MIRROR / rel).read_bytes())
    fast = instance._scan_instance(body, rel)
    slow = instance.parse_instance_lxml(body, offset, rel)
    assert fast is not None, f"the scanner declined {rel}"
    assert _same(fast, slow)
    distinct, elements, contexts, units = COUNTS[rel]
    assert (len(fast.facts), fast.n_elements, fast.n_contexts, fast.n_units) == (
        distinct,
        elements,
        contexts,
        units,
    )


@needs_scanner
def test_scanner_values_on_apple_fy2023() -> None:
    """Values through the scanner: revenue, EPS (USD/shares, decimals 2), a text block with its markup removed."""
    fs = parse_instance((MIRROR / "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml").read_bytes(), "aapl.xml")
    by = {(f.concept, f.start, f.end, f.dimensions): f for f in fs.facts}
    year = (date(2022, 9, 25), date(2023, 9, 30), ())
    revenue = by[("us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax", *year)]
    assert (revenue.value, revenue.unit, revenue.decimals) == ("383285000000", "USD", -6)
    eps = by[("us-gaap:EarningsPerShareDiluted", *year)]
    assert (eps.value, eps.unit, eps.decimals) == ("6.13", "USD/shares", 2)
    policies = by[("us-gaap:BasisOfPresentationAndSignificantAccountingPoliciesTextBlock", *year)]
    assert policies.value is not None
    assert policies.value.startswith(
        "Summary of Significant Accounting PoliciesBasis of Presentation and Preparation"
    )
    incorporated = next(f for f in fs.facts if f.concept == "dei:DocumentsIncorporatedByReferenceTextBlock")
    assert incorporated.value is not None
    assert incorporated.value.startswith("Portions of the Registrant\u2019s definitive proxy statement")


# --- variants of real documents -------------------------------------------------------------------------------

_INSERTS = [
    b"<",
    b">",
    b"&",
    b'"',
    b"'",
    b"/",
    b"=",
    b"\x01",
    b"\x0c",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"]]>",
    b"<!--",
    b"-->",
    b"<!-- c -->",
    b"<?pi x?>",
    b"&#0;",
    b"&#x1F;",
    b"&#160;",
    b"&foo;",
    b"&amp;",
    b"\r",
    b" ",
    b'xmlns:q="urn:q" ',
    b' id="x"',
    b" a='1' a='2'",
    b"<x/>",
    b"</x>",
    b"<![CDATA[z]]>",
    b"q:",
    b"\xc3\xa9",
    b"\t",
    b'xmlns="" ',
    b"<a:b:c/>",
    b"&#xD;",
    b"<?xml version='1.0'?>",
    b"<?x?>",
    b"<!DOCTYPE x>",
    b'xmlns:u="http://h:x/" ',
    b'xsi:nil="true" ',
    b' unitRef="u"',
    b' contextRef="c"',
    b":",
    b"q:7",
]


def _variants(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    out = []
    for _ in range(n):
        op = rng.randrange(5)
        i = rng.randrange(len(data))
        if op == 0:
            out.append(data[:i])  # truncated
        elif op == 1:
            out.append(data[:i] + data[i + 1 :])  # a byte lost
        elif op == 2:
            out.append(data[:i] + rng.choice(_INSERTS) + data[i:])
        elif op == 3:
            out.append(data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :])
        else:  # an end tag renamed
            ends = [m.start() for m in re.finditer(rb"</", data)]
            j = rng.choice(ends) + 2
            out.append(data[:j] + b"z" + data[j:])
    return out


@needs_scanner
@pytest.mark.parametrize(
    ("rel", "count"),
    [
        ("xbrl/single/waters-8k-instance.xml", 1500),
        ("xbrl/nflx-10q-2010-09-30/nflx-20100930.xml", 250),
        ("xbrl/single/carbo-ceramics-10k-2017-12-31-instance.xml", 60),
    ],
)
def test_scanner_declines_or_agrees_on_damaged_variants(rel: str, count: int) -> None:
    """Truncations, lost and inserted bytes, renamed end tags: the scanner gives lxml's FactSet or declines.

    In particular it never reads a document lxml rejects (every error still comes from lxml, with its line).
    """
    body, _ = prepare((MIRROR / rel).read_bytes())
    rng = random.Random(f"{rel}-{count}")
    read = declined = rejected = 0
    for variant in _variants(body, rng, count):
        fast, slow = _both(variant)
        if isinstance(slow, ParseError):
            rejected += 1
            assert fast is None, f"the scanner read a document lxml rejects ({slow})"
        elif fast is None:
            declined += 1
        else:
            read += 1
            assert _same(fast, slow)
    assert rejected > count // 3 and read > 0  # the variants exercise both outcomes


_TEXT_BLOCK = re.compile(rb"<us-gaap:\w+TextBlock [^>]*>(.*?)</us-gaap:", re.DOTALL)
_TEXTS = [
    "&amp;copy; 2023",  # an HTML entity the scanner leaves to html.unescape
    "&amp;#146;s",  # a Windows-1252 reference (html.unescape maps it)
    "&amp;#x2019;s &amp;#8220;quoted&amp;#8221;",
    "&amp;amp;lt;",  # an escaped reference stays escaped once
    "&amp;nbsp;&amp;#160;&amp;#xA0;",
    "&amp;#0; &amp;#xD800; &amp;#1114112;",
    "&amp;#65 &amp;lt no semicolons",
    "\u2003em\u3000space\u00a0\u2028lines\u0085",
    "&lt;É&gt; &lt;/ b&gt; &lt;!-- comment --&gt;",
    "a &amp; b &amp;&amp; c &amp;# d &amp;#x e &amp;",
    "&#160;&#xA0; tail &gt;",
    "&lt;p&gt;only markup&lt;/p&gt;   \u2003",
]


@needs_scanner
@pytest.mark.parametrize("text", _TEXTS)
def test_scanner_text_blocks_match_lxml(text: str) -> None:
    """Text inserted into a real text block (references, Unicode whitespace, odd markup): lxml's value, exactly."""
    body, _ = prepare((MIRROR / "xbrl/aapl-10q-2023-07-01/aapl-20230701_htm.xml").read_bytes())
    blocks = list(_TEXT_BLOCK.finditer(body))
    assert len(blocks) > 10
    for match in blocks[:: max(1, len(blocks) // 6)]:
        for at in (match.start(1), (match.start(1) + match.end(1)) // 2, match.end(1)):
            variant = body[:at] + text.encode() + body[at:]
            fast, slow = _both(variant)
            assert not isinstance(slow, ParseError)
            assert fast is not None and _same(fast, slow)


@needs_scanner
def test_scanner_declines_what_it_does_not_read() -> None:
    """Another encoding, a DOCTYPE, a tuple: declined (lxml reads them); the result is still lxml's."""
    body, _ = prepare((MIRROR / "xbrl/single/waters-8k-instance.xml").read_bytes())
    latin = body.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"', 1)
    doctype = body.replace(b"<xbrl", b"<!DOCTYPE xbrl>\n<xbrl", 1)
    assert b'encoding="utf-8"' in body
    for variant in (latin, doctype):
        assert _scan is not None
        assert _scan.scan(variant, XBRLI_NS, XBRLDI_NS, LINK_NS, XSI_NS) is None
        assert len(parse_instance(variant, "w.xml").facts) == 22
    root = etree.fromstring(body)
    assert root.tag == f"{{{XBRLI_NS}}}xbrl"


def test_malformed_instances_still_get_lxml_errors(tmp_path: Path) -> None:
    """Through the public entry point, a truncated instance gets lxml's error with its line."""
    data = (MIRROR / "xbrl/aapl-10q-2025-03-29/aapl-20250329_htm.xml").read_bytes()
    with pytest.raises(ParseError, match="truncated or malformed") as info:
        parse_instance(data[: len(data) // 2], "half.xml")
    assert info.value.line is not None and info.value.line > 100


# --- linkbases ------------------------------------------------------------------------------------------------

_LINKS = {
    "lab": ("labelLink", "labelArc"),
    "pre": ("presentationLink", "presentationArc"),
    "cal": ("calculationLink", "calculationArc"),
    "def": ("definitionLink", "definitionArc"),
}
LINKBASES = sorted(
    str(p.relative_to(MIRROR))
    for p in MIRROR.glob("xbrl/*/*.xml")
    if p.name.endswith(("_lab.xml", "_pre.xml", "_cal.xml", "_def.xml"))
)


def _links_both(body: bytes, kind: str) -> tuple[list[object] | None, list[object] | ParseError]:
    link, arc = _LINKS[kind]
    assert _scan is not None
    fast = _scan.scan_links(body, LINK_NS, XLINK_NS, link, arc, kind == "lab")
    try:
        slow: list[object] | ParseError = list(linkbase._lxml_links(body, 0, "lb.xml", link, arc))
    except ParseError as exc:
        slow = exc
    return ([(r, list(a), list(b), list(c)) for r, a, b, c in fast] if fast is not None else None), slow


def test_mirror_has_linkbases_of_every_kind() -> None:
    """The comparison below covers label, presentation, calculation and definition linkbases."""
    kinds = {rel[-7:-4] for rel in LINKBASES}
    assert kinds == {"lab", "pre", "cal", "def"} and len(LINKBASES) == 48


@needs_scanner
@pytest.mark.parametrize("rel", LINKBASES)
def test_scanner_reads_every_mirror_linkbase_as_lxml_does(rel: str) -> None:
    """Every linkbase of the mirror is read by the scanner (none declined) into lxml's exact links."""
    body, _ = prepare((MIRROR / rel).read_bytes())
    fast, slow = _links_both(body, rel[-7:-4])
    assert fast is not None, f"the scanner declined {rel}"
    assert fast == slow


@needs_scanner
def test_scanner_labels_values() -> None:
    """Apple FY2023: the standard and terse labels of net sales, through the public parser."""
    rel = "xbrl/aapl-10k-2023-09-30/aapl-20230930_lab.xml"
    labels = linkbase.parse_labels((MIRROR / rel).read_bytes(), rel)
    sales = labels["us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"]
    assert sales["http://www.xbrl.org/2003/role/terseLabel"] == "Net sales"
    assert len(labels) > 500


@needs_scanner
@pytest.mark.parametrize(
    ("rel", "count"),
    [
        ("xbrl/nflx-10q-2010-09-30/nflx-20100930_cal.xml", 400),
        ("xbrl/aapl-10q-2025-03-29/aapl-20250329_lab.xml", 60),
    ],
)
def test_scanner_linkbases_decline_or_agree_on_damaged_variants(rel: str, count: int) -> None:
    """Damaged linkbases: the scanner gives lxml's links or declines; it never reads one lxml rejects."""
    body, _ = prepare((MIRROR / rel).read_bytes())
    rng = random.Random(f"{rel}-{count}")
    read = rejected = 0
    for variant in _variants(body, rng, count):
        fast, slow = _links_both(variant, rel[-7:-4])
        if isinstance(slow, ParseError):
            rejected += 1
            assert fast is None, f"the scanner read a linkbase lxml rejects ({slow})"
        elif fast is not None:
            read += 1
            assert fast == slow
    assert rejected > count // 3 and read > 0
