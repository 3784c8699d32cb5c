"""8-K filings of every filing quarter -> ``eightk_items``, ``press_releases``, ``earnings`` and ``news``."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import dagster as dg
import msgspec

from assets.checks import table_check_specs
from assets.edgar.fetch import stored_submission
from assets.inputs import quarter_filings
from assets.partitions import context_quarters, filing_quarters
from assets.progress import Progress
from assets.publish import publish, table_asset
from assets.resources import LakeResource
from edgar.errors import EdgarError
from edgar.events import EightK, PressRelease, is_earnings_release, parse_8k, parse_press_release
from lake.delta import read_table
from lake.storage import Lake
from lake.tables import COMPANIES, EARNINGS, EIGHTK_ITEMS, FILING_QUARTER, NEWS, PRESS_RELEASES

EIGHT_K_FORMS = ("8-K", "8-K/A")
#: ``source`` of every ``news`` row: the lake's news are the press releases filed with the SEC.
NEWS_SOURCE = "SEC 8-K"
SEC_ARCHIVES = "https://www.sec.gov/Archives/edgar/data"
_PRIMARY_KINDS = ("html", "inline-xbrl")
_EXHIBIT_NAME = re.compile(r"(?i)(?:^|[-_.])ex-?\d")
_STANDALONE_RELEASE = re.compile(r"(?i)-ex99")
_TABLES = (EIGHTK_ITEMS, PRESS_RELEASES, EARNINGS, NEWS)
_DEPS = ["filings", "raw_documents", "companies"]


def _is_exhibit(doc: dict[str, Any]) -> bool:
    return (doc["doc_type"] or "").upper().startswith("EX-") or bool(_EXHIBIT_NAME.search(doc["name"]))


def eightk_document(filing: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The document that states the 8-K: the full submission, else the primary HTML document (not an exhibit)."""
    sgml = sorted(
        (d for d in docs if d["kind"] == "sgml-submission" and d["container"] is None),
        key=lambda d: d["name"],
    )
    if sgml:
        return sgml[0]
    html = [d for d in docs if d["kind"] in _PRIMARY_KINDS and not _is_exhibit(d)]
    ordered = sorted(
        html,
        key=lambda d: (
            d["name"] != filing["primary_document"],
            (d["doc_type"] or "").upper() not in EIGHT_K_FORMS,
            d["container"] is not None,
            d["name"],
        ),
    )
    return ordered[0] if ordered else None


