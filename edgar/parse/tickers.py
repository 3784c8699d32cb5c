"""The SEC ticker map (``www.sec.gov/files/company_tickers.json``)."""

from __future__ import annotations

import msgspec

from edgar.errors import ParseError


class TickerEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One ticker of the SEC ticker map.

    Attributes:
        cik: Central Index Key of the company.
        ticker: exchange ticker symbol (one company may have several entries).
        title: company name as the SEC spells it.
    """

    cik: int
    ticker: str
    title: str


class _RawTicker(msgspec.Struct, frozen=True):
    cik_str: int
    ticker: str
    title: str


def parse_company_tickers(data: bytes, source: str = "company_tickers.json") -> list[TickerEntry]:
    """Parse ``company_tickers.json`` (an object ``{"0": {"cik_str", "ticker", "title"}, ...}``).

    Args:
        data: the raw JSON bytes.
        source: name used in error messages.

    Returns:
        The entries in the file's order (by the numeric key).

    Raises:
        ParseError: the JSON is malformed or an entry lacks a field.
    """
    try:
        raw = msgspec.json.decode(data, type=dict[str, _RawTicker])
    except msgspec.DecodeError as exc:
        raise ParseError(source, f"not a ticker map: {exc}") from exc
    try:
        keys = sorted(raw, key=int)
    except ValueError as exc:
        raise ParseError(source, f"non-numeric key in ticker map: {exc}") from exc
    return [TickerEntry(cik=raw[k].cik_str, ticker=raw[k].ticker, title=raw[k].title) for k in keys]
