"""Stripe webhooks: verified events (:mod:`serving.accounts.stripe_events`) applied once per event id.

Handled events:

* ``checkout.session.completed`` links the session's Stripe customer to a user **only when the session was
  created by our checkout endpoint** (``POST /v1/billing/checkout`` records its id, user and plan in
  ``checkout_sessions``; its ``client_reference_id`` / ``metadata.user_id`` must name that same user). The
  checkout's email is never used: anyone can type anyone's email into a checkout. When the customer is linked,
  the events stored earlier as "unmatched" for it (a subscription or invoice event that arrived before the
  checkout completion, which Stripe does not order) are applied, oldest first.
* ``customer.subscription.created|updated|deleted`` record the subscription's own latest state (plan from its
  ``metadata.plan`` or its price's ``lookup_key``; status). Per subscription we keep the ``created`` time of the
  last applied event and the status: an older event is recorded as ``stale`` and not applied, and a final status
  (``canceled``, ``incomplete_expired``) is never left, whatever arrives after it. A checkout completion only
  provides a provisional state (dated 1970) that any subscription event replaces, and never changes a
  subscription already known, so a late checkout cannot re-upgrade a cancelled subscription.
  The user's plan is then derived from their subscriptions: the plan of the newest active one, else Free.
* ``invoice.payment_failed`` / ``invoice.paid`` / ``invoice.voided`` record the invoice's state the same way
  (``paid`` and ``void`` are final; an older failure delivered late still moves the first failure earlier). A
  user with an unpaid invoice whose first failed payment is older than their plan's ``grace_days`` is refused
  with 402 (:func:`suspension`) until the invoice is paid or voided.

Every other type is recorded and ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import psycopg
from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from serving.accounts.plans import PLANS
from serving.accounts.stripe_events import (
    TOLERANCE_S,
    CheckoutSession,
    Event,
    Invoice,
    Subscription,
    WebhookError,
    typed_object,
    verify,
)

__all__ = ["TOLERANCE_S", "WebhookError", "apply_event", "suspension", "verify"]

ACTIVE = ("active", "trialing", "past_due")
FINAL_SUBSCRIPTION = ("canceled", "incomplete_expired")
FINAL_INVOICE = ("paid", "void")
UNPAID_INVOICE = ("open", "uncollectible")
#: ``event_created`` of the provisional subscription state a checkout records: older than any real event
PROVISIONAL = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Conn = AsyncConnection[Any]
#: first key of the per-customer advisory lock (second: hash of the customer id)
_CUSTOMER_LOCK = 0x53545250


def _when(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _plan_of(sub: Subscription) -> str:
    """The plan named by the subscription's metadata or its first price's lookup key (default pro)."""
    name = sub.metadata.get("plan")
    if not name and sub.items is not None and sub.items.data and sub.items.data[0].price is not None:
        price = sub.items.data[0].price
        name = price.lookup_key or price.metadata.get("plan")
    return str(name).lower() if name else "pro"


async def _user_of_customer(conn: Conn, customer: str) -> int | None:
    row = await (
        await conn.execute("SELECT id FROM users WHERE stripe_customer_id = %s", (customer,))
    ).fetchone()
    return int(row[0]) if row else None


async def _sync_plan(conn: Conn, user_id: int, event_id: str) -> str:
    """Move the user to the plan of their newest active subscription (Free without one)."""
    row = await (
        await conn.execute(
            """
            SELECT u.plan, (SELECT s.plan FROM subscriptions s
                            WHERE s.user_id = u.id AND s.status = ANY(%s) AND s.plan IS NOT NULL
                            ORDER BY s.event_created DESC, s.id DESC LIMIT 1)
            FROM users u WHERE u.id = %s
            """,
            (list(ACTIVE), user_id),
        )
    ).fetchone()
    assert row is not None, "the caller found the user"
    old, plan = str(row[0]), str(row[1] or "free")
    if old == plan:
        return f"user {user_id} already on {plan}"
    await conn.execute("UPDATE users SET plan = %s, updated_at = now() WHERE id = %s", (plan, user_id))
    await conn.execute(
        "INSERT INTO audit_log (actor, action, user_id, detail) VALUES (%s, 'plan.set', %s, %s)",
        (f"stripe:{event_id}", user_id, Jsonb({"old": old, "new": plan})),
    )
    return f"user {user_id}: {old} -> {plan}"


async def _subscription(conn: Conn, event: Event, sub: Subscription) -> str:
    user_id = await _user_of_customer(conn, sub.customer)
    if user_id is None:
        return f"unmatched: no user for customer {sub.customer!r}"
    status = "canceled" if event.type == "customer.subscription.deleted" else sub.status
    plan = _plan_of(sub)
    if plan not in PLANS:
        return f"rejected: unknown plan {plan!r}"
    end = _when(sub.current_period_end) if sub.current_period_end else None
    row = await (
        await conn.execute(
            """
            INSERT INTO subscriptions (id, user_id, customer_id, plan, status, current_period_end, event_created)
            VALUES (%(id)s, %(user)s, %(customer)s, %(plan)s, %(status)s, %(end)s, %(created)s)
            ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, customer_id = EXCLUDED.customer_id,
                plan = EXCLUDED.plan, status = EXCLUDED.status,
                current_period_end = coalesce(EXCLUDED.current_period_end, subscriptions.current_period_end),
                event_created = greatest(subscriptions.event_created, EXCLUDED.event_created), updated_at = now()
            WHERE subscriptions.status <> ALL(%(final)s)
              AND (subscriptions.event_created <= EXCLUDED.event_created OR EXCLUDED.status = ANY(%(final)s))
            RETURNING id
            """,
            {
                "id": sub.id,
                "user": user_id,
                "customer": sub.customer,
                "plan": plan,
                "status": status,
                "end": end,
                "created": _when(event.created),
                "final": list(FINAL_SUBSCRIPTION),
            },
        )
    ).fetchone()
    if row is None:
        return f"stale: subscription {sub.id} is already at a newer or final state"
    return await _sync_plan(conn, user_id, event.id)


async def _checkout(conn: Conn, event: Event, session: CheckoutSession) -> str:
    row = await (
        await conn.execute("SELECT user_id, plan FROM checkout_sessions WHERE id = %s", (session.id,))
    ).fetchone()
    if row is None:
        return (
            f"rejected: checkout session {session.id} was not created by POST /v1/billing/checkout; "
            "nothing linked (customers are linked only through our own sessions, never by email)"
        )
    user_id, plan = int(row[0]), str(row[1])
    named = session.client_reference_id or session.metadata.get("user_id")
    if named is not None and str(named) != str(user_id):
        return f"rejected: checkout session {session.id} names user {named!r}, not its user {user_id}"
    if not session.customer:
        return f"rejected: checkout session {session.id} has no customer"
    owner = await _user_of_customer(conn, session.customer)
    if owner is not None and owner != user_id:
        return f"rejected: customer {session.customer} is linked to another user"
    await conn.execute(
        "UPDATE users SET stripe_customer_id = %s, updated_at = now() WHERE id = %s",
        (session.customer, user_id),
    )
    earlier = await _reapply_unmatched(conn, session.customer, event.id)
    if session.subscription:
        paid = session.payment_status in (None, "paid", "no_payment_required")
        await conn.execute(
            """
            INSERT INTO subscriptions (id, user_id, customer_id, plan, status, event_created)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, customer_id = EXCLUDED.customer_id
            """,
            (
                session.subscription,
                user_id,
                session.customer,
                plan,
                "active" if paid else "incomplete",
                PROVISIONAL,
            ),
        )
    outcome = await _sync_plan(conn, user_id, event.id)
    return f"{outcome} ({earlier} earlier event(s) of the customer applied)" if earlier else outcome


async def _invoice(conn: Conn, event: Event, invoice: Invoice) -> str:
    """Record the invoice's state (the caller holds the customer's lock, so read-then-write is safe)."""
    user_id = await _user_of_customer(conn, invoice.customer)
    if user_id is None:
        return f"unmatched: no user for customer {invoice.customer!r}"
    created = _when(event.created)
    failed = created if event.type == "invoice.payment_failed" else None
    status = {"invoice.paid": "paid", "invoice.voided": "void"}.get(event.type) or invoice.status or "open"
    prior = await (
        await conn.execute("SELECT status, event_created FROM invoices WHERE id = %s", (invoice.id,))
    ).fetchone()
    if prior is not None and prior[0] in FINAL_INVOICE:
        return f"stale: invoice {invoice.id} is already {prior[0]}"
    newer = prior is None or prior[1] <= created or status in FINAL_INVOICE
    if not newer and failed is None:
        return f"stale: invoice {invoice.id} is already at a newer state"
    # an older failure delivered late changes no status, but moves the first failure (the grace) earlier
    await conn.execute(
        """
        INSERT INTO invoices (id, user_id, customer_id, status, failed_at, event_created)
        VALUES (%(id)s, %(user)s, %(customer)s, %(status)s, %(failed)s, %(created)s)
        ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id,
            status = CASE WHEN %(newer)s THEN EXCLUDED.status ELSE invoices.status END,
            failed_at = least(invoices.failed_at, EXCLUDED.failed_at),
            event_created = greatest(invoices.event_created, EXCLUDED.event_created), updated_at = now()
        """,
        {
            "id": invoice.id,
            "user": user_id,
            "customer": invoice.customer,
            "status": status,
            "failed": failed,
            "created": created,
            "newer": newer,
        },
    )
    unpaid = await (
        await conn.execute(
            "SELECT count(*) FROM invoices WHERE user_id = %s AND status = ANY(%s) AND failed_at IS NOT NULL",
            (user_id, list(UNPAID_INVOICE)),
        )
    ).fetchone()
    left = int(unpaid[0]) if unpaid else 0
    what = status if newer else f"{prior[0] if prior else status} (an earlier failed payment)"
    return f"user {user_id}: invoice {invoice.id} {what}; {left} unpaid invoice(s) with a failed payment"


HANDLERS = {
    "checkout.session.completed": _checkout,
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _subscription,
    "customer.subscription.deleted": _subscription,
    "invoice.paid": _invoice,
    "invoice.payment_failed": _invoice,
    "invoice.voided": _invoice,
}


async def _handle(conn: Conn, event: Event) -> str:
    """Run the event's handler: what it did, as stored in ``stripe_events.outcome``."""
    handler: Any = HANDLERS.get(event.type)
    if handler is None:
        return f"ignored: {event.type} is not handled"
    return await handler(conn, event, typed_object(event))


