"""Reads the work pages need, shaped for the templates. No writes here."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from hotline.common.masking import mask_address, mask_name, mask_phone
from hotline.geo.models import HandlingUnit
from hotline.orders.choices import (
    CLOCKS,
    OPEN_STATUSES,
    AppealType,
    Category,
    Status,
    Urgency,
)
from hotline.orders.models import Order, OrderEvent
from hotline.orders.queries import COUNT_CAP, capped_count, filter_orders

#: What people read for each vulnerable flag, on every page and in the intake form.
VULNERABLE_LABELS = {
    "elderly": "老年人",
    "child": "婴幼儿/儿童",
    "sick": "病患",
    "disabled": "残障/卧床",
    "pregnant": "孕产妇",
}


def vulnerable_text(codes) -> str:
    """['elderly', 'disabled'] → 老年人、残障/卧床 (empty string when none)."""
    return "、".join(VULNERABLE_LABELS.get(c, c) for c in codes or [])


def masked_caller(order: Order) -> dict:
    return {
        "name": mask_name(order.caller_name) or "—",
        "phone": mask_phone(order.caller_phone) or "—",
        "address": mask_address(order.address),
    }


def clock_state(deadline: dt.datetime | None, now: dt.datetime) -> dict | None:
    if deadline is None:
        return None
    return {"deadline": deadline, "overdue": deadline < now, "iso": deadline.isoformat()}


def clocks(order: Order, now: dt.datetime) -> list[dict]:
    """The clocks running on the order now, with labels."""
    return [
        {"label": clock.label, **clock_state(deadline, now)}
        for clock, deadline in order.running_clocks()
    ]


def next_deadline(order: Order) -> dt.datetime | None:
    running = order.running_clocks()
    return running[0][1] if running else None


EVENT_LABELS = {
    "orders.order.received": "受理",
    "orders.order.triaged": "智能分拣",
    "orders.order.triage_overridden": "人工更正分拣",
    "orders.order.dispatched": "派单",
    "orders.order.accepted": "签收",
    "orders.order.returned": "退单",
    "orders.order.extension_requested": "申请延期",
    "orders.order.extension_decided": "延期审批",
    "orders.order.note": "备注",
    "orders.order.escalated": "督办",
    "orders.order.overdue": "超时",
    "orders.order.resolved": "答复",
    "orders.order.callback": "回访",
    "orders.order.reopened": "重办",
    "orders.order.closed": "办结",
    "orders.order.duplicate_linked": "合并重复件",
    "orders.order.repeat_received": "重复来电",
    "orders.order.urged": "催办（再次来电）",
    "orders.order.personal_data_read": "查看个人信息",
}

_PAYLOAD_LABELS = {
    "reason": "理由",
    "text": "内容",
    "reply": "答复",
    "note": "意见",
    "until": "延期至",
    "satisfaction": "评价",
    "clock": "时限",
    "rule": "规则",
}


_FIELD_NAMES = {"appeal_type": "诉求类型", "category": "分类", "urgency": "紧急程度",
                "vulnerable": "特殊群体", "town_code": "镇街"}  # fmt: skip


def _value_label(field: str, value) -> str:
    if field == "vulnerable":
        return vulnerable_text(value) or "无"
    choices = {"appeal_type": AppealType, "category": Category, "urgency": Urgency}.get(field)
    if choices is not None and value in choices.values:
        return choices(value).label
    return str(value or "无")


def _describe(event: OrderEvent) -> str:
    """One line a person can read for an event's payload (no raw codes)."""
    p = event.payload or {}
    code = event.code
    if code == "orders.order.dispatched":
        unit = p.get("unit_name") or (event.unit.name if event.unit else "")
        rule = p.get("rule")
        return f"派往 {unit}" + (f"（{rule}）" if rule else "")
    if code == "orders.order.triaged":
        reasons = "；".join(p.get("reasons", [])[:4])
        return reasons or "按登记内容分拣"
    if code == "orders.order.triage_overridden":
        return "；".join(
            f"{_FIELD_NAMES.get(k, k)}：智能分拣为“{_value_label(k, v.get('triage'))}”，"
            f"人工改为“{_value_label(k, v.get('corrected'))}”"
            for k, v in p.get("fields", {}).items()
        )
    if code == "orders.order.extension_decided":
        return ("同意延期" if p.get("approve") else "不同意延期") + (
            f"：{p['note']}" if p.get("note") else ""
        )
    if code == "orders.order.callback":
        labels = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
        return labels.get(p.get("satisfaction"), "") + (f"：{p['note']}" if p.get("note") else "")
    if code == "orders.order.urged":
        raised = ""
        if p.get("urgency_before"):
            raised = (
                f"（紧急程度由“{_value_label('urgency', p['urgency_before'])}”"
                f"升为“{_value_label('urgency', p.get('urgency'))}”）"
            )
        return f"来电人：{p.get('text', '')}{raised}"
    if code == "orders.order.overdue":
        labels = {"accept": "签收超时", "resolve": "办结超时", "callback": "回访超时"}
        return labels.get(p.get("clock"), "超时")
    parts = []
    for key, label in _PAYLOAD_LABELS.items():
        value = p.get(key)
        if value and isinstance(value, str) and key not in ("clock", "satisfaction"):
            parts.append(f"{label}：{_readable(value)}")
    return "；".join(parts)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _readable(value: str) -> str:
    """A time stored as ISO 8601 in a payload, as people read it (local time, to the minute)."""
    if _ISO_TIME.match(value):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        return f"{when:%Y-%m-%d %H:%M}"
    return value


