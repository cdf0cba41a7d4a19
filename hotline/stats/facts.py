"""From an order's events to its statistics facts: a pure function, no database.

``derive(order, events)`` replays the events of one order, oldest first, and returns the
order's fact and each unit's part in it. The live subscriber and ``hotline stats rebuild`` both
call it, so the two cannot disagree; docs/STATS.md gives the definitions it implements.

The clocks followed here are the ones the events carry: a dispatch starts an accept clock with
its ``accept_deadline``; an acceptance starts the unit's resolve clock, whose deadline is the
order's (set at receipt, moved by an approved extension, renewed by a reopen); an
``orders.order.overdue`` event marks the running clock as run out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hotline.orders.choices import EventCode, Satisfaction

SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})
# The codes as module globals: derive() compares every event with them.
_RECEIVED = EventCode.RECEIVED
_DISPATCHED = EventCode.DISPATCHED
_ACCEPTED = EventCode.ACCEPTED
_RETURNED = EventCode.RETURNED
_EXTENSION_DECIDED = EventCode.EXTENSION_DECIDED
_OVERDUE = EventCode.OVERDUE
_ESCALATED = EventCode.ESCALATED
_RESOLVED = EventCode.RESOLVED
_CALLBACK = EventCode.CALLBACK
_REOPENED = EventCode.REOPENED
_CLOSED = EventCode.CLOSED
_URGED = EventCode.URGED
#: The order's first times and the minutes from receipt kept for each.
_MINUTES_OF = (
    ("dispatched_at", "dispatch_minutes"),
    ("accepted_at", "accept_minutes"),
    ("resolved_at", "resolve_minutes"),
)
UNIT_COUNTERS = (
    "dispatches",
    "accept_due",
    "accept_on_time",
    "resolve_due",
    "resolve_on_time",
    "resolves",
    "returns",
    "reopens",
    "rated",
    "satisfied",
    "overdue",
)


class Ev(NamedTuple):
    """The part of an ``OrderEvent`` the facts read (a tuple: the rebuild makes millions)."""

    code: str
    at: dt.datetime
    unit_id: int | None
    payload: dict


@dataclass
class OrderDims:
    """The order's own dimensions (not in its events: the place is set at receipt)."""

    received_at: dt.datetime
    channel: str
    category: str
    urgency: str
    epidemic: bool
    district: str
    town: str


@dataclass
class _Clock:
    unit: int
    started: dt.datetime
    deadline: dt.datetime | None
    late: bool = False


@dataclass
class Facts:
    order: dict
    units: dict[int, dict] = field(default_factory=dict)


def parse_time(value) -> dt.datetime | None:
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _minutes(start: dt.datetime, end: dt.datetime) -> float:
    return round((end - start).total_seconds() / 60, 2)


