"""Many orders with their lifecycle events, written in bulk (raw ``executemany``), for the demo's
history of the surge and for the benchmark's million orders.

Why not through ``orders.services.receive``: it triages, routes and writes each order in its
own transaction (a few ms each); a million would take hours, and the demo must load in
seconds. The rows written here have the shape the services write — the same event codes, the
payload keys the statistics read (deadlines, unit, satisfaction, first contact), consistent
order columns — but no triage event, caller data or notices. They are history to count, not
orders to work on: their numbers are taken from ``OrderDaySequence`` like any other, so later
receipts never collide with them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from hotline.geo.models import Division, HandlingUnit
from hotline.orders.choices import EPIDEMIC_CATEGORIES, EventCode, Satisfaction, Status
from hotline.orders.models import Order, OrderDaySequence, OrderEvent

from .services import local_zone

#: Share of each hour of the day in a day's calls (a hotline's daytime peak).
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 10, 8, 7, 8, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2]
CHANNELS = ["phone"] * 22 + ["wechat", "web"]
CATEGORIES = [
    ("medical", 14),
    ("supplies", 18),
    ("health_code", 14),
    ("testing", 16),
    ("control", 12),
    ("travel", 6),
    ("market", 4),
    ("living", 8),
    ("study_work", 4),
    ("other", 4),
]
URGENCIES = [("critical", 1), ("urgent", 6), ("normal", 93)]
#: Accept and resolve limits in minutes per urgency (the surge matrix, rounded).
LIMITS = {"critical": (30, 24 * 60), "urgent": (120, 2 * 24 * 60), "normal": (24 * 60, 5 * 24 * 60)}
TITLES = {
    "medical": "就医购药求助",
    "supplies": "生活物资求助",
    "health_code": "健康码异常",
    "testing": "核酸检测咨询",
    "control": "管控措施咨询",
    "travel": "出行通行咨询",
    "market": "物价问题反映",
    "living": "水电物业问题",
    "study_work": "学业就业问题",
    "other": "其他诉求",
}
MARK = "synthetic"  # routing_rule of every row written here, so they can be told apart


@dataclass(frozen=True)
class Place:
    town: str
    district: str
    town_unit: int
    epidemic_unit: int
    fallback_unit: int


def places() -> list[Place]:
    """The towns of Maoming with the units that receive their orders."""
    units = dict(HandlingUnit.objects.values_list("code", "pk"))
    out = []
    towns = Division.objects.filter(level="town", code__startswith="4409").values_list(
        "code", "parent_id"
    )
    for town, district in towns:
        town_unit = units.get(town)
        fallback = units.get(f"{district}-gov") or town_unit
        if town_unit is None and fallback is None:
            continue
        town_unit = town_unit or fallback
        out.append(
            Place(town, district, town_unit, units.get(f"{district}-epi") or town_unit, fallback)
        )
    return out


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


_CATS, _CAT_W = _weighted(CATEGORIES)
_URG, _URG_W = _weighted(URGENCIES)


def _life(rng: random.Random, t0: dt.datetime, now: dt.datetime, place: Place, urgency: str,
          category: str) -> tuple[dict, list[tuple]]:  # fmt: skip
    """One order's columns and events (code, at, unit_id, payload), cut at ``now``."""
    accept_limit, resolve_limit = LIMITS[urgency]
    m = dt.timedelta(minutes=1)
    resolve_deadline = t0 + resolve_limit * m
    epidemic = category in EPIDEMIC_CATEGORIES
    cols = {
        "status": Status.RECEIVED,
        "handling_unit_id": None,
        "accept_deadline": t0 + accept_limit * m,
        "resolve_deadline": resolve_deadline,
        "dispatched_at": None,
        "accepted_at": None,
        "resolved_at": None,
        "callback_at": None,
        "closed_at": None,
        "return_count": 0,
        "reopen_count": 0,
        "satisfaction": "",
        "appeal_type": "help",
        "accept_overdue_at": None,
        "resolve_overdue_at": None,
    }
    evs = [(EventCode.RECEIVED, t0, None, {"channel": "", "status": "received",
            "resolve_deadline": resolve_deadline.isoformat()})]  # fmt: skip

    def add(code, at, unit=None, payload=None) -> bool:
        if at > now:
            return False
        evs.append((code, at, unit, payload or {}))
        return True

    if category in ("testing", "control", "travel") and urgency == "normal" and rng.random() < 0.3:
        # An inquiry answered on the call (首呼解决).
        at = t0 + rng.randint(2, 12) * m
        cols["appeal_type"] = "inquiry"
        if add(EventCode.CLOSED, at, None, {"first_contact": True}):
            cols.update(status=Status.CLOSED, resolved_at=at, closed_at=at)
        return cols, evs
    unit = place.epidemic_unit if epidemic else place.town_unit
    t = t0
    for attempt in range(2):
        deadline = t + accept_limit * m
        if not add(
            EventCode.DISPATCHED, t, unit, {"unit": "", "accept_deadline": deadline.isoformat()}
        ):
            return cols, evs  # fmt: skip
        cols.update(status=Status.DISPATCHED, handling_unit_id=unit, dispatched_at=t,
                    accept_deadline=deadline, accepted_at=None)  # fmt: skip
        wait = rng.expovariate(1 / (accept_limit * 0.5)) * m
        if attempt == 0 and rng.random() < 0.05:  # returned to the center, then re-dispatched
            back = t + min(wait, accept_limit * m * 0.8)
            if not add(EventCode.RETURNED, back, unit, {"reason": "不属本单位"}):
                return cols, evs
            cols.update(status=Status.RECEIVED, handling_unit_id=None, return_count=1)
            unit = place.fallback_unit
            t = back + rng.randint(5, 60) * m
            continue
        break
    accepted = t + wait
    if accepted > deadline and not add(EventCode.OVERDUE, deadline + m, unit, {"clock": "accept"}):
        return cols, evs
    if accepted > deadline:
        cols["accept_overdue_at"] = deadline + m
    if not add(EventCode.ACCEPTED, accepted, unit, {"status": "accepted"}):
        return cols, evs
    cols.update(status=Status.ACCEPTED, accepted_at=accepted)
    t = accepted
    for round_ in range(2):
        done = t + rng.expovariate(1 / (resolve_limit * 0.3)) * m
        if done > resolve_deadline:
            if not add(EventCode.OVERDUE, resolve_deadline + m, unit, {"clock": "resolve"}):
                return cols, evs
            cols["resolve_overdue_at"] = resolve_deadline + m
        if not add(EventCode.RESOLVED, done, unit, {"reply": "已处理"}):
            return cols, evs
        cols.update(status=Status.RESOLVED, resolved_at=done)
        called = done + rng.randint(30, 20 * 60) * m
        rating = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED],
            [70, 20, 10 if round_ == 0 else 0],
        )[0]
        if not add(EventCode.CALLBACK, called, None, {"satisfaction": rating}):
            return cols, evs
        cols.update(callback_at=called, satisfaction=rating)
        if rating != Satisfaction.DISSATISFIED:
            add(EventCode.CLOSED, called, None, {"satisfaction": rating})
            cols.update(status=Status.CLOSED, closed_at=called)
            return cols, evs
        resolve_deadline = called + resolve_limit * m
        add(EventCode.REOPENED, called, None, {"resolve_deadline": resolve_deadline.isoformat()})
        cols.update(status=Status.ACCEPTED, reopen_count=1, resolved_at=None,
                    resolve_deadline=resolve_deadline, resolve_overdue_at=None)  # fmt: skip
        t = called
    return cols, evs


