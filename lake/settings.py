"""The one settings object of the project.

Every setting is declared once, here: its environment variable, default and meaning. Values are read at run
time (``Settings.from_env()``), never at import. The process environment wins over a ``.env`` file in the
project root, which wins over the defaults below. ``python -m lake.settings`` prints the table that the
README documents.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Setting(msgspec.Struct, frozen=True):
    """One documented setting: environment variable, default (as text) and meaning."""

    env: str
    default: str
    meaning: str


#: name of the field -> its documentation. The order is the README's order.
SETTINGS: dict[str, Setting] = {
    "shared_dir": Setting(
        "AIHF_SHARED_DIR",
        "../shared",
        "Folder with the offline EDGAR mirror and prices (relative paths are resolved from the project root).",
    ),
    "lake_uri": Setting(
        "LAKE_URI", "./lakehouse", "Where the lake lives: a local folder or s3://bucket/prefix."
    ),
    "lake_s3_endpoint": Setting(
        "LAKE_S3_ENDPOINT", "", "S3 endpoint URL for non-AWS stores (MinIO, moto); empty = AWS."
    ),
    "lake_s3_region": Setting("LAKE_S3_REGION", "us-east-1", "S3 region of the lake bucket."),
    "edgar_source": Setting(
        "EDGAR_SOURCE",
        "offline",
        "offline = read the mirror under AIHF_SHARED_DIR/edgar; live = www.sec.gov and data.sec.gov.",
    ),
    "sec_user_agent": Setting(
        "SEC_USER_AGENT",
        "",
        "User-Agent for live SEC requests, 'Name email' (the SEC requires it; live mode refuses to start without it).",
    ),
    "sec_max_rps": Setting(
        "SEC_MAX_RPS",
        "10",
        "Live SEC request rate limit per second, shared by every client in a process (the SEC allows 10).",
    ),
    "sec_max_retries": Setting(
        "SEC_MAX_RETRIES", "6", "Retries of a live SEC request on 429/5xx/connection errors/truncated bodies."
    ),
    "sec_timeout_s": Setting("SEC_TIMEOUT_S", "30", "Timeout in seconds of one live SEC request."),
    "sec_www_url": Setting(
        "SEC_WWW_URL", "https://www.sec.gov", "Base URL of www.sec.gov (override only for tests or a proxy)."
    ),
    "sec_data_url": Setting(
        "SEC_DATA_URL",
        "https://data.sec.gov",
        "Base URL of data.sec.gov (override only for tests or a proxy).",
    ),
    "edgar_forms": Setting(
        "EDGAR_FORMS",
        "10-K,10-K/A,10-Q,10-Q/A,8-K,8-K/A,13F-HR,13F-HR/A,13F-NT,3,4,5,4/A",
        "Form types that discovery keeps from the daily indexes.",
    ),
    "edgar_ciks": Setting(
        "EDGAR_CIKS", "", "Comma-separated CIKs that live discovery keeps (empty = every filer)."
    ),
    "cusip_overrides": Setting(
        "CUSIP_OVERRIDES",
        "./infra/cusip_overrides.csv",
        "CSV (cusip,ticker,cik,note) of CUSIP -> issuer mappings that win over name matching; extend it freely.",
    ),
    "prices_provider": Setting(
        "PRICES_PROVIDER",
        "folder",
        "Where daily prices come from: folder = CSV/Parquet files <TICKER>.csv|.parquet in PRICES_DIR; http = the JSON provider at PRICES_HTTP_URL.",
    ),
    "prices_dir": Setting(
        "PRICES_DIR", "", "Folder of price files for PRICES_PROVIDER=folder; empty = AIHF_SHARED_DIR/prices."
    ),
    "prices_http_url": Setting(
        "PRICES_HTTP_URL", "", "Base URL of the HTTP price provider (PRICES_PROVIDER=http)."
    ),
    "prices_api_key": Setting("PRICES_API_KEY", "", "API key sent to the HTTP price provider."),
    "splits_overrides": Setting(
        "SPLITS_OVERRIDES",
        "./infra/splits_overrides.csv",
        "CSV (ticker,ex_date,ratio,note) of stock splits that complete or win over the splits found in filings.",
    ),
    "api_host": Setting("API_HOST", "127.0.0.1", "Interface the API server listens on (make api)."),
    "api_port": Setting("API_PORT", "8000", "Port of the API server."),
    "api_workers": Setting("API_WORKERS", "2", "Worker processes of the API server."),
    "api_public_url": Setting(
        "API_PUBLIC_URL",
        "",
        "Public base URL used in next_page_url links; empty = http://API_HOST:API_PORT.",
    ),
    "api_page_size": Setting(
        "API_PAGE_SIZE",
        "1000",
        "Rows per page of the FinancialDatasets-compatible lists; longer results continue at next_page_url.",
    ),
    "api_refresh_s": Setting(
        "API_REFRESH_S",
        "5",
        "Seconds between the API's checks for a newer version of a lake table (it then reloads that table).",
    ),
    "api_max_body_bytes": Setting(
        "API_MAX_BODY_BYTES",
        "65536",
        "Largest request body (bytes) of the data API (screener, line-item search); a larger one is a 413.",
    ),
    "api_max_list_values": Setting(
        "API_MAX_LIST_VALUES",
        "1000",
        "Most values of a list in a data API request (screener filters and 'in' values, line-item search "
        "tickers and items); more is a 400.",
    ),
    "auth": Setting(
        "AIHF_AUTH",
        "on",
        "on = every API request needs a key; off = single-user laptop mode (any or no key, usage counted as anonymous).",
    ),
    "pg_url": Setting(
        "AIHF_PG_URL",
        "postgresql://postgres@127.0.0.1:5432/aihf",
        "PostgreSQL of accounts, keys, usage and the order store (created and migrated on first use).",
    ),
    "redis_url": Setting("REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for rate limits and locks."),
    "jwt_secret": Setting(
        "JWT_SECRET", "", "HMAC secret of the API's JWTs; empty = JWT sign-in disabled (API keys only)."
    ),
    "stripe_api_key": Setting("STRIPE_API_KEY", "", "Stripe secret key (billing); empty = billing off."),
    "stripe_webhook_secret": Setting(
        "STRIPE_WEBHOOK_SECRET", "", "Stripe webhook signing secret; webhooks are refused while it is empty."
    ),
    "ibkr_host": Setting("IBKR_HOST", "127.0.0.1", "TWS / IB Gateway host."),
    "ibkr_port": Setting(
        "IBKR_PORT", "7497", "TWS / IB Gateway port (7497 = TWS paper, 4002 = Gateway paper)."
    ),
    "ibkr_client_id": Setting("IBKR_CLIENT_ID", "17", "API client id of the rebalancer's IBKR connection."),
    "ibkr_account": Setting(
        "IBKR_ACCOUNT", "", "IBKR account the rebalancer trades (required for paper and live)."
    ),
    "trading_mode": Setting(
        "TRADING_MODE",
        "dry-run",
        "dry-run (orders computed and checked, never sent) | paper (paper broker or IBKR paper account) | live.",
    ),
    "trading_kill_switch": Setting(
        "TRADING_KILL_SWITCH", "off", "on = no order is placed by anything, whatever the mode."
    ),
    "trading_broker": Setting(
        "TRADING_BROKER",
        "sim",
        "Broker of the rebalance job: sim = built-in paper broker filling at the next lake price with slippage; ibkr = TWS / IB Gateway.",
    ),
    "trading_risk_limits": Setting(
        "TRADING_RISK_LIMITS",
        "./infra/risk_limits.toml",
        "TOML file of the pre-trade risk limits (position %, gross exposure, order notional, turnover, blocklist, price collar, trading hours, cash buffer, lot size).",
    ),
    "trading_universe": Setting(
        "TRADING_UNIVERSE",
        "AAPL,MSFT,NFLX,NVDA,ORCL,TSLA,UNP",
        "Tickers of the built-in equal-weight target source (used until a strategy is named with TRADING_STRATEGY).",
    ),
    "trading_strategy": Setting(
        "TRADING_STRATEGY",
        "equal-weight",
        "Target source of the rebalance: equal-weight (built in, over TRADING_UNIVERSE), a trading.strategies name with optional parameters (momentum:lookback=126;top=0.2) run over TRADING_UNIVERSE, or trading.<module>:<callable> returning a TargetSource.",
    ),
    "trading_fill_timeout_s": Setting(
        "TRADING_FILL_TIMEOUT_S",
        "120",
        "Seconds the rebalance waits for fills before cancelling what is still open.",
    ),
    "trading_slippage_bps": Setting(
        "TRADING_SLIPPAGE_BPS",
        "5",
        "Slippage of the sim broker in basis points (buys pay more, sells get less).",
    ),
    "trading_sim_cash": Setting(
        "TRADING_SIM_CASH",
        "1000000",
        "Starting cash of a sim broker account that has no positions in the order store.",
    ),
    "trading_rebalance_cron": Setting(
        "TRADING_REBALANCE_CRON",
        "45 10 1-7 * 1-5",
        "Cron (New York time) of the Dagster rebalance schedule; it runs only on the first weekday of the month matching it. The schedule is stopped by default.",
    ),
    "live_trading": Setting(
        "AIHF_LIVE_TRADING",
        "",
        "Must be I_UNDERSTAND (together with `python -m trading.rebalance --live`) before anything trades real money.",
    ),
    "dagster_home": Setting(
        "DAGSTER_HOME", "./.dagster_home", "Dagster instance folder (run history, schedules, event log)."
    ),
    "dagster_pg_url": Setting(
        "DAGSTER_PG_URL",
        "",
        "postgresql://user@host:5432/db to keep Dagster's run/event/schedule storage in PostgreSQL; empty = SQLite under DAGSTER_HOME.",
    ),
    "dbt_duckdb_path": Setting(
        "DBT_DUCKDB_PATH",
        "",
        "DuckDB file the dbt metrics project builds in; empty = <lake>/_dbt/metrics.duckdb (local lake) or a temp folder (S3 lake).",
    ),
}


def _read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``KEY=value`` file (comments, blank lines, optional quotes, optional ``export``)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _switch(env: str, value: str) -> bool:
    """Read an on/off setting (also true/false, 1/0, yes/no)."""
    lowered = value.strip().lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no", ""):
        return False
    raise ValueError(f"{env} must be on or off, not {value!r}")


def _resolve_local(value: str) -> str:
    """Resolve a relative local path against the project root; leave URIs alone."""
    if "://" in value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (PROJECT_ROOT / path).resolve())


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Run-time settings. Build with :meth:`from_env`; override fields with :func:`msgspec.structs.replace`."""

    shared_dir: str
    lake_uri: str
    lake_s3_endpoint: str
    lake_s3_region: str
    edgar_source: Literal["offline", "live"]
    sec_user_agent: str
    sec_max_rps: float
    sec_max_retries: int
    sec_timeout_s: float
    sec_www_url: str
    sec_data_url: str
    edgar_forms: tuple[str, ...]
    edgar_ciks: tuple[int, ...]
    cusip_overrides: str
    prices_provider: Literal["folder", "http"]
    prices_dir: str
    prices_http_url: str
    prices_api_key: str
    splits_overrides: str
    api_host: str
    api_port: int
    api_workers: int
    api_public_url: str
    api_page_size: int
    api_refresh_s: float
    api_max_body_bytes: int
    api_max_list_values: int
    auth: bool
    pg_url: str
    redis_url: str
    jwt_secret: str
    stripe_api_key: str
    stripe_webhook_secret: str
    ibkr_host: str
    ibkr_port: int
    ibkr_client_id: int
    ibkr_account: str
    trading_mode: Literal["dry-run", "paper", "live"]
    trading_kill_switch: bool
    trading_broker: Literal["sim", "ibkr"]
    trading_risk_limits: str
    trading_universe: tuple[str, ...]
    trading_strategy: str
    trading_fill_timeout_s: float
    trading_slippage_bps: float
    trading_sim_cash: float
    trading_rebalance_cron: str
    live_trading: str
    dagster_home: str
    dagster_pg_url: str
    dbt_duckdb_path: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """Read settings from ``env`` (default: ``os.environ``) over ``.env`` over the defaults.

        Raises:
            ValueError: a value has the wrong type or an unknown choice; the message names the variable.
        """
        source = {**_read_dotenv(dotenv or PROJECT_ROOT / ".env"), **(os.environ if env is None else env)}
        raw: dict[str, Any] = {}
        for field, spec in SETTINGS.items():
            raw[field] = source.get(spec.env, spec.default)
        try:
            values: dict[str, Any] = {
                **raw,
                "shared_dir": _resolve_local(raw["shared_dir"]),
                "lake_uri": _resolve_local(raw["lake_uri"]).rstrip("/"),
                "dagster_home": _resolve_local(raw["dagster_home"]),
                "dbt_duckdb_path": _resolve_local(raw["dbt_duckdb_path"]) if raw["dbt_duckdb_path"] else "",
                "cusip_overrides": _resolve_local(raw["cusip_overrides"]),
                "splits_overrides": _resolve_local(raw["splits_overrides"]),
                "prices_dir": _resolve_local(raw["prices_dir"] or str(Path(raw["shared_dir"]) / "prices")),
                "api_port": int(raw["api_port"]),
                "api_workers": int(raw["api_workers"]),
                "api_page_size": int(raw["api_page_size"]),
                "api_refresh_s": float(raw["api_refresh_s"]),
                "api_max_body_bytes": int(raw["api_max_body_bytes"]),
                "api_max_list_values": int(raw["api_max_list_values"]),
                "ibkr_port": int(raw["ibkr_port"]),
                "ibkr_client_id": int(raw["ibkr_client_id"]),
                "auth": _switch("AIHF_AUTH", raw["auth"]),
                "trading_kill_switch": _switch("TRADING_KILL_SWITCH", raw["trading_kill_switch"]),
                "trading_risk_limits": _resolve_local(raw["trading_risk_limits"]),
                "trading_universe": tuple(
                    t.strip().upper() for t in raw["trading_universe"].split(",") if t.strip()
                ),
                "trading_fill_timeout_s": float(raw["trading_fill_timeout_s"]),
                "trading_slippage_bps": float(raw["trading_slippage_bps"]),
                "trading_sim_cash": float(raw["trading_sim_cash"]),
                "sec_max_rps": float(raw["sec_max_rps"]),
                "sec_max_retries": int(raw["sec_max_retries"]),
                "sec_timeout_s": float(raw["sec_timeout_s"]),
                "edgar_forms": tuple(f.strip() for f in raw["edgar_forms"].split(",") if f.strip()),
                "edgar_ciks": tuple(int(c) for c in raw["edgar_ciks"].split(",") if c.strip()),
            }
        except ValueError as exc:
            raise ValueError(f"bad setting value: {exc} (see `python -m lake.settings`)") from exc
        for field, choices in (
            ("prices_provider", ("folder", "http")),
            ("trading_mode", ("dry-run", "paper", "live")),
            ("trading_broker", ("sim", "ibkr")),
        ):
            if values[field] not in choices:
                raise ValueError(
                    f"{SETTINGS[field].env} must be one of {', '.join(choices)}, not {values[field]!r}"
                )
        if values["edgar_source"] not in ("offline", "live"):
            raise ValueError(f"EDGAR_SOURCE must be 'offline' or 'live', not {values['edgar_source']!r}")
        if not 0 < values["sec_max_rps"] <= 10:
            raise ValueError(
                f"SEC_MAX_RPS must be in (0, 10] (SEC fair-access rule), not {values['sec_max_rps']}"
            )
        for field in ("api_max_body_bytes", "api_max_list_values"):
            if values[field] < 1:
                raise ValueError(f"{SETTINGS[field].env} must be at least 1, not {values[field]}")
        return msgspec.convert(values, cls)

    @property
    def public_url(self) -> str:
        """Base URL of the API as clients see it (``API_PUBLIC_URL`` or ``http://API_HOST:API_PORT``)."""
        return (self.api_public_url or f"http://{self.api_host}:{self.api_port}").rstrip("/")

    @property
    def edgar_mirror(self) -> Path:
        """The offline EDGAR mirror folder (``<shared_dir>/edgar``)."""
        return Path(self.shared_dir) / "edgar"

    def storage_options(self) -> dict[str, str]:
        """Object-store options for deltalake/pyarrow when the lake is on S3 (empty for a local lake)."""
        if not self.lake_uri.startswith("s3://"):
            return {}
        opts = {"AWS_REGION": self.lake_s3_region, "AWS_S3_ALLOW_UNSAFE_RENAME": "true"}
        if self.lake_s3_endpoint:
            opts["AWS_ENDPOINT_URL"] = self.lake_s3_endpoint
            if self.lake_s3_endpoint.startswith("http://"):
                opts["AWS_ALLOW_HTTP"] = "true"
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            if os.environ.get(key):
                opts[key] = os.environ[key]
        return opts


def settings_table() -> str:
    """The settings as a Markdown table (env var, default, meaning), as in the README."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.env}` | `{s.default}` | {s.meaning} |" for s in SETTINGS.values()]
    return "\n".join(rows)


def env_example() -> str:
    """The text of ``.env.example``: every setting, commented out at its default, with its meaning."""
    lines = [
        "# AIHF settings (copy to .env and uncomment what you change; see README, Settings).",
        '# Live SEC instead of the offline mirror: EDGAR_SOURCE=live plus SEC_USER_AGENT="Your Name you@example.com".',
    ]
    for spec in SETTINGS.values():
        lines += ["", f"# {spec.meaning}", f"# {spec.env}={spec.default}"]
    return "\n".join(lines) + "\n"


def write_docs() -> None:
    """Rewrite the README's settings table and ``.env.example`` from :data:`SETTINGS`."""
    readme = PROJECT_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(f"{head}{start}\n{settings_table()}\n{end}{tail}", encoding="utf-8")
    (PROJECT_ROOT / ".env.example").write_text(env_example(), encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        write_docs()
    else:
        print(settings_table())
