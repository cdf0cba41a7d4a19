"""Every write to work orders. Each service takes the acting user first, runs in one
transaction, locks the order it changes (``select_for_update``), validates the transition and
the actor, writes the change and an ``OrderEvent``, and raises ``OrderError`` otherwise.

Permissions (see docs/ORDERS.md): the center (agents, volunteer agents, supervisors, admins)
receives, dispatches, calls back, closes at first contact and links duplicates; supervisors
and admins also escalate, decide extensions and switch the clock mode; the lead unit's
handlers accept, return, ask for extensions and resolve; anyone who can see an order may add a
note. An order a user may not see is reported as not found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.geo.models import Division, HandlingUnit

from . import clocks, routing
from .choices import (
    EPIDEMIC_CATEGORIES,
    AppealType,
    Category,
    Channel,
    EventCode,
    NotificationStatus,
    Satisfaction,
    SlaMode,
    Status,
    Urgency,
    Vulnerable,
)
from .errors import OrderError, forbidden, invalid, not_found
from .models import (
    DESCRIPTION_MAX,
    Notification,
    OperatingMode,
    Order,
    OrderDaySequence,
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


def _event(order: Order, code: str, actor, now, payload: dict | None = None, unit=None):
    if unit is None and actor is not None:
        unit_id = handler_unit_id(actor)
        unit = unit_id  # an id is fine for the FK
    return OrderEvent.objects.create(
        order=order,
        code=code,
        actor=actor,
        unit_id=unit.pk if isinstance(unit, HandlingUnit) else unit,
        payload=payload or {},
        at=now,
    )


def _notify(order: Order, event_code: str, recipient: str, text: str, now) -> None:
    """Queue a message in the outbox (same transaction); the worker delivers it."""
    if not recipient:
        return
    Notification.objects.create(
        order=order,
        event_code=event_code,
        recipient=recipient,
        text=text[:500],
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )


def _center_duty_phone() -> str:
    return (
        HandlingUnit.objects.filter(code="center").values_list("duty_phone", flat=True).first()
        or "center"
    )


def _lock(actor, order_or_number) -> Order:
    """The order, locked for this transaction, if ``actor`` may see it (else not found)."""
    number = order_or_number.number if isinstance(order_or_number, Order) else order_or_number
    order = (
        Order.objects.select_for_update()
        .filter(number=number)
        .select_related("handling_unit")
        .first()
    )
    if order is None or not order.can_view(actor):
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


# --- receive ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Received:
    order: Order
    created: bool


def _division(code: str | None, level: str, field: str) -> Division | None:
    if not code:
        return None
    division = Division.objects.filter(code=code, level=level).first()
    if division is None:
        raise invalid(f"{field}代码 {code} 不存在，请从区划列表中选择。", "unknown_division")
    return division


def _triage(description: str, district_code: str | None) -> dict:
    """What triage says about the text, or {} when triage is unavailable or fails (the center
    then triages by hand: an appeal is never lost because a model misbehaved)."""
    try:
        from hotline.triage import assess
    except ImportError:
        return {}
    try:
        result = assess(description, caller={"district_code": district_code})
    except Exception:
        return {}
    place = getattr(result, "place", None)
    return {
        "appeal_type": getattr(result, "appeal_type", None),
        "category": getattr(result, "category", None),
        "urgency": getattr(result, "urgency", None),
        "vulnerable": list(getattr(result, "vulnerable", None) or []),
        "epidemic_related": getattr(result, "epidemic_related", None),
        "district_code": getattr(place, "district_code", None),
        "town_code": getattr(place, "town_code", None),
        "reasons": [str(r) for r in (getattr(result, "reasons", None) or [])][:20],
        "model_version": str(getattr(result, "model_version", "")),
    }


def request_fingerprint(fields: dict) -> str:
    """SHA-256 of the request's fields, to tell a retry from a different appeal."""
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _next_number(now: dt.datetime) -> str:
    day = timezone.localdate(now)
    updated = OrderDaySequence.objects.filter(day=day).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                OrderDaySequence.objects.create(day=day, last=1)
        except IntegrityError:  # another writer created the day's row first
            OrderDaySequence.objects.filter(day=day).update(last=F("last") + 1)
    last = OrderDaySequence.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{day:%Y%m%d}-{last:06d}"


