"""PostgreSQL of the accounts: create the database when missing, migrate it (Alembic), connect (psycopg 3)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: advisory lock held while migrating, so that workers starting together migrate once
_MIGRATE_LOCK = 0x41494846


def conninfo(url: str) -> str:
    """A psycopg connection string from ``AIHF_PG_URL`` (``postgresql://`` or ``postgresql+psycopg://``)."""
    scheme, _, rest = url.partition("://")
    if not rest or not scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"AIHF_PG_URL must be a postgresql:// URL, not {url!r}")
    return f"postgresql://{rest}"


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy 2.0 URL for Alembic (``postgresql+psycopg://``, psycopg 3)."""
    return "postgresql+psycopg://" + conninfo(url).partition("://")[2]


def database_name(url: str) -> str:
    """The database named by the URL's path."""
    name = urlsplit(conninfo(url)).path.lstrip("/")
    if not name:
        raise ValueError(f"AIHF_PG_URL names no database: {url!r}")
    return name


def ensure_database(url: str) -> bool:
    """Create the URL's database when it does not exist (connecting to ``postgres``); True when created."""
    name = database_name(url)
    parts = urlsplit(conninfo(url))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False
    log.info("created database %s", name)
    return True


def drop_database(url: str) -> None:
    """Drop the URL's database (tests), closing its other sessions first."""
    name = database_name(url)
    admin = urlunsplit(urlsplit(conninfo(url))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def alembic_config(url: str) -> object:
    """The Alembic ``Config`` of the accounts migrations for ``url`` (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest migration revision."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at (None before the first migration)."""
    with psycopg.connect(conninfo(url)) as conn:
        exists = conn.execute("SELECT to_regclass('public.alembic_version')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None


def migrate(url: str) -> str:
    """Create the database if missing and upgrade it to the newest migration; returns the revision.

    Safe to call from several processes at once (a PostgreSQL advisory lock serialises them) and cheap when
    the database is already at head.
    """
    ensure_database(url)
    head = head_revision()
    if current_revision(url) == head:
        return head
    from alembic import command

    with psycopg.connect(conninfo(url), autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (_MIGRATE_LOCK,))
        try:
            if current_revision(url) != head:
                command.upgrade(alembic_config(url), "head")  # type: ignore[arg-type]
                log.info("accounts database migrated to %s", head)
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATE_LOCK,))
    return head


def connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """A synchronous connection in autocommit mode (CLI, tests): writes group in ``conn.transaction()``."""
    return psycopg.connect(conninfo(url), autocommit=True)