def timeline_rows(order: Order) -> list[dict]:
    events = order.events.select_related("actor__hotline_profile", "unit").order_by("id")
    rows = []
    for e in events:
        actor = ""
        if e.actor:
            profile = getattr(e.actor, "hotline_profile", None)
            actor = (profile.display_name if profile else "") or e.actor.username
        rows.append(
            {
                "at": e.at,
                "label": EVENT_LABELS.get(e.code, "记录"),
                "actor": actor or "系统",
                "unit": e.unit.name if e.unit else "",
                "detail": _describe(e),
                "alert": e.code in ("orders.order.escalated", "orders.order.overdue"),
            }
        )
    return rows


def _due_expression():
    """SQL twin of :func:`next_deadline` (the first running clock's deadline), for ordering."""
    return Case(*(When(status__in=c.statuses, then=F(c.deadline_field)) for c in CLOCKS))


def _row(order: Order, now: dt.datetime) -> dict:
    due = next_deadline(order)
    return {
        "order": order,
        "due": clock_state(due, now),
        "vulnerable": [VULNERABLE_LABELS.get(v, v) for v in order.vulnerable or []],
    }


def inbox_rows(unit_id: int, now: dt.datetime) -> list[dict]:
    """A unit's orders waiting for it (to accept or to handle), nearest deadline first."""
    qs = (
        Order.objects.for_unit(unit_id)
        .filter(status__in=(Status.DISPATCHED, Status.ACCEPTED))
        .annotate(due=_due_expression())
        .select_related("town", "district", "handling_unit")
        .order_by(F("due").asc(nulls_last=True), "id")[:200]
    )
    rows = []
    for order in qs:
        row = _row(order, now)
        row["co"] = order.handling_unit_id != unit_id
        rows.append(row)
    return rows


def list_rows(orders, now: dt.datetime) -> list[dict]:
    return [_row(o, now) for o in orders]


#: Orders per page of the order list.
LIST_PAGE_SIZE = 50


class ListPaginator(Paginator):
    """The order list's pages, counted up to a cap (``orders.queries.COUNT_CAP``, or as far
    as the page asked for reaches): over a million orders an exact count of the whole list
    on every page view is the slowest part of the page, and past ten thousand rows nobody
    reads the exact figure. A capped count shows as "10,000+" and "200+" pages; the next page
    link stays while more rows exist."""

    def __init__(self, object_list, per_page: int, *, number: int, count_in_order: bool = False):
        super().__init__(object_list, per_page)
        self.cap = max(COUNT_CAP, number * per_page)
        self.count_in_order = count_in_order

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap, in_order=self.count_in_order)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"{self.cap:,}+" if self.capped else f"{self.count:,}"

    @property
    def pages_label(self) -> str:
        return f"{self.cap // self.per_page:,}+" if self.capped else f"{self.num_pages:,}"


