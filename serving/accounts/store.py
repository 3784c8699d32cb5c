"""Accounts in PostgreSQL: users, keys, plans and usage (the SQL, and the synchronous calls of the CLI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import psycopg
from psycopg.types.json import Jsonb

from serving.accounts.keys import is_key, key_hash, key_prefix, new_key
from serving.accounts.plans import plan_named

ANONYMOUS_PREFIX = "anonymous"
SCOPES = ("fd", "v1")


class AccountError(ValueError):
    """A request the accounts cannot honour (unknown user, revoked key…); the message says what and why."""


class User(msgspec.Struct, frozen=True):
    """A user and their plan."""

    id: int
    email: str
    plan: str
    stripe_customer_id: str | None
    created_at: dt.datetime


class KeyInfo(msgspec.Struct, frozen=True):
    """An API key as listed (never the key itself)."""

    id: int
    user_id: int
    email: str
    prefix: str
    name: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class IssuedKey(msgspec.Struct, frozen=True):
    """A freshly issued key: the only time the clear key exists."""

    id: int
    user_id: int
    prefix: str
    key: str


class UsageRow(msgspec.Struct, frozen=True):
    """Requests and rows served per UTC day, endpoint and key."""

    day: dt.date
    endpoint: str
    key_prefix: str
    requests: int
    rows: int


Conn = psycopg.Connection[Any]

USER_COLUMNS = "id, email, plan, stripe_customer_id, created_at"
KEY_LIST_SQL = """
    SELECT k.id, k.user_id, u.email, k.prefix, k.name, k.scopes, k.created_at, k.revoked_at, k.last_used_at
    FROM api_keys k JOIN users u ON u.id = k.user_id
    WHERE k.prefix <> 'anonymous' AND (%(email)s::text IS NULL OR lower(u.email) = lower(%(email)s))
    ORDER BY k.id
"""
USAGE_SQL = """
    SELECT (u.bucket AT TIME ZONE 'UTC')::date AS day, u.endpoint, k.prefix,
           sum(u.count)::bigint AS requests, sum(u.rows)::bigint AS rows
    FROM usage u JOIN api_keys k ON k.id = u.key_id
    WHERE (%(user_id)s::bigint IS NULL OR k.user_id = %(user_id)s)
      AND u.bucket >= %(start)s AND u.bucket < %(end)s
    GROUP BY 1, 2, 3
    ORDER BY 1 DESC, 2, 3
"""
AUDIT_SQL = "INSERT INTO audit_log (actor, action, user_id, key_id, detail) VALUES (%s, %s, %s, %s, %s)"


def audit(
    conn: Conn, actor: str, action: str, user_id: int | None, key_id: int | None, **detail: Any
) -> None:
    """Append one line to the audit log (in the caller's transaction)."""
    conn.execute(AUDIT_SQL, (actor, action, user_id, key_id, Jsonb(detail)))


def _user(row: tuple[Any, ...]) -> User:
    return User(*row)


def get_user(conn: Conn, email: str) -> User:
    """The user with this email (case-insensitive).

    Raises:
        AccountError: no such user.
    """
    row = conn.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower(%s)", (email,)
    ).fetchone()
    if row is None:
        raise AccountError(f"unknown user {email!r} (create it with: python -m serving.accounts create-user)")
    return _user(row)


def create_user(conn: Conn, email: str, plan: str = "free", *, exist_ok: bool = False) -> User:
    """Create a user on ``plan``; with ``exist_ok`` return the existing user instead of failing.

    Raises:
        AccountError: bad email, unknown plan, or the user exists (without ``exist_ok``).
    """
    email = email.strip()
    if "@" not in email or " " in email:
        raise AccountError(f"not an email address: {email!r}")
    try:
        plan = plan_named(plan).name
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with conn.transaction():
        row = conn.execute(
            f"INSERT INTO users (email, plan) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING {USER_COLUMNS}",
            (email, plan),
        ).fetchone()
        if row is None:
            if exist_ok:
                return get_user(conn, email)
            raise AccountError(f"user {email!r} already exists")
        user = _user(row)
        audit(conn, "cli", "user.create", user.id, None, email=email, plan=plan)
    return user


def set_plan(conn: Conn, email: str, plan: str, *, actor: str = "cli") -> User:
    """Move the user to ``plan`` (takes effect on the API within the key cache's lifetime).

    Raises:
        AccountError: unknown user or plan.
    """
    try:
        plan = plan_named(plan).name
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    with conn.transaction():
        user = get_user(conn, email)
        conn.execute("UPDATE users SET plan = %s, updated_at = now() WHERE id = %s", (plan, user.id))
        audit(conn, actor, "plan.set", user.id, None, old=user.plan, new=plan)
    return get_user(conn, email)


def issue_key(conn: Conn, email: str, *, name: str = "", scopes: tuple[str, ...] = SCOPES) -> IssuedKey:
    """Issue a new key to the user; the clear key is returned once and only its hash is stored.

    Raises:
        AccountError: unknown user or scope.
    """
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise AccountError(f"unknown scope(s) {bad or scopes!r}; scopes are {', '.join(SCOPES)}")
    key = new_key()
    with conn.transaction():
        user = get_user(conn, email)
        row = conn.execute(
            "INSERT INTO api_keys (user_id, prefix, key_hash, name, scopes) VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (user.id, key_prefix(key), key_hash(key), name, list(scopes)),
        ).fetchone()
        assert row is not None
        audit(conn, "cli", "key.issue", user.id, row[0], prefix=key_prefix(key), scopes=list(scopes))
    return IssuedKey(id=row[0], user_id=user.id, prefix=key_prefix(key), key=key)


