"""Stock splits and split factors: converting share counts reported in filings into a price series' units.

A split-adjusted series (``adjusted_as_of`` = A) states every price and volume in the share units of day A. A
share count reported as of day D is in the units of day D; to put it into the series' units multiply it by

    split_factor(D) = prod(ratio of splits with D < ex_date <= A) / prod(ratio of splits with A < ex_date <= D)

e.g. AAPL (A = 2024-03-08): 4.0 from 2014-06-09 until 2020-08-30, 28.0 before 2014-06-09, 1.0 from 2020-08-31;
NVDA after its 2024-06-10 10:1 split: 0.1. A raw series (A = None) has factor 1.0: pair a raw count with a
raw price of the same side of any split. ``shares_in_series_units * close`` is then a market cap in consistent
units on any date of the series.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lake.prices.provider import TICKER

#: XBRL concepts that state a split ratio (new shares per old share) in a filing.
SPLIT_CONCEPTS = (
    "us-gaap:StockholdersEquityNoteStockSplitConversionRatio1",
    "us-gaap:StockholdersEquityNoteStockSplitConversionRatio",
)


@dataclass(frozen=True)
class Split:
    """One split: ``ratio`` new shares per old share from ``ex_date`` (a ``splits`` row)."""

    ticker: str
    ex_date: date
    ratio: float
    cik: int | None = None
    source: str = "override"
    accession: str | None = None
    note: str | None = None

    def row(self) -> dict[str, Any]:
        """The ``splits`` table row."""
        return {
            "ticker": self.ticker,
            "ex_date": self.ex_date,
            "cik": self.cik,
            "ratio": self.ratio,
            "source": self.source,
            "accession": self.accession,
            "note": self.note,
        }


def parse_ratio(text: str) -> float:
    """``"4"``, ``"4:1"``, ``"3:2"``, ``"1:10"`` or ``"1.5"`` -> new shares per old share.

    Raises:
        ValueError: not a positive ratio.
    """
    new, sep, old = text.strip().partition(":")
    try:
        value = Fraction(new.strip()) / (Fraction(old.strip()) if sep else 1)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"ratio {text!r} is not N, N:M or a decimal") from exc
    if value <= 0:
        raise ValueError(f"ratio {text!r} must be positive")
    return float(value)


def parse_overrides(text: str, source: str = "splits overrides") -> list[Split]:
    """The override CSV (``ticker,ex_date,ratio,note``); a bad row raises ``ValueError`` naming its line."""
    rows = csv.DictReader(io.StringIO(text))
    missing = {"ticker", "ex_date", "ratio"} - set(rows.fieldnames or ())
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    splits: dict[tuple[str, date], Split] = {}
    for line, row in enumerate(rows, start=2):
        ticker = (row.get("ticker") or "").strip().upper()
        if not TICKER.match(ticker):
            raise ValueError(f"{source} line {line}: bad ticker {ticker!r}")
        try:
            ex_date = date.fromisoformat((row.get("ex_date") or "").strip())
        except ValueError as exc:
            raise ValueError(f"{source} line {line}: ex_date must be YYYY-MM-DD") from exc
        try:
            ratio = parse_ratio(row.get("ratio") or "")
        except ValueError as exc:
            raise ValueError(f"{source} line {line}: {exc}") from exc
        if (ticker, ex_date) in splits:
            raise ValueError(f"{source} line {line}: {ticker} {ex_date} is listed twice")
        note = (row.get("note") or "").strip() or None
        splits[(ticker, ex_date)] = Split(ticker, ex_date, ratio, source="override", note=note)
    return sorted(splits.values(), key=lambda s: (s.ticker, s.ex_date))


def splits_from_facts(
    facts: Iterable[Mapping[str, Any]],
    tickers: Mapping[int, str],
    *,
    source: str = "filing",
    window_days: int = 400,
) -> list[Split]:
    """Splits tagged in filings: one per company, ratio and cluster of dates that state it.

    ``facts`` are ``facts`` rows of :data:`SPLIT_CONCEPTS` (numeric, no dimensions). XBRL states no ex-date:
    the date taken is the end of the fact's period (an instant's date), near the split (the approval, record or
    ex-date, or the end of the month or quarter of the split); an override row with the exact date wins (see
    :func:`merge_splits`). Later filings restate a split: facts of the same ratio within ``window_days`` of the
    first are one split, dated by the earliest. Facts of companies without a ticker are skipped.
    """
    dated: dict[tuple[str, float], list[Split]] = {}
    for fact in facts:
        ratio, when, cik = fact.get("value_num"), fact.get("period_end"), fact.get("cik")
        if fact.get("dimensions") or ratio is None or ratio <= 0 or when is None or cik is None:
            continue
        if cik not in tickers:
            continue
        concept = str(fact.get("concept") or "").split(":")[-1]
        split = Split(
            tickers[cik],
            when,
            float(ratio),
            cik=cik,
            source=source,
            accession=fact.get("accession"),
            note=f"{concept} in {fact.get('form') or 'a filing'} {fact.get('accession') or ''}".rstrip()
            + "; ex-date approximated by the fact's period end",
        )
        dated.setdefault((split.ticker, split.ratio), []).append(split)
    found: list[Split] = []
    for group in dated.values():
        group.sort(key=lambda s: (s.ex_date, s.accession or ""))
        first = group[0]
        found.append(first)
        for split in group[1:]:
            if (split.ex_date - first.ex_date).days > window_days:
                first = split
                found.append(first)
    return sorted(found, key=lambda s: (s.ticker, s.ex_date))


def companyfacts_split_facts(payload: bytes | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The split-ratio facts of an SEC companyfacts JSON (``/api/xbrl/companyfacts/CIK##########.json``).

    Returned as ``facts``-like rows (cik, accession, form, concept, value_num, period_end) for
    :func:`splits_from_facts`; a payload that is not companyfacts JSON gives none.
    """
    import json

    try:
        data = json.loads(payload) if isinstance(payload, bytes | bytearray) else payload
        cik = int(data["cik"])
        taxonomies = data["facts"]
    except (ValueError, KeyError, TypeError):
        return []
    rows: list[dict[str, Any]] = []
    for name in SPLIT_CONCEPTS:
        prefix, concept = name.split(":")
        units = (taxonomies.get(prefix) or {}).get(concept, {}).get("units", {})
        for values in units.values():
            for v in values:
                try:
                    rows.append(
                        {
                            "cik": cik,
                            "accession": v.get("accn"),
                            "form": v.get("form"),
                            "concept": name,
                            "value_num": float(v["val"]),
                            "period_end": date.fromisoformat(v["end"]),
                            "dimensions": [],
                        }
                    )
                except (KeyError, TypeError, ValueError):
                    continue
    return rows


