"""What a field app does to the orders of its own objects (the seam's write side).

The app has already decided that ``actor`` may act for its object (a care task delivered by
its volunteer, a recall cleared by a lab result); these services therefore check the order's
state, not the actor's role, and record the actor and the source on every event they write.
"""

from __future__ import annotations

from django.db import transaction

from .. import clocks
from ..choices import OPEN_STATUSES, EventCode, Status
from ..errors import invalid
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


def _src(source: Source) -> dict:
    return {"source": source.as_dict()}