def derive(dims: OrderDims, events: list[Ev], tz: ZoneInfo) -> Facts:
    """The facts of one order from its events (oldest first). See docs/STATS.md."""
    local = dims.received_at.astimezone(tz)
    order = {
        "received_at": dims.received_at,
        "day": local.date(),
        "hour": local.hour,
        "channel": dims.channel,
        "category": dims.category,
        "urgency": dims.urgency,
        "epidemic": bool(dims.epidemic),
        "district": dims.district or "",
        "town": dims.town or "",
        "unit_id": 0,
        "status": "received",
        "dispatched_at": None,
        "accepted_at": None,
        "resolved_at": None,
        "closed_at": None,
        "first_contact": False,
        "duplicate": False,
        "overdue": False,
        "escalated": False,
        "returns": 0,
        "reopens": 0,
        "satisfaction": "",
    }
    units: dict[int, dict] = {}

    def part(unit_id: int) -> dict:
        row = units.get(unit_id)
        if row is None:
            row = units[unit_id] = {name: 0 for name in UNIT_COUNTERS}
            row.update(open=False, accept_minutes=None, resolve_minutes=None)
        return row

    lead: int | None = None
    resolve_deadline: dt.datetime | None = None
    accept: _Clock | None = None  # the running accept clock
    work: _Clock | None = None  # the running resolve clock of the lead unit

    def drop_accept():
        nonlocal accept
        if accept is not None and accept.late:  # ran out and never met: due, not on time
            part(accept.unit)["accept_due"] += 1
        accept = None

    def drop_work():
        nonlocal work
        if work is not None and work.late:
            part(work.unit)["resolve_due"] += 1
        work = None

    for code, at, ev_unit, payload in events:  # Ev fields, unpacked (cheaper than attributes)
        payload = payload or {}
        if code == _RECEIVED:
            resolve_deadline = parse_time(payload.get("resolve_deadline")) or resolve_deadline
        elif code == _DISPATCHED:
            if ev_unit is None:
                continue
            drop_accept()  # a re-dispatch before acceptance ends the previous clock
            lead = ev_unit
            accept = _Clock(lead, at, parse_time(payload.get("accept_deadline")))
            part(lead)["dispatches"] += 1
            order["unit_id"] = lead
            order["status"] = "dispatched"
            order["dispatched_at"] = order["dispatched_at"] or at
        elif code == _ACCEPTED:
            unit = lead if lead is not None else ev_unit
            started = at
            if unit is not None:
                row = part(unit)
                if accept is not None:
                    late = accept.late or (accept.deadline is not None and at > accept.deadline)
                    row["accept_due"] += 1
                    row["accept_on_time"] += 0 if late else 1
                    if row["accept_minutes"] is None:
                        row["accept_minutes"] = _minutes(accept.started, at)
                    started = accept.started
                    accept = None
                work = _Clock(unit, started, resolve_deadline)
            order["status"] = "accepted"
            order["accepted_at"] = order["accepted_at"] or at
        elif code == _RETURNED:
            unit = lead if lead is not None else ev_unit
            if unit is not None:
                part(unit)["returns"] += 1
            order["returns"] += 1
            drop_accept()
            drop_work()
            lead = None
            order["unit_id"] = 0
            order["status"] = "received"
        elif code == _EXTENSION_DECIDED:
            moved = parse_time(payload.get("resolve_deadline"))
            if moved is not None:
                resolve_deadline = moved
                if work is not None:
                    work.deadline = moved
        elif code == _OVERDUE:
            order["overdue"] = True
            clock = payload.get("clock")
            if clock == "accept" and accept is not None:
                accept.late = True
                part(accept.unit)["overdue"] += 1
            elif clock == "resolve" and work is not None:
                work.late = True
                part(work.unit)["overdue"] += 1
        elif code == _URGED:
            # A repeat call that raised the urgency shortened the running clocks (the payload
            # has the new deadlines only then).
            moved = parse_time(payload.get("accept_deadline"))
            if moved is not None and accept is not None:
                accept.deadline = moved
            moved = parse_time(payload.get("resolve_deadline"))
            if moved is not None:
                resolve_deadline = moved
                if work is not None:
                    work.deadline = moved
        elif code == _ESCALATED:
            order["escalated"] = True
        elif code == _RESOLVED:
            if work is not None:
                row = part(work.unit)
                late = work.late or (work.deadline is not None and at > work.deadline)
                row["resolve_due"] += 1
                row["resolve_on_time"] += 0 if late else 1
                row["resolves"] += 1
                if row["resolve_minutes"] is None:
                    row["resolve_minutes"] = _minutes(work.started, at)
                work = None
            elif lead is not None:
                part(lead)["resolves"] += 1
            drop_accept()
            order["status"] = "resolved"
            order["resolved_at"] = order["resolved_at"] or at
        elif code == _CALLBACK:
            rating = payload.get("satisfaction", "")
            order["satisfaction"] = rating
            if lead is not None:
                row = part(lead)
                row["rated"] += 1
                row["satisfied"] += 1 if rating in SATISFIED else 0
        elif code == _REOPENED:
            order["reopens"] += 1
            resolve_deadline = parse_time(payload.get("resolve_deadline")) or resolve_deadline
            if lead is not None:
                part(lead)["reopens"] += 1
                work = _Clock(lead, at, resolve_deadline)
            order["status"] = "accepted"
        elif code == _CLOSED:
            drop_accept()
            drop_work()
            order["status"] = "closed"
            order["closed_at"] = at
            if payload.get("first_contact"):
                order["first_contact"] = True
                order["resolved_at"] = order["resolved_at"] or at
            if payload.get("duplicate_of"):
                order["duplicate"] = True
    # Clocks still running: one that already ran out is due and late; one still in time is
    # not counted yet (the unit may still meet it).
    drop_accept()
    drop_work()
    received = dims.received_at
    for field_, minutes in _MINUTES_OF:
        at = order[field_]
        order[minutes] = None if at is None else _minutes(received, at)
    if lead is not None and order["status"] != "closed":
        part(lead)["open"] = True
    return Facts(order, units)
