"""The plans and their entitlements (requests per day, rows per response, burst)."""

from __future__ import annotations

import msgspec


class Plan(msgspec.Struct, frozen=True):
    """Entitlements of one plan; ``None`` means unlimited.

    ``burst`` is the token-bucket capacity and ``refill_per_s`` its refill rate: a key may send ``burst``
    requests at once, then ``refill_per_s`` per second, on top of the daily quota. ``grace_days``: how long
    after a failed payment of its subscription the plan's keys keep working (``None``: never suspended, as
    nothing is billed); ``invoice.paid`` restores them.
    """

    name: str
    daily_requests: int | None
    max_rows: int | None
    burst: int
    refill_per_s: float
    grace_days: int | None = None


#: The plans of the seed design (mirrored by the ``plans`` table, which the migrations fill).
PLANS: dict[str, Plan] = {
    "free": Plan("free", daily_requests=100, max_rows=100, burst=10, refill_per_s=1.0, grace_days=None),
    "pro": Plan("pro", daily_requests=10_000, max_rows=1_000, burst=50, refill_per_s=10.0, grace_days=7),
    "enterprise": Plan(
        "enterprise", daily_requests=None, max_rows=None, burst=1_000, refill_per_s=200.0, grace_days=14
    ),
}


def plan_named(name: str) -> Plan:
    """The plan called ``name`` (case-insensitive).

    Raises:
        ValueError: no such plan; the message lists the plans.
    """
    try:
        return PLANS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown plan {name!r}; plans are {', '.join(PLANS)}") from None
