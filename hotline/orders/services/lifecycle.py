"""The lifecycle after receipt: dispatch, accept, return, extension, resolve, callback, first
contact, duplicates, notes, escalation, the clock mode, overdue marks, personal-data reads."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hotline.geo.models import HandlingUnit

from .. import clocks
from ..choices import (
    CLOCKS,
    AppealType,
    EventCode,
    Satisfaction,
    SlaMode,
    Status,
    Urgency,
)
from ..errors import OrderError, forbidden, invalid
from ..models import (
    OperatingMode,
    Order,
    PersonalDataAccess,
)
from .base import (
    MAX_RETURNS,
    _assign,
    _center_duty_phone,
    _clear_extension,
    _event,
    _iso,
    _lock,
    _mark_escalated,
    _notify,
    _now,
    _require_center,
    _require_lead,
    _require_status,
    _require_supervisor,
    _units,
    urgency_label,
)
from .intake import SYSTEM_USERNAME


def dispatch(actor, order, *, unit: str, co_units: list[str] | None = None, now=None) -> Order:
    """Dispatch (派单) or re-dispatch before acceptance to a lead unit and co-handlers.

    Center only; the order must be waiting for dispatch or not yet accepted.
    """
    _require_center(actor, "派单")
    now = _now(now)
    co_codes = list(dict.fromkeys(c for c in (co_units or []) if c != unit))
    with transaction.atomic():
        order = _lock(actor, order)
        _require_status(order, (Status.RECEIVED, Status.DISPATCHED), "派单")
        lead, *co = _units([unit, *co_codes])
        if lead.code == "center":
            raise invalid("不能把工单派给热线中心自己，请选择承办单位。", "unknown_unit")
        _assign(order, lead, co, actor, now)
    return order


# --- unit actions ----------------------------------------------------------------------------
def accept(actor, order, *, now=None) -> Order:
    """Accept (签收) a dispatched order: the lead unit takes it on."""
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order)
        _require_lead(order, actor, "签收")
        _require_status(order, (Status.DISPATCHED,), "签收")
        order.status = Status.ACCEPTED
        order.accepted_at = now
        order.save()
        _event(order, EventCode.ACCEPTED, actor, now, {"status": Status.ACCEPTED})
    return order


def return_to_center(actor, order, *, reason: str, now=None) -> Order:
    """Return (退单) an order to the center, with a reason, by close of business of the working
    day after dispatch. The third return takes the choice away from the units: the district
    government becomes the owner when the district is known, else the center assigns one."""
    now = _now(now)
    reason = (reason or "").strip()
    with transaction.atomic():
        order = _lock(actor, order)
        _require_lead(order, actor, "退单")
        _require_status(order, (Status.DISPATCHED, Status.ACCEPTED), "退单")
        if not reason:
            raise invalid("退单必须说明理由和依据。", "reason_required")
        if order.owner_assigned:
            raise OrderError(
                "该工单已三次退单，由热线中心指定承办，不能再退；如有困难请申请延期或备注说明。",
                code="return_limit",
            )
        window = clocks.return_window_end(order.dispatched_at)
        if now > window:
            raise OrderError(
                f"退单须在派单后 1 个工作日内（{timezone.localtime(window):%m-%d %H:%M} 前）"
                "提出，现已超时，请继续办理或申请延期。",
                code="return_window_closed",
            )
        unit = order.handling_unit
        order.status = Status.RECEIVED
        order.handling_unit = None
        order.return_count += 1
        _clear_extension(order)
        order.save()
        order.co_units.clear()
        _event(
            order,
            EventCode.RETURNED,
            actor,
            now,
            {"reason": reason, "unit": unit.code, "return_count": order.return_count},
            unit=unit,
        )
        if order.return_count >= MAX_RETURNS and order.district_id:
            owner = HandlingUnit.objects.active().filter(code=f"{order.district_id}-gov").first()
            if owner is not None and owner.pk != unit.pk:
                _assign(order, owner, [], None, now, rule="三次退单由区县政府兜底", fallback=True)
    return order


def request_extension(actor, order, *, until: dt.datetime, reason: str, now=None) -> Order:
    """Ask the center for more time (延期申请), before the resolve deadline, with a new date."""
    now = _now(now)
    reason = (reason or "").strip()
    with transaction.atomic():
        order = _lock(actor, order)
        _require_lead(order, actor, "申请延期")
        _require_status(order, (Status.ACCEPTED,), "申请延期")
        if not reason:
            raise invalid("申请延期必须说明理由。", "reason_required")
        if order.extension_pending:
            raise OrderError("已有一个延期申请在等待热线中心审批。", code="extension_pending")
        if now >= order.resolve_deadline:
            raise OrderError(
                "延期须在办结时限之前申请；工单已超时，请尽快办结。", code="extension_too_late"
            )
        if until <= order.resolve_deadline:
            raise invalid("申请的新时限必须晚于当前办结时限。", "extension_not_later")
        order.extension_until = until
        order.extension_reason = reason
        order.extension_requested_at = now
        order.save()
        _event(
            order,
            EventCode.EXTENSION_REQUESTED,
            actor,
            now,
            {"until": _iso(until), "reason": reason},
        )
    return order


def decide_extension(actor, order, *, approve: bool, note: str = "", now=None) -> Order:
    """The center approves or refuses a pending extension; approval moves the resolve deadline
    (a new clock, so its overdue can be reported again)."""
    _require_supervisor(actor, "审批延期")
    now = _now(now)
    with transaction.atomic():
        order = _lock(actor, order)
        if not order.extension_pending:
            raise OrderError("该工单没有待审批的延期申请。", code="no_extension_pending")
        until = order.extension_until
        if approve:
            order.resolve_deadline = until
            order.resolve_overdue_at = None
        _clear_extension(order)
        order.save()
        _event(
            order,
            EventCode.EXTENSION_DECIDED,
            actor,
            now,
            {
                "approve": approve,
                "note": note,
                "until": _iso(until),
                "resolve_deadline": _iso(order.resolve_deadline),
            },
        )
    return order


def resolve(actor, order, *, reply: str, now=None) -> Order:
    """The lead unit reports the appeal handled (答复) with its reply; the callback is due by
    close of business of the next working day."""
    now = _now(now)
    reply = (reply or "").strip()
    with transaction.atomic():
        order = _lock(actor, order)
        _require_lead(order, actor, "答复办结")
        _require_status(order, (Status.ACCEPTED,), "答复办结")
        if not reply:
            raise invalid("答复内容不能为空。", "reply_required")
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
            {"reply": reply, "callback_due": _iso(order.callback_due)},
        )
    return order


# --- center actions --------------------------------------------------------------------------
def record_callback(
    actor, order, *, satisfaction: str, note: str = "", now=None, by_resident: bool = False
) -> Order:
    """Record the resident's callback (回访). Satisfied or basically satisfied closes the order;
    dissatisfied reopens it (重办) to the same unit with a new resolve clock.

    ``by_resident``: the resident rated the reply themself (the portal, after checking their
    phone with a code); the actor is then ``system_actor()`` acting on their behalf, and the
    event says so (``by_resident`` in its payload)."""
    if by_resident:
        if getattr(actor, "username", None) != SYSTEM_USERNAME:
            raise forbidden("居民评价只能由平台代为记录。", "resident_rating_by_system_only")
    else:
        _require_center(actor, "回访")
    now = _now(now)
    if satisfaction not in Satisfaction.values:
        raise invalid(f"未知满意度：{satisfaction}。", "unknown_code")
    with transaction.atomic():
        order = _lock(actor, order, check_view=not by_resident)
        _require_status(order, (Status.RESOLVED,), "回访")
        order.satisfaction = satisfaction
        order.callback_note = (note or "")[:1000]
        order.callback_at = now
        order.callback_due = None
        payload = {"satisfaction": satisfaction, "note": note}
        if by_resident:
            payload["by_resident"] = True
        _event(order, EventCode.CALLBACK, actor, now, payload)
        if satisfaction == Satisfaction.DISSATISFIED:
            limits = clocks.limits_for(order.urgency, order.appeal_type, order.sla_mode, order.kind)
            order.status = Status.ACCEPTED
            order.reopen_count += 1
            order.resolved_at = None
            order.resolve_deadline = limits.resolve.deadline(now)
            order.resolve_overdue_at = None
            order.save()
            _event(
                order,
                EventCode.REOPENED,
                actor,
                now,
                {
                    "unit": order.handling_unit.code,
                    "reopen_count": order.reopen_count,
                    "resolve_deadline": _iso(order.resolve_deadline),
                },
            )
            unit = order.handling_unit
            _notify(
                order,
                EventCode.REOPENED,
                unit.duty_phone or unit.code,
                f"【12345】工单 {order.number} 回访不满意，已重办，请于 "
                f"{timezone.localtime(order.resolve_deadline):%m-%d %H:%M} 前办结。",
                now,
            )
        else:
            order.status = Status.CLOSED
            order.closed_at = now
            order.save()
            _event(order, EventCode.CLOSED, actor, now, {"satisfaction": satisfaction})
    return order


def close_at_first_contact(actor, order, *, answer: str, article_key: str = "", now=None):
    """Close an inquiry the agent answered on the call (首呼解决), citing the knowledge-base
    article when there is one. Only before the order is dispatched."""
    _require_center(actor, "首呼办结")
    now = _now(now)
    answer = (answer or "").strip()
    with transaction.atomic():
        order = _lock(actor, order)
        _require_status(order, (Status.RECEIVED,), "首呼办结")
        if order.appeal_type != AppealType.INQUIRY:
            raise OrderError("只有咨询类诉求可以首呼办结；其他诉求请派单。", code="not_inquiry")
        if not answer:
            raise invalid("请填写答复内容。", "reply_required")
        order.reply = answer
        order.article_key = (article_key or "").strip()[:100]
        if order.article_key:
            _cite(order.article_key, actor, order.number, now)
        order.resolved_at = now
        order.closed_at = now
        order.status = Status.CLOSED
        order.save()
        _event(
            order,
            EventCode.CLOSED,
            actor,
            now,
            {"first_contact": True, "answer": answer, "article_key": order.article_key},
        )
    return order


def _cite(article_key: str, actor, number: str, now) -> None:
    """Record the knowledge-base article the answer cites (its usage statistics), refusing a
    key that is unknown or not published. Without the knowledge app the key is kept as text."""
    from django.apps import apps

    if not apps.is_installed("hotline.knowledge"):
        return
    from hotline.common.api_errors import DomainError
    from hotline.knowledge.services import record_citation

    try:
        record_citation(article_key, actor, number, now=now)
    except DomainError as exc:
        raise invalid(f"引用的知识库条目“{article_key}”不能使用：{exc}", "unknown_article") from exc


def link_duplicate(actor, order, *, of: str, now=None) -> Order:
    """Link a repeat appeal (重复件) to the open order about the same matter and close it; the
    repeat is kept, never deleted, and the original's timeline records it."""
    _require_center(actor, "合并重复工单")
    now = _now(now)
    with transaction.atomic():
        number = order.number if isinstance(order, Order) else order
        if number == of:
            raise OrderError("工单不能与自身合并。", code="duplicate_of_self")
        # Lock both in a fixed order so two merges never deadlock.
        first, second = sorted([number, of])
        locked = {n: _lock(actor, n) for n in (first, second)}
        order, original = locked[number], locked[of]
        _require_status(order, (Status.RECEIVED, Status.DISPATCHED), "合并为重复件")
        if original.duplicate_of_id is not None:
            raise OrderError(
                f"工单 {of} 本身是重复件，请合并到它的原工单。", code="duplicate_of_duplicate"
            )
        if not original.is_open:
            raise OrderError(f"原工单 {of} 已办结，不能合并；请作为新诉求派单。", "original_closed")
        order.duplicate_of = original
        order.status = Status.CLOSED
        order.closed_at = now
        order.save()
        order.co_units.clear()
        _event(order, EventCode.DUPLICATE_LINKED, actor, now, {"of": original.number})
        _event(order, EventCode.CLOSED, actor, now, {"duplicate_of": original.number})
        _event(original, EventCode.REPEAT_RECEIVED, actor, now, {"repeat": order.number})
    return order


