"""A subscription event racing the checkout that links its customer is never left unmatched.

The two deliveries are applied at the same time on two PostgreSQL connections (what two webhook requests do):
without the per-customer lock, the subscription event can read "no user" while the checkout's link is not
committed, and the checkout's re-application of unmatched events cannot see it yet, so it stays unmatched.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import psycopg

from serving.accounts import billing, db, store
from serving.accounts.stripe_events import verify
from tests.accounts.conftest import unique_email
from tests.accounts.test_billing import SECRET, completed, event, signed, subscription

PAIRS = 30


async def _race(pg_url: str, pairs: list[tuple[bytes, bytes]]) -> None:
    conns = [await psycopg.AsyncConnection.connect(db.conninfo(pg_url)) for _ in range(2)]
    try:
        for first, second in pairs:
            await asyncio.gather(
                *(
                    billing.apply_event(conn, verify(body, signed(body)["Stripe-Signature"], SECRET), body)
                    for conn, body in zip(conns, (first, second), strict=True)
                )
            )
    finally:
        for conn in conns:
            await conn.close()


def test_racing_deliveries_leave_nothing_unmatched(pg_url: str, conn: psycopg.Connection[Any]) -> None:
    t0 = int(time.time()) - 100
    pairs, customers = [], []
    for _ in range(PAIRS):
        user = store.create_user(conn, unique_email("race"), "free")
        customer, sub, session = (f"{p}_{uuid.uuid4().hex[:14]}" for p in ("cus", "sub", "cs_test"))
        conn.execute(
            "INSERT INTO checkout_sessions (id, user_id, plan) VALUES (%s, %s, 'pro')", (session, user.id)
        )
        checkout = event(
            "checkout.session.completed", completed(session, user.id, customer, sub, user.email), t0
        )
        created = event(
            "customer.subscription.created", subscription(sub, customer, "active", "enterprise"), t0
        )
        pairs.append((created, checkout))
        customers.append((customer, user.id))
    asyncio.run(_race(pg_url, pairs))
    unmatched = conn.execute(
        "SELECT count(*) FROM stripe_events WHERE outcome LIKE 'unmatched:%%'"
        " AND payload->'data'->'object'->>'customer' = ANY(%s)",
        ([c for c, _ in customers],),
    ).fetchone()
    plans = conn.execute(
        "SELECT plan, count(*) FROM users WHERE id = ANY(%s) GROUP BY plan", ([u for _, u in customers],)
    ).fetchall()
    assert (unmatched, plans) == ((0,), [("enterprise", PAIRS)])
