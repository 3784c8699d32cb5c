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
        "Live SEC request rate limit per second, shared by every client and process that uses the same SEC_RATE_LIMITER (the SEC allows 10).",
    ),
    "sec_rate_limiter": Setting(
        "SEC_RATE_LIMITER",
        "file",
        "Where the SEC rate limit is kept: file = a state file shared by every process of the machine (SEC_RATE_LIMIT_FILE); redis = REDIS_URL, shared by every host of a deployment; process = this process only. Time-based: a killed process holds nothing. Redis unreachable: no request is sent.",
    ),
    "sec_rate_limit_file": Setting(
        "SEC_RATE_LIMIT_FILE",
        "",
        "State file of the file rate limiter; empty = DAGSTER_HOME/sec-rate-limit.json. Point every deployment of one machine (one IP) at the same file.",
    ),
    "sec_max_in_flight": Setting(
        "SEC_MAX_IN_FLIGHT",
        "4",
        "Live SEC requests in flight at once when fetching many documents (keep-alive connections per host).",
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
    "edgar_scopes_file": Setting(
        "EDGAR_SCOPES_FILE",
        "",
        "TOML file of named ingestion scopes (forms x companies, see infra/scopes.toml); empty = one scope EDGAR_FORMS x EDGAR_CIKS.",
    ),
    "edgar_discovery": Setting(
        "EDGAR_DISCOVERY",
        "auto",
        "How live mode finds filings: index = every daily index of the quarter; feeds = each scope CIK's submissions feed; auto = feeds when EDGAR_SCOPES_FILE is set and no scope covers all filers, else index.",
    ),
    "edgar_commit_filings": Setting(
        "EDGAR_COMMIT_FILINGS",
        "200",
        "Stored filings are committed to raw_documents and filings every this many filings (or EDGAR_COMMIT_MB), so a crash loses at most one batch and a re-run fetches nothing committed.",
    ),
    "edgar_commit_mb": Setting(
        "EDGAR_COMMIT_MB",
        "256",
        "Commit stored filings once this many MB were read since the last commit (or EDGAR_COMMIT_FILINGS).",
    ),
    "edgar_fetch": Setting(
        "EDGAR_FETCH",
        "documents",
        "What live mode fetches per filing: documents = its index-headers page and only the documents the pipeline parses (XBRL instance, linkbases, primary document, EX-99 of 8-Ks, ownership and 13F XML); full = the complete .txt submission, stored with every decoded part.",
    ),
    "edgar_fetch_full_forms": Setting(
        "EDGAR_FETCH_FULL_FORMS",
        "",
        "Forms fetched as the complete .txt even when EDGAR_FETCH=documents (comma-separated, e.g. 3,4,5,8-K): one request instead of the index page plus each parsed document, for forms whose whole submission is small. At 10 req/s requests, not bytes, bound a backfill (make bench prints both).",
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
    "splits_companyfacts_refresh_days": Setting(
        "SPLITS_COMPANYFACTS_REFRESH_DAYS",
        "30",
        "Days before the splits asset downloads a filer's SEC companyfacts again (new filers are fetched at once).",
    ),
    "lake_vacuum_retention_hours": Setting(
        "LAKE_VACUUM_RETENTION_HOURS",
        "168",
        "Lake maintenance: VACUUM deletes files unreferenced for longer than this (at least 1; keep it above the longest read or run).",
    ),
    "lake_log_retention_hours": Setting(
        "LAKE_LOG_RETENTION_HOURS",
        "720",
        "Lake maintenance: Delta log entries older than this are removed after a checkpoint (time travel window).",
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
        "on = every API request needs a key; off = single-user laptop mode (any or no key, usage counted as anonymous). Only an explicit off/false/0 turns it off; an empty or unknown value refuses to start.",
    ),
    "pg_url": Setting(
        "AIHF_PG_URL",
        "postgresql://postgres@127.0.0.1:5432/aihf",
        "PostgreSQL of accounts, keys, usage and the order store (created and migrated on first use).",
    ),
    "redis_url": Setting("REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for rate limits and locks."),
    "redis_outage": Setting(
        "AIHF_REDIS_OUTAGE",
        "fail-open",
        "While Redis (rate limits) does not answer: fail-open = serve unlimited, still metered (a laptop); "
        "fail-closed = refuse with 503 + Retry-After (a paid deployment). Logged once per outage.",
    ),
    "auth_failures_per_min": Setting(
        "AIHF_AUTH_FAILURES_PER_MIN",
        "30",
        "Failed authentications per client address and minute (per worker) before that address gets 429 "
        "without a database lookup; 0 = no limit. The address is the connection's: behind a proxy, the proxy's.",
    ),
    "jwt_algorithm": Setting(
        "JWT_ALGORITHM",
        "RS256",
        "Signature of the API's bearer JWTs: RS256 = key pair (JWT_PRIVATE_KEY, JWT_PUBLIC_KEY); HS256 = shared secret (JWT_SECRET).",
    ),
    "jwt_private_key": Setting(
        "JWT_PRIVATE_KEY",
        "",
        "PEM file of the RSA private key that signs JWTs (RS256); empty = JWT sign-in disabled (API keys only).",
    ),
    "jwt_public_key": Setting(
        "JWT_PUBLIC_KEY",
        "",
        "PEM file of the RSA public key that checks JWTs (RS256); empty = derived from JWT_PRIVATE_KEY.",
    ),
    "jwt_secret": Setting(
        "JWT_SECRET",
        "",
        "HMAC secret of the API's JWTs with JWT_ALGORITHM=HS256, at least 32 bytes (shorter refuses to start); empty = JWT sign-in disabled.",
    ),
    "jwt_access_ttl_s": Setting(
        "JWT_ACCESS_TTL_S",
        "3600",
        "Lifetime in seconds of an access token (POST /v1/auth/token, /v1/auth/refresh).",
    ),
    "jwt_refresh_ttl_s": Setting(
        "JWT_REFRESH_TTL_S",
        "604800",
        "Lifetime in seconds of a refresh token (7 days); each use at POST /v1/auth/refresh replaces it.",
    ),
    "stripe_api_key": Setting("STRIPE_API_KEY", "", "Stripe secret key (billing); empty = billing off."),
    "stripe_webhook_secret": Setting(
        "STRIPE_WEBHOOK_SECRET", "", "Stripe webhook signing secret; webhooks are refused while it is empty."
    ),
    "stripe_api_base": Setting(
        "STRIPE_API_BASE",
        "https://api.stripe.com",
        "Base URL of the Stripe API that POST /v1/billing/checkout calls (a local fake in tests).",
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
        "TRADING_KILL_SWITCH",
        "off",
        "on = no order is placed by anything, whatever the mode (read before every order, with the order store's switch: `python -m trading.killswitch on`, `off` or `status`; either on stops).",
    ),
    "trading_order_type": Setting(
        "TRADING_ORDER_TYPE",
        "limit",
        "limit = orders go out as marketable limit orders at the broker's quote (else the lake's collar reference) x (1 +/- price_collar_pct), buys above, sells below; market = market orders (only when set explicitly).",
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
    """Read an on/off setting: on/true/1 or off/false/0 (any case); anything else, empty included, is refused.

    An empty value is not "off": ``AIHF_AUTH=`` in a ``.env`` must not silently turn authentication off.
    """
    lowered = value.strip().lower()
    if lowered in ("on", "true", "1"):
        return True
    if lowered in ("off", "false", "0"):
        return False
    raise ValueError(f"{env} must be on or off (or true/false, 1/0), not {value!r}")


#: the shortest HS256 secret accepted (RFC 7518 3.2: a key at least as long as the hash output)
MIN_HS256_SECRET_BYTES = 32


def hs256_secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot sign HS256 JWTs (shorter than ``MIN_HS256_SECRET_BYTES``), None when it can or is unset."""
    size = len(secret.encode("utf-8"))
    if not secret or size >= MIN_HS256_SECRET_BYTES:
        return None
    return (
        f"JWT_SECRET is {size} bytes; HS256 needs at least {MIN_HS256_SECRET_BYTES} "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    )


def _check_jwt(algorithm: str, secret: str, private_key: str, public_key: str) -> None:
    """Refuse inconsistent JWT settings (unknown algorithm, short HS256 secret, keys of the other algorithm)."""
    if algorithm not in ("HS256", "RS256"):
        raise ValueError(f"JWT_ALGORITHM must be HS256 or RS256, not {algorithm!r}")
    if algorithm == "HS256":
        if private_key or public_key:
            raise ValueError(
                "JWT_PRIVATE_KEY/JWT_PUBLIC_KEY are set but JWT_ALGORITHM is HS256 (which uses JWT_SECRET): "
                "set JWT_ALGORITHM=RS256 or clear the key files"
            )
        if problem := hs256_secret_problem(secret):
            raise ValueError(problem)
    elif secret:
        raise ValueError(
            "JWT_SECRET is set but JWT_ALGORITHM is RS256 (which uses JWT_PRIVATE_KEY/JWT_PUBLIC_KEY): "
            "set JWT_ALGORITHM=HS256 or clear JWT_SECRET"
        )


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
    sec_rate_limiter: Literal["file", "redis", "process"]
    sec_rate_limit_file: str
    sec_max_in_flight: int
    sec_max_retries: int
    sec_timeout_s: float
    sec_www_url: str
    sec_data_url: str
    edgar_forms: tuple[str, ...]
    edgar_ciks: tuple[int, ...]
    edgar_scopes_file: str
    edgar_discovery: Literal["auto", "index", "feeds"]
    edgar_commit_filings: int
    edgar_commit_mb: float
    edgar_fetch: Literal["documents", "full"]
    edgar_fetch_full_forms: tuple[str, ...]
    cusip_overrides: str
    prices_provider: Literal["folder", "http"]
    prices_dir: str
    prices_http_url: str
    prices_api_key: str
    splits_overrides: str
    splits_companyfacts_refresh_days: float
    lake_vacuum_retention_hours: int
    lake_log_retention_hours: int
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
    jwt_algorithm: Literal["HS256", "RS256"]
    jwt_private_key: str
    jwt_public_key: str
    redis_outage: Literal["fail-open", "fail-closed"]
    auth_failures_per_min: int
    jwt_secret: str
    jwt_access_ttl_s: int
    jwt_refresh_ttl_s: int
    stripe_api_key: str
    stripe_webhook_secret: str
    stripe_api_base: str
    ibkr_host: str
    ibkr_port: int
    ibkr_client_id: int
    ibkr_account: str
    trading_mode: Literal["dry-run", "paper", "live"]
    trading_kill_switch: bool
    trading_order_type: Literal["limit", "market"]
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
                "auth_failures_per_min": int(raw["auth_failures_per_min"]),
                "api_max_body_bytes": int(raw["api_max_body_bytes"]),
                "api_max_list_values": int(raw["api_max_list_values"]),
                "ibkr_port": int(raw["ibkr_port"]),
                "ibkr_client_id": int(raw["ibkr_client_id"]),
                "auth": _switch("AIHF_AUTH", raw["auth"]),
                "stripe_api_base": raw["stripe_api_base"].strip().rstrip("/"),
                "jwt_algorithm": raw["jwt_algorithm"].strip().upper(),
                "jwt_private_key": _resolve_local(raw["jwt_private_key"]) if raw["jwt_private_key"] else "",
                "jwt_public_key": _resolve_local(raw["jwt_public_key"]) if raw["jwt_public_key"] else "",
                "jwt_access_ttl_s": int(raw["jwt_access_ttl_s"]),
                "jwt_refresh_ttl_s": int(raw["jwt_refresh_ttl_s"]),
                "trading_kill_switch": _switch("TRADING_KILL_SWITCH", raw["trading_kill_switch"]),
                "trading_risk_limits": _resolve_local(raw["trading_risk_limits"]),
                "trading_universe": tuple(
                    t.strip().upper() for t in raw["trading_universe"].split(",") if t.strip()
                ),
                "trading_fill_timeout_s": float(raw["trading_fill_timeout_s"]),
                "trading_slippage_bps": float(raw["trading_slippage_bps"]),
                "trading_sim_cash": float(raw["trading_sim_cash"]),
                "sec_max_rps": float(raw["sec_max_rps"]),
                "sec_rate_limiter": raw["sec_rate_limiter"].strip().lower(),
                "sec_rate_limit_file": _resolve_local(
                    raw["sec_rate_limit_file"] or str(Path(raw["dagster_home"]) / "sec-rate-limit.json")
                ),
                "sec_max_in_flight": int(raw["sec_max_in_flight"]),
                "sec_max_retries": int(raw["sec_max_retries"]),
                "sec_timeout_s": float(raw["sec_timeout_s"]),
                "edgar_forms": tuple(f.strip() for f in raw["edgar_forms"].split(",") if f.strip()),
                "edgar_fetch_full_forms": tuple(
                    f.strip() for f in raw["edgar_fetch_full_forms"].split(",") if f.strip()
                ),
                "edgar_ciks": tuple(int(c) for c in raw["edgar_ciks"].split(",") if c.strip()),
                "edgar_scopes_file": _resolve_local(raw["edgar_scopes_file"])
                if raw["edgar_scopes_file"]
                else "",
                "edgar_discovery": raw["edgar_discovery"].strip().lower(),
                "edgar_commit_filings": int(raw["edgar_commit_filings"]),
                "edgar_commit_mb": float(raw["edgar_commit_mb"]),
                "splits_companyfacts_refresh_days": float(raw["splits_companyfacts_refresh_days"]),
                "lake_vacuum_retention_hours": int(raw["lake_vacuum_retention_hours"]),
                "lake_log_retention_hours": int(raw["lake_log_retention_hours"]),
            }
        except ValueError as exc:
            raise ValueError(f"bad setting value: {exc} (see `python -m lake.settings`)") from exc
        for field, choices in (
            ("prices_provider", ("folder", "http")),
            ("trading_mode", ("dry-run", "paper", "live")),
            ("trading_broker", ("sim", "ibkr")),
            ("trading_order_type", ("limit", "market")),
            ("redis_outage", ("fail-open", "fail-closed")),
            ("sec_rate_limiter", ("file", "redis", "process")),
            ("edgar_fetch", ("documents", "full")),
            ("edgar_discovery", ("auto", "index", "feeds")),
        ):
            if values[field] not in choices:
                raise ValueError(
                    f"{SETTINGS[field].env} must be one of {', '.join(choices)}, not {values[field]!r}"
                )
        if not values["stripe_api_base"].startswith(("https://", "http://")):
            raise ValueError(f"STRIPE_API_BASE must be an http(s) URL, not {values['stripe_api_base']!r}")
        _check_jwt(
            values["jwt_algorithm"], values["jwt_secret"], values["jwt_private_key"], values["jwt_public_key"]
        )
        for field in ("jwt_access_ttl_s", "jwt_refresh_ttl_s"):
            if values[field] <= 0:
                raise ValueError(
                    f"{SETTINGS[field].env} must be a positive number of seconds, not {values[field]}"
                )
        if values["lake_vacuum_retention_hours"] < 1:
            raise ValueError(
                f"LAKE_VACUUM_RETENTION_HOURS must be at least 1 (readers may still use newer files), "
                f"not {values['lake_vacuum_retention_hours']}"
            )
        if values["edgar_source"] not in ("offline", "live"):
            raise ValueError(f"EDGAR_SOURCE must be 'offline' or 'live', not {values['edgar_source']!r}")
        if not 0 < values["sec_max_rps"] <= 10:
            raise ValueError(
                f"SEC_MAX_RPS must be in (0, 10] (SEC fair-access rule), not {values['sec_max_rps']}"
            )
        if not 1 <= values["sec_max_in_flight"] <= 64:
            raise ValueError(f"SEC_MAX_IN_FLIGHT must be in [1, 64], not {values['sec_max_in_flight']}")
        if values["edgar_commit_filings"] < 1 or not values["edgar_commit_mb"] > 0:
            raise ValueError(
                "EDGAR_COMMIT_FILINGS must be at least 1 and EDGAR_COMMIT_MB above 0, not "
                f"{values['edgar_commit_filings']} and {values['edgar_commit_mb']}"
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