def add_note(actor, order, *, text: str, now=None) -> Order:
    """A note on the timeline (备注) by anyone who can see the order."""
    now = _now(now)
    text = (text or "").strip()
    if not text:
        raise invalid("备注内容不能为空。", "text_required")
    with transaction.atomic():
        order = _lock(actor, order)
        _event(order, EventCode.NOTE, actor, now, {"text": text[:2000]})
    return order


def escalate(actor, order, *, reason: str, now=None) -> Order:
    """Supervise (督办) an open order: flag it and notify the unit and the duty supervisor."""
    _require_supervisor(actor, "督办")
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("督办必须说明原因。", "reason_required")
    with transaction.atomic():
        order = _lock(actor, order)
        if not order.is_open:
            raise OrderError(f"工单 {order.number} 已办结，无需督办。", code="invalid_state")
        _mark_escalated(order, actor, now, reason, automatic=False)
    return order


def set_mode(actor, mode: str, *, reason: str = "", now=None) -> OperatingMode:
    """Switch the clock matrix for new orders (normal/surge), with the reason the supervisor
    gave. Existing clocks do not change."""
    _require_supervisor(actor, "切换时限模式")
    if mode not in SlaMode.values:
        raise invalid(f"未知模式：{mode}。", "unknown_code")
    with transaction.atomic():
        row, _ = OperatingMode.objects.select_for_update().get_or_create(pk=1)
        row.mode = mode
        row.changed_at = _now(now)
        row.changed_by = actor
        row.reason = (reason or "").strip()[:200]
        row.save()
    clocks.mode_cache.clear()  # this process at once; the others within clocks.POLICY_TTL
    return row


