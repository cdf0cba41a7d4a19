"""Helpers shared by the order services: locking, permission checks, events, the outbox,
assignment to a unit."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.geo.models import HandlingUnit

from .. import clocks, routing
from ..choices import (
    EventCode,
    NotificationStatus,
    Status,
    Urgency,
)
from ..errors import OrderError, forbidden, invalid, not_found
from ..models import (
    Notification,
    Order,
    OrderEvent,
    handler_unit_id,
    is_center,
)

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)
#: The third return takes the choice away from the units: the center names the owner.
MAX_RETURNS = 3
TITLE_FROM_DESCRIPTION = 30


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _event_row(order: Order, code: str, actor, now, payload=None, unit=None) -> OrderEvent:
    """An unsaved event; the unit defaults to the actor's own unit (for unit handlers)."""
    if unit is None and actor is not None:
        unit = handler_unit_id(actor)
    event = OrderEvent(order=order, code=code, actor=actor, payload=payload or {}, at=now)
    if isinstance(unit, HandlingUnit):
        event.unit = unit  # the object, so a timeline rendered from these rows needs no query
    else:
        event.unit_id = unit
    return event


def _event(order: Order, code: str, actor, now, payload: dict | None = None, unit=None):
    event = _event_row(order, code, actor, now, payload, unit)
    event.save()
    return event


def _notify(order: Order, event_code: str, recipient: str, text: str, now, into=None) -> None:
    """Queue a message in the outbox (same transaction); the worker delivers it. With ``into``
    (a list) the unsaved row is appended there instead, for one bulk insert."""
    if not recipient:
        return
    row = Notification(
        order=order,
        event_code=event_code,
        recipient=recipient,
        text=text[:500],
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    if into is None:
        row.save()
    else:
        into.append(row)


def _center_duty_phone() -> str:
    center = routing.units_cache.get().get("center")
    return (center.duty_phone if center else "") or "center"


def _lock(actor, order_or_number, *, check_view: bool = True) -> Order:
    """The order, locked for this transaction, if ``actor`` may see it (else not found).
    ``check_view=False`` only for a caller that has authorised the actor itself."""
    number = order_or_number.number if isinstance(order_or_number, Order) else order_or_number
    order = (
        Order.objects.select_for_update(of=("self",))
        .filter(number=number)
        .select_related("handling_unit")
        .first()
    )
    if order is None or (check_view and not order.can_view(actor)):
        raise not_found(number)
    return order


def _require_center(actor, what: str) -> None:
    if not is_center(actor):
        raise forbidden(f"只有热线中心人员可以{what}。", "center_only")


def _require_supervisor(actor, what: str) -> None:
    if not has_role(actor, *SUPERVISING_ROLES):
        raise forbidden(f"只有值班长或系统管理员可以{what}。", "supervisor_only")


def _require_lead(order: Order, actor, what: str) -> None:
    if not order.is_lead_handler(actor):
        raise forbidden(f"只有主办单位的经办人可以{what}。", "lead_unit_only")


def _require_status(order: Order, allowed, what: str) -> None:
    if order.status not in allowed:
        raise OrderError(
            f"工单 {order.number} 当前状态为“{order.get_status_display()}”，不能{what}。",
            code="invalid_state",
        )


def _clear_extension(order: Order) -> None:
    order.extension_until = None
    order.extension_reason = ""
    order.extension_requested_at = None


def urgency_label(urgency: str) -> str:
    return Urgency(urgency).label


# --- dispatch --------------------------------------------------------------------------------
def _units(codes: list[str]) -> list[HandlingUnit]:
    found = {u.code: u for u in HandlingUnit.objects.active().filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise invalid(f"承办单位代码不存在或已停用：{'、'.join(missing)}。", "unknown_unit")
    return [found[c] for c in codes]


def _apply_dispatch(order: Order, unit: HandlingUnit, now, *, accept_deadline=None) -> None:
    """Set the fields of a dispatch to ``unit`` (not saved): a new accept clock starts (at
    ``accept_deadline`` when the caller has just worked it out for this order and ``now``)."""
    if accept_deadline is None:
        limits = clocks.limits_for(order.urgency, order.appeal_type, order.sla_mode, order.kind)
        accept_deadline = limits.accept.deadline(now)
    order.handling_unit = unit
    order.status = Status.DISPATCHED
    order.dispatched_at = now
    order.accepted_at = None
    order.accept_deadline = accept_deadline
    order.accept_overdue_at = None
    order.owner_assigned = order.return_count >= MAX_RETURNS


def _dispatch_record(order, unit, co_units, actor, now, *, rule="", fallback=False, notices=None):
    """The dispatched event (unsaved) and the duty-phone notices for critical/urgent orders
    (saved, or appended to ``notices`` for a bulk insert)."""
    _dispatch_notices(order, unit, now, notices)
    payload = _dispatch_payload(order, unit, co_units, rule=rule, fallback=fallback)
    return _event_row(order, EventCode.DISPATCHED, actor, now, payload, unit=unit)


def _dispatch_notices(order, unit, now, notices=None) -> None:
    """The duty-phone notices of a dispatch: to the unit and the center, for a critical or
    urgent order only (saved, or appended to ``notices``)."""
    if order.urgency != Urgency.NORMAL:
        text = (
            f"【12345】{urgency_label(order.urgency)}工单 {order.number} 已派{unit.name}，"
            f"请于 {timezone.localtime(order.accept_deadline):%m-%d %H:%M} 前签收：{order.title}"
        )
        _notify(order, EventCode.DISPATCHED, unit.duty_phone or unit.code, text, now, notices)
        _notify(order, EventCode.DISPATCHED, _center_duty_phone(), text, now, notices)


def _dispatch_payload(order, unit, co_units, *, rule="", fallback=False, iso=_iso) -> dict:
    return {
        "unit": unit.code,
        "co_units": [u.code for u in co_units],
        "accept_deadline": iso(order.accept_deadline),
        "rule": rule,
        "fallback_owner": fallback,
        "owner_assigned": order.owner_assigned,
    }


def _assign(order, unit, co_units, actor, now, *, rule: str = "", fallback: bool = False):
    """Put a saved order with ``unit`` (and co-handlers), start a new accept clock, record it."""
    _apply_dispatch(order, unit, now)
    order.save()
    order.co_units.set(co_units)
    _dispatch_record(order, unit, co_units, actor, now, rule=rule, fallback=fallback).save()


def _mark_escalated(order: Order, actor, now, reason: str, *, automatic: bool) -> None:
    order.escalated_at = now
    order.escalation_reason = reason[:500]
    order.save(update_fields=["escalated_at", "escalation_reason"])
    _event(order, EventCode.ESCALATED, actor, now, {"reason": reason, "automatic": automatic})
    text = f"【12345督办】工单 {order.number}：{reason}"
    unit = order.handling_unit
    if unit is not None:
        _notify(order, EventCode.ESCALATED, unit.duty_phone or unit.code, text, now)
    _notify(order, EventCode.ESCALATED, _center_duty_phone(), text, now)