def revoke_key(conn: Conn, key_or_prefix: str) -> KeyInfo:
    """Revoke a key given in full or by its listed prefix (``aihf_live_xxxxxxxx``), and its refresh tokens.

    Raises:
        AccountError: unknown key, ambiguous prefix, or already revoked.
    """
    text = key_or_prefix.strip()
    if is_key(text):
        where, arg = "key_hash = %s", key_hash(text)
    elif text.startswith("aihf_live_") and len(text) == len(key_prefix("aihf_live_" + "0" * 64)):
        where, arg = "prefix = %s", text  # type: ignore[assignment]
    else:
        raise AccountError(
            f"not a key or key prefix: {text!r} (expected aihf_live_ + 8 or 64 hex characters)"
        )
    with conn.transaction():
        rows = conn.execute(f"SELECT id, revoked_at FROM api_keys WHERE {where}", (arg,)).fetchall()
        if not rows:
            raise AccountError(f"unknown key {key_prefix(text)}")
        if len(rows) > 1:
            raise AccountError(f"prefix {text} matches {len(rows)} keys; give the whole key")
        key_id, revoked_at = rows[0]
        if revoked_at is not None:
            raise AccountError(
                f"key {key_prefix(text)} was already revoked at {revoked_at:%Y-%m-%d %H:%M:%S %Z}"
            )
        conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s", (key_id,))
        # its refresh tokens go with it (its access tokens are refused once the key is seen revoked)
        conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE key_id = %s AND revoked_at IS NULL", (key_id,)
        )
        info = next(k for k in list_keys(conn) if k.id == key_id)
        audit(conn, "cli", "key.revoke", info.user_id, key_id, prefix=info.prefix)
    return info


def list_keys(conn: Conn, email: str | None = None) -> list[KeyInfo]:
    """Every key (of one user when ``email`` is given), oldest first.

    Raises:
        AccountError: unknown user.
    """
    if email is not None:
        get_user(conn, email)
    return [KeyInfo(*row) for row in conn.execute(KEY_LIST_SQL, {"email": email}).fetchall()]


def usage_window(days: int, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval [start, end) of the last ``days`` days, today included."""
    today = today or dt.datetime.now(dt.UTC).date()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return end - dt.timedelta(days=days), end


def usage(conn: Conn, email: str | None = None, days: int = 7) -> list[UsageRow]:
    """Usage per day, endpoint and key over the last ``days`` days (everyone's when ``email`` is None).

    Raises:
        AccountError: unknown user.
    """
    user_id = get_user(conn, email).id if email is not None else None
    start, end = usage_window(days)
    rows = conn.execute(USAGE_SQL, {"user_id": user_id, "start": start, "end": end}).fetchall()
    return [UsageRow(*row) for row in rows]


def ensure_demo_key(
    conn: Conn, known: str | None = None, *, email: str = "demo@localhost", plan: str = "pro"
) -> tuple[str, bool]:
    """A live key of the demo user (created with the user when missing): (key, issued now).

    The clear key is stored nowhere, so the caller keeps it (``make key`` keeps it in ``.aihf-demo-key``) and
    passes it back as ``known``: it is returned as is while it is a live ``demo`` key of the demo user;
    otherwise the demo user's old ``demo`` keys are revoked and a new one is issued.
    """
    user = create_user(conn, email, plan, exist_ok=True)
    if known and is_key(known.strip()):
        row = conn.execute(
            "SELECT 1 FROM api_keys WHERE key_hash = %s AND user_id = %s AND name = 'demo' AND revoked_at IS NULL",
            (key_hash(known.strip()), user.id),
        ).fetchone()
        if row is not None:
            return known.strip(), False
    with conn.transaction():
        conn.execute(
            "UPDATE api_keys SET revoked_at = now() WHERE user_id = %s AND name = 'demo' AND revoked_at IS NULL",
            (user.id,),
        )
    return issue_key(conn, email, name="demo").key, True


class BillingRow(msgspec.Struct, frozen=True):
    """One Stripe subscription or invoice of a user as ``billing`` shows it."""

    kind: str
    id: str
    plan: str | None
    status: str
    failed_at: dt.datetime | None
    event_created: dt.datetime


def billing_rows(conn: Conn, email: str) -> tuple[User, list[BillingRow]]:
    """The user and their subscriptions and invoices (newest state first).

    Raises:
        AccountError: unknown user.
    """
    user = get_user(conn, email)
    rows = conn.execute(
        """
        SELECT 'subscription', id, plan, status, NULL::timestamptz, event_created FROM subscriptions
        WHERE user_id = %(id)s
        UNION ALL
        SELECT 'invoice', id, NULL, status, failed_at, event_created FROM invoices WHERE user_id = %(id)s
        ORDER BY 1 DESC, 6 DESC, 2
        """,
        {"id": user.id},
    ).fetchall()
    return user, [BillingRow(*row) for row in rows]