def list_page(qs, page: str | None, *, count_in_order: bool = False):
    """The asked-for page (a number; anything else is the first) of an order list;
    ``count_in_order``: see :func:`count_in_list_order`."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    # More than the cap in pages asked for: count as far as that page (and one row past it).
    number = min(number, 1_000_000 // LIST_PAGE_SIZE)
    paginator = ListPaginator(qs, LIST_PAGE_SIZE, number=number, count_in_order=count_in_order)
    return paginator.get_page(number)


def count_in_list_order(data: dict, *, all_units: bool) -> bool:
    """Whether the list's capped count reads the rows in the list's order, newest first
    (``data``: the filter form's cleaned data; ``all_units``: the list is the whole city's).

    Only for 在办 (open): open orders are the recent ones, so newest first the count meets its
    10,001 rows soon. "Not closed" has no index of its own, so without an order the count
    reads another filter's index (a district's, a channel's…) oldest first, through weeks of
    closed orders: a district's open orders 195 ms of CPU, 45 ms in this order. Not when a
    filter has an index that finds the open rows itself — the overdue filter's (status,
    deadline), a number search's number index, one unit's (handling_unit, status) — where the
    order only adds a sort or a longer walk (10–30 ms more, measured over a million orders);
    nor when 在办 is the only filter (the status indexes then find open rows by themselves)."""
    if data.get("status") != "open" or not all_units or data.get("unit") or data.get("overdue"):
        return False
    if ORDER_NUMBER_PREFIX.match((data.get("q") or "").strip()):
        return False
    return any(data.get(name) for name in _UNINDEXED_OPEN)


#: The list filters beside 在办 whose index (or none) reads open orders among closed ones.
_UNINDEXED_OPEN = (
    "district", "town", "urgency", "category", "channel", "date_from", "date_to", "q",
)  # fmt: skip


class _Filters:
    """Adapter from the filter form's cleaned data to orders.queries.filter_orders."""

    def __init__(self, data: dict):
        self.status = data.get("status") or None
        self.unit = data.get("unit") or None
        self.urgency = data.get("urgency") or None
        self.category = data.get("category") or None
        self.district = data.get("district") or None
        self.town = data.get("town") or None
        overdue = data.get("overdue")
        self.overdue = {"1": True, "0": False}.get(overdue)
        tz = timezone.get_current_timezone()
        start, end = data.get("date_from"), data.get("date_to")
        self.created_from = dt.datetime.combine(start, dt.time.min, tz) if start else None
        self.created_to = (
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz) if end else None
        )


def apply_filters(qs, data: dict, now: dt.datetime):
    open_only = data.get("status") == "open"  # every status but closed (the board's counters)
    if open_only:
        data = {**data, "status": ""}
    # Before the "not closed" below: filter_orders reads a filter already on ``qs`` as one
    # unit's list (its overdue filter then reads the overdue ids first on SQLite).
    qs = filter_orders(qs, _Filters(data), now)
    if open_only:
        # Written "not closed" (the same set as status IN OPEN_STATUSES): SQLite then reads
        # the list newest first along received_at and stops after a page — open orders are
        # the recent ones — instead of gathering every open order from the status index and
        # sorting them all.
        qs = qs.exclude(status=Status.CLOSED)
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    q = (data.get("q") or "").strip()
    if ORDER_NUMBER.match(q):
        qs = qs.filter(number=q)
    elif ORDER_NUMBER_PREFIX.match(q):
        qs = qs.filter(number_prefix(q))
    elif q:
        qs = qs.filter(
            Q(number__startswith=q) | Q(title__icontains=q) | Q(description__icontains=q)
        )
    return qs


#: A search that reads as (the start of) an order number: a day, then optionally the serial.
ORDER_NUMBER_PREFIX = re.compile(r"^\d{8}(-\d{0,6})?$")
ORDER_NUMBER = re.compile(r"^\d{8}-\d{6}$")


