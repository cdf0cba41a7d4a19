"""Reads of the intake app."""

from __future__ import annotations

from hotline.orders.choices import Status
from hotline.orders.models import Order

#: What a resident reads at each stage (no unit-internal detail).
_STEPS = [
    ("received", "已受理", (Status.RECEIVED,)),
    ("dispatched", "已转交承办单位", (Status.DISPATCHED,)),
    ("accepted", "承办单位办理中", (Status.ACCEPTED,)),
    ("resolved", "已答复，待您评价", (Status.RESOLVED,)),
    ("closed", "已办结", (Status.CLOSED,)),
]


def portal_progress(order: Order) -> list[dict]:
    """The stages of an order for the resident: done, current, to come."""
    order_of = [s for s, *_ in _STEPS]
    current = next(i for i, (_c, _l, statuses) in enumerate(_STEPS) if order.status in statuses)
    return [
        {
            "code": code,
            "label": label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, (code, label, _s) in enumerate(_STEPS)
        if code in order_of
    ]
