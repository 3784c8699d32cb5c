"""``python -m serving.accounts``: migrate the accounts database, manage users, plans and keys, show usage."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import psycopg

from lake.settings import PROJECT_ROOT, Settings
from serving.accounts import billing, db, store
from serving.accounts.plans import PLANS

DEMO_KEY_FILE = PROJECT_ROOT / ".aihf-demo-key"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m serving.accounts", description=__doc__)
    parser.add_argument("--pg-url", help="PostgreSQL URL (default: AIHF_PG_URL)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    sub.add_parser("migrate", help="create the database if missing and apply every migration")
    p = sub.add_parser("create-user", help="create a user")
    p.add_argument("email")
    p.add_argument("--plan", default="free", help=f"one of {', '.join(PLANS)} (default free)")
    p = sub.add_parser("issue-key", help="issue an API key to a user (printed once, stored only as a hash)")
    p.add_argument("email")
    p.add_argument("--name", default="", help="a label shown by list-keys")
    p.add_argument("--scopes", default=",".join(store.SCOPES), help="comma-separated: fd, v1 (default both)")
    p = sub.add_parser("revoke-key", help="revoke a key, given whole or by its prefix from list-keys")
    p.add_argument("key")
    p = sub.add_parser("list-keys", help="list keys (prefix, owner, scopes, revoked, last used)")
    p.add_argument("email", nargs="?")
    p = sub.add_parser("set-plan", help="move a user to another plan")
    p.add_argument("email")
    p.add_argument("plan", help=", ".join(PLANS))
    p = sub.add_parser(
        "billing", help="a user's Stripe subscriptions and invoices, and whether keys are suspended"
    )
    p.add_argument("email")
    p = sub.add_parser("usage", help="requests and rows per day, endpoint and key")
    p.add_argument("email", nargs="?")
    p.add_argument("--days", type=int, default=7)
    p = sub.add_parser("demo-key", help="print the demo user's key, creating user and key when needed")
    p.add_argument("--file", type=Path, default=DEMO_KEY_FILE, help="where the demo key is kept")
    return parser


def _when(value: object) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 database unreachable, 2 refused request)."""
    args = _parser().parse_args(argv)
    url = args.pg_url or Settings.from_env().pg_url
    try:
        revision = db.migrate(url)
        if args.command == "migrate":
            print(f"{db.database_name(url)} is at migration {revision}")
            return 0
        with db.connect(url) as conn:
            return _command(conn, args)
    except store.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except psycopg.OperationalError as exc:
        print(f"error: cannot use PostgreSQL at {url}: {str(exc).strip()}", file=sys.stderr)
        return 1


def _billing(conn: store.Conn, email: str) -> None:
    user, state = store.billing_rows(conn, email)
    print(f"user {user.id} {user.email} plan {user.plan} Stripe customer {user.stripe_customer_id or '-'}")
    for r in state:
        failed = f"  first failed {_when(r.failed_at.astimezone(dt.UTC))}" if r.failed_at else ""
        print(
            f"{r.kind:<12}  {r.id:<28}  {r.plan or '-':<10}  {r.status:<18}"
            f"  event {_when(r.event_created.astimezone(dt.UTC))}{failed}"
        )
    unpaid = [r.failed_at for r in state if r.kind == "invoice" and r.status in billing.UNPAID_INVOICE]
    first = min((f for f in unpaid if f is not None), default=None)
    print(billing.suspension(user.plan, first, dt.datetime.now(dt.UTC)) or "keys: not suspended")


def _command(conn: store.Conn, args: argparse.Namespace) -> int:
    if args.command == "create-user":
        user = store.create_user(conn, args.email, args.plan)
        print(f"user {user.id} {user.email} plan {user.plan}")
    elif args.command == "issue-key":
        scopes = tuple(s.strip() for s in args.scopes.split(",") if s.strip())
        issued = store.issue_key(conn, args.email, name=args.name, scopes=scopes)
        print(issued.key)
        print(f"key {issued.prefix} issued to {args.email}; it is shown only now, keep it", file=sys.stderr)
    elif args.command == "revoke-key":
        info = store.revoke_key(conn, args.key)
        print(f"revoked {info.prefix} of {info.email}")
    elif args.command == "list-keys":
        print(
            f"{'id':>4}  {'prefix':<18}  {'email':<28}  {'name':<10}  {'scopes':<7}  {'revoked':<19}  last used"
        )
        for k in store.list_keys(conn, args.email):
            print(
                f"{k.id:>4}  {k.prefix:<18}  {k.email:<28}  {k.name:<10}  {','.join(k.scopes):<7}  "
                f"{_when(k.revoked_at):<19}  {_when(k.last_used_at)}"
            )
    elif args.command == "set-plan":
        user = store.set_plan(conn, args.email, args.plan)
        print(f"user {user.email} is now on plan {user.plan}")
    elif args.command == "billing":
        _billing(conn, args.email)
    elif args.command == "usage":
        rows = store.usage(conn, args.email, args.days)
        print(f"{'day':<10}  {'key':<18}  {'requests':>8}  {'rows':>8}  endpoint")
        for r in rows:
            print(f"{r.day}  {r.key_prefix:<18}  {r.requests:>8}  {r.rows:>8}  {r.endpoint}")
        print(f"total: {sum(r.requests for r in rows)} requests, {sum(r.rows for r in rows)} rows")
    elif args.command == "demo-key":
        known = args.file.read_text(encoding="utf-8").strip() if args.file.is_file() else None
        key, fresh = store.ensure_demo_key(conn, known)
        if fresh:
            args.file.write_text(key + "\n", encoding="utf-8")
            args.file.chmod(0o600)
        print(key)
    return 0


if __name__ == "__main__":
    sys.exit(run())
