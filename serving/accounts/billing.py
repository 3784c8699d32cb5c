"""Stripe webhooks: signature check, then plan changes applied once per event id.

Handled events: ``checkout.session.completed`` (links the Stripe customer to the user named by
``client_reference_id`` or the checkout email, and moves them to ``metadata.plan``),
``customer.subscription.created|updated`` (plan from the subscription's ``metadata.plan`` or its price's
``lookup_key``; an inactive status means Free) and ``customer.subscription.deleted`` (back to Free; keys
stay, with Free limits). Events older than the last one applied to a subscription change nothing (Stripe
does not guarantee delivery order). Every other type is recorded and ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from serving.accounts.plans import PLANS

#: how old a signature may be, seconds (Stripe's default): older deliveries are refused as replays
TOLERANCE_S = 300
ACTIVE = frozenset({"active", "trialing", "past_due"})


class WebhookError(ValueError):
    """A delivery refused before anything is changed (bad or stale signature, malformed body)."""


def verify(
    payload: bytes, signature: str | None, secret: str, tolerance_s: int = TOLERANCE_S
) -> dict[str, Any]:
    """The event of a delivery whose ``Stripe-Signature`` is valid and recent.

    Raises:
        WebhookError: no secret configured, missing/forged/stale signature, or a body that is not an event.
    """
    if not secret:
        raise WebhookError("webhooks are disabled: STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        raise WebhookError("missing Stripe-Signature header")
    import stripe  # imported on the first delivery: it is slow to import and only webhooks need it

    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance_s)
    except stripe.SignatureVerificationError as exc:
        raise WebhookError(f"bad Stripe signature: {exc.user_message or exc}") from None
    except ValueError as exc:
        raise WebhookError(f"body is not JSON: {exc}") from None
    event = msgspec.json.decode(payload)
    if not isinstance(event, dict) or not all(k in event for k in ("id", "type", "created", "data")):
        raise WebhookError("body is not a Stripe event (id, type, created, data)")
    return event


def _plan_of(obj: dict[str, Any]) -> str | None:
    """The plan named by an object's metadata or, for a subscription, its first price's lookup key."""
    name = (obj.get("metadata") or {}).get("plan")
    if not name:
        items = ((obj.get("items") or {}).get("data")) or []
        price = (items[0].get("price") or {}) if items else {}
        name = price.get("lookup_key") or (price.get("metadata") or {}).get("plan")
    return str(name).lower() if name else None


async def _user_by(conn: AsyncConnection[Any], column: str, value: object) -> tuple[int, str] | None:
    sql = {
        "id": "SELECT id, plan FROM users WHERE id = %s",
        "email": "SELECT id, plan FROM users WHERE lower(email) = lower(%s)",
        "customer": "SELECT id, plan FROM users WHERE stripe_customer_id = %s",
    }[column]
    row = await (await conn.execute(sql, (value,))).fetchone()
    return (int(row[0]), str(row[1])) if row else None


async def _set_plan(conn: AsyncConnection[Any], user: tuple[int, str], plan: str, event_id: str) -> str:
    user_id, old = user
    if old == plan:
        return f"user {user_id} already on {plan}"
    await conn.execute("UPDATE users SET plan = %s, updated_at = now() WHERE id = %s", (plan, user_id))
    await conn.execute(
        "INSERT INTO audit_log (actor, action, user_id, detail) VALUES (%s, 'plan.set', %s, %s)",
        (f"stripe:{event_id}", user_id, Jsonb({"old": old, "new": plan})),
    )
    return f"user {user_id}: {old} -> {plan}"


async def _checkout(conn: AsyncConnection[Any], event: dict[str, Any], obj: dict[str, Any]) -> str:
    user = None
    ref = obj.get("client_reference_id")
    if ref and str(ref).isdigit():
        user = await _user_by(conn, "id", int(ref))
    email = obj.get("customer_email") or (obj.get("customer_details") or {}).get("email")
    if user is None and email:
        user = await _user_by(conn, "email", email)
    if user is None:
        return f"unmatched: no user for client_reference_id={ref!r} email={email!r}"
    plan = _plan_of(obj) or "pro"
    if plan not in PLANS:
        return f"rejected: unknown plan {plan!r}"
    customer = obj.get("customer")
    if customer:
        await conn.execute(
            "UPDATE users SET stripe_customer_id = %s WHERE id = %s AND stripe_customer_id IS DISTINCT FROM %s",
            (customer, user[0], customer),
        )
    if obj.get("subscription") and customer:
        await _upsert_subscription(
            conn, event, str(obj["subscription"]), user[0], str(customer), plan, "active"
        )
    return await _set_plan(conn, user, plan, event["id"])


async def _upsert_subscription(
    conn: AsyncConnection[Any],
    event: dict[str, Any],
    sub_id: str,
    user_id: int,
    customer: str,
    plan: str,
    status: str,
    period_end: int | None = None,
) -> bool:
    """Record the subscription's state unless a newer event was applied already; False when stale."""
    created = dt.datetime.fromtimestamp(int(event["created"]), dt.UTC)
    end = dt.datetime.fromtimestamp(period_end, dt.UTC) if period_end else None
    row = await (
        await conn.execute(
            """
            INSERT INTO subscriptions (id, user_id, customer_id, plan, status, current_period_end, event_created)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, customer_id = EXCLUDED.customer_id,
                plan = EXCLUDED.plan, status = EXCLUDED.status,
                current_period_end = coalesce(EXCLUDED.current_period_end, subscriptions.current_period_end),
                event_created = EXCLUDED.event_created, updated_at = now()
            WHERE subscriptions.event_created <= EXCLUDED.event_created
            RETURNING id
            """,
            (sub_id, user_id, customer, plan, status, end, created),
        )
    ).fetchone()
    return row is not None