def receive(
    actor,
    *,
    channel: str,
    description: str,
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    title: str = "",
    appeal_type: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    vulnerable: list[str] | None = None,
    epidemic_related: bool | None = None,
    district_code: str | None = None,
    town_code: str | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Received:
    """Receive an appeal as a work order (受理), time it, route it and dispatch it if a rule
    names a unit; otherwise it waits in the center's manual-dispatch queue.

    Fields the caller leaves out are filled by ``hotline.triage.assess`` when it is installed,
    else by safe defaults (help / other / normal). With an ``idempotency_key`` a retry of the
    same request returns the same order (``created`` False); the same key with a different
    request is refused (409 ``idempotency_conflict``).
    """
    _require_center(actor, "受理工单")
    now = _now(now)
    description = (description or "").strip()
    if not description:
        raise invalid("诉求内容不能为空。", "description_required")
    if len(description) > DESCRIPTION_MAX:
        raise invalid(f"诉求内容不能超过 {DESCRIPTION_MAX} 字。", "description_too_long")
    if channel not in Channel.values:
        raise invalid(f"未知渠道：{channel}。", "unknown_channel")
    given = {
        "channel": channel,
        "description": description,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "address": address,
        "title": title,
        "appeal_type": appeal_type,
        "category": category,
        "urgency": urgency,
        "vulnerable": sorted(vulnerable) if vulnerable is not None else None,
        "epidemic_related": epidemic_related,
        "district_code": district_code,
        "town_code": town_code,
    }
    fingerprint = request_fingerprint(given)

    with transaction.atomic():
        if idempotency_key:
            existing = _existing_for_key(actor, idempotency_key, fingerprint)
            if existing is not None:
                return Received(existing, created=False)

        needs_triage = None in (appeal_type, category, urgency, vulnerable) or not (
            district_code or town_code
        )
        assessed = _triage(description, district_code) if needs_triage else {}
        source = {k: ("caller" if v is not None else "triage") for k, v in given.items()}
        appeal_type = appeal_type or assessed.get("appeal_type") or AppealType.HELP
        category = category or assessed.get("category") or Category.OTHER
        urgency = urgency or assessed.get("urgency") or Urgency.NORMAL
        if vulnerable is None:
            vulnerable = assessed.get("vulnerable") or []
        if epidemic_related is None:
            # During a surge every appeal of the epidemic special line counts as epidemic work,
            # whether or not the caller used an epidemic word.
            epidemic_related = bool(assessed.get("epidemic_related")) or (
                category in EPIDEMIC_CATEGORIES
            )
        if not district_code and not town_code:
            # A place triage read from the text is a hint: keep it only if it is a known division.
            known = set(
                Division.objects.filter(
                    code__in=[
                        c for c in (assessed.get("district_code"), assessed.get("town_code")) if c
                    ]
                ).values_list("code", flat=True)
            )
            district_code = (
                assessed.get("district_code") if assessed.get("district_code") in known else None
            )
            town_code = assessed.get("town_code") if assessed.get("town_code") in known else None
        for value, allowed, name in (
            (appeal_type, AppealType.values, "诉求类型"),
            (category, Category.values, "诉求分类"),
            (urgency, Urgency.values, "紧急程度"),
        ):
            if value not in allowed:
                raise invalid(f"未知{name}：{value}。", "unknown_code")
        bad = set(vulnerable) - set(Vulnerable.values)
        if bad:
            raise invalid(f"未知特殊群体标记：{'、'.join(sorted(bad))}。", "unknown_code")

        town = _division(town_code, "town", "镇街")
        district = _division(district_code, "county", "区县")
        if town and district and town.parent_id != district.code:
            raise invalid(f"镇街 {town.name} 不属于区县 {district.name}。", "division_mismatch")
        if town and not district:
            district = Division.objects.get(code=town.parent_id)

        mode = clocks.current_mode()
        limits = clocks.limits_for(urgency, appeal_type, mode)
        decision = routing.choose_unit(
            category=category,
            urgency=urgency,
            epidemic_related=epidemic_related,
            district_code=district.code if district else None,
            town_code=town.code if town else None,
        )
        order = Order(
            number=_next_number(now),
            channel=channel,
            appeal_type=appeal_type,
            category=category,
            urgency=urgency,
            vulnerable=sorted(set(vulnerable)),
            epidemic_related=epidemic_related,
            title=(title or description[:TITLE_FROM_DESCRIPTION]).strip()[:200],
            description=description,
            caller_name=caller_name[:64],
            caller_phone=caller_phone[:32],
            address=address[:255],
            district=district,
            town=town,
            status=Status.RECEIVED,
            sla_mode=mode,
            accept_deadline=limits.accept.deadline(now),
            resolve_deadline=limits.resolve.deadline(now),
            received_at=now,
            routing_rule=decision.rule[:100],
            client=actor,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            # A concurrent retry with the same key won the race: answer with its order.
            if not idempotency_key:
                raise
            existing = _existing_for_key(actor, idempotency_key, fingerprint)
            if existing is None:
                raise
            return Received(existing, created=False)

        _event(
            order,
            EventCode.RECEIVED,
            actor,
            now,
            {
                "channel": channel,
                "status": Status.RECEIVED,
                "mode": mode,
                "accept_deadline": _iso(order.accept_deadline),
                "resolve_deadline": _iso(order.resolve_deadline),
            },
        )
        _event(
            order,
            EventCode.TRIAGED,
            None,
            now,
            {
                "appeal_type": appeal_type,
                "category": category,
                "urgency": urgency,
                "vulnerable": order.vulnerable,
                "epidemic_related": epidemic_related,
                "source": {k: source[k] for k in ("appeal_type", "category", "urgency")},
                "reasons": assessed.get("reasons", []),
                "model_version": assessed.get("model_version", ""),
                "routing": {"rule": decision.rule, "reason": decision.reason},
            },
        )
        if decision.unit is not None:
            _assign(order, decision.unit, [], None, now, rule=decision.rule)
        elif urgency != Urgency.NORMAL:
            _notify(
                order,
                EventCode.RECEIVED,
                _center_duty_phone(),
                f"【12345】{urgency_label(urgency)}工单 {order.number} 待人工派单：{order.title}",
                now,
            )
    return Received(order, created=True)


def urgency_label(urgency: str) -> str:
    return Urgency(urgency).label


def _existing_for_key(actor, key: str, fingerprint: str) -> Order | None:
    existing = Order.objects.filter(client=actor, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise OrderError(
            f"幂等键 {key} 已用于另一条不同内容的诉求（工单 {existing.number}）；"
            "新的诉求请使用新的幂等键。",
            code="idempotency_conflict",
        )
    return existing


# --- dispatch --------------------------------------------------------------------------------
def _units(codes: list[str]) -> list[HandlingUnit]:
    found = {u.code: u for u in HandlingUnit.objects.active().filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise invalid(f"承办单位代码不存在或已停用：{'、'.join(missing)}。", "unknown_unit")
    return [found[c] for c in codes]


def _assign(order, unit, co_units, actor, now, *, rule: str = "", fallback: bool = False):
    """Put the order with ``unit`` (and co-handlers), start a new accept clock, record it."""
    limits = clocks.limits_for(order.urgency, order.appeal_type, order.sla_mode)
    order.handling_unit = unit
    order.status = Status.DISPATCHED
    order.dispatched_at = now
    order.accepted_at = None
    order.accept_deadline = limits.accept.deadline(now)
    order.accept_overdue_at = None
    order.owner_assigned = order.return_count >= MAX_RETURNS
    order.save()
    order.co_units.set(co_units)
    _event(
        order,
        EventCode.DISPATCHED,
        actor,
        now,
        {
            "unit": unit.code,
            "co_units": [u.code for u in co_units],
            "accept_deadline": _iso(order.accept_deadline),
            "rule": rule,
            "fallback_owner": fallback,
            "owner_assigned": order.owner_assigned,
        },
        unit=unit,
    )
    if order.urgency != Urgency.NORMAL:
        text = (
            f"【12345】{urgency_label(order.urgency)}工单 {order.number} 已派{unit.name}，"
            f"请于 {timezone.localtime(order.accept_deadline):%m-%d %H:%M} 前签收：{order.title}"
        )
        _notify(order, EventCode.DISPATCHED, unit.duty_phone or unit.code, text, now)
        _notify(order, EventCode.DISPATCHED, _center_duty_phone(), text, now)


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
def record_callback(actor, order, *, satisfaction: str, note: str = "", now=None) -> Order:
    """Record the resident's callback (回访). Satisfied or basically satisfied closes the order;
    dissatisfied reopens it (重办) to the same unit with a new resolve clock."""
    _require_center(actor, "回访")
    now = _now(now)
    if satisfaction not in Satisfaction.values:
        raise invalid(f"未知满意度：{satisfaction}。", "unknown_code")
    with transaction.atomic():
        order = _lock(actor, order)
        _require_status(order, (Status.RESOLVED,), "回访")
        order.satisfaction = satisfaction
        order.callback_note = (note or "")[:1000]
        order.callback_at = now
        order.callback_due = None
        _event(order, EventCode.CALLBACK, actor, now, {"satisfaction": satisfaction, "note": note})
        if satisfaction == Satisfaction.DISSATISFIED:
            limits = clocks.limits_for(order.urgency, order.appeal_type, order.sla_mode)
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
        order.article_key = (article_key or "")[:100]
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


def set_mode(actor, mode: str, *, now=None) -> OperatingMode:
    """Switch the clock matrix for new orders (normal/surge). Existing clocks do not change."""
    _require_supervisor(actor, "切换时限模式")
    if mode not in SlaMode.values:
        raise invalid(f"未知模式：{mode}。", "unknown_code")
    with transaction.atomic():
        row, _ = OperatingMode.objects.select_for_update().get_or_create(pk=1)
        row.mode = mode
        row.changed_at = _now(now)
        row.changed_by = actor
        row.save()
    return row


def mark_overdue(order: Order, clock: str, now) -> None:
    """Record that one clock of a locked order ran out (used by the sweep, exactly once per
    clock); critical and urgent orders are escalated to the supervisor at the same time."""
    field = f"{clock}_overdue_at"
    deadline = {
        "accept": order.accept_deadline,
        "resolve": order.resolve_deadline,
        "callback": order.callback_due,
    }[clock]
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


def record_personal_data_read(actor, order: Order, *, fields: list[str], via: str, now=None):
    """Log one read of a caller's unmasked personal data (who, which order, what, when)."""
    from .models import PersonalDataAccess

    if not order.can_reveal_personal_data(actor):
        raise forbidden(
            "您的角色无权查看来电人的完整姓名和号码；如需回拨请联系主办单位或值班长。",
            "reveal_forbidden",
        )
    PersonalDataAccess.objects.create(
        user=actor, order=order, fields=fields, via=via[:100], at=_now(now)
    )
