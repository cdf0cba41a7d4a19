"""Reads of work orders reused by the API, pages and commands."""

from __future__ import annotations

from django.db import connections
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from hotline.geo.models import HandlingUnit

from .models import Order, OrderEvent


def visible_orders(user) -> QuerySet[Order]:
    """The orders ``user`` may see, with what a listing needs fetched in bulk."""
    return (
        Order.objects.visible_to(user)
        .select_related("handling_unit", "duplicate_of")
        .prefetch_related(
            Prefetch("co_units", queryset=HandlingUnit.objects.only("code", "name", "kind"))
        )
    )


def filter_orders(qs: QuerySet[Order], filters, now=None) -> QuerySet[Order]:
    """Apply the list filters (status, unit, urgency, category, district, town, overdue,
    created range); ``filters`` is any object with those attributes (None = no filter).
    A filter already on ``qs`` is taken as narrowing it (one unit's orders) for the overdue
    filter's shape (docs/ORDERS.md, "Lists at scale")."""
    now = now or timezone.now()
    scoped = bool(qs.query.where)  # one unit's orders (visible_to), before these filters
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit:
        qs = qs.filter(handling_unit__code=filters.unit)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    if filters.town:
        qs = qs.filter(town_id=filters.town)
    if filters.overdue is True:
        narrowed = scoped or any(
            (filters.status, filters.unit, filters.urgency, filters.category, filters.district,
             filters.town)
        )  # fmt: skip
        if narrowed and connections[qs.db].vendor == "sqlite":
            # Beside a filter with an index of its own, SQLite (no statistics) reads that
            # index and tests every row for its clocks (a district's 244,000 orders: 270 ms
            # of CPU over a million); the overdue orders (a few thousand, from the three
            # (status, deadline) indexes) are taken first as ids, then matched by id.
            # PostgreSQL intersects both indexes itself (a BitmapAnd), faster than the ids.
            qs = qs.filter(pk__in=Order.objects.overdue(now).values("pk"))
        else:  # alone, the OR of the three clocks reads those indexes straight
            qs = qs.overdue(now)
    elif filters.overdue is False:
        qs = qs.exclude(pk__in=Order.objects.overdue(now).values("pk"))
    if filters.created_from:
        qs = qs.filter(received_at__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(received_at__lt=filters.created_to)
    return qs


#: How many orders a list counts at most: past it the list says "10,000+" instead of counting
#: every row of a million-order table on each refresh (docs/ORDERS.md, "Lists at scale").
COUNT_CAP = 10_000


def capped_count(qs: QuerySet, cap: int = COUNT_CAP, *, in_order: bool = False) -> int:
    """How many rows ``qs`` has, but at most ``cap + 1``: a result above ``cap`` means "more
    than ``cap``". One ``SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)``, which stops
    reading after ``cap + 1`` matching index entries instead of counting the whole set.
    ``in_order`` keeps ``qs``'s ordering in the subquery (see the console's list)."""
    if not in_order:
        qs = qs.order_by()
    return qs.values("pk")[: cap + 1].count()


def timeline(order: Order) -> list[OrderEvent]:
    """The order's events, oldest first, with actor and unit fetched."""
    return list(order.events.select_related("actor", "unit").order_by("id"))


def triage_corrections(since=None):
    """Orders whose classification a person corrected, as labelled examples for training:
    one dict per order with the text and the labels the order carries (the person's values).

    ``since`` limits to corrections recorded at or after that time.
    """
    from .choices import EventCode

    events = OrderEvent.objects.filter(code=EventCode.TRIAGE_OVERRIDDEN).select_related("order")
    if since is not None:
        events = events.filter(at__gte=since)
    for event in events.order_by("id").iterator(chunk_size=500):
        order = event.order
        yield {
            "id": order.number,
            "title": order.title,
            "text": order.description,
            "appeal_type": order.appeal_type,
            "category": order.category,
            "urgency": order.urgency,
            "vulnerable": list(order.vulnerable or []),
            "town_code": order.town_id,
            "corrected": sorted((event.payload or {}).get("fields", {})),
            "triage": {k: v["triage"] for k, v in (event.payload or {}).get("fields", {}).items()},
            "model_version": (event.payload or {}).get("model_version", ""),
            "at": event.at.isoformat(),
        }


def orders_for_source(source) -> QuerySet[Order]:
    """The orders made for a field app's object (``Source(app, type, id)``), oldest first."""
    return Order.objects.filter(
        source_app=source.app, source_type=source.type, source_id=str(source.id)
    ).order_by("received_at", "pk")
