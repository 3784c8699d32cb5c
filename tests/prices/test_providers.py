"""Price providers on the real files of ../shared/prices: the folder (CSV and Parquet) and the HTTP provider
against a loopback fake of its API (real sockets; faults are synthetic injections, the data is real)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lake.prices import PriceError, PriceProvider, UnknownTicker, open_provider
from lake.prices.folder import FolderProvider
from lake.prices.http import HttpProvider
from lake.prices.provider import RAW
from lake.settings import Settings
from lake.tables import PRICES
from tests.support.price_server import PriceServer

PRICES_DIR = Path(Settings.from_env().prices_dir)


@pytest.fixture(scope="module")
def folder() -> FolderProvider:
    return FolderProvider(PRICES_DIR)


def test_folder_lists_the_252_files_and_reads_aapl_as_the_csv_states(folder: FolderProvider) -> None:
    tickers = folder.tickers()
    assert len(tickers) == 252 and tickers[:3] == ["A", "AAL", "AAPL"] and "SPY" in tickers
    assert isinstance(folder, PriceProvider)
    aapl = folder.fetch("aapl")
    assert aapl.schema.equals(PRICES.schema)
    assert aapl.num_rows == 6084
    first = aapl.slice(0, 1).to_pylist()[0]
    # 2000-01-03,0.936384,1.004464,0.907924,0.999442,0.846127,535796800
    assert (first["date"], first["open"], first["high"], first["low"], first["close"]) == (
        date(2000, 1, 3),
        0.936384,
        1.004464,
        0.907924,
        0.999442,
    )
    assert (first["adj_close"], first["volume"], first["year"]) == (0.846127, 535796800, 2000)
    assert first["adjusted_as_of"] == date(2024, 3, 8)
    assert first["adjustment"].startswith("split-adjusted as of 2024-03-08")
    assert first["source"] == "folder:AAPL.csv" and first["flags"] == [] and first["split_factor"] is None


def test_spy_is_a_raw_series_without_adj_close(folder: FolderProvider) -> None:
    spy = folder.fetch("SPY", start=date(2019, 12, 31), end=date(2020, 1, 2))
    rows = spy.to_pylist()
    # 2019-12-31 close 321.86 (README spot check); 2020-01-02 is the next session
    assert [(r["date"], r["close"]) for r in rows] == [
        (date(2019, 12, 31), 321.86),
        (date(2020, 1, 2), 324.87),
    ]
    assert all(
        r["adj_close"] is None and r["adjusted_as_of"] is None and r["adjustment"] == RAW for r in rows
    )


def test_parquet_files_read_like_csv_files(folder: FolderProvider, tmp_path: Path) -> None:
    csv_bars = folder.fetch("MSFT")
    bars = csv_bars.select(["date", "open", "high", "low", "close", "adj_close", "volume"])
    pq.write_table(bars, tmp_path / "MSFT.parquet")
    parquet = FolderProvider(tmp_path)
    assert parquet.tickers() == ["MSFT"]
    got = parquet.fetch("MSFT", start=date(2023, 12, 29), end=date(2023, 12, 29)).to_pylist()
    assert [(r["date"], r["close"], r["source"]) for r in got] == [
        (date(2023, 12, 29), 376.040009, "folder:MSFT.parquet")
    ]
    assert got[0]["adjusted_as_of"] == date(2024, 3, 8)


def test_manifest_states_the_adjustment(tmp_path: Path) -> None:
    shutil.copy(PRICES_DIR / "TSLA.csv", tmp_path / "TSLA.csv")
    (tmp_path / "_adjustment.csv").write_text("ticker,adjusted_as_of\nTSLA,2022-08-25\n")
    row = FolderProvider(tmp_path).fetch("TSLA", start=date(2023, 12, 29)).to_pylist()[0]
    assert (row["adjusted_as_of"], row["close"]) == (date(2022, 8, 25), 248.479996)
    (tmp_path / "_adjustment.csv").write_text("ticker,adjusted_as_of\nTSLA,\n")
    assert FolderProvider(tmp_path).fetch("TSLA").column("adjustment")[0].as_py() == RAW
    (tmp_path / "_adjustment.csv").write_text("ticker,adjusted_as_of\nTSLA,25/08/2022\n")
    with pytest.raises(PriceError, match=r"line 2: adjusted_as_of '25/08/2022' is not YYYY-MM-DD"):
        FolderProvider(tmp_path).fetch("TSLA")


def test_folder_errors_are_clear(folder: FolderProvider, tmp_path: Path) -> None:
    with pytest.raises(UnknownTicker, match=r"ZZZZ: no ZZZZ.csv or ZZZZ.parquet in"):
        folder.fetch("ZZZZ")
    with pytest.raises(UnknownTicker, match="is not a ticker symbol"):
        folder.fetch("../edgar/README")
    with pytest.raises(PriceError, match="does not exist"):
        FolderProvider(tmp_path / "missing").tickers()
    # synthetic fault injection: the real NFLX file with one price replaced by text, and one without volume
    real = (PRICES_DIR / "NFLX.csv").read_text().splitlines()
    lines = list(real)
    lines[5] = lines[5].replace(lines[5].split(",")[2], "n/a", 1)
    (tmp_path / "NFLX.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(PriceError, match=r"NFLX.csv: cannot read price file: .*n/a"):
        FolderProvider(tmp_path).fetch("NFLX")
    (tmp_path / "NFLX.csv").write_text("\n".join(",".join(x.split(",")[:-1]) for x in real) + "\n")
    with pytest.raises(PriceError, match=r"missing column\(s\) volume"):
        FolderProvider(tmp_path).fetch("NFLX")
    shutil.copy(PRICES_DIR / "NFLX.csv", tmp_path / "UNP.csv")
    pq.write_table(folder.fetch("UNP"), tmp_path / "unp.parquet")
    with pytest.raises(PriceError, match="UNP: two price files"):
        FolderProvider(tmp_path).tickers()


def test_open_provider_follows_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(env={"AIHF_SHARED_DIR": str(PRICES_DIR.parent)}, dotenv=tmp_path / ".env")
    provider = open_provider(settings)
    assert isinstance(provider, FolderProvider) and provider.folder == PRICES_DIR
    http = Settings.from_env(
        env={"PRICES_PROVIDER": "http", "PRICES_HTTP_URL": "http://127.0.0.1:9/", "PRICES_API_KEY": "k"},
        dotenv=tmp_path / ".env",
    )
    provider = open_provider(http)
    assert isinstance(provider, HttpProvider) and provider.base_url == "http://127.0.0.1:9"
    assert provider.api_key == "k"
    with pytest.raises(PriceError, match="PRICES_PROVIDER=http needs PRICES_HTTP_URL"):
        open_provider(Settings.from_env(env={"PRICES_PROVIDER": "http"}, dotenv=tmp_path / ".env"))


@pytest.fixture
def server() -> Iterator[PriceServer]:
    srv = PriceServer(PRICES_DIR).start()
    try:
        yield srv
    finally:
        srv.stop()


def _http(server: PriceServer, **kwargs: object) -> HttpProvider:
    options: dict[str, object] = {"api_key": "secret", "timeout_s": 2.0, "max_retries": 2, "backoff_s": 0.01}
    options.update(kwargs)
    return HttpProvider(server.base_url, **options)  # type: ignore[arg-type]


def test_http_provider_returns_the_same_bars_as_the_folder(
    server: PriceServer, folder: FolderProvider
) -> None:
    http = _http(server, adjusted_as_of=date(2024, 3, 8))
    assert http.tickers() == folder.tickers()
    start, end = date(2020, 8, 1), date(2020, 9, 30)
    got = http.fetch("AAPL", start, end)
    want = folder.fetch("AAPL", start, end)
    assert got.num_rows == want.num_rows == 42
    for column in ("date", "open", "high", "low", "close", "adj_close", "volume", "adjusted_as_of", "year"):
        assert got.column(column).equals(want.column(column)), column
    assert set(got.column("source").to_pylist()) == {f"http:127.0.0.1:{server.base_url.rsplit(':', 1)[1]}"}
    path, headers = server.requests[-1]
    headers = {k.lower(): v for k, v in headers.items()}
    assert path.startswith("/prices/?ticker=AAPL&interval=day&interval_multiplier=1&start_date=2020-08-01")
    assert headers["x-api-key"] == "secret"
    spy = http.fetch("SPY", date(2008, 12, 31), date(2008, 12, 31)).to_pylist()
    assert [(r["close"], r["adj_close"]) for r in spy] == [(90.24, None)]


def test_http_provider_retries_5xx_then_succeeds(server: PriceServer) -> None:
    server.inject(("status", 503), ("status", 500))
    bars = _http(server).fetch("TSLA", date(2023, 12, 29), date(2023, 12, 29))
    assert bars.column("close").to_pylist() == [248.479996]
    assert len(server.requests) == 3


def test_http_provider_gives_up_after_its_retries(server: PriceServer) -> None:
    server.inject(("status", 502), ("status", 502), ("status", 502))
    with pytest.raises(PriceError, match=r"failed after 3 attempt\(s\): HTTP 502"):
        _http(server).fetch("TSLA")
    server.inject(("status", 401))
    with pytest.raises(PriceError, match=r"HTTP 401 .*injected"):
        _http(server).fetch("TSLA")
    assert len(server.requests) == 4  # 401 is not retried


def test_http_unknown_ticker_is_a_clear_error(server: PriceServer) -> None:
    with pytest.raises(UnknownTicker, match=r"404 not found .*unknown ticker ZZZZ"):
        _http(server).fetch("ZZZZ")


def test_http_truncated_json_is_an_error_not_a_short_series(server: PriceServer) -> None:
    server.inject(("cut", 5000))
    with pytest.raises(PriceError, match=r"response is not valid JSON .*5000 bytes"):
        _http(server).fetch("NVDA")
    # a body cut short of its Content-Length is retried, then succeeds
    server.inject(("short", 100))
    assert _http(server).fetch("NVDA", date(2023, 12, 29), date(2023, 12, 29)).column(
        "close"
    ).to_pylist() == [495.220001]


def test_http_timeout_is_retried_and_reported(server: PriceServer) -> None:
    server.inject(("delay", 1.0), ("delay", 1.0))
    started = time.monotonic()
    with pytest.raises(PriceError, match=r"failed after 2 attempt\(s\): .*timed out"):
        _http(server, timeout_s=0.3, max_retries=1).fetch("ORCL")
    assert time.monotonic() - started < 1.5


def test_http_malformed_bars_are_named() -> None:
    from lake.prices.http import parse_bars

    with pytest.raises(PriceError, match=r"AAPL: bar 1 is malformed \(KeyError: 'open'\)"):
        parse_bars(
            "AAPL",
            [
                {"time": "2024-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 5},
                {"time": "2024-01-03"},
            ],
        )
    with pytest.raises(PriceError, match=r"volume 1.5 is not an integer"):
        parse_bars(
            "AAPL", [{"time": "2024-01-02", "open": 1, "high": 1, "low": 1, "close": 1, "volume": 1.5}]
        )
    with pytest.raises(PriceError, match="must start with http"):
        HttpProvider("ftp://example")
