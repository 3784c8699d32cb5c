"""The replicating loopback SEC of the scale bench serves N consistent copies of the mirror's periodic filings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from edgar.http import RateLimiter, SecHttpClient
from edgar.identity import identity_from_sgml
from edgar.parse.cover import extract_cover
from edgar.parse.daily_index import parse_daily_index
from edgar.parse.sgml import parse_sgml_submission
from edgar.parse.submissions import parse_submissions
from edgar.xbrl import parse_facts
from edgar.xbrl.crosscheck import compare_companyfacts
from lake.settings import Settings
from tests.support import scale_filings as sf
from tests.support.scale_sec import ScaleSec

UA = "AIHF Tests aihf-tests@example.com"


@pytest.fixture(scope="module")
def sec() -> Iterator[ScaleSec]:
    """N=2 replicas of the mirror's 29 periodic filings in 2024Q3, no latency."""
    server = ScaleSec(Settings.from_env().edgar_mirror, 2, latency_s=(0, 0)).start()
    try:
        yield server
    finally:
        server.stop()


def _indexed(sec: ScaleSec) -> list[tuple[str, int, str]]:
    """(form, cik, accession) of every replica listed in the quarter's published daily indexes."""
    rows = []
    for day in sf.business_days("2024Q3"):
        try:
            body, _ = sec.respond(f"/Archives/edgar/daily-index/2024/QTR3/form.{day:%Y%m%d}.idx")
        except LookupError:
            continue
        entries = parse_daily_index(body, f"form.{day:%Y%m%d}.idx").entries
        rows += [(e.form, e.cik, e.accession) for e in entries if e.cik != sf.FILLER_CIK]
    return rows


def test_the_daily_indexes_list_each_base_filing_once_per_replica(sec: ScaleSec) -> None:
    rows = _indexed(sec)
    assert len(sec.bases) == 29
    assert len(rows) == 58
    assert len({a for _, _, a in rows}) == 58
    # 9 base filers -> 9 new filers per replica, none of them a real CIK
    assert sorted({c for _, c, _ in rows}) == [9_000_000 + k * 10_000 + i for k in (0, 1) for i in range(9)]
    forms = sorted(f for f, _, _ in rows)
    assert forms.count("10-K") == 2 * 13 and forms.count("10-Q") == 2 * 16
    # the reserved last days are unpublished until an increment publishes one more replica block
    assert (
        sec.respond("/Archives/edgar/daily-index/2024/QTR3/form.20240925.idx")[0].count(b"SCALE REPLICA") == 0
    )
    for day in ("20240926", "20240927", "20240930"):
        with pytest.raises(LookupError):
            sec.respond(f"/Archives/edgar/daily-index/2024/QTR3/form.{day}.idx")
    sec.increments = 1
    try:
        day_rows = _indexed(sec)
        new = [r for r in day_rows if r not in rows]
        assert len(new) == 29 and {c // 10_000 for _, c, _ in new} == {902}
        body, _ = sec.respond("/Archives/edgar/daily-index/2024/QTR3/form.20240926.idx")
        assert parse_daily_index(body, "form.20240926.idx").entries[0].date_filed == date(2024, 9, 26)
    finally:
        sec.increments = 0


def test_a_replica_fetched_over_http_is_consistent(sec: ScaleSec) -> None:
    client = SecHttpClient(user_agent=UA, limiter=RateLimiter(10), max_retries=0)
    rep = next(r for r in sec.replicas() if r.k == 1 and r.base.docs[0].name == "aapl-20230930_htm.xml")
    assert (rep.cik, rep.accession, rep.day) == (9_010_001, "0009010000-24-000015", date(2024, 8, 12))
    folder = f"{sec.base_url}/Archives/edgar/data/{rep.cik}/{rep.accession.replace('-', '')}"

    txt = client.get(f"{folder}/{rep.accession}.txt")
    assert txt == client.get(f"{sec.base_url}/Archives/edgar/data/{rep.cik}/{rep.accession}.txt")
    sub = parse_sgml_submission(txt, f"{rep.accession}.txt")
    identity = identity_from_sgml(sub)
    assert (identity.accession, identity.cik, identity.form, identity.filing_date) == (
        rep.accession,
        9_010_001,
        "10-K",
        date(2024, 8, 12),
    )
    assert identity.entity_name == "APPLE INC. SCALE REPLICA 1"
    assert [d.filename for d in sub.documents] == [d.name for d in rep.base.docs]
    instance = sub.documents[0].body
    assert extract_cover("aapl-20230930_htm.xml", instance).cik == 9_010_001
    facts = parse_facts("aapl-20230930_htm.xml", instance).facts
    assert {f.entity for f in facts} == {"0009010001"}
    original = parse_facts("aapl-20230930_htm.xml", rep.base.docs[0].path.read_bytes()).facts
    changed = [(f.concept, f.value) for f, o in zip(facts, original, strict=True) if f.value != o.value]
    assert changed == [("dei:EntityCentralIndexKey", "0009010001")]
    assert [f.concept for f in facts] == [f.concept for f in original]

    # the folder: index.json, the header, each document as in the .txt
    listing = json.loads(client.get(f"{folder}/index.json"))["directory"]["item"]
    names = [i["name"] for i in listing]
    assert names == [*(d.name for d in rep.base.docs), f"{rep.accession}.txt", f"{rep.accession}.hdr.sgml"]
    assert client.get(f"{folder}/aapl-20230930_htm.xml").rstrip(b"\n") == instance.rstrip(b"\n")
    header = client.get(f"{folder}/{rep.accession}.hdr.sgml").decode()
    assert f"<ACCESSION-NUMBER>{rep.accession}" in header and "<CIK>0009010001" in header

    # the filer's submissions feed lists its 9 replica filings; companyfacts agrees with the parsed facts
    feed = parse_submissions(client.get(f"{sec.base_url}/submissions/CIK0009010001.json"), "feed.json")
    assert feed.cik == 9_010_001 and len(feed.filings) == 9
    assert rep.accession in {f.accession for f in feed.filings}
    companyfacts = client.get(f"{sec.base_url}/api/xbrl/companyfacts/CIK0009010001.json")
    agreement = compare_companyfacts(companyfacts, rep.accession, facts)
    assert (agreement.compared, agreement.equal, agreement.missing, agreement.different) == (459, 459, [], [])
    assert client.get(f"{sec.base_url}/files/company_tickers.json")  # the rest falls back to the mirror
    assert [s.status for s in sec.served] == [200] * 8