def mark_overdue(order: Order, clock: str, now) -> None:
    """Record that one clock of a locked order ran out (used by the sweep, exactly once per
    clock); critical and urgent orders are escalated to the supervisor at the same time."""
    field = f"{clock}_overdue_at"
    deadline = getattr(order, next(c.deadline_field for c in CLOCKS if c.name == clock))
    setattr(order, field, now)
    order.save(update_fields=[field])
    _event(
        order,
        EventCode.OVERDUE,
        None,
        now,
        {"clock": clock, "deadline": _iso(deadline)},
        unit=order.handling_unit,
    )
    if order.urgency in (Urgency.CRITICAL, Urgency.URGENT):
        label = {"accept": "签收", "resolve": "办结", "callback": "回访"}[clock]
        _mark_escalated(
            order, None, now, f"{urgency_label(order.urgency)}工单{label}超时", automatic=True
        )


def record_personal_data_read(
    actor, order: Order, *, fields: list[str], via: str, reason: str = "", request=None, now=None
):
    """Log one read of a caller's unmasked personal data (who, which order, what, when) and,
    in the audit log, why: a ``reason`` of at least ``audit.MIN_REASON_LENGTH`` characters is
    required."""
    from hotline.accounts.audit import MIN_REASON_LENGTH, record
    from hotline.accounts.models import AuditAction

    if not order.can_reveal_personal_data(actor):
        raise forbidden(
            "您的角色无权查看来电人的完整姓名和号码；如需回拨请联系主办单位或值班长。",
            "reveal_forbidden",
        )
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise invalid(
            f"请填写查看理由（至少 {MIN_REASON_LENGTH} 个字，如“回拨核实地址”）："
            "每次查看完整信息都记入审计日志。",
            "reveal_reason_required",
        )
    record(
        AuditAction.REVEAL,
        actor=actor,
        target=f"orders.order:{order.number}",
        detail={"fields": list(fields), "via": via[:100]},
        reason=reason,
        request=request,
        now=now,
    )
    PersonalDataAccess.objects.create(
        user=actor, order=order, fields=fields, via=via[:100], at=_now(now)
    )


