"""The HTTP provider: daily bars from a FinancialDatasets-shaped JSON API.

Requests (header ``X-API-KEY`` when a key is set):

- ``GET {base}/prices/tickers/`` -> ``{"tickers": ["AAPL", ...]}``
- ``GET {base}/prices/?ticker=AAPL&interval=day&interval_multiplier=1&start_date=YYYY-MM-DD&end_date=YYYY-MM-DD``
  -> ``{"ticker": "AAPL", "prices": [{"time": "2024-03-08T05:00:00Z", "open": 1.0, "high": 1.0, "low": 1.0,
  "close": 1.0, "volume": 100}, ...]}`` (``adj_close`` optional per bar). The bar's date is the date part of
  ``time`` as written. 404 = unknown ticker.

Each request has a timeout; timeouts, connection errors, 429 and 5xx are retried with exponential backoff, then
raised as :class:`~lake.prices.provider.PriceError` naming the URL; a truncated or malformed body is an error,
never a short series.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

import pyarrow as pa

from lake.prices.provider import PriceError, UnknownTicker, bars_table, check_ticker

#: Bounds asked for when the caller gives none (the API requires both).
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpProvider:
    """Daily bars from ``base_url`` (FinancialDatasets' ``/prices/`` shape)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        adjusted_as_of: date | None = None,
        timeout_s: float = 10.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        """Talk to ``base_url``; ``adjusted_as_of`` states the API's series adjustment (None = raw prices)."""
        if not base_url.startswith(("http://", "https://")):
            raise PriceError(f"price API URL must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.adjusted_as_of = adjusted_as_of
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.name = f"http:{urllib.parse.urlsplit(self.base_url).netloc}"

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET ``path`` and decode its JSON body, retrying transient failures."""
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        headers = {"Accept": "application/json", "User-Agent": "aihf-prices"}
        if self.api_key:
            headers["X-API-KEY"] = self.api_key
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, headers=headers), timeout=self.timeout_s
                ) as response:
                    body = response.read()
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:200].decode("utf-8", "replace")
                if exc.code == 404:
                    raise UnknownTicker(f"{url}: 404 not found ({detail})") from exc
                if exc.code not in _RETRY_STATUS:
                    raise PriceError(f"{url}: HTTP {exc.code} ({detail})") from exc
                last = f"HTTP {exc.code} ({detail})"
                continue
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                # connection refused/reset, timeout, or a body cut short of its Content-Length (IncompleteRead)
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
                continue
            try:
                return json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PriceError(f"{url}: response is not valid JSON ({exc}; {len(body)} bytes)") from exc
        raise PriceError(f"{url}: failed after {self.max_retries + 1} attempt(s): {last}")

    def tickers(self) -> list[str]:
        """The tickers ``/prices/tickers/`` lists, upper case, sorted."""
        payload = self._get("/prices/tickers/")
        names = payload.get("tickers") if isinstance(payload, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise PriceError(f"{self.base_url}/prices/tickers/: expected {{'tickers': [str, ...]}}")
        return sorted({n.strip().upper() for n in names})

    def fetch(self, ticker: str, start: date | None = None, end: date | None = None) -> pa.Table:
        """The bars of ``ticker`` between ``start`` and ``end`` (inclusive), in the ``prices`` schema."""
        name = check_ticker(ticker)
        params = {
            "ticker": name,
            "interval": "day",
            "interval_multiplier": "1",
            "start_date": (start or EARLIEST).isoformat(),
            "end_date": (end or LATEST).isoformat(),
        }
        payload = self._get("/prices/", params)
        bars = payload.get("prices") if isinstance(payload, dict) else None
        if not isinstance(bars, list):
            raise PriceError(f"{name} ({self.name}): response has no 'prices' list")
        return bars_table(
            name,
            parse_bars(name, bars),
            source=self.name,
            adjusted_as_of=self.adjusted_as_of,
            start=start,
            end=end,
        )


def parse_bars(ticker: str, bars: list[Any]) -> pa.Table:
    """FD ``Price`` objects -> the bar columns (``date`` from ``time``; ``adj_close`` null when absent).

    Raises:
        PriceError: a bar is not an object, lacks a field, or has a value of the wrong type (its index is named).
    """
    columns: dict[str, list[Any]] = {
        k: [] for k in ("date", "open", "high", "low", "close", "adj_close", "volume")
    }
    for i, bar in enumerate(bars):
        try:
            if not isinstance(bar, dict):
                raise TypeError("not an object")
            columns["date"].append(date.fromisoformat(str(bar["time"])[:10]))
            for key in ("open", "high", "low", "close"):
                columns[key].append(_number(bar[key]))
            adj = bar.get("adj_close")
            columns["adj_close"].append(None if adj is None else _number(adj))
            volume = bar["volume"]
            if isinstance(volume, bool) or not isinstance(volume, int | float) or volume != int(volume):
                raise TypeError(f"volume {volume!r} is not an integer")
            columns["volume"].append(int(volume))
        except (KeyError, TypeError, ValueError) as exc:
            raise PriceError(
                f"{ticker}: bar {i} is malformed ({type(exc).__name__}: {exc}): {bar!r:.200}"
            ) from exc
    return pa.table(
        {
            "date": pa.array(columns["date"], pa.date32()),
            **{k: pa.array(columns[k], pa.float64()) for k in ("open", "high", "low", "close", "adj_close")},
            "volume": pa.array(columns["volume"], pa.int64()),
        }
    )


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return float(value)
