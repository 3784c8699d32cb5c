"""Splits: the override file, split factors, and the evidence of each split in the real price files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lake.prices.folder import FolderProvider
from lake.prices.splits import (
    Split,
    companyfacts_split_facts,
    merge_splits,
    parse_overrides,
    parse_ratio,
    split_factor,
    split_factors,
    splits_from_facts,
    volume_evidence,
)
from lake.settings import Settings

SETTINGS = Settings.from_env()
OVERRIDES = parse_overrides(Path(SETTINGS.splits_overrides).read_text(), "overrides")
AS_OF = date(2024, 3, 8)


def _of(ticker: str) -> list[Split]:
    return [s for s in OVERRIDES if s.ticker == ticker]


def test_override_file_lists_the_filers_splits() -> None:
    assert [(s.ticker, s.ex_date.isoformat(), s.ratio) for s in _of("AAPL") + _of("TSLA")] == [
        ("AAPL", "2000-06-21", 2.0),
        ("AAPL", "2005-02-28", 2.0),
        ("AAPL", "2014-06-09", 7.0),
        ("AAPL", "2020-08-31", 4.0),
        ("TSLA", "2020-08-31", 5.0),
        ("TSLA", "2022-08-25", 3.0),
    ]
    assert len(OVERRIDES) == 19 and {s.source for s in OVERRIDES} == {"override"}
    assert {s.ticker for s in OVERRIDES} == {"AAPL", "MSFT", "NFLX", "NVDA", "ORCL", "TSLA", "UNP"}
    assert [s.ratio for s in _of("NVDA")] == [2.0, 2.0, 2.0, 1.5, 4.0, 10.0]


def test_ratios_and_bad_rows() -> None:
    assert [parse_ratio(t) for t in ("4", "4:1", "3:2", "1:10", "1.5")] == [4.0, 4.0, 1.5, 0.1, 1.5]
    with pytest.raises(ValueError, match="line 3: ratio 'x' is not N, N:M or a decimal"):
        parse_overrides("ticker,ex_date,ratio\nAAPL,2020-08-31,4:1\nTSLA,2020-08-31,x\n")
    with pytest.raises(ValueError, match="line 2: ex_date must be YYYY-MM-DD"):
        parse_overrides("ticker,ex_date,ratio\nAAPL,31/08/2020,4\n")
    with pytest.raises(ValueError, match="line 3: AAPL 2020-08-31 is listed twice"):
        parse_overrides("ticker,ex_date,ratio\nAAPL,2020-08-31,4\nAAPL,2020-08-31,4\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) ratio"):
        parse_overrides("ticker,ex_date\nAAPL,2020-08-31\n")
    with pytest.raises(ValueError, match="must be positive"):
        parse_ratio("0:1")


def test_split_factor_turns_reported_shares_into_series_units() -> None:
    aapl = _of("AAPL")
    assert split_factor(aapl, AS_OF, date(2000, 1, 3)) == 112.0  # 2 x 2 x 7 x 4
    assert split_factor(aapl, AS_OF, date(2013, 7, 12)) == 28.0
    assert split_factor(aapl, AS_OF, date(2020, 8, 28)) == 4.0
    assert split_factor(aapl, AS_OF, date(2020, 8, 31)) == 1.0  # the ex-date trades in new shares
    nvda = _of("NVDA")
    assert split_factor(nvda, AS_OF, date(2007, 9, 10)) == 6.0  # 3:2 then 4:1
    assert split_factor(nvda, AS_OF, date(2023, 2, 17)) == 1.0
    # a count reported after the 2024-06-10 10:1 split, against a series in 2024-03-08 units
    assert split_factor(nvda, AS_OF, date(2025, 2, 21)) == pytest.approx(0.1)
    assert split_factor(aapl, None, date(2000, 1, 3)) == 1.0  # raw series: same-day units
    dates = pa.array([date(2000, 1, 3), date(2014, 6, 6), date(2014, 6, 9), date(2024, 3, 8)], pa.date32())
    assert split_factors(dates, aapl, AS_OF).to_pylist() == [112.0, 28.0, 4.0, 1.0]
    assert split_factors(pa.array([date(2025, 1, 2)], pa.date32()), nvda, AS_OF).to_pylist() == [
        pytest.approx(0.1)
    ]


def test_every_override_inside_the_data_shows_in_the_volumes() -> None:
    """Raw volumes were whole round lots (100 shares): in a split-adjusted series, the 30 sessions before an
    ex-date are multiples of 100 x the cumulative factor, and after it most are not (0 false splits)."""
    folder = FolderProvider(SETTINGS.prices_dir)
    evidence = {}
    for ticker in sorted({s.ticker for s in OVERRIDES}):
        bars = folder.fetch(ticker)
        first, last = bars.column("date")[0].as_py(), bars.column("date")[-1].as_py()
        for s in _of(ticker):
            if not first < s.ex_date <= last:
                continue
            before = split_factor(_of(ticker), AS_OF, s.ex_date - date.resolution)
            evidence[(ticker, s.ex_date.isoformat())] = volume_evidence(bars, s.ex_date, before)
    assert len(evidence) == 18  # all but NVDA 2024-06-10, after the data
    assert all(ok == n for ok, n, _, _ in evidence.values())
    assert evidence[("ORCL", "2000-01-19")][:2] == (11, 11)  # the file starts 2000-01-03
    after = {k: v[2] for k, v in evidence.items()}
    assert after == {
        ("AAPL", "2000-06-21"): 22,
        ("AAPL", "2005-02-28"): 16,
        ("AAPL", "2014-06-09"): 5,
        ("AAPL", "2020-08-31"): 10,
        ("MSFT", "2003-02-18"): 16,
        ("NFLX", "2004-02-12"): 15,
        ("NFLX", "2015-07-15"): 6,
        ("NVDA", "2000-06-27"): 15,
        ("NVDA", "2001-09-17"): 12,
        ("NVDA", "2006-04-07"): 21,
        ("NVDA", "2007-09-11"): 10,
        ("NVDA", "2021-07-20"): 6,
        ("ORCL", "2000-01-19"): 21,
        ("ORCL", "2000-10-13"): 15,
        ("TSLA", "2020-08-31"): 4,
        ("TSLA", "2022-08-25"): 10,
        ("UNP", "2008-05-29"): 11,
        ("UNP", "2014-06-09"): 18,
    }
    # a date that is not a split: AAPL 2019-08-30 has 30/30 and 30/30 (the factor is 4 on both sides)
    aapl = folder.fetch("AAPL")
    assert volume_evidence(aapl, date(2019, 8, 30), 4.0) == (30, 30, 30, 30)


def test_filing_split_facts_confirm_or_add_splits() -> None:
    # synthetic facts rows: the mirror's filings tag no split ratio (StockholdersEquityNoteStockSplitConversionRatio1)
    facts = [
        {"cik": 1318605, "accession": "0000950170-22-019867", "form": "10-Q", "value_num": 3.0,
         "period_end": date(2022, 9, 30), "concept": "us-gaap:StockholdersEquityNoteStockSplitConversionRatio1", "dimensions": []},
        {"cik": 1318605, "accession": "0000950170-23-001409", "form": "10-K", "value_num": 3.0,
         "period_end": date(2022, 12, 31), "concept": "us-gaap:StockholdersEquityNoteStockSplitConversionRatio1", "dimensions": []},
        {"cik": 1065280, "accession": "x", "form": "10-K", "value_num": 2.0,
         "period_end": date(2030, 12, 31), "concept": "us-gaap:StockholdersEquityNoteStockSplitConversionRatio1", "dimensions": []},
        {"cik": 999, "accession": "y", "form": "10-K", "value_num": 2.0, "period_end": date(2030, 1, 1),
         "concept": "us-gaap:StockholdersEquityNoteStockSplitConversionRatio1", "dimensions": []},
    ]  # fmt: skip
    filed = splits_from_facts(facts, {1318605: "TSLA", 1065280: "NFLX"})
    assert [(s.ticker, s.ex_date, s.accession) for s in filed] == [
        ("NFLX", date(2030, 12, 31), "x"),
        ("TSLA", date(2022, 9, 30), "0000950170-22-019867"),
    ]
    merged = merge_splits(OVERRIDES, filed, {"TSLA": 1318605, "NFLX": 1065280, "AAPL": 320193})
    tsla = [s for s in merged if s.ticker == "TSLA"]
    assert [(s.ex_date, s.source, s.cik, s.accession) for s in tsla] == [
        (date(2020, 8, 31), "override", 1318605, None),
        (date(2022, 8, 25), "override", 1318605, "0000950170-22-019867"),
    ]
    assert tsla[1].note is not None and tsla[1].note.endswith("confirmed by filing 0000950170-22-019867")
    assert [(s.ex_date, s.source) for s in merged if s.ticker == "NFLX"][-1] == (date(2030, 12, 31), "filing")
    assert len(merged) == 20


def test_split_facts_of_the_secs_companyfacts_in_the_mirror() -> None:
    reference = Settings.from_env().edgar_mirror / "reference"
    rows = []
    for name in ("apple", "nvidia", "snowflake"):
        (path,) = reference.glob(f"companyfacts-CIK*-{name}.json")
        rows += companyfacts_split_facts(path.read_bytes())
    assert len(rows) == 15  # each split restated by several filings
    tickers = {320193: "AAPL", 1045810: "NVDA", 1640147: "SNOW"}
    filed = splits_from_facts(rows, tickers, source="companyfacts")
    assert [(s.ticker, s.ex_date.isoformat(), s.ratio, s.accession) for s in filed] == [
        ("AAPL", "2014-06-06", 7.0, "0001193125-14-277160"),  # the Friday before the 2014-06-09 ex-date
        ("AAPL", "2020-08-28", 4.0, "0000320193-20-000096"),
        ("NVDA", "2021-06-03", 4.0, "0001045810-21-000131"),  # approval; ex-date 2021-07-20
        ("NVDA", "2024-05-31", 10.0, "0001045810-24-000264"),  # end of the month tagged; ex-date 2024-06-10
        ("SNOW", "2018-11-30", 2.0, "0001640147-21-000073"),  # before the IPO: no override, a row of its own
    ]
    merged = merge_splits(OVERRIDES, filed, {"SNOW": 1640147})
    assert len(merged) == 20
    confirmed = [
        (s.ticker, s.ex_date.isoformat()) for s in merged if "confirmed by companyfacts" in (s.note or "")
    ]
    assert confirmed == [
        ("AAPL", "2014-06-09"),
        ("AAPL", "2020-08-31"),
        ("NVDA", "2021-07-20"),
        ("NVDA", "2024-06-10"),
    ]
    (snow,) = [s for s in merged if s.ticker == "SNOW"]
    assert (snow.source, snow.cik, snow.ex_date) == ("companyfacts", 1640147, date(2018, 11, 30))
    assert companyfacts_split_facts(b"{not json") == [] and companyfacts_split_facts(b'{"cik": 1}') == []
