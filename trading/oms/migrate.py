"""Apply the versioned SQL files of trading/oms/migrations to PostgreSQL (schema ``trading``).

Each file ``NNNN_name.sql`` runs once, in its own transaction, and is recorded in
``trading.schema_migrations`` with its checksum; a recorded file whose text changed is refused. Concurrent
migrators serialize on an advisory lock. ``python -m trading.oms.migrate`` migrates ``AIHF_PG_URL``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import msgspec
import psycopg

from lake.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
#: key of the advisory lock that serializes migrators (any constant shared by every migrator)
_LOCK_KEY = 0x7472616465  # "trade"


class Migration(msgspec.Struct, frozen=True):
    """One SQL file: its version number, name and checksum."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """sha256 of the file's text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations(folder: Path = MIGRATIONS) -> list[Migration]:
    """The migration files in version order.

    Raises:
        ValueError: a file name is not ``NNNN_name.sql`` or two files share a version.
    """
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", path.name)
        if not match:
            raise ValueError(f"migration file {path.name} is not named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations have version {version}")
        found[version] = Migration(version, match.group(2), path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def migrate(url: str, folder: Path = MIGRATIONS) -> list[int]:
    """Bring the database at ``url`` up to the newest migration; returns the versions applied now.

    Raises:
        RuntimeError: an applied migration's file changed since (its checksum differs).
    """
    applied_now: list[int] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS trading")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS trading.schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {v: c for v, c in conn.execute("SELECT version, checksum FROM trading.schema_migrations")}
            for migration in migrations(folder):
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise RuntimeError(
                            f"migration {migration.version:04d}_{migration.name} changed after it was applied"
                        )
                    continue
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO trading.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
                applied_now.append(migration.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now


def ensure_database(url: str) -> None:
    """Create the database of ``url`` when it does not exist (connecting to ``postgres`` on the same server)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.get("dbname")
    if not name:
        return
    try:
        psycopg.connect(url).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(str(name))))


if __name__ == "__main__":
    pg = Settings.from_env().pg_url
    ensure_database(pg)
    print(f"applied migrations: {migrate(pg) or 'none (up to date)'}")