def record_caller_lookup(actor, orders, *, via: str = "caller_history", now=None) -> int:
    """Log a look-up of orders by the caller's phone number: typing a number and seeing which
    orders it made links that number to them, a read of the caller's data. One row per order
    shown; returns how many were written."""
    now = _now(now)
    rows = [
        PersonalDataAccess(user=actor, order=o, fields=["caller_phone"], via=via[:100], at=now)
        for o in orders
    ]
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


#: Urgency levels from least to most pressing: a repeat call may raise an order, never lower it.
URGENCY_RANK = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}


def urge(actor, order, *, text: str, urgency: str | None = None, now=None) -> Order:
    """A repeat call about an open order (催办): the caller's new words go onto the order, and
    when they read more pressing than the order (``urgency``, e.g. from triage of the new
    words) the order is raised — never lowered — and its running clocks are shortened to the
    new level's limits from now. The unit and the duty supervisor are told. Center only; for an
    order awaiting its callback, record the callback instead."""
    _require_center(actor, "催办")
    now = _now(now)
    text = (text or "").strip()
    if not text:
        raise invalid("请记录来电人这次说的内容。", "text_required")
    if urgency is not None and urgency not in Urgency.values:
        raise invalid(f"未知紧急程度：{urgency}。", "unknown_code")
    with transaction.atomic():
        order = _lock(actor, order)
        _require_status(order, (Status.RECEIVED, Status.DISPATCHED, Status.ACCEPTED), "催办")
        before = order.urgency
        raised = urgency is not None and URGENCY_RANK[urgency] > URGENCY_RANK[before]
        if raised:
            order.urgency = urgency
            limits = clocks.limits_for(urgency, order.appeal_type, order.sla_mode, order.kind)
            order.accept_deadline = min(order.accept_deadline, limits.accept.deadline(now))
            order.resolve_deadline = min(order.resolve_deadline, limits.resolve.deadline(now))
            order.save(update_fields=["urgency", "accept_deadline", "resolve_deadline"])
        _event(
            order,
            EventCode.URGED,
            actor,
            now,
            {
                "text": text[:2000],
                **(
                    {
                        "urgency_before": before,
                        "urgency": order.urgency,
                        "accept_deadline": _iso(order.accept_deadline),
                        "resolve_deadline": _iso(order.resolve_deadline),
                    }
                    if raised
                    else {}
                ),
            },
        )
        level = urgency_label(order.urgency)
        message = f"【12345催办】{level}工单 {order.number} 来电人再次来电：{text[:60]}"
        if order.handling_unit is not None:
            unit = order.handling_unit
            _notify(order, EventCode.URGED, unit.duty_phone or unit.code, message, now)
        if order.urgency != Urgency.NORMAL:
            _notify(order, EventCode.URGED, _center_duty_phone(), message, now)
    return order
