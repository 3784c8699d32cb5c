"""Accounts, API keys, plans, rate limits, usage metering and Stripe billing of the API.

A self-contained package the Litestar app plugs in (:class:`serving.accounts.litestar.AccessPlugin`):
PostgreSQL holds users, plans, keys, usage and billing (versioned Alembic migrations under ``migrations/``),
Redis holds the rate-limit state. ``python -m serving.accounts`` is the admin CLI.
"""

from typing import Any


def create_access(settings: Any) -> Any:
    """The app's ``Access`` hook backed by the accounts (see :mod:`serving.accounts.hook`)."""
    from serving.accounts.hook import create_access as create

    return create(settings)
