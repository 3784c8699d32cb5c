"""A failed payment suspends the account's keys after the plan's grace period; ``invoice.paid`` restores them.

Events are signed as Stripe signs them; the customer is linked through our checkout endpoint and the loopback
fake of Stripe's API (see test_billing.py).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import psycopg
from litestar.testing import TestClient

from serving.accounts import billing
from tests.accounts.test_billing import (
    checkout_session,
    completed,
    customer_with_key,
    event,
    post,
)

DAY = 86_400


def linked_pro(billing_client: TestClient[Any], conn: psycopg.Connection[Any]) -> tuple[int, str, str]:
    """A Pro user linked to a fresh Stripe customer: (user id, API key, customer id)."""
    user, key = customer_with_key(conn, "dunning")
    customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    session = checkout_session(billing_client, key)
    r = post(
        billing_client,
        event("checkout.session.completed", completed(session, user.id, customer, sub, user.email)),
    )
    assert r.json()["outcome"] == f"user {user.id}: free -> pro"
    return user.id, key, customer


def invoice(invoice_id: str, customer: str, status: str) -> dict[str, Any]:
    return {"id": invoice_id, "object": "invoice", "customer": customer, "status": status, "amount_due": 4900}


def test_failed_payment_suspends_after_grace_and_paid_restores(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    user_id, key, customer = linked_pro(billing_client, conn)
    headers = {"X-API-KEY": key}
    assert billing_client.get("/v1/things/1", headers=headers).status_code == 200

    # failed today: within the Pro plan's 7-day grace, the keys keep working
    today = event("invoice.payment_failed", invoice("in_today", customer, "open"))
    r = post(billing_client, today)
    assert (
        r.json()["outcome"]
        == f"user {user_id}: invoice in_today open; 1 unpaid invoice(s) with a failed payment"
    )
    assert billing_client.get("/v1/things/1", headers=headers).status_code == 200
    paid_today = event("invoice.paid", invoice("in_today", customer, "paid"))
    post(billing_client, paid_today)

    # an invoice whose payment first failed 8 days ago (Stripe retried since): past the grace, 402 in both faces
    failed_at = int(time.time()) - 8 * DAY
    first = event("invoice.payment_failed", invoice("in_old", customer, "open"), failed_at)
    retry = event("invoice.payment_failed", invoice("in_old", customer, "open"), failed_at + 3 * DAY)
    post(billing_client, retry)
    r = post(billing_client, first)  # delivered late: the grace still counts from the first failure
    assert r.json()["outcome"] == (
        f"user {user_id}: invoice in_old open (an earlier failed payment); 1 unpaid invoice(s) with a failed payment"
    )
    v1 = billing_client.get("/v1/things/1", headers=headers)
    assert v1.status_code == 402 and v1.json()["error"]["code"] == "PAYMENT_REQUIRED"
    message = v1.json()["error"]["message"]
    day = dt.datetime.fromtimestamp(failed_at, dt.UTC)
    assert message.startswith(
        f"billing: this account's keys are suspended because a payment failed on {day:%Y-%m-%d}"
    )
    assert "the pro plan's grace period of 7 days ended on" in message
    fd = billing_client.get("/prices", headers=headers)
    assert fd.status_code == 402 and fd.json() == {"error": "Payment Required", "message": message}

    paid = event("invoice.paid", invoice("in_old", customer, "paid"), int(time.time()))
    r = post(billing_client, paid)
    assert (
        r.json()["outcome"]
        == f"user {user_id}: invoice in_old paid; 0 unpaid invoice(s) with a failed payment"
    )
    assert billing_client.get("/v1/things/1", headers=headers).status_code == 200
    # a failed attempt delivered after the payment does not suspend again (paid is final)
    late = event("invoice.payment_failed", invoice("in_old", customer, "open"), failed_at + 4 * DAY)
    assert post(billing_client, late).json()["outcome"] == "stale: invoice in_old is already paid"
    assert billing_client.get("/v1/things/1", headers=headers).status_code == 200


def test_invoice_before_link_is_applied_at_link(
    billing_client: TestClient[Any], conn: psycopg.Connection[Any]
) -> None:
    user, key = customer_with_key(conn, "early-invoice")
    customer, sub = f"cus_{uuid.uuid4().hex[:14]}", f"sub_{uuid.uuid4().hex[:14]}"
    failed = event(
        "invoice.payment_failed", invoice("in_early", customer, "open"), int(time.time()) - 30 * DAY
    )
    assert post(billing_client, failed).json()["outcome"] == f"unmatched: no user for customer {customer!r}"
    session = checkout_session(billing_client, key)
    r = post(
        billing_client,
        event("checkout.session.completed", completed(session, user.id, customer, sub, user.email)),
    )
    assert r.json()["outcome"] == f"user {user.id}: free -> pro (1 earlier event(s) of the customer applied)"
    assert billing_client.get("/v1/things/1", headers={"X-API-KEY": key}).status_code == 402
    voided = event("invoice.voided", invoice("in_early", customer, "void"))
    r = post(billing_client, voided)
    assert (
        r.json()["outcome"]
        == f"user {user.id}: invoice in_early void; 0 unpaid invoice(s) with a failed payment"
    )
    assert billing_client.get("/v1/things/1", headers={"X-API-KEY": key}).status_code == 200


def test_suspension_is_decided_per_request() -> None:
    """The grace period ends on time from the cached key row: the clock is compared on every request."""
    failed = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = failed + dt.timedelta(days=7)
    assert billing.suspension("pro", failed, end - dt.timedelta(seconds=1)) is None
    assert billing.suspension("pro", failed, end) is not None
    assert billing.suspension("enterprise", failed, end) is None  # 14 days
    assert billing.suspension("enterprise", failed, failed + dt.timedelta(days=14)) is not None
    assert billing.suspension("free", failed, failed + dt.timedelta(days=999)) is None  # nothing billed
    assert billing.suspension("pro", None, end) is None
