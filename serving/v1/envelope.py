"""The /v1 envelope (data, meta, request_id), opaque keyset cursors and sorting.

A cursor encodes the sort field, the order and the last row's (sort value, key); the next page starts strictly
after that row. Cursors come back from clients, so they are decoded with types: the last row's values must have
the types of their columns (a number for a number column, an ISO date for a date column...) or the request is
a 400, never a comparison of a string with a number deep in the sort. Rows written between two requests therefore never shift a page (no row is skipped or served
twice); the table versions the first page was read at travel in the cursor for the record.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request, Response

from serving.context import JSON, context, row_cap, serve
from serving.errors import bad_param, request_id_of

T = TypeVar("T")
MAX_LIMIT = 1000


class Meta(msgspec.Struct):
    """Page metadata: rows in this page, the cursor of the next page and whether there is one."""

    count: int
    next_cursor: str | None
    has_more: bool


class Envelope(msgspec.Struct, Generic[T]):
    """Every /v1 list response."""

    data: list[T]
    meta: Meta
    request_id: str = ""


class Single(msgspec.Struct, Generic[T]):
    """Every /v1 single-object response."""

    data: T
    request_id: str = ""


class _Cursor(msgspec.Struct, array_like=True):
    sort_by: str
    order: str
    last: msgspec.Raw  # decoded against the column types of the page it continues (see decode_cursor)
    versions: list[int]


#: Any JSON scalar: the type of a cursor value whose column type is unknown and holds only nulls.
_SCALAR = str | int | float | bool | None


def _nullable(kind: Any) -> Any:
    """The cursor type of values of Python type ``kind`` (``X | None``; numbers are int or float); else None."""
    for base, cursor_type in (
        (bool, bool | None),
        (int, int | float | None),
        (float, int | float | None),
        (dt.datetime, dt.datetime | None),
        (dt.date, dt.date | None),
        (decimal.Decimal, decimal.Decimal | None),
        (str, str | None),
    ):
        if isinstance(kind, type) and issubclass(kind, base):
            return cursor_type
    return None


def cursor_types(struct: type[msgspec.Struct], **extra: type) -> dict[str, Any]:
    """The type of each column's cursor value: that of ``struct``'s field of that name (or of ``extra``).

    Pass it to :func:`paginate` as ``types``: a cursor is then checked against the columns' types even when
    the page it continues is empty.
    """
    out: dict[str, Any] = {}
    for name, annotation in [*((f.name, f.type) for f in msgspec.structs.fields(struct)), *extra.items()]:
        union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
        kinds = [k for k in typing.get_args(annotation) if k is not type(None)] if union else [annotation]
        found = _nullable(kinds[0]) if len(kinds) == 1 else None
        if found is not None:
            out[name] = found
    return out


def column_type(rows: Sequence[dict[str, Any]], column: str) -> Any:
    """The type a cursor value of ``column`` must decode to, from the column's values when no type is known.

    Arrow columns are homogeneous, so the first non-null value tells the type; a column with no values takes
    any JSON scalar (nulls sort apart from every value, so nothing is compared with it).
    """
    for row in rows:
        value = row.get(column)
        if value is not None:
            return _nullable(type(value)) or Any
    return _SCALAR


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def encode_cursor(sort_by: str, order: str, last: Sequence[Any], versions: Sequence[int]) -> str:
    """An opaque cursor (URL-safe base64 of a compact JSON array)."""
    values = msgspec.Raw(msgspec.json.encode([_plain(v) for v in last]))
    raw = msgspec.json.encode(_Cursor(sort_by, order, values, list(versions)))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort_by: str, order: str, types: Sequence[Any]) -> tuple[Any, ...]:
    """The last row's (sort value, key) of a cursor made for the same ``sort_by`` and ``order``; else 400.

    ``types`` are the types of those values (one per column, see :func:`column_type`): a cursor whose values
    are of other types, or of another count, is a 400 like any cursor that is not ours.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = msgspec.json.decode(raw, type=_Cursor)
    except (ValueError, msgspec.DecodeError):
        raise bad_param("cursor", "Invalid cursor.") from None
    if decoded.sort_by != sort_by or decoded.order != order:
        raise bad_param("cursor", "The cursor was made for another sort_by/order.")
    try:
        last: tuple[Any, ...] = msgspec.json.decode(decoded.last, type=tuple[tuple(types)])  # type: ignore[misc]
    except msgspec.DecodeError as exc:
        raise bad_param("cursor", f"Invalid cursor: {exc}.") from None
    return last