def number_prefix(q: str) -> Q:
    """Orders whose number starts with ``q``, as a range of the unique index on ``number``
    (``q`` ≤ number < ``q`` with its last character raised by one): ``LIKE 'q%'`` reads the
    whole table on SQLite (its LIKE is case-insensitive, the index is not) and on PostgreSQL
    outside the C collation. ``startswith`` stays beside it, so the range only narrows."""
    upper = q[:-1] + chr(ord(q[-1]) + 1)
    return Q(number__gte=q, number__lt=upper, number__startswith=q)


def workforce_board(now: dt.datetime) -> dict:
    """The workforce app's part of the board (on shift now, needed now), when installed."""
    from django.apps import apps

    if not apps.is_installed("hotline.workforce"):
        return {"on_shift": [], "staffing_now": None}
    from hotline.workforce.queries import board_panel

    return board_panel(now)


#: Rows each board table shows; the table says how many more there are and links to them.
BOARD_ROWS = 30


def _urgency_rank():
    """SQL: 0 for critical, 1 urgent, 2 normal — the board's first sort key."""
    return Case(
        When(urgency=Urgency.CRITICAL, then=0), When(urgency=Urgency.URGENT, then=1), default=2
    )


def _most_pressing(qs):
    """Critical first, then the nearest deadline (overdue ones are nearest), then the oldest."""
    return qs.annotate(rank=_urgency_rank(), due=_due_expression()).order_by(
        "rank", F("due").asc(nulls_last=True), "received_at"
    )


def _extensions_pending() -> list[int]:
    """Ids of open orders waiting for an extension decision (a handful), read from their
    partial index first: inside a board view's other filters the planner would rather read
    every open order of the unit or town and test each row ("not closed" is the same set as
    status IN OPEN_STATUSES, and lets SQLite take that index)."""
    return list(
        Order.objects.exclude(status=Status.CLOSED)
        .filter(extension_requested_at__isnull=False)
        .order_by()  # no newest-first: SQLite would read the received_at index to avoid a sort
        .values_list("pk", flat=True)
    )


def _top_pressing(qs, n: int, select: tuple[str, ...]) -> list[Order]:
    """The ``n`` most pressing orders of ``qs`` with ``select`` fetched: first their ids
    (ranked over the bare rows), then those rows with their relations. Ranking thousands of
    open orders joined to their places and units cost more than the ranking itself."""
    ids = list(_most_pressing(qs).values_list("pk", flat=True)[:n])
    by_id = Order.objects.select_related(*select).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def board_scope(unit_code: str | None = None, town_code: str | None = None):
    """The orders one board view covers: all, one lead unit's, or one town's."""
    qs = Order.objects.all()
    if unit_code:
        qs = qs.filter(handling_unit__code=unit_code)
    if town_code:
        qs = qs.filter(town_id=town_code)
    return qs


