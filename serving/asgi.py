"""The ASGI entry point: ``granian --interface asgi --factory serving.asgi:create`` (see ``make api``)."""

from __future__ import annotations

import importlib
import logging

from litestar import Litestar

from lake.settings import Settings
from serving.access import Access
from serving.app import create_app
from serving.layouts import LAYOUTS
from serving.logs import configure

log = logging.getLogger("serving")


def load_access(settings: Settings) -> Access | None:
    """The accounts module's access hook (``serving.accounts.create_access(settings)``).

    With ``AIHF_AUTH=off`` the hook accepts any or no key and still counts usage under the anonymous key.
    Without the accounts module installed, None: every request is anonymous and nothing is counted.
    """
    try:
        accounts = importlib.import_module("serving.accounts")
    except ModuleNotFoundError as exc:
        if exc.name not in ("serving.accounts",):
            raise
        return None
    factory = getattr(accounts, "create_access", None)
    return factory(settings) if factory is not None else None


def create() -> Litestar:
    """The app over the lake of the environment's settings (JSON logs on stderr)."""
    settings = Settings.from_env()
    configure()
    return create_app(
        settings,
        access=load_access(settings),
        page_size=settings.api_page_size,
        refresh_s=settings.api_refresh_s,
        preload=[*LAYOUTS, "companies"],
    )
