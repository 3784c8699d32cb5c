"""What every handler reads: settings, the table store, the response cache and the access hook."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
import msgspec
from litestar import Request, Response

from lake.settings import Settings
from serving.access import ANONYMOUS, Access, Principal
from serving.query import ResponseCache, Store

JSON = "application/json"
T = TypeVar("T")

#: the caller's rows-per-response cap while :func:`serve` computes a response (None = no cap)
_ROW_CAP: ContextVar[int | None] = ContextVar("row_cap", default=None)


def row_cap() -> int | None:
    """The most rows one response may hold for the caller whose response is being computed (None = no cap).

    :func:`serve` sets it from the caller's plan around ``compute``; the paging helpers (``check_limit`` and
    ``page`` of both faces) and :func:`capped` read it, so no endpoint passes or forgets it.
    """
    return _ROW_CAP.get()


def capped(rows: Sequence[T]) -> list[T]:
    """The first :func:`row_cap` rows of an unpaginated list (all of them without a cap)."""
    cap = _ROW_CAP.get()
    return list(rows if cap is None else rows[:cap])


@dataclass
class Context:
    """The app's shared state (``app.state.ctx``).

    Attributes:
        settings: Run-time settings (public URL for links).
        store: In-memory table snapshots.
        cache: Serialized responses by request and table versions.
        access: Authentication/metering hook.
        page_size: Rows per page of paginated FinancialDatasets lists (next_page_url beyond).
    """

    settings: Settings
    store: Store
    cache: ResponseCache
    access: Access
    page_size: int = 1000


def context(request: Request[Any, Any, Any]) -> Context:
    """The app's :class:`Context`."""
    ctx: Context = request.app.state.ctx
    return ctx


def principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller (set by the access middleware)."""
    value = request.scope.get("state", {}).get("principal")
    return value if isinstance(value, Principal) else ANONYMOUS


def set_rows(request: Request[Any, Any, Any], rows: int) -> None:
    """Record how many rows the response holds (metered by the access middleware)."""
    request.scope.setdefault("state", {})["rows"] = rows


Computed = tuple[Any, int]


def cache_key(method: str, path: str, query: bytes, extra: Hashable, max_rows: int | None) -> Hashable:
    """The response-cache key of a request (path without trailing slash; ``extra`` = e.g. a POST body)."""
    return (method, path.rstrip("/"), query, extra, max_rows)


async def serve(
    request: Request[Any, Any, Any],
    tables: Sequence[str],
    compute: Callable[[], Computed],
    *,
    key: Hashable = None,
    status_code: int = 200,
) -> Response[Any]:
    """Answer from the response cache, or run ``compute`` in a worker thread and cache its encoding.

    The cache key is the request (method, path without trailing slash, query string, ``key``, the caller's
    row cap); an entry is served only while ``tables`` are at the versions it was computed from. ``compute``
    returns (payload Struct, rows) and may raise ``ApiError``; it runs with :func:`row_cap` set to the caller's
    plan cap. (GET requests of the FinancialDatasets face are usually answered from this cache by the
    middleware before reaching the handler.)
    """
    ctx = context(request)
    cap = principal(request).max_rows
    ckey = cache_key(request.method, request.url.path, request.scope["query_string"], key, cap)
    hit = ctx.cache.lookup(ckey, ctx.store)
    if hit is not None:
        set_rows(request, hit.rows)
        return Response(hit.body, media_type=JSON, status_code=status_code)

    def run() -> tuple[bytes, int, tuple[int, ...]]:
        current = ctx.store.versions(tables)
        token = _ROW_CAP.set(cap)
        try:
            payload, rows = compute()
        finally:
            _ROW_CAP.reset(token)
        return msgspec.json.encode(payload), rows, current

    body, rows, current = await anyio.to_thread.run_sync(run)
    ctx.cache.put(ckey, tables, current, body, rows, request.scope.get("path_template"))
    set_rows(request, rows)
    return Response(body, media_type=JSON, status_code=status_code)