def _local_midnight(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def headline_counts(scope, now: dt.datetime, *, one_pass: bool = False) -> dict:
    """The board's counters over ``scope``: open orders by status and by urgency (one GROUP
    BY read from the (status, urgency) index alone), and orders closed today (a range of the
    (status, closed_at) index). Neither reads closed orders of earlier days, the bulk of a
    million-order table.

    ``one_pass``: the scope is read through an index of its own that does not know the
    status (one town's ~8,000 orders: no index has the town and the status), so "closed
    today" comes from that same read — ``status IN (open…) OR closed_at >= midnight``, the
    closed rows counted apart — instead of a second query that looks up every order the
    city closed today (~20,000–33,000) for its town."""
    by_status: dict[str, int] = {}
    by_urgency: dict[str, int] = {}
    midnight = _local_midnight(now)
    wanted = Q(status__in=OPEN_STATUSES)
    if one_pass:
        # No index starts with closed_at, so the OR cannot turn into reading every order the
        # city closed today (or every open one): the scope's own index is read once.
        wanted |= Q(closed_at__gte=midnight)
    counts = (
        scope.filter(wanted)
        .values_list("status", "urgency")
        .annotate(n=Count("*"))  # COUNT(*), not COUNT(id): PostgreSQL reads the index alone
        .order_by()
    )
    for status, urgency, n in counts:
        by_status[status] = by_status.get(status, 0) + n
        if status != Status.CLOSED:  # closed rows are there only when closed today
            by_urgency[urgency] = by_urgency.get(urgency, 0) + n
    if not one_pass:
        by_status[Status.CLOSED] = scope.filter(
            status=Status.CLOSED, closed_at__gte=midnight
        ).count()
    return {
        "status_counts": [
            {"code": s.value, "label": s.label, "n": by_status.get(s.value, 0)} for s in Status
        ],
        "urgency_counts": [
            {"code": u.value, "label": u.label, "n": by_urgency.get(u.value, 0)} for u in Urgency
        ],
        "open_total": sum(by_urgency.values()),
    }


def alarm_orders(scope, now: dt.datetime):
    """The alarm: critical orders whose accept clock has run out without anyone accepting."""
    return scope.filter(
        urgency=Urgency.CRITICAL,
        status__in=(Status.RECEIVED, Status.DISPATCHED),
        accept_deadline__lt=now,
    )


def board(now: dt.datetime, *, unit_code: str | None = None, town_code: str | None = None) -> dict:
    """Everything the supervisor board shows, in a fixed number of queries. Each table puts
    critical orders first and then the nearest deadline, so that a critical order registered a
    minute ago is at the top, not behind days-old ones; each says how many it does not show."""
    from hotline.orders.models import OperatingMode

    scope = board_scope(unit_code, town_code)
    open_qs = scope.filter(status__in=OPEN_STATUSES)
    # One town's view reads the town's orders for its counters (no index has the town and the
    # status): "closed today" in the same read. A unit has (handling_unit, status, closed_at…).
    counts = headline_counts(scope, now, one_pass=bool(town_code) and not unit_code)
    select = ("handling_unit", "town", "district")
    queue = (Urgency.CRITICAL, Urgency.URGENT)
    tables = {
        "queue": open_qs.filter(urgency__in=queue),
        "overdue": open_qs.overdue(now),
        "waiting_dispatch": scope.filter(status=Status.RECEIVED),
        "extensions": scope.filter(pk__in=_extensions_pending()),
    }
    # The queue's total is the open critical and urgent orders the counters already counted.
    by_urgency = {u["code"]: u["n"] for u in counts["urgency_counts"]}
    totals = {
        name: sum(by_urgency[u] for u in queue) if name == "queue" else qs.count()
        for name, qs in tables.items()
    }
    rows = {
        name: [_row(o, now) for o in _top_pressing(qs, BOARD_ROWS, select)]
        for name, qs in tables.items()
    }
    # The alarm: critical orders whose accept clock has run out without anyone accepting.
    alarm = _top_pressing(alarm_orders(scope, now), BOARD_ROWS, select)
    mode = OperatingMode.objects.filter(pk=1).first()
    units = HandlingUnit.objects.active().exclude(code="center").order_by("kind", "code")
    return {
        "unit_choices": [(u.code, u.name) for u in units] if rows["waiting_dispatch"] else [],
        "now": now,
        "status_counts": counts["status_counts"],
        "urgency_counts": counts["urgency_counts"],
        "open_total": counts["open_total"],
        "overdue_total": totals["overdue"],
        "totals": totals,
        "board_rows": BOARD_ROWS,
        **rows,
        "alarm": [_row(o, now) for o in alarm],
        "alarm_ids": ",".join(str(o.pk) for o in alarm),
        # Who is on shift now and the agents needed now (the workforce app's roster).
        **workforce_board(now),
        "mode": mode.mode if mode else "normal",
        "mode_row": mode,
        "scope_query": _scope_query(unit_code, town_code),
    }


def _scope_query(unit_code: str | None, town_code: str | None) -> str:
    """The list filters of a board view, to append to its links ("&unit=…&town=…")."""
    parts = [f"unit={unit_code}" if unit_code else "", f"town={town_code}" if town_code else ""]
    return "".join(f"&{p}" for p in parts if p)


#: Rows each list of a home page shows; the list says how many there are and links to them.
HOME_ROWS = 10
#: How far ahead a unit's home page looks for clocks running out.
DUE_SOON = dt.timedelta(hours=8)


def _home_rows(qs, now: dt.datetime) -> tuple[list[dict], int]:
    """(the first HOME_ROWS rows, how many in all) of a home-page list: two queries."""
    select = ("handling_unit", "town", "district")
    return [_row(o, now) for o in qs.select_related(*select)[:HOME_ROWS]], qs.count()


def agent_worklist(user, now: dt.datetime) -> dict:
    """An agent's home page: the orders they registered today (newest first), the callbacks
    the center owes (nearest clock first), and urgent orders still waiting for dispatch."""
    calls, calls_total = _home_rows(
        Order.objects.filter(client=user, received_at__gte=_local_midnight(now)).order_by(
            "-received_at", "-id"
        ),
        now,
    )
    callbacks, callbacks_total = callbacks_due(now)
    waiting, waiting_total = _home_rows(
        _most_pressing(
            Order.objects.filter(
                status=Status.RECEIVED, urgency__in=(Urgency.CRITICAL, Urgency.URGENT)
            )
        ),
        now,
    )
    return {
        "calls": calls, "calls_total": calls_total,
        "callbacks": callbacks, "callbacks_total": callbacks_total,
        "waiting": waiting, "waiting_total": waiting_total,
    }  # fmt: skip


def callbacks_due(now: dt.datetime) -> tuple[list[dict], int]:
    """Resolved orders waiting for the center's callback, the nearest (or overdue) first."""
    return _home_rows(
        Order.objects.filter(status=Status.RESOLVED).order_by(
            F("callback_due").asc(nulls_last=True), "id"
        ),
        now,
    )


def supervisor_worklist(now: dt.datetime) -> dict:
    """A supervisor's home page: the board's counters, the alarm count and callbacks due."""
    scope = board_scope()
    callbacks, callbacks_total = callbacks_due(now)
    return {
        **headline_counts(scope, now),
        "overdue_total": scope.filter(status__in=OPEN_STATUSES).overdue(now).count(),
        "alarm_total": alarm_orders(scope, now).count(),
        "callbacks": callbacks,
        "callbacks_total": callbacks_total,
    }


def unit_worklist(unit_id: int, now: dt.datetime) -> dict:
    """A unit handler's home page: the unit's orders whose accept or resolve clock runs out
    within DUE_SOON (overdue ones first, then the nearest), and how many wait in all."""
    waiting = Order.objects.for_unit(unit_id).filter(
        status__in=(Status.DISPATCHED, Status.ACCEPTED)
    )
    due = waiting.annotate(due=_due_expression()).filter(due__lt=now + DUE_SOON)
    rows, due_total = _home_rows(due.order_by("due", "id"), now)
    return {
        "due_soon": rows,
        "due_total": due_total,
        "overdue_total": waiting.overdue(now).count(),
        "waiting_total": waiting.count(),
        "due_hours": int(DUE_SOON.total_seconds() // 3600),
    }


def system_status(now: dt.datetime) -> dict:
    """An administrator's home page: a short status of the platform."""
    from django.contrib.auth import get_user_model

    from hotline.geo.models import Division
    from hotline.orders.models import OperatingMode

    mode = OperatingMode.objects.filter(pk=1).first()
    open_qs = Order.objects.filter(status__in=OPEN_STATUSES)
    return {
        "open_total": open_qs.count(),
        "overdue_total": open_qs.overdue(now).count(),
        "today_total": Order.objects.filter(received_at__gte=_local_midnight(now)).count(),
        "mode": mode.get_mode_display() if mode else "常态",
        "units": HandlingUnit.objects.active().count(),
        "towns": Division.objects.filter(level="town").count(),
        "users": get_user_model().objects.filter(is_active=True).count(),
    }


def home_worklist(user, now: dt.datetime) -> dict:
    """What the signed-in user's home page lists, by role (a user with several roles sees each
    part). Volunteer agents get the agent's lists, shown without titles or caller details."""
    from hotline.accounts.roles import Role, roles_of
    from hotline.orders.models import handler_unit_id

    roles = roles_of(user)
    work: dict = {}
    if roles & {Role.AGENT, Role.VOLUNTEER_AGENT}:
        work["agent"] = agent_worklist(user, now)
        work["masked"] = not (roles & {Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
    if Role.SUPERVISOR in roles:
        work["supervisor"] = supervisor_worklist(now)
    unit_id = handler_unit_id(user)
    if unit_id is not None:
        work["unit"] = unit_worklist(unit_id, now)
    if Role.ADMIN in roles:
        work["system"] = system_status(now)
    return work


#: How long one process reuses its index of recent open orders for the live repeat check.
#: Building it over a surge's 30,000 open orders takes most of a second, far too slow for
#: every keystroke; an order registered in the last half minute is still found by the caller's
#: phone (the caller-history panel reads the database directly).
REPEAT_INDEX_TTL = dt.timedelta(seconds=30)
_repeat_index: dict = {}


def clear_repeat_index() -> None:
    """Forget this process's index of recent orders (tests; after a bulk import)."""
    _repeat_index.clear()


def _repeat_finder(now: dt.datetime):
    from hotline.triage.duplicates import WINDOW, DuplicateFinder, RecentOrder

    built = _repeat_index.get("built_at")
    if built is None or not (now - REPEAT_INDEX_TTL <= built <= now):
        rows = Order.objects.filter(
            status__in=OPEN_STATUSES, received_at__gte=now - WINDOW
        ).values_list("id", "description", "received_at", "town_id", "caller_phone")
        _repeat_index["finder"] = DuplicateFinder(
            RecentOrder(*row) for row in rows.iterator(chunk_size=2000)
        )
        _repeat_index["built_at"] = now
    return _repeat_index["finder"]


def live_triage(
    text: str, phone: str, now: dt.datetime, *, actor=None, fields: dict | None = None
) -> dict:
    """Triage of the text being typed, possible repeats and knowledge-base suggestions, and —
    given the acting agent and the form's other fields — what ``receive`` would make of the
    appeal: the same classification, epidemic reading, place and unit the saved order gets."""
    from hotline.orders import services
    from hotline.orders.errors import OrderError
    from hotline.triage import assess

    text = text.strip()
    if len(text) < 4:
        return {"empty": True}
    preview, preview_error = None, ""
    if actor is not None:
        try:
            preview = services.preview(
                actor,
                services.Appeal(channel="phone", description=text, caller_phone=phone,
                                **(fields or {})),
                now=now,
            )  # fmt: skip
        except OrderError as exc:
            preview_error = str(exc)
    # One triage per keystroke: the preview's own reading when it has one.
    assessment = getattr(preview, "assessment", None) or assess(
        text, caller={"phone": phone} if phone else None, when=now
    )
    finder = _repeat_finder(now)
    repeats = finder.find(
        text, when=now, town_code=assessment.place.town_code, caller_phone=phone or None, limit=3
    )
    by_id = {
        o.pk: o
        for o in Order.objects.filter(pk__in=[r.order_id for r in repeats]).select_related(
            "handling_unit"
        )
    }
    reading = preview.order if preview is not None else assessment
    return {
        "empty": False,
        "a": assessment,
        "preview": preview,
        "preview_error": preview_error,
        "urgency": reading.urgency,
        "appeal_type": reading.appeal_type,
        "category": reading.category,
        "epidemic_related": reading.epidemic_related,
        "urgency_label": Urgency(reading.urgency).label,
        "appeal_type_label": _label(AppealType, reading.appeal_type),
        "category_label": _label(Category, reading.category),
        "vulnerable": [VULNERABLE_LABELS.get(v, v) for v in reading.vulnerable],
        "repeats": [
            {"order": by_id[r.order_id], "score": r.score, "reason": r.reason}
            for r in repeats
            if r.order_id in by_id
        ],
        "articles": suggest_articles(text, now),
    }


def _label(choices, code: str) -> str:
    return choices(code).label if code in choices.values else code


def suggest_articles(text: str, now: dt.datetime) -> list:
    """Knowledge-base suggestions for the text, when the knowledge app is installed."""
    from django.apps import apps

    if not apps.is_installed("hotline.knowledge"):
        return []
    try:
        from hotline.knowledge.search import suggest
    except ImportError:
        return []
    return suggest(text, at=now, limit=3).hits
