"""Quarter-over-quarter changes of a filer's 13F positions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import msgspec

from edgar.thirteenf.infotable import Holding

ChangeKind = Literal["new", "added", "reduced", "sold_out", "unchanged", "unknown"]


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """A filer's position in one security in one quarter: its information table rows summed.

    Attributes:
        cusip: CUSIP.
        put_call: None, ``Put`` or ``Call``.
        issuer_name: NAME OF ISSUER of the first row.
        title_of_class: TITLE OF CLASS of the first row.
        sh_prn: ``SH``/``PRN`` of the first row (rows mixing both get a ``mixed_units`` flag).
        shares: summed SHRS OR PRN AMT; None when a row's amount is unreadable.
        value: summed VALUE (times the scale given); None when a row's value is unreadable.
        rows: how many rows were summed.
        mixed_units: rows mixed ``SH`` and ``PRN``.
    """

    cusip: str
    put_call: str | None
    issuer_name: str | None
    title_of_class: str | None
    sh_prn: str | None
    shares: int | None
    value: int | None
    rows: int
    mixed_units: bool = False


class PositionChange(msgspec.Struct, frozen=True, kw_only=True):
    """How one position changed between two quarters.

    Attributes:
        filer_cik: the filer, when given.
        cusip: CUSIP.
        put_call: None, ``Put`` or ``Call``.
        issuer_name: issuer name (current quarter's, else previous).
        title_of_class: title of class (current quarter's, else previous).
        kind: ``new`` (not held before), ``added`` (more shares), ``reduced`` (fewer), ``sold_out`` (no longer
            held), ``unchanged`` (same shares), ``unknown`` (a share amount is unreadable).
        shares_before: previous quarter's shares (0 for ``new``).
        shares_after: current quarter's shares (0 for ``sold_out``).
        share_delta: shares_after - shares_before, None when unknown.
        value_before: previous value (scaled), 0 for ``new``.
        value_after: current value (scaled), 0 for ``sold_out``.
        value_delta: value_after - value_before, None when unknown.
    """

    filer_cik: int | None
    cusip: str
    put_call: str | None
    issuer_name: str | None
    title_of_class: str | None
    kind: ChangeKind
    shares_before: int | None
    shares_after: int | None
    share_delta: int | None
    value_before: int | None
    value_after: int | None
    value_delta: int | None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def aggregate(holdings: Iterable[Holding], *, value_scale: int = 1) -> dict[tuple[str, str | None], Position]:
    """Sum information table rows per (CUSIP, put/call).

    The CUSIP identifies the issuer and the class of security, so TITLE OF CLASS (free text that filers word
    differently from quarter to quarter) is not part of the key. Rows without a CUSIP are skipped.

    Args:
        holdings: the rows of one filer's quarter.
        value_scale: multiplier applied to each VALUE (1000 for tables reported in thousands).

    Returns:
        (CUSIP, put/call) -> summed :class:`Position`, in first-seen order.
    """
    out: dict[tuple[str, str | None], Position] = {}
    for h in holdings:
        if h.cusip is None:
            continue
        key = (h.cusip, h.put_call)
        value = None if h.value is None else h.value * value_scale
        prev = out.get(key)
        if prev is None:
            out[key] = Position(
                cusip=h.cusip,
                put_call=h.put_call,
                issuer_name=h.issuer_name,
                title_of_class=h.title_of_class,
                sh_prn=h.sh_prn,
                shares=h.shares_or_principal,
                value=value,
                rows=1,
            )
        else:
            out[key] = msgspec.structs.replace(
                prev,
                shares=_add(prev.shares, h.shares_or_principal),
                value=_add(prev.value, value),
                rows=prev.rows + 1,
                mixed_units=prev.mixed_units or (h.sh_prn != prev.sh_prn),
            )
    return out


def _sub(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def quarter_changes(
    previous: Sequence[Holding],
    current: Sequence[Holding],
    *,
    filer_cik: int | None = None,
    previous_value_scale: int = 1,
    current_value_scale: int = 1,
) -> list[PositionChange]:
    """Compare one filer's positions in two quarters.

    Rows are first summed per (CUSIP, put/call) (see :func:`aggregate`). Values are compared as reported times
    their scale: pass ``previous_value_scale=1000`` when the previous quarter was reported in thousands and the
    current one in dollars (see :func:`edgar.thirteenf.infotable.value_usd`).

    Args:
        previous: the earlier quarter's rows.
        current: the later quarter's rows.
        filer_cik: the filer, copied into each change.
        previous_value_scale: multiplier of the previous quarter's VALUE.
        current_value_scale: multiplier of the current quarter's VALUE.

    Returns:
        One :class:`PositionChange` per position held in either quarter: current positions in table order,
        then positions sold out.
    """
    before = aggregate(previous, value_scale=previous_value_scale)
    after = aggregate(current, value_scale=current_value_scale)
    changes: list[PositionChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        shares_before = old.shares if old else 0
        shares_after = new.shares if new else 0
        value_before = old.value if old else 0
        value_after = new.value if new else 0
        delta = _sub(shares_after, shares_before)
        kind: ChangeKind
        if old is None:
            kind = "new"
        elif new is None:
            kind = "sold_out"
        elif delta is None:
            kind = "unknown"
        else:
            kind = "added" if delta > 0 else "reduced" if delta < 0 else "unchanged"
        ref = new or old
        assert ref is not None
        changes.append(
            PositionChange(
                filer_cik=filer_cik,
                cusip=key[0],
                put_call=key[1],
                issuer_name=ref.issuer_name,
                title_of_class=ref.title_of_class,
                kind=kind,
                shares_before=shares_before,
                shares_after=shares_after,
                share_delta=delta,
                value_before=value_before,
                value_after=value_after,
                value_delta=_sub(value_after, value_before),
            )
        )
    return changes
