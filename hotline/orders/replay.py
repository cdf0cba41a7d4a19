"""Replaying an order's events gives its status and clocks (the events are the record).

The fold is written independently of the services: it knows the transitions by event code and
takes new deadlines from the payloads. ``tests/test_replay.py`` checks it against the stored
order after random sequences of actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .choices import EventCode, Satisfaction, Status


@dataclass
class ReplayedState:
    status: str | None = None
    handling_unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    accept_deadline: dt.datetime | None = None
    resolve_deadline: dt.datetime | None = None
    callback_due: dt.datetime | None = None
    return_count: int = 0
    reopen_count: int = 0
    owner_assigned: bool = False
    escalated: bool = False
    extension_pending: bool = False
    duplicate_of: str | None = None
    satisfaction: str = ""


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def replay(events) -> ReplayedState:
    """Fold events (objects with ``code`` and ``payload``, in order) into the order's state."""
    s = ReplayedState()
    for event in events:
        p = event.payload or {}
        match event.code:
            case EventCode.RECEIVED:
                s.status = Status.RECEIVED
                s.accept_deadline = _dt(p["accept_deadline"])
                s.resolve_deadline = _dt(p["resolve_deadline"])
            case EventCode.DISPATCHED:
                s.status = Status.DISPATCHED
                s.handling_unit = p["unit"]
                s.co_units = sorted(p.get("co_units", []))
                s.accept_deadline = _dt(p["accept_deadline"])
                s.owner_assigned = p.get("owner_assigned", False)
            case EventCode.ACCEPTED:
                s.status = Status.ACCEPTED
            case EventCode.RETURNED:
                s.status = Status.RECEIVED
                s.handling_unit = None
                s.co_units = []
                s.return_count += 1
                s.extension_pending = False
            case EventCode.EXTENSION_REQUESTED:
                s.extension_pending = True
            case EventCode.EXTENSION_DECIDED:
                s.extension_pending = False
                if p.get("approve"):
                    s.resolve_deadline = _dt(p["resolve_deadline"])
            case EventCode.URGED:
                if "accept_deadline" in p:  # raised by a repeat call: shorter clocks
                    s.accept_deadline = _dt(p["accept_deadline"])
                    s.resolve_deadline = _dt(p["resolve_deadline"])
            case EventCode.ESCALATED:
                s.escalated = True
            case EventCode.RESOLVED:
                s.status = Status.RESOLVED
                s.callback_due = _dt(p["callback_due"])
                s.extension_pending = False
            case EventCode.CALLBACK:
                s.callback_due = None
                s.satisfaction = p.get("satisfaction", "")
            case EventCode.REOPENED:
                s.status = Status.ACCEPTED
                s.reopen_count += 1
                s.resolve_deadline = _dt(p["resolve_deadline"])
            case EventCode.CLOSED:
                s.status = Status.CLOSED
            case EventCode.DUPLICATE_LINKED:
                s.duplicate_of = p["of"]
                s.co_units = []
    assert s.satisfaction in ("", *Satisfaction.values)
    return s


def state_of(order) -> ReplayedState:
    """The same fields read from the stored order, for comparison."""
    return ReplayedState(
        status=order.status,
        handling_unit=order.handling_unit.code if order.handling_unit_id else None,
        co_units=sorted(u.code for u in order.co_units.all()),
        accept_deadline=order.accept_deadline,
        resolve_deadline=order.resolve_deadline,
        callback_due=order.callback_due,
        return_count=order.return_count,
        reopen_count=order.reopen_count,
        owner_assigned=order.owner_assigned,
        escalated=order.escalated_at is not None,
        extension_pending=order.extension_pending,
        duplicate_of=order.duplicate_of.number if order.duplicate_of_id else None,
        satisfaction=order.satisfaction,
    )
