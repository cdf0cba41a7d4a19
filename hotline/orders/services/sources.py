"""What a field app does to the orders of its own objects (the seam's write side).

The app has already decided that ``actor`` may act for its object (a care task delivered by
its volunteer, a recall cleared by a lab result); these services therefore check the order's
state, not the actor's role, and record the actor and the source on every event they write.
"""

from __future__ import annotations

from django.db import transaction

from .. import clocks
from ..choices import OPEN_STATUSES, EventCode, Status
from ..errors import OrderError, invalid
from ..models import Order
from .base import _clear_extension, _event, _iso, _now
from .intake import Source


def _open_orders(source: Source):
    return list(
        Order.objects.select_for_update(of=("self",))
        .filter(
            source_app=source.app,
            source_type=source.type,
            source_id=source.id,
            status__in=OPEN_STATUSES,
        )
        .exclude(status=Status.RESOLVED)
        .order_by("pk")
    )


def source_note(source: Source, text: str, actor, *, now=None) -> list[Order]:
    """Put a note (备注) on the timeline of each open order of ``source``: a step of the field
    work (a task assigned, a delivery made). Returns the orders noted."""
    now = _now(now)
    text = (text or "").strip()
    if not text:
        raise invalid("备注内容不能为空。", "text_required")
    with transaction.atomic():
        orders = [
            o
            for o in Order.objects.select_for_update(of=("self",))
            .filter(source_app=source.app, source_type=source.type, source_id=source.id)
            .filter(status__in=OPEN_STATUSES)
            .order_by("pk")
        ]
        for order in orders:
            _event(order, EventCode.NOTE, actor, now, {"text": text[:2000], **_src(source)})
    return orders


def source_done(source: Source, reply: str, actor, *, now=None) -> list[Order]:
    """The field object is done (the recall re-swabbed negative, the groceries delivered):
    report each of its orders not yet answered as handled with ``reply`` — accepting it first
    on the unit's behalf when it was still waiting, so the timeline stays a true sequence. The
    center's callback follows as for any order. Idempotent: answered orders are left alone."""
    now = _now(now)
    reply = (reply or "").strip()
    if not reply:
        raise invalid("答复内容不能为空。", "reply_required")
    with transaction.atomic():
        orders = _open_orders(source)
        for order in orders:
            if order.status == Status.DISPATCHED:
                order.status = Status.ACCEPTED
                order.accepted_at = now
                _event(
                    order,
                    EventCode.ACCEPTED,
                    actor,
                    now,
                    {"status": Status.ACCEPTED, **_src(source)},
                    unit=order.handling_unit_id,
                )
            order.status = Status.RESOLVED
            order.reply = reply
            order.resolved_at = now
            order.callback_due = clocks.callback_due(now)
            order.callback_overdue_at = None
            _clear_extension(order)
            order.save()
            _event(
                order,
                EventCode.RESOLVED,
                actor,
                now,
                {"reply": reply, "callback_due": _iso(order.callback_due), **_src(source)},
                unit=order.handling_unit_id,
            )
    return orders


def attach_source(source: Source, order, actor, *, text: str = "", now=None) -> Order:
    """Tie an existing open order (an agent's appeal) to a field app's object, so that
    ``source_note``/``source_done`` and ``orders_for_source`` reach it from then on; a note on
    its timeline says so. The app has checked that ``actor`` may act for the order. Attaching
    the same source again is a no-op; an order already serving another object is refused."""
    now = _now(now)
    number = order.number if isinstance(order, Order) else order
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).filter(number=number).first()
        if order is None:
            raise invalid(f"找不到工单 {number}。", "order_not_found")
        current = (order.source_app, order.source_type, order.source_id)
        if current == (source.app, source.type, source.id):
            return order
        if any(current):
            raise OrderError(
                f"工单 {order.number} 已关联{order.source_app}的对象，不能再关联。",
                code="source_taken",
            )
        if order.status not in OPEN_STATUSES or order.status == Status.RESOLVED:
            raise OrderError(
                f"工单 {order.number} 当前状态为“{order.get_status_display()}”，不能再转办。",
                code="invalid_state",
            )
        order.source_app, order.source_type, order.source_id = source.app, source.type, source.id
        order.save(update_fields=["source_app", "source_type", "source_id"])
        note = (text or "").strip() or f"关联到 {source.app}/{source.type}/{source.id}"
        _event(order, EventCode.NOTE, actor, now, {"text": note[:2000], **_src(source)})
    return order


def _src(source: Source) -> dict:
    return {"source": source.as_dict()}
