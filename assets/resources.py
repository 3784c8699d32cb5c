"""Dagster resources: thin, typed views of the one settings object (``lake.settings.Settings``).

A field left ``None`` takes the value of the environment / ``.env`` / default at run time; a field bound (in
``orchestration/definitions.py``, from ``EnvVar``) or set in a run's config overrides it for that run.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import msgspec

from edgar.http import SecHttpClient
from edgar.ratelimit import open_limiter
from edgar.source import EdgarSource, LiveSource, OfflineSource
from lake.prices import PriceProvider, open_provider
from lake.settings import Settings
from lake.storage import Lake


def _settings(overrides: dict[str, Any]) -> Settings:
    base = Settings.from_env()
    given = {k: v for k, v in overrides.items() if v is not None}
    return msgspec.structs.replace(base, **given) if given else base


class LakeResource(dg.ConfigurableResource):
    """The lake: a local folder or ``s3://bucket/prefix`` (``LAKE_URI``)."""

    uri: str | None = None
    s3_endpoint: str | None = None

    def settings(self) -> Settings:
        """Settings with this resource's overrides applied."""
        return _settings({"lake_uri": self.uri, "lake_s3_endpoint": self.s3_endpoint})

    def lake(self) -> Lake:
        """Open the lake."""
        return Lake.from_settings(self.settings())


class EdgarResource(dg.ConfigurableResource):
    """SEC EDGAR: the offline mirror (default) or the live SEC (``EDGAR_SOURCE=live``)."""

    source: str | None = None
    shared_dir: str | None = None
    user_agent: str | None = None
    max_rps: float | None = None

    def settings(self) -> Settings:
        """Settings with this resource's overrides applied."""
        return _settings(
            {
                "edgar_source": self.source,
                "shared_dir": self.shared_dir,
                "sec_user_agent": self.user_agent,
                "sec_max_rps": self.max_rps,
            }
        )

    def open(self) -> EdgarSource:
        """The configured source; live mode refuses to start without ``SEC_USER_AGENT``."""
        return open_source(self.settings())


def open_source(settings: Settings) -> EdgarSource:
    """Build the EDGAR source that ``settings`` select."""
    if settings.edgar_source == "offline":
        return OfflineSource(settings.edgar_mirror)
    client = SecHttpClient(
        user_agent=settings.sec_user_agent,
        max_rps=settings.sec_max_rps,
        max_retries=settings.sec_max_retries,
        timeout_s=settings.sec_timeout_s,
        max_in_flight=settings.sec_max_in_flight,
        limiter=open_limiter(
            settings.sec_rate_limiter,
            settings.sec_max_rps,
            path=settings.sec_rate_limit_file,
            redis_url=settings.redis_url,
        ),
    )
    return LiveSource(
        client.get, www_url=settings.sec_www_url, data_url=settings.sec_data_url, fetch_many=client.get_many
    )


class PricesResource(dg.ConfigurableResource):
    """Daily prices: a folder of CSV/Parquet files (default ``AIHF_SHARED_DIR/prices``) or an HTTP API."""

    provider: str | None = None
    dir: str | None = None
    http_url: str | None = None
    api_key: str | None = None

    def settings(self) -> Settings:
        """Settings with this resource's overrides applied."""
        return _settings(
            {
                "prices_provider": self.provider,
                "prices_dir": self.dir,
                "prices_http_url": self.http_url,
                "prices_api_key": self.api_key,
            }
        )

    def open(self) -> PriceProvider:
        """The configured price provider."""
        return open_provider(self.settings())
