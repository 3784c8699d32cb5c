"""Daily market prices: providers (folder, HTTP, your own), split factors, bar quality, resampling.

Framework-free: the Dagster assets in ``assets/market`` and the API call these functions.
"""

from __future__ import annotations

from lake.prices.provider import PriceError, PriceProvider, UnknownTicker
from lake.settings import Settings

__all__ = ["PriceError", "PriceProvider", "UnknownTicker", "open_provider"]


def open_provider(settings: Settings) -> PriceProvider:
    """The provider ``PRICES_PROVIDER`` selects: the folder ``PRICES_DIR`` or the API at ``PRICES_HTTP_URL``."""
    if settings.prices_provider == "http":
        from lake.prices.http import HttpProvider

        if not settings.prices_http_url:
            raise PriceError("PRICES_PROVIDER=http needs PRICES_HTTP_URL")
        return HttpProvider(settings.prices_http_url, api_key=settings.prices_api_key)
    from lake.prices.folder import FolderProvider

    return FolderProvider(settings.prices_dir)
