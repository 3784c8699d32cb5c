"""Live filings fetched document by document (``EDGAR_FETCH=documents``), and the rows of stored documents.

Per filing: its ``{accession}-index-headers.html`` (the SGML header and the document list: the filing's identity,
acceptance time included, exactly as its full submission states it), then only the documents
:func:`edgar.parse.filing_index.select_documents` picks, several in flight through ``source.get_many`` (the
shared token bucket). Each is stored once, content-addressed (``store.put_object``); there is no container copy.
The header page is stored too (kind ``filing-index``), so a re-run rebuilds a filing from the lake without a
request: a document whose row and object are already stored is read from the lake, not fetched again.

Parsers of whole submissions (8-K header items, exhibit list and press releases; a 13F's cover and table) read
the submission rebuilt in memory from the stored index page and documents (:func:`stored_submission`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from assets.edgar.batches import filing_directory, objects_by_name
from edgar import urls
from edgar.errors import EdgarError
from edgar.identity import FilingIdentity, identity_from_sgml
from edgar.parse.detect import HEAD_BYTES, detect_kind
from edgar.parse.filing_index import assemble_submission, parse_index_headers, select_documents
from edgar.parse.sgml import parse_sgml_submission
from edgar.source import EdgarSource
from lake.storage import Lake
from lake.tables import FILING_QUARTER

#: ``raw_documents.kind`` of a stored ``-index-headers.html`` page
INDEX_KIND = "filing-index"


def fetch_mode(setting: str, form: str | None, full_forms: Iterable[str] = ()) -> str:
    """``documents`` or ``full``: how a live filing of ``form`` is fetched under ``EDGAR_FETCH=setting``.

    ``full_forms`` (``EDGAR_FETCH_FULL_FORMS``) are fetched whole in both modes: one request, where documents
    mode makes one per parsed document plus the index page (8-K and 13F parsers read the submission either way).
    """
    return "full" if setting == "full" or (form or "") in set(full_forms) else "documents"


def doc_row(
    store: Lake,
    directory: str,
    filing_id: str,
    cik: int | None,
    quarter: str,
    name: str,
    data: bytes,
    **extra: Any,
) -> dict[str, Any]:
    """Store ``data`` content-addressed under ``directory`` and return its ``raw_documents`` row."""
    stored = store.put_object(directory, name, data)
    return {
        "filing_id": filing_id,
        "name": name,
        "cik": cik,
        "sequence": extra.get("sequence"),
        "doc_type": extra.get("doc_type"),
        "description": extra.get("description"),
        "kind": extra.get("kind") or detect_kind(name, data[:HEAD_BYTES]),
        "sha256": stored.sha256,
        "size": len(data),
        "object_key": stored.key,
        "container": extra.get("container"),
        "source": extra.get("source"),
        FILING_QUARTER: quarter,
    }


def stored_submission(store: Lake, docs: list[dict[str, Any]]) -> tuple[str, bytes] | None:
    """A documents-mode filing's submission rebuilt in memory from its stored documents, as ``(name, bytes)``.

    For the parsers of whole submissions (8-K, 13F): the stored ``-index-headers.html`` with each stored
    document's bytes in its ``<TEXT>``; ``name`` is the full submission's (``{accession}.txt``). None when the
    filing was not fetched document by document (no stored index page).
    """
    page = next((d for d in docs if d["kind"] == INDEX_KIND), None)
    if page is None:
        return None
    bodies = {
        d["name"]: store.get_object(d["object_key"]) for d in docs if d is not page and d["container"] is None
    }
    name = page["name"].removesuffix("-index-headers.html") + ".txt"
    return name, assemble_submission(store.get_object(page["object_key"]), bodies)


@dataclass
class Fetched:
    """One filing stored document by document: identity, rows, errors, bytes read and requests made."""

    identity: FilingIdentity
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    nbytes: int = 0
    requests: int = 0


def _stored(store: Lake, plan: Any, docs: list[dict[str, Any]]) -> dict[str, str]:
    """Source path -> object key of the filing's documents already in the object store (one folder listing).

    Documents with an intact row (object present with the row's size), and objects a killed run wrote before it
    could commit their rows: objects are content-addressed and written whole or not at all, so an object named
    like a document of this filing is that document as the SEC served it (see :func:`objects_by_name`).
    """
    cik, accession = plan.identity.cik, plan.identity.accession
    directory = filing_directory(cik, plan.filing_id())
    sizes = store.object_sizes(directory)
    keys = {
        d["source"]: d["object_key"] for d in docs if d["source"] and sizes.get(d["object_key"]) == d["size"]
    }
    if cik is not None and accession:
        for name, key in objects_by_name(directory, sizes).items():
            keys.setdefault(urls.document_path(cik, accession, name), key)
    return keys


def _store_one(
    store: Lake, plan: Any, identity: FilingIdentity, stored: dict[str, str], fetch: Any
) -> Fetched:
    cik, accession = plan.identity.cik, plan.identity.accession
    filing_id, quarter = plan.filing_id(), plan.identity.filing_quarter or ""
    directory = filing_directory(cik, filing_id)
    out = Fetched(identity=identity)
    header_path = urls.index_headers_path(cik, accession)

    def get(paths: list[str]) -> Iterator[tuple[str, bytes | Exception]]:
        new = [p for p in paths if p not in stored]
        out.requests += len(new)
        fetched = fetch(new) if new else iter(())
        for path in paths:
            yield (path, store.get_object(stored[path])) if path in stored else next(fetched)

    path, header = next(get([header_path]))
    if isinstance(header, Exception):
        out.errors.append(f"{path}: {header}")
        return out
    out.nbytes += len(header)
    try:
        sub = parse_index_headers(header, path)
    except EdgarError as exc:
        out.errors.append(str(exc))
        return out
    out.identity = identity_from_sgml(sub)
    name = path.rsplit("/", 1)[1]
    out.rows.append(
        doc_row(store, directory, filing_id, cik, quarter, name, header, kind=INDEX_KIND, source=path)
    )
    listed = {d.filename: d for d in sub.documents if d.filename}
    names = select_documents(sub.form, sub.documents)
    for (path, body), name in zip(
        get([urls.document_path(cik, accession, n) for n in names]), names, strict=True
    ):
        if isinstance(body, Exception):
            out.errors.append(f"{path}: {body}")
            continue
        out.nbytes += len(body)
        doc = listed[name]
        extra = {"sequence": doc.sequence, "doc_type": doc.type, "description": doc.description}
        out.rows.append(doc_row(store, directory, filing_id, cik, quarter, name, body, source=path, **extra))
    return out


def fetch_documents(
    source: EdgarSource, store: Lake, plans: Sequence[Any], old_docs: dict[str, list[dict[str, Any]]]
) -> Iterator[Fetched]:
    """Store each plan's selected documents, in plan order; one :class:`Fetched` per plan.

    The index-headers pages of the coming filings are fetched ahead (``source.get_many``), each filing's
    documents several at once. Documents already stored for the filing (intact rows in ``old_docs``, or objects
    a killed run wrote before committing their rows, see :func:`_stored`) are read from the lake instead.
    """
    stored: dict[str, dict[str, str]] = {}

    def stored_of(plan: Any) -> dict[str, str]:
        # listed lazily, as the fetch window reaches the filing
        if plan.filing_id() not in stored:
            stored[plan.filing_id()] = _stored(store, plan, old_docs.get(plan.filing_id(), []))
        return stored[plan.filing_id()]

    headers = {p.filing_id(): urls.index_headers_path(p.identity.cik, p.identity.accession) for p in plans}
    ahead = source.get_many(  # type: ignore[attr-defined]
        headers[p.filing_id()] for p in plans if headers[p.filing_id()] not in stored_of(p)
    )
    for plan in plans:
        fid = plan.filing_id()

        def fetch(paths: list[str], fid: str = fid) -> Iterator[tuple[str, bytes | Exception]]:
            if paths == [headers[fid]]:
                return iter([next(ahead)])
            return source.get_many(paths)  # type: ignore[attr-defined]

        yield _store_one(store, plan, plan.identity, stored_of(plan), fetch)


def _sgml_documents(data: bytes, name: str) -> Iterable[tuple[str, bytes, dict[str, Any]]]:
    sub = parse_sgml_submission(data, name)
    for i, doc in enumerate(sub.documents, start=1):
        body = doc.decoded if doc.uuencoded and doc.decoded is not None else doc.body
        doc_name = doc.filename or f"{doc.sequence or i}-{doc.type}.txt"
        yield (
            doc_name,
            body,
            {
                "sequence": doc.sequence,
                "doc_type": doc.type,
                "description": doc.description,
                "container": name,
            },
        )


def store_filing(
    store: Lake, plan: Any, read: Any
) -> tuple[FilingIdentity, list[dict[str, Any]], list[str], int]:
    """Store every document of one filing; return its (final) identity, document rows, errors and bytes read.

    ``read(path) -> bytes`` reads a mirror file or fetches an SEC path. An unreadable or unparsable document
    is an error of this filing only; the documents that could be stored are kept.
    """
    identity = plan.identity
    filing_id = plan.filing_id()
    quarter = identity.filing_quarter or ""
    rows: list[dict[str, Any]] = []
    errors: list[str] = [f"{e.path}: {e.error}" for e in plan.entries if e.error]
    nbytes = 0
    sources_: list[tuple[str, str]] = [(e.path, e.kind) for e in plan.entries]
    if plan.sec_path:
        sources_ = [(plan.sec_path, "sgml-submission")]
    directory = filing_directory(identity.cik, filing_id)
    for path, kind in sources_:
        name = PurePosixPath(path).name
        try:
            data = read(path)
        except EdgarError as exc:
            errors.append(f"{path}: {exc}")
            continue
        nbytes += len(data)
        rows.append(doc_row(store, directory, filing_id, identity.cik, quarter, name, data, source=path))
        if kind != "sgml-submission":
            continue
        try:
            if plan.sec_path:
                identity = identity_from_sgml(parse_sgml_submission(data, name))
            for doc_name, body, extra in _sgml_documents(data, name):
                rows.append(
                    doc_row(
                        store,
                        directory,
                        filing_id,
                        identity.cik,
                        quarter,
                        doc_name,
                        body,
                        source=path,
                        **extra,
                    )
                )
        except EdgarError as exc:
            errors.append(str(exc))
    unique = {r["name"]: r for r in rows}
    return identity, list(unique.values()), errors, nbytes


def prefetched(path: str, fetched: tuple[str, bytes | Exception]) -> Any:
    """A ``read`` for :func:`store_filing` that returns (or raises) what was fetched for ``path``."""
    got_path, result = fetched
    assert got_path == path, (got_path, path)

    def read(wanted: str) -> bytes:
        assert wanted == path, (wanted, path)
        if isinstance(result, Exception):
            raise result
        return result

    return read


def lake_reader(store: Lake, path: str, key: str) -> Any:
    """A ``read`` for :func:`store_filing` that returns the stored object ``key`` for ``path``."""

    def read(wanted: str) -> bytes:
        assert wanted == path, (wanted, path)
        return store.get_object(key)

    return read