ORDER_COLUMNS = [f.attname for f in Order._meta.concrete_fields if f.attname != "id"]
EVENT_COLUMNS = ["order_id", "code", "actor_id", "payload", "at", "unit_id"]


def _insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def generate(days: Iterable[tuple[dt.date, int]], *, now: dt.datetime, seed: int = 4409,
             key_prefix: str = "", chunk: int = 10_000) -> Iterator[int]:  # fmt: skip
    """Write ``count`` orders received on each local ``day`` (hours drawn from HOUR_WEIGHTS,
    none after ``now``), with their events; yields the running total after each chunk.
    Call inside a transaction."""
    rng = random.Random(seed)
    tz = local_zone()
    spots = places()
    if not spots:
        return
    ops = connection.ops
    when = ops.adapt_datetimefield_value
    made = 0
    for day, count in days:
        seq, _ = OrderDaySequence.objects.select_for_update().get_or_create(day=day)
        start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        hours = rng.choices(range(24), HOUR_WEIGHTS, k=count)
        hours.sort()
        numbers = iter(range(seq.last + 1, seq.last + count + 1))
        pending: list[tuple] = []
        for hour in hours:
            t0 = start + dt.timedelta(hours=hour, seconds=rng.randint(0, 3599))
            if t0 > now:
                continue
            place = rng.choice(spots)
            category = rng.choices(_CATS, _CAT_W)[0]
            urgency = rng.choices(_URG, _URG_W)[0]
            cols, evs = _life(rng, t0, now, place, urgency, category)
            number = next(numbers)
            row = {
                "number": f"{day:%Y%m%d}-{number:06d}",
                "channel": rng.choice(CHANNELS),
                "category": category,
                "urgency": urgency,
                "vulnerable": "[]",
                "epidemic_related": category in EPIDEMIC_CATEGORIES,
                "title": TITLES[category],
                "description": TITLES[category] + "（历史数据）",
                "caller_name": "",
                "caller_phone": "",
                "address": "",
                "district_id": place.district,
                "town_id": place.town,
                "village_id": None,
                "latitude": None,
                "longitude": None,
                "routing_rule": MARK,
                "owner_assigned": False,
                "sla_mode": "surge",
                "callback_due": None,
                "callback_overdue_at": None,
                "received_at": t0,
                "escalated_at": None,
                "escalation_reason": "",
                "extension_until": None,
                "extension_reason": "",
                "extension_requested_at": None,
                "reply": "",
                "article_key": "",
                "callback_note": "",
                "duplicate_of_id": None,
                "client_id": None,
                "idempotency_key": f"{key_prefix}{day:%Y%m%d}-{number}" if key_prefix else None,
                "request_hash": "",
                "kind": "",
                "source_app": "",
                "source_type": "",
                "source_id": "",
                **cols,
            }
            pending.append((row, evs))
            if len(pending) >= chunk:
                made += _flush(pending, when)
                pending = []
                yield made
        made += _flush(pending, when)
        seq.last += count
        seq.save(update_fields=["last"])
        yield made


def _flush(pending: list[tuple], when) -> int:
    if not pending:
        return 0
    rows = []
    for row, _evs in pending:
        values = []
        for name in ORDER_COLUMNS:
            value = row[name]
            if isinstance(value, dt.datetime):
                value = when(value)
            values.append(value)
        rows.append(tuple(values))
    _insert(Order._meta.db_table, ORDER_COLUMNS, rows)
    ids = dict(
        Order.objects.filter(number__in=[r["number"] for r, _e in pending]).values_list(
            "number", "id"
        )
    )
    events = []
    for row, evs in pending:
        oid = ids[row["number"]]
        for code, at, unit, payload in sorted(evs, key=lambda e: e[1]):
            events.append((oid, code, None, json.dumps(payload), when(at), unit))
    _insert(OrderEvent._meta.db_table, EVENT_COLUMNS, events)
    return len(pending)


def load(days, *, now, seed=4409, key_prefix="") -> int:
    """generate() to the end in one transaction; returns the number of orders written."""
    total = 0
    with transaction.atomic():
        for made in generate(days, now=now, seed=seed, key_prefix=key_prefix):
            total = made
    return total