def check_sort(
    sort_by: str | None, order: str | None, allowed: Sequence[str], default: str
) -> tuple[str, str]:
    """(sort field, order) or a 400 naming the allowed fields."""
    field = sort_by or default
    if field not in allowed:
        raise bad_param("sort_by", f"sort_by must be one of {', '.join(allowed)}.")
    direction = (order or "desc").lower()
    if direction not in ("asc", "desc"):
        raise bad_param("order", "order must be asc or desc.")
    return field, direction


def check_limit(limit: int | None, default: int = 100) -> int:
    """``limit`` within 1..1000 or a 400, then lowered to the caller's plan cap (:func:`row_cap`)."""
    value = default if limit is None else limit
    if not 1 <= value <= MAX_LIMIT:
        raise bad_param("limit", f"limit must be between 1 and {MAX_LIMIT}, not {value}.")
    cap = row_cap()
    return min(value, cap) if cap else value


def _sortable(value: Any, order: str) -> tuple[int, Any]:
    """Sort key that puts nulls last in either order, whatever the value's type."""
    if value is None:
        return (-1 if order == "desc" else 1, "")
    if isinstance(value, dt.datetime | dt.date):
        return (0, value.isoformat())
    return (0, value)


def paginate(
    rows: Sequence[dict[str, Any]],
    *,
    sort_by: str,
    order: str,
    key: Sequence[str],
    limit: int,
    cursor: str | None,
    versions: Sequence[int],
    types: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], Meta]:
    """Sort ``rows`` by ``sort_by`` then ``key`` and return the page after ``cursor`` with its meta.

    ``types`` (:func:`cursor_types` of the row struct) are the column types a cursor's values must have
    (a column without one takes the type of its values in ``rows``); any other cursor is a 400.
    """

    def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(_sortable(row.get(c), order) for c in (sort_by, *key))

    ordered = sorted(rows, key=sort_key, reverse=order == "desc")
    if cursor:
        known = types or {}
        expected = [known[c] if c in known else column_type(rows, c) for c in (sort_by, *key)]
        last = tuple(_sortable(v, order) for v in decode_cursor(cursor, sort_by, order, expected))
        if order == "desc":
            ordered = [r for r in ordered if sort_key(r) < last]
        else:
            ordered = [r for r in ordered if sort_key(r) > last]
    chunk = ordered[:limit]
    has_more = len(ordered) > limit
    next_cursor = None
    if has_more:
        tail = chunk[-1]
        next_cursor = encode_cursor(sort_by, order, [tail.get(c) for c in (sort_by, *key)], versions)
    return chunk, Meta(len(chunk), next_cursor, has_more)


async def respond(
    request: Request[Any, Any, Any], tables: Sequence[str], compute: Callable[[], tuple[Any, int]]
) -> Response[Any]:
    """Serve a /v1 payload through the response cache, with this request's id spliced in."""
    response = await serve(request, tables, compute)
    body: bytes = response.content
    request_id = request_id_of(request)
    head = b'"request_id":""'
    if body.endswith(head + b"}"):
        body = body[: -len(head) - 1] + b'"request_id":' + msgspec.json.encode(request_id) + b"}"
    return Response(body, media_type=JSON, status_code=response.status_code)


def versions_of(request: Request[Any, Any, Any], tables: Sequence[str]) -> tuple[int, ...]:
    """Current versions of ``tables`` (carried in cursors)."""
    return context(request).store.versions(tables)