def merge_splits(
    overrides: Sequence[Split], filed: Sequence[Split], ciks: Mapping[str, int], *, window_days: int = 400
) -> list[Split]:
    """Overrides plus the filing splits they do not already cover; CIKs filled from ``ciks`` (ticker -> CIK).

    A filing split is covered by an override of the same ticker and ratio whose ex-date is at most
    ``window_days`` from the filing split's date (XBRL dates a split by its approval, record or ex-date, or the
    end of its month or quarter); the override's note then names the filing that confirms it.
    """
    merged = [replace(s, cik=s.cik or ciks.get(s.ticker)) for s in overrides]
    for split in filed:
        matches = [
            i
            for i, o in enumerate(merged)
            if o.ticker == split.ticker
            and abs(o.ratio - split.ratio) < 1e-9
            and abs((split.ex_date - o.ex_date).days) <= window_days
        ]
        if matches:
            o = merged[matches[0]]
            note = f"{o.note + '; ' if o.note else ''}confirmed by {split.source} {split.accession}"
            merged[matches[0]] = replace(o, note=note, accession=o.accession or split.accession)
        else:
            merged.append(split)
    return sorted(merged, key=lambda s: (s.ticker, s.ex_date))


def split_factor(splits: Iterable[Split], adjusted_as_of: date | None, day: date) -> float:
    """Factor that turns a share count as of ``day`` into the units of a series adjusted as of ``adjusted_as_of``."""
    if adjusted_as_of is None:
        return 1.0
    factor = Fraction(1)
    for s in splits:
        ratio = Fraction(s.ratio).limit_denominator(10_000)
        if day < s.ex_date <= adjusted_as_of:
            factor *= ratio
        elif adjusted_as_of < s.ex_date <= day:
            factor /= ratio
    return float(factor)


def split_factors(
    dates: pa.Array | pa.ChunkedArray, splits: Sequence[Split], adjusted_as_of: date | None
) -> pa.Array:
    """:func:`split_factor` for every date of one ticker's bars (float64, same order)."""
    factors = pa.array([1.0] * len(dates), pa.float64())
    if adjusted_as_of is None:
        return factors
    for s in splits:
        ex = pa.scalar(s.ex_date, pa.date32())
        if s.ex_date <= adjusted_as_of:
            hit = pc.less(dates, ex)
            factors = pc.if_else(hit, pc.multiply(factors, s.ratio), factors)
        else:
            hit = pc.greater_equal(dates, ex)
            factors = pc.if_else(hit, pc.divide(factors, s.ratio), factors)
    return factors.combine_chunks() if isinstance(factors, pa.ChunkedArray) else factors


def volume_evidence(
    bars: pa.Table, ex_date: date, factor_before: float, window: int = 30
) -> tuple[int, int, int, int]:
    """How a split shows in a split-adjusted series: ``(before_ok, before_n, after_ok, after_n)``.

    Exchanges report volume in whole round lots of 100 shares (on these dates), and a split-adjusted series
    multiplies the raw volume by the cumulative factor: so each of the ``window`` sessions before the ex-date has
    a volume divisible by ``100 * factor_before``, and after the ex-date (where the factor is ``factor_before /
    ratio``) most are not. ``bars`` are one ticker's ``date``/``volume`` columns, sorted by date.
    """
    ex = pa.scalar(ex_date, pa.date32())
    volumes = bars.column("volume")
    before = volumes.filter(pc.less(bars.column("date"), ex)).to_pylist()[-window:]
    after = volumes.filter(pc.greater_equal(bars.column("date"), ex)).to_pylist()[:window]
    unit = 100 * Fraction(factor_before).limit_denominator(10_000)

    def ok(values: list[int | None]) -> int:
        return sum(1 for v in values if v is not None and (Fraction(v) / unit).denominator == 1)

    return ok(before), len(before), ok(after), len(after)