async def _reapply_unmatched(conn: Conn, customer: str, linked_by: str) -> int:
    """Apply, oldest first, the events stored as unmatched for ``customer`` (now linked); how many."""
    rows = await (
        await conn.execute(
            """
            SELECT payload FROM stripe_events
            WHERE outcome LIKE 'unmatched:%%' AND payload -> 'data' -> 'object' ->> 'customer' = %s
              AND type <> 'checkout.session.completed'
            ORDER BY created, received_at, id
            FOR UPDATE
            """,
            (customer,),
        )
    ).fetchall()
    for (payload,) in rows:
        event = msgspec.convert(payload, Event)
        outcome = await _handle(conn, event)
        await conn.execute(
            "UPDATE stripe_events SET outcome = %s WHERE id = %s",
            (f"{outcome} (applied when {linked_by} linked the customer)", event.id),
        )
    return len(rows)


async def apply_event(conn: Conn, event: Event, payload: bytes) -> tuple[str, bool]:
    r"""Apply a verified event once: (outcome, duplicate). A redelivered event id changes nothing.

    ``payload`` is the delivery's body, stored as the event's ``payload``.

    Raises:
        WebhookError: PostgreSQL refuses the body as JSON (e.g. a ``\u0000`` in a string); nothing is stored.
    """
    try:
        async with conn.transaction():
            row = await (
                await conn.execute(
                    "INSERT INTO stripe_events (id, type, created, outcome, payload)"
                    " VALUES (%s, %s, %s, 'pending', %s::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (event.id, event.type, _when(event.created), payload.decode("utf-8")),
                )
            ).fetchone()
            if row is None:
                old = await (
                    await conn.execute("SELECT outcome FROM stripe_events WHERE id = %s", (event.id,))
                ).fetchone()
                return (str(old[0]) if old else "duplicate"), True
            customer = event.data.object.get("customer")
            if event.type in HANDLERS and isinstance(customer, str):
                # one customer's events apply one at a time, so an event that finds no linked user cannot
                # miss the checkout that links it (which re-applies the unmatched events it can see)
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_CUSTOMER_LOCK, customer)
                )
            outcome = await _handle(conn, event)
            await conn.execute("UPDATE stripe_events SET outcome = %s WHERE id = %s", (outcome, event.id))
    except psycopg.DataError as exc:
        raise WebhookError(f"body refused by the database as JSON: {exc}", "INVALID_EVENT") from None
    return outcome, False


def suspension(plan_name: str, payment_failed_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """Why a key of a user on ``plan_name`` is suspended at ``now`` (None when it is not).

    ``payment_failed_at`` is the first failed payment of the user's oldest unpaid invoice. Evaluated per
    request from the (cached) key row, so the grace period ends on time whatever the key cache holds.
    """
    plan = PLANS.get(plan_name)
    if payment_failed_at is None or plan is None or plan.grace_days is None:
        return None
    until = payment_failed_at + dt.timedelta(days=plan.grace_days)
    if now < until:
        return None
    return (
        f"billing: this account's keys are suspended because a payment failed on {payment_failed_at:%Y-%m-%d} "
        f"and the {plan.name} plan's grace period of {plan.grace_days} days ended on {until:%Y-%m-%d %H:%M} UTC; "
        "pay the open invoice (Stripe billing) and the keys work again"
    )
