"""Helpers shared by the FinancialDatasets-compatible endpoints: tickers, dates, filters, pages, rows."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pyarrow as pa

from serving.context import row_cap
from serving.errors import ApiError, bad_param, not_found
from serving.query import Snapshot, Store

EASTERN = ZoneInfo("America/New_York")
PERIODS = ("annual", "quarterly", "ttm")


@dataclass(frozen=True)
class Companies:
    """The ``companies`` table as lookups: ticker -> CIK, CIK -> row (tickers upper-cased)."""

    cik_of: dict[str, int]
    row_of: dict[int, dict[str, Any]]


def build_companies(snap: Snapshot) -> Companies:
    """Index a ``companies`` snapshot (the first CIK listing a ticker wins)."""
    cik_of: dict[str, int] = {}
    row_of: dict[int, dict[str, Any]] = {}
    for row in snap.data.to_pylist():
        row_of[row["cik"]] = row
        for ticker in row.get("tickers") or ():
            cik_of.setdefault(ticker.upper(), row["cik"])
    return Companies(cik_of, row_of)


def companies(store: Store) -> Companies:
    """The company lookups of the current ``companies`` version."""
    return store.derived("companies", build_companies)


def ticker_of(store: Store, cik: int) -> str | None:
    """The first ticker of a CIK, or None."""
    row = companies(store).row_of.get(cik)
    tickers = (row or {}).get("tickers") or []
    return str(tickers[0]) if tickers else None


def need_ticker(ticker: str | None) -> str:
    """The upper-cased ticker, or a 400 when it is missing or malformed."""
    if not ticker or not ticker.strip():
        raise ApiError(400, "Please provide a valid ticker.", details={"parameter": "ticker"})
    value = ticker.strip().upper()
    if len(value) > 16 or not all(c.isalnum() or c in ".-" for c in value):
        raise bad_param("ticker", f"Invalid ticker {ticker!r}.")
    return value


def resolve_cik(store: Store, ticker: str | None, cik: str | int | None) -> tuple[int, str]:
    """(CIK, ticker label) of a ticker or CIK parameter; 400 when neither is given, 404 when unknown."""
    if cik not in (None, ""):
        try:
            number = int(str(cik))
        except ValueError:
            raise bad_param("cik", f"Invalid cik {cik!r}.") from None
        if number <= 0:
            raise bad_param("cik", f"Invalid cik {cik!r}.")
        return number, ticker_of(store, number) or (ticker or "").upper() or str(number)
    symbol = need_ticker(ticker)
    found = companies(store).cik_of.get(symbol)
    if found is None:
        raise not_found(f"Ticker {symbol} not found")
    return found, symbol


def parse_date(name: str, value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` parameter (a datetime prefix is accepted); 400 when malformed."""
    if value in (None, ""):
        return None
    assert value is not None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise bad_param(name, f"Invalid date for {name}: {value!r} (expected YYYY-MM-DD).") from None


def date_filters(
    column: str, params: Mapping[str, str | None], prefix: str
) -> list[tuple[str, str, dt.date]]:
    """(column, operator, date) filters from ``prefix``, ``prefix_gte`` ... parameters."""
    out = []
    for suffix, op in (("", "="), ("_gte", ">="), ("_lte", "<="), ("_gt", ">"), ("_lt", "<")):
        name = prefix + suffix
        value = parse_date(name, params.get(name))
        if value is not None:
            out.append((column, op, value))
    return out


def keep(value: Any, op: str, bound: Any) -> bool:
    """Whether ``value op bound`` holds (a null value never passes)."""
    if value is None:
        return False
    if op == "=":
        return bool(value == bound)
    if op == ">=":
        return bool(value >= bound)
    if op == "<=":
        return bool(value <= bound)
    if op == ">":
        return bool(value > bound)
    return bool(value < bound)


def apply_filters(
    rows: Iterable[dict[str, Any]], filters: Sequence[tuple[str, str, Any]]
) -> list[dict[str, Any]]:
    """The rows passing every (column, operator, value) filter."""
    return [r for r in rows if all(keep(r.get(c), op, v) for c, op, v in filters)]


def check_period(period: str | None, default: str = "ttm") -> str:
    """``period`` (annual, quarterly, ttm) or a 400."""
    value = (period or default).lower()
    if value not in PERIODS:
        raise bad_param("period", f"Invalid period {period!r}: use annual, quarterly or ttm.")
    return value


def check_limit(limit: int | None, default: int, maximum: int) -> int:
    """``limit`` within 1..maximum or a 400, then lowered to the caller's plan cap (:func:`row_cap`)."""
    value = default if limit is None else limit
    if value < 1 or value > maximum:
        raise bad_param("limit", f"limit must be between 1 and {maximum}, not {value}.")
    cap = row_cap()
    return min(value, cap) if cap else value


def check_list(name: str, values: Sequence[Any], cap: int) -> None:
    """A 400 when the request list ``name`` holds more than ``cap`` values (``API_MAX_LIST_VALUES``)."""
    if len(values) > cap:
        raise bad_param(name, f"{name} holds {len(values)} values; at most {cap} are accepted per request.")


def eastern(ts: dt.datetime | None) -> str | None:
    """A UTC timestamp as Eastern-time ISO text (FD's ``filing_datetime``), None stays None."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(EASTERN).isoformat()


def iso(value: Any) -> str | None:
    """A date/datetime as ISO text (None stays None)."""
    return None if value is None else value.isoformat()


def encode_offset(offset: int) -> str:
    """The opaque page cursor of a row offset."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_offset(cursor: str | None) -> int:
    """The row offset of a page cursor (0 without one); 400 when it is not ours."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        offset = int(number)
        if kind != "o" or offset < 0:
            raise ValueError(text)
    except (ValueError, UnicodeDecodeError):
        raise bad_param("cursor", "Invalid cursor.") from None
    return offset


def page(
    rows: Sequence[Any],
    *,
    offset: int,
    page_size: int,
    base_url: str,
    path: str,
    query: Sequence[tuple[str, str]],
) -> tuple[Sequence[Any], str | None]:
    """The page of ``rows`` at ``offset`` and the absolute URL of the next page (None on the last).

    A page holds at most the caller's plan cap (:func:`row_cap`); the next page continues after it.
    """
    cap = row_cap()
    page_size = min(page_size, cap) if cap else page_size
    chunk = rows[offset : offset + page_size]
    if offset + page_size >= len(rows):
        return chunk, None
    params = [(k, v) for k, v in query if k != "cursor"]
    params.append(("cursor", encode_offset(offset + page_size)))
    return chunk, f"{base_url}{path}?{urlencode(params)}"


def records(data: pa.Table, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``data`` as dicts (only ``columns`` when given)."""
    if columns is not None:
        data = data.select([c for c in columns if c in data.column_names])
    return data.to_pylist()
