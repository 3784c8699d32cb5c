"""The live source is built from the settings: which shared rate limiter, where, and how many in flight."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assets.resources import open_source
from edgar.ratelimit import FileRateLimiter, RateLimiter, RedisRateLimiter
from edgar.source import LiveSource
from lake.settings import Settings

NO_DOTENV = Path("/nonexistent/.env")
LIVE = {"EDGAR_SOURCE": "live", "SEC_USER_AGENT": "AIHF Tests aihf-tests@example.com"}


def _client_of(source: object) -> Any:
    assert isinstance(source, LiveSource)
    fetch: Any = source._fetch
    return fetch.__self__  # the SecHttpClient whose get() the source calls


def test_default_is_a_file_bucket_under_dagster_home(tmp_path: Path) -> None:
    settings = Settings.from_env(env={**LIVE, "DAGSTER_HOME": str(tmp_path / "home")}, dotenv=NO_DOTENV)
    assert (settings.sec_rate_limiter, settings.sec_max_in_flight) == ("file", 4)
    assert settings.sec_rate_limit_file == str(tmp_path / "home" / "sec-rate-limit.json")

    client = _client_of(open_source(settings))

    limiter = client.limiter
    assert isinstance(limiter, FileRateLimiter)
    assert (limiter.path, limiter.max_rps) == (tmp_path / "home" / "sec-rate-limit.json", 10.0)
    assert client.max_in_flight == 4


def test_redis_and_process_limiters_and_in_flight_are_settings(tmp_path: Path) -> None:
    redis_settings = Settings.from_env(
        env={**LIVE, "SEC_RATE_LIMITER": "Redis", "SEC_MAX_IN_FLIGHT": "8", "SEC_MAX_RPS": "5"},
        dotenv=NO_DOTENV,
    )
    client = _client_of(open_source(redis_settings))
    assert isinstance(client.limiter, RedisRateLimiter)
    assert (client.limiter.max_rps, client.max_in_flight) == (5.0, 8)

    process = Settings.from_env(env={**LIVE, "SEC_RATE_LIMITER": "process"}, dotenv=NO_DOTENV)
    assert type(_client_of(open_source(process)).limiter) is RateLimiter

    chosen = Settings.from_env(
        env={**LIVE, "SEC_RATE_LIMIT_FILE": str(tmp_path / "x.json")}, dotenv=NO_DOTENV
    )
    assert chosen.sec_rate_limit_file == str(tmp_path / "x.json")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SEC_RATE_LIMITER": "pool"}, "SEC_RATE_LIMITER must be one of file, redis, process, not 'pool'"),
        ({"SEC_MAX_IN_FLIGHT": "0"}, r"SEC_MAX_IN_FLIGHT must be in \[1, 64\], not 0"),
        ({"SEC_MAX_IN_FLIGHT": "many"}, "bad setting value"),
    ],
)
def test_bad_limiter_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env=env, dotenv=NO_DOTENV)