def standalone_releases(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Press-release exhibits stored as their own files in the filing (``...-ex99-1.htm``)."""
    found = [d for d in docs if d["container"] is None and _STANDALONE_RELEASE.search(d["name"])]
    return sorted(found, key=lambda d: d["name"])


def archive_url(cik: int | None, accession: str | None, filename: str | None) -> str | None:
    """The SEC archive URL of a filing's document; None unless CIK, accession and file name are all known."""
    if cik is None or not accession or not filename:
        return None
    return f"{SEC_ARCHIVES}/{cik}/{accession.replace('-', '')}/{filename}"


class Release(msgspec.Struct, frozen=True, kw_only=True):
    """A press release and the stored document it was read from (its ``raw_documents`` name)."""

    document: str
    release: PressRelease


class Read(msgspec.Struct, frozen=True, kw_only=True):
    """One 8-K as read: the parsed report (None when it could not be read), its releases, the errors."""

    eightk: EightK | None
    releases: list[Release]
    errors: list[str]


def read_8k(store: Lake, filing: dict[str, Any], docs: list[dict[str, Any]]) -> Read:
    """Parse a filing's 8-K document and its press releases; a document that fails is an error, not a stop."""
    errors: list[str] = []
    eightk: EightK | None = None
    releases: dict[str, Release] = {}
    doc = eightk_document(filing, docs)
    whole = stored_submission(store, docs)  # fetched document by document: the submission rebuilt
    if doc is None and whole is None:
        errors.append("no 8-K document stored")
    else:
        source, data = whole or (doc["name"], store.get_object(doc["object_key"]))  # type: ignore[index]
        try:
            eightk = parse_8k(source, data)
        except EdgarError as exc:
            errors.append(f"{source}: {exc}")
        else:
            for pr in eightk.press_releases:
                name = pr.filename or f"{source}#{pr.type}"
                releases.setdefault(name, Release(document=name, release=pr))
    for ex in standalone_releases(docs):
        if ex["name"] in releases:
            continue
        try:
            pr = parse_press_release(ex["name"], store.get_object(ex["object_key"]))
        except EdgarError as exc:
            errors.append(f"{ex['name']}: {exc}")
            continue
        releases[ex["name"]] = Release(document=ex["name"], release=pr)
    return Read(eightk=eightk, releases=list(releases.values()), errors=errors)


def _stamp(filing: dict[str, Any], eightk: EightK | None) -> dict[str, Any]:
    """The filing's identity and time; what the filings row lacks is taken from the 8-K's own SGML header."""
    return {
        "filing_id": filing["filing_id"],
        "accession": filing["accession"] or (eightk.accession if eightk else None),
        "cik": filing["cik"] if filing["cik"] is not None else (eightk.cik if eightk else None),
        "company_name": filing["company_name"] or (eightk.company_name if eightk else None),
        "form": filing["form"] or (eightk.form if eightk else None),
        "filing_date": filing["filing_date"] or (eightk.filing_date if eightk else None),
        "acceptance_utc": filing["acceptance_utc"],
    }


def _bare(releases: list[PressRelease]) -> EightK:
    """An 8-K of press releases only (no document, no items): to apply the parser's earnings rule to them."""
    return EightK(
        source="",
        accession=None,
        form=None,
        cik=None,
        company_name=None,
        period_of_report=None,
        filing_date=None,
        items=[],
        exhibits=[],
        press_releases=releases,
        text="",
    )


def _is_earnings_title(pr: PressRelease) -> bool:
    """Whether a release's own title announces results (the parser's rule, applied to this release alone)."""
    return is_earnings_release(_bare([pr]))


def filing_rows(
    filing: dict[str, Any], read: Read, tickers: dict[int, str]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of one 8-K in each of the four tables (table name -> rows)."""
    stamp = _stamp(filing, read.eightk)
    quarter = {FILING_QUARTER: filing[FILING_QUARTER]}
    ticker = tickers.get(stamp["cik"]) if stamp["cik"] is not None else None
    items: dict[str, dict[str, Any]] = {}
    for item in read.eightk.items if read.eightk else []:
        key = item.number or item.title or ""
        items.setdefault(
            key,
            {
                **stamp,
                "item": key,
                "title": item.title,
                "in_header": item.in_header,
                "in_text": item.in_text,
                "text": item.text,
                **quarter,
            },
        )
    releases = []
    news = []
    for r in read.releases:
        pr = r.release
        releases.append(
            {
                **stamp,
                "document": r.document,
                "exhibit_type": pr.type,
                "title": pr.title,
                "date": pr.date,
                "text": pr.text,
                "is_earnings": _is_earnings_title(pr),
                **quarter,
            }
        )
        news.append(
            {
                "filing_id": stamp["filing_id"],
                "document": r.document,
                "ticker": ticker,
                "title": pr.title,
                "author": None,
                "source": NEWS_SOURCE,
                "date": pr.date or stamp["filing_date"],
                "url": archive_url(stamp["cik"], stamp["accession"], pr.filename or r.document),
                "sentiment": None,
                "cik": stamp["cik"],
                "accession": stamp["accession"],
                "acceptance_utc": stamp["acceptance_utc"],
                **quarter,
            }
        )
    earnings = []
    if read.eightk is not None or read.releases:
        whole = _with_releases(read)
        if is_earnings_release(whole):
            earnings.append(_earnings_row(filing, stamp, whole, ticker))
    return {
        EIGHTK_ITEMS.name: list(items.values()),
        PRESS_RELEASES.name: releases,
        EARNINGS.name: earnings,
        NEWS.name: news,
    }


def _with_releases(read: Read) -> EightK:
    """The 8-K with every press release of the filing (stand-alone exhibit files included)."""
    releases = [r.release for r in read.releases]
    if read.eightk is None:
        return _bare(releases)
    return msgspec.structs.replace(read.eightk, press_releases=releases)


def _earnings_row(
    filing: dict[str, Any], stamp: dict[str, Any], eightk: EightK, ticker: str | None
) -> dict[str, Any]:
    """The ``earnings`` row of an 8-K that announces results; the release is its first earnings press release."""
    titled = [pr for pr in eightk.press_releases if _is_earnings_title(pr)] or list(eightk.press_releases)
    release = titled[0] if titled else None
    event: date | None = filing["period_of_report"] or eightk.period_of_report
    primary = filing["primary_document"] if filing["accession"] else None
    return {
        "filing_id": stamp["filing_id"],
        "ticker": ticker,
        "cik": stamp["cik"],
        "company_name": stamp["company_name"],
        "source_type": stamp["form"],
        "report_date": (release.date if release else None) or event or stamp["filing_date"],
        "filing_date": stamp["filing_date"],
        "acceptance_utc": stamp["acceptance_utc"],
        "title": release.title if release else None,
        "accession": stamp["accession"],
        "filing_url": archive_url(stamp["cik"], stamp["accession"], primary),
        FILING_QUARTER: filing[FILING_QUARTER],
    }


def company_tickers(store: Lake) -> dict[int, str]:
    """CIK -> the company's first ticker, from the ``companies`` table."""
    rows = read_table(store, COMPANIES, columns=["cik", "tickers"]).to_pylist()
    return {r["cik"]: r["tickers"][0] for r in rows if r["tickers"]}


@dg.multi_asset(
    specs=[table_asset(spec, group="events", deps=_DEPS) for spec in _TABLES],
    check_specs=[check for spec in _TABLES for check in table_check_specs(spec)],
    partitions_def=filing_quarters,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def eightk_events(context: dg.AssetExecutionContext, lake: LakeResource) -> Iterable[Any]:
    """Items, press releases, earnings releases and news of every 8-K (and 8-K/A) of the run's quarters.

    Each 8-K is read from its full submission, else its primary HTML document, plus any ``-ex99`` press-release
    file stored with it. A document that cannot be parsed is logged and reported in the metadata; the other
    documents and filings are read. Nothing the filing does not state is filled in: a filing with no SEC
    metadata keeps a null filing date, acceptance time and URL.
    """
    quarters = context_quarters(context)
    store = lake.lake()
    filings, docs = quarter_filings(store, quarters)
    tickers = company_tickers(store)
    wanted = [f for f in filings if f["form"] in EIGHT_K_FORMS]
    rows: dict[str, list[dict[str, Any]]] = {spec.name: [] for spec in _TABLES}
    errors: list[str] = []
    progress = Progress("8-K filings", len(wanted), context.log.info)
    for filing in sorted(wanted, key=lambda f: f["filing_id"]):
        read = read_8k(store, filing, docs.get(filing["filing_id"], []))
        for error in read.errors:
            errors.append(f"{filing['filing_id']}: {error}")
            context.log.warning(f"8-K {filing['filing_id']}: {error}")
        for name, found in filing_rows(filing, read, tickers).items():
            rows[name].extend(found)
        progress.step()
    for spec in _TABLES:
        yield publish(
            store,
            spec,
            rows[spec.name],
            quarters=quarters,
            filings=len(wanted),
            errors="\n".join(errors) or "none",
            **progress.metadata(),
        )