async def _subscription(conn: AsyncConnection[Any], event: dict[str, Any], obj: dict[str, Any]) -> str:
    customer = str(obj.get("customer") or "")
    user = await _user_by(conn, "customer", customer) if customer else None
    meta_user = (obj.get("metadata") or {}).get("user_id")
    if user is None and meta_user and str(meta_user).isdigit():
        user = await _user_by(conn, "id", int(meta_user))
    if user is None:
        return f"unmatched: no user for customer {customer!r}"
    deleted = event["type"] == "customer.subscription.deleted"
    status = "canceled" if deleted else str(obj.get("status") or "")
    plan = _plan_of(obj) or "pro"
    if plan not in PLANS:
        return f"rejected: unknown plan {plan!r}"
    period_end = obj.get("current_period_end")
    fresh = await _upsert_subscription(
        conn, event, str(obj["id"]), user[0], customer, plan, status, int(period_end) if period_end else None
    )
    if not fresh:
        return f"stale: a newer event of subscription {obj['id']} was applied already"
    return await _set_plan(conn, user, plan if status in ACTIVE else "free", event["id"])


HANDLERS = {
    "checkout.session.completed": _checkout,
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _subscription,
    "customer.subscription.deleted": _subscription,
}


async def apply_event(conn: AsyncConnection[Any], event: dict[str, Any]) -> tuple[str, bool]:
    """Apply a verified event once: (outcome, duplicate). A redelivered event id changes nothing."""
    async with conn.transaction():
        row = await (
            await conn.execute(
                "INSERT INTO stripe_events (id, type, created, outcome, payload) VALUES (%s, %s, %s, 'pending', %s)"
                " ON CONFLICT (id) DO NOTHING RETURNING id",
                (
                    event["id"],
                    event["type"],
                    dt.datetime.fromtimestamp(int(event["created"]), dt.UTC),
                    Jsonb(event),
                ),
            )
        ).fetchone()
        if row is None:
            old = await (
                await conn.execute("SELECT outcome FROM stripe_events WHERE id = %s", (event["id"],))
            ).fetchone()
            return (str(old[0]) if old else "duplicate"), True
        handler = HANDLERS.get(event["type"])
        obj = (event.get("data") or {}).get("object") or {}
        outcome = await handler(conn, event, obj) if handler else f"ignored: {event['type']} is not handled"
        await conn.execute("UPDATE stripe_events SET outcome = %s WHERE id = %s", (outcome, event["id"]))
    return outcome, False
