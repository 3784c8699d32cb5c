"""The accounts behind the app's Access hook (serving.accounts.create_access), driven as the app drives it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import psycopg
import pytest

from lake.settings import Settings
from serving.accounts import create_access, store
from serving.accounts.hook import AccountsAccess, ApiError
from serving.accounts.runtime import AccessConfig
from tests.accounts.conftest import unique_email


def test_access_hook(config: AccessConfig, conn: psycopg.Connection[Any]) -> None:
    email = unique_email("hook")
    store.create_user(conn, email, "free")
    key = store.issue_key(conn, email).key

    async def main() -> None:
        access = AccountsAccess(config)
        for hook in access.on_startup:
            await hook()
        who = await access.authenticate(key, "/financials/income-statements")
        assert (who.user_id is not None, who.plan, who.max_rows) == (True, "free", 100)
        assert who.key_id.isdigit()
        for path in ("/prices", "/prices/", "/v1/companies/320193"):
            await access.meter(who, path, 200, 4)
        with pytest.raises(ApiError) as missing:
            await access.authenticate(None, "/prices")
        assert (missing.value.status, missing.value.code) == (401, "UNAUTHORIZED")
        for _ in range(9):  # burst of 10, one used above
            await access.authenticate(key, "/prices")
        with pytest.raises(ApiError) as throttled:
            await access.authenticate(key, "/v1/filings")
        assert (throttled.value.status, throttled.value.code, throttled.value.retry_after) == (
            429,
            "RATE_LIMITED",
            1,
        )
        public = await access.authenticate(None, "/v1/billing/webhook")
        await access.meter(public, "/v1/billing/webhook", 200, 0)  # not metered
        usage = await access.usage(who)
        assert {
            k: usage[k] for k in ("plan", "daily_requests", "max_rows", "total_requests", "total_rows")
        } == {
            "plan": "free",
            "daily_requests": 100,
            "max_rows": 100,
            "total_requests": 3,
            "total_rows": 12,
        }
        assert [(r["endpoint"], r["requests"]) for r in usage["rows"]] == [
            ("/prices", 2),
            ("/v1/companies/320193", 1),
        ]
        await access.meter(who, "/prices", 200, 1)
        for hook in access.on_shutdown:
            await hook()

    asyncio.run(main())
    total = conn.execute(
        "SELECT sum(count), sum(rows) FROM usage u JOIN api_keys k ON k.id = u.key_id WHERE k.prefix = %s",
        (key[:18],),
    ).fetchone()
    assert total == (4, 13)  # the last request was written by the shutdown hook


def test_auth_off_hook(config: AccessConfig) -> None:
    settings = Settings.from_env(
        env={"AIHF_AUTH": "off", "AIHF_PG_URL": config.pg_url, "REDIS_URL": config.redis_url},
        dotenv=Path("/nonexistent/.env"),
    )

    async def main() -> str:
        access = create_access(settings)
        await access.start()
        who = await access.authenticate("whatever", "/prices")
        await access.stop()
        return str(who.key_id)

    assert asyncio.run(main()) == "anonymous"
