from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import psycopg
import pytest

from serving.accounts import db
from serving.accounts.__main__ import run
from tests.accounts.conftest import unique_email


def cli(pg_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["--pg-url", pg_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_users_keys_plans(
    pg_url: str, conn: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    email = unique_email("cli")
    code, out, _ = cli(pg_url, capsys, "create-user", email, "--plan", "pro")
    assert code == 0 and f"{email} plan pro" in out
    code, _, err = cli(pg_url, capsys, "create-user", email)
    assert code == 2 and "already exists" in err

    code, out, err = cli(pg_url, capsys, "issue-key", email, "--name", "laptop", "--scopes", "fd")
    key = out.strip()
    assert code == 0 and key.startswith("aihf_live_") and len(key) == 74 and "shown only now" in err
    row = conn.execute(
        "SELECT prefix, key_hash, scopes, name FROM api_keys WHERE key_hash = %s",
        (hashlib.sha256(key.encode()).digest(),),
    ).fetchone()
    assert row is not None and row[0] == key[:18] and row[2] == ["fd"] and row[3] == "laptop"
    # the clear key is stored nowhere
    dump = conn.execute("SELECT string_agg(t::text, ' ') FROM api_keys t").fetchone()
    assert dump is not None and key not in dump[0] and key[18:] not in dump[0]

    code, out, _ = cli(pg_url, capsys, "list-keys", email)
    assert code == 0 and key[:18] in out and key not in out and "laptop" in out

    code, out, _ = cli(pg_url, capsys, "set-plan", email.upper(), "enterprise")
    assert code == 0 and "enterprise" in out
    assert conn.execute("SELECT plan FROM users WHERE email = %s", (email,)).fetchone() == ("enterprise",)
    code, _, err = cli(pg_url, capsys, "set-plan", email, "gold")
    assert code == 2 and "unknown plan 'gold'" in err

    code, out, _ = cli(pg_url, capsys, "revoke-key", key[:18])
    assert code == 0 and f"revoked {key[:18]}" in out
    code, _, err = cli(pg_url, capsys, "revoke-key", key)
    assert code == 2 and "already revoked" in err
    actions = conn.execute(
        "SELECT action FROM audit_log a JOIN users u ON u.id = a.user_id WHERE u.email = %s ORDER BY a.id",
        (email,),
    ).fetchall()
    assert [a for (a,) in actions] == ["user.create", "key.issue", "plan.set", "key.revoke"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("issue-key", "nobody@example.com"), "unknown user 'nobody@example.com'"),
        (("revoke-key", "aihf_live_" + "0" * 64), "unknown key aihf_live_00000000"),
        (("revoke-key", "sk_live_123"), "not a key or key prefix"),
        (("create-user", "not-an-email"), "not an email address"),
        (("usage", "nobody@example.com"), "unknown user"),
    ],
)
def test_clear_errors(
    pg_url: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(pg_url, capsys, *args)
    assert code == 2 and message in err and not out


def test_unreachable_database(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("postgresql://postgres@127.0.0.1:1/none", capsys, "list-keys")
    assert code == 1 and "cannot use PostgreSQL" in err


def test_migrate_creates_database_and_demo_key_is_stable(
    pg_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fresh = pg_url + "_fresh"
    try:
        code, out, _ = cli(fresh, capsys, "migrate")
        assert code == 0 and f"{fresh.rsplit('/', 1)[1]} is at migration {db.head_revision()}" in out
        with psycopg.connect(fresh) as c:
            plans = c.execute(
                "SELECT name, daily_requests, max_rows FROM plans ORDER BY daily_requests"
            ).fetchall()
        assert plans == [("free", 100, 100), ("pro", 10_000, 1_000), ("enterprise", None, None)]
    finally:
        db.drop_database(fresh)
    keyfile = tmp_path / "demo-key"
    code, first, _ = cli(pg_url, capsys, "demo-key", "--file", str(keyfile))
    code2, second, _ = cli(pg_url, capsys, "demo-key", "--file", str(keyfile))
    assert code == code2 == 0 and first == second and first.startswith("aihf_live_")
    keyfile.write_text("aihf_live_" + "1" * 64)  # a stale file: a new key, the old demo key revoked
    _, third, _ = cli(pg_url, capsys, "demo-key", "--file", str(keyfile))
    assert third != first and keyfile.read_text().strip() == third.strip()
    with psycopg.connect(pg_url) as c:
        live = c.execute(
            "SELECT count(*) FROM api_keys k JOIN users u ON u.id = k.user_id"
            " WHERE u.email = 'demo@localhost' AND k.revoked_at IS NULL"
        ).fetchone()
    assert live == (1,)
