"""Our own Stripe Checkout: ``POST /v1/billing/checkout`` creates the session that later links the customer.

The session is created with the caller's user id as ``client_reference_id`` and ``metadata.user_id`` (and on
the subscription's metadata, informative only), and its id is stored in ``checkout_sessions`` with the user and plan: the webhook
links a Stripe customer to a user only through a session found there (:mod:`serving.accounts.billing`). The
plan's price is the active Stripe price whose ``lookup_key`` is the plan's name. Stripe is reached with the
``stripe`` library at ``STRIPE_API_BASE`` (default Stripe's own API) with ``STRIPE_API_KEY``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from psycopg_pool import AsyncConnectionPool

from serving.accounts.plans import plan_named

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2048, pattern=r"^https?://")]


class CheckoutRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The body of ``POST /v1/billing/checkout``: the plan and where Stripe sends the payer back."""

    plan: str
    success_url: Url
    cancel_url: Url


class CheckoutResponse(msgspec.Struct, frozen=True):
    """The session created: pay at ``url``."""

    id: str
    url: str
    plan: str


class CheckoutError(Exception):
    """A checkout that cannot be created: HTTP status, /v1 error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def parse_request(body: bytes) -> CheckoutRequest:
    """The checkout request of a JSON body.

    Raises:
        CheckoutError: 400, not a valid request or a plan that is unknown or free.
    """
    try:
        request = msgspec.json.decode(body, type=CheckoutRequest)
    except msgspec.DecodeError as exc:
        raise CheckoutError(
            400, "INVALID_PARAMETER", f"body must be {{plan, success_url, cancel_url}}: {exc}"
        ) from None
    try:
        plan = plan_named(request.plan)
    except ValueError as exc:
        raise CheckoutError(400, "INVALID_PARAMETER", str(exc)) from None
    if plan.name == "free":
        raise CheckoutError(400, "INVALID_PARAMETER", "the free plan needs no checkout")
    return msgspec.structs.replace(request, plan=plan.name)


async def create_checkout(
    pool: AsyncConnectionPool[Any], api_key: str, api_base: str, user_id: int, request: CheckoutRequest
) -> CheckoutResponse:
    """Create a Stripe Checkout Session (subscription) for ``user_id`` and record it in ``checkout_sessions``.

    Raises:
        CheckoutError: 503 billing off (no ``STRIPE_API_KEY``) or no Stripe price for the plan, 502 Stripe
            unreachable or refusing the request.
    """
    if not api_key:
        raise CheckoutError(503, "BILLING_UNAVAILABLE", "billing is disabled: STRIPE_API_KEY is not set")
    import stripe  # slow to import; only billing needs it

    async with pool.connection() as conn:  # not held while Stripe answers
        cur = await conn.execute("SELECT email, stripe_customer_id FROM users WHERE id = %s", (user_id,))
        row = await cur.fetchone()
    if row is None:
        raise CheckoutError(404, "NOT_FOUND", f"user {user_id} no longer exists")
    email, customer = str(row[0]), row[1]
    http = stripe.HTTPXClient(timeout=20)
    client = stripe.StripeClient(
        api_key, base_addresses={"api": api_base}, http_client=http, max_network_retries=2
    )
    try:
        prices = await client.v1.prices.list_async(
            params={"lookup_keys": [request.plan], "active": True, "limit": 1}
        )
        if not prices.data:
            raise CheckoutError(
                503, "BILLING_UNAVAILABLE", f"no active Stripe price has the lookup_key {request.plan!r}"
            )
        ids = {"user_id": str(user_id), "plan": request.plan}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": prices.data[0].id, "quantity": 1}],
            "client_reference_id": str(user_id),
            "metadata": ids,
            # not the plan: the subscription's price (lookup_key) says it, also after a change in Stripe
            "subscription_data": {"metadata": {"user_id": str(user_id)}},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        params.update({"customer": customer} if customer else {"customer_email": email})
        session = await client.v1.checkout.sessions.create_async(params=params)  # type: ignore[arg-type]
    except stripe.APIConnectionError as exc:
        raise CheckoutError(
            502, "BILLING_UNAVAILABLE", f"Stripe is unreachable: {exc.user_message}"
        ) from None
    except stripe.StripeError as exc:
        raise CheckoutError(
            502, "BILLING_UNAVAILABLE", f"Stripe refused the checkout: {exc.user_message}"
        ) from None
    finally:
        await http.close_async()
    if not session.id or not session.url:
        raise CheckoutError(
            502, "BILLING_UNAVAILABLE", "Stripe returned a checkout session without id or url"
        )
    async with pool.connection() as conn:  # one transaction, committed when the block ends
        await conn.execute(
            "INSERT INTO checkout_sessions (id, user_id, plan) VALUES (%s, %s, %s)",
            (session.id, user_id, request.plan),
        )
        await conn.execute(
            "INSERT INTO audit_log (actor, action, user_id, detail) VALUES ('api', 'checkout.create', %s,"
            " jsonb_build_object('session', %s::text, 'plan', %s::text))",
            (user_id, session.id, request.plan),
        )
    return CheckoutResponse(session.id, session.url, request.plan)
