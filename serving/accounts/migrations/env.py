"""Alembic environment of the accounts database (online migrations over SQLAlchemy 2.0 + psycopg 3)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run_migrations_online() -> None:
    """Run every pending migration in one transaction."""
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set (use serving.accounts.db.migrate)"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit(
        "offline (SQL script) migrations are not supported; run python -m serving.accounts migrate"
    )
run_migrations_online()
