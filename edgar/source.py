"""Where EDGAR documents come from: the live SEC or the offline mirror, behind one interface.

Both sources answer SEC URL paths (``/submissions/CIK0000320193.json``,
``/Archives/edgar/daily-index/2020/QTR1/form.20200318.idx``...). Callers never branch on the mode, except
discovery: the offline mirror also has documents that no index lists (see :mod:`edgar.inventory`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Literal, Protocol

from edgar import urls
from edgar.errors import DocumentNotFound, SecNotFound
from edgar.mirror import NotInMirror, read

Mode = Literal["offline", "live"]


class EdgarSource(Protocol):
    """A source of SEC documents addressed by SEC URL path."""

    mode: Mode

    def get(self, path: str) -> bytes:
        """Return the complete body of the document at ``path``.

        Raises:
            DocumentNotFound: the source has no such document.
            SecHttpError: (live) the SEC could not be reached after retries.
        """
        ...


class OfflineSource:
    """The offline mirror (``<shared>/edgar``) answering SEC URL paths."""

    mode: Mode = "offline"

    def __init__(self, root: Path) -> None:
        """Serve the mirror at ``root``; raises ``FileNotFoundError`` with advice when it is missing."""
        if not root.is_dir():
            raise FileNotFoundError(
                f"offline EDGAR mirror not found at {root}; set AIHF_SHARED_DIR to the folder that holds edgar/"
            )
        self.root = root

    def get(self, path: str) -> bytes:
        """Return the mirror's body for ``path`` (see :func:`edgar.mirror.read`)."""
        try:
            return read(self.root, path)
        except NotInMirror as exc:
            raise DocumentNotFound(str(exc)) from exc


class LiveSource:
    """www.sec.gov and data.sec.gov through a rate-limited, retrying HTTP client."""

    mode: Mode = "live"

    def __init__(
        self,
        fetch: Callable[[str], bytes],
        *,
        www_url: str,
        data_url: str,
        fetch_many: Callable[..., Iterator[tuple[str, bytes | Exception]]] | None = None,
    ) -> None:
        """Use ``fetch(url) -> bytes`` (a :class:`edgar.http.SecHttpClient`'s ``get``) on the two SEC hosts.

        ``fetch_many`` (the client's ``get_many``) fetches several documents at once; without it
        :meth:`get_many` fetches one after the other.
        """
        self._fetch = fetch
        self._fetch_many = fetch_many
        self.www_url = www_url.rstrip("/")
        self.data_url = data_url.rstrip("/")

    def url(self, path: str) -> str:
        """Absolute URL of an SEC path on the host that serves it."""
        return (self.data_url if urls.is_data_host_path(path) else self.www_url) + path

    def get(self, path: str) -> bytes:
        """GET ``path`` from the SEC host that serves it."""
        try:
            return self._fetch(self.url(path))
        except SecNotFound as exc:
            raise DocumentNotFound(str(exc)) from exc

    def get_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes | Exception]]:
        """``(path, body or the error get(path) would raise)`` for each path, in the order of ``paths``.

        Several requests are in flight at once (the client's ``max_in_flight``); bodies are yielded as soon as
        they and the ones before them have arrived, so at most a few wait in memory.
        """
        if self._fetch_many is None:
            for path in paths:
                try:
                    yield path, self.get(path)
                except Exception as exc:
                    yield path, exc
            return
        by_url: dict[str, list[str]] = {}

        def urls() -> Iterator[str]:
            for path in paths:
                url = self.url(path)
                by_url.setdefault(url, []).append(path)
                yield url

        for url, result in self._fetch_many(urls(), ordered=True):
            path = by_url[url].pop(0)
            if not by_url[url]:
                del by_url[url]
            if isinstance(result, SecNotFound):
                yield path, DocumentNotFound(str(result))
            else:
                yield path, result


def company_tickers(source: EdgarSource) -> bytes:
    """The SEC's ticker -> CIK map (``company_tickers.json``)."""
    return source.get(urls.company_tickers_path())


def submissions_pages(source: EdgarSource, cik: int) -> list[tuple[str, bytes]]:
    """A filer's submissions feed: the main document, then each overflow page it lists that the source has.

    Returns ``(path, body)`` pairs. A missing overflow page is skipped (the mirror holds only some of them);
    a missing main document raises :class:`DocumentNotFound`.
    """
    main_path = urls.submissions_path(cik)
    main = source.get(main_path)
    pages = [(main_path, main)]
    files = json.loads(main).get("filings", {}).get("files", [])
    for page in range(1, len(files) + 1):
        path = urls.submissions_path(cik, page)
        try:
            pages.append((path, source.get(path)))
        except DocumentNotFound:
            continue
    return pages


def daily_index(source: EdgarSource, day: date, kind: str = "form") -> tuple[str, bytes]:
    """The EDGAR daily ``form`` (or ``company``) index of ``day`` as ``(path, body)``."""
    path = urls.daily_index_path(day, kind)
    return path, source.get(path)


def full_submission(source: EdgarSource, cik: int, accession: str) -> tuple[str, bytes]:
    """A filing's complete SGML submission text as ``(path, body)``."""
    path = urls.full_submission_path(cik, accession)
    return path, source.get(path)
