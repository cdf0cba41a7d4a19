"""Health-code appeals (健康码申诉) as orders of their own kind, and overdue returns as
work orders for the community. Services as in services.py."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hotline.accounts.roles import Role, roles_of
from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number
from hotline.common.masking import mask_id_number
from hotline.orders.outbox import queue_message
from hotline.orders.queries import orders_for_source
from hotline.orders.services import Appeal, Source, receive, source_done, system_actor

from .choices import (
    AppealDecision,
    AppealStatus,
    CodeColour,
    Decision,
    Direction,
)
from .models import (
    HealthCodeAppeal,
    Passage,
    TestResult,
)
from .services import (
    APPEAL_KIND,
    OVERDUE_KIND,
    ControlError,
    _event,
    _forbidden,
    _invalid,
    _now,
    rule_for,
)

# ---------------------------------------------------------------- health-code appeals


def file_health_code_appeal(
    actor,
    *,
    id_number: str,
    name: str,
    phone: str,
    colour: str,
    reason: str,
    needed_by: dt.date | None = None,
    town_code: str = "",
    now=None,
) -> HealthCodeAppeal:
    """Register a resident's health-code appeal and open its work order (kind
    ``control.health_code_appeal``, routed to the code authority on its clock). The latest
    negative results in the registry are attached as evidence. Center staff file it."""
    now = _now(now)
    from hotline.accounts.roles import CENTER_ROLES

    if not roles_of(actor) & CENTER_ROLES:
        raise _forbidden("健康码申诉由热线中心受理登记。")
    if not is_valid_id_number(id_number):
        raise _invalid("身份证号无效，请核对。", "bad_id_number")
    if colour not in (CodeColour.YELLOW, CodeColour.RED):
        raise _invalid("只有黄码、红码可以申诉。", "bad_colour")
    reason, name, phone = (reason or "").strip(), (name or "").strip(), (phone or "").strip()
    if not reason or not name or not phone:
        raise _invalid("姓名、电话和申诉理由都要填写。", "fields_required")
    h = id_hash(id_number)
    evidence = [
        {
            "sampled_at": r.sampled_at.isoformat(),
            "source": r.source,
            "reference": r.reference,
        }
        for r in TestResult.objects.filter(id_hash=h, negative=True).order_by("-sampled_at")[:3]
    ]
    positive = TestResult.objects.filter(id_hash=h, negative=False).order_by("-sampled_at").first()
    with transaction.atomic():
        appeal = HealthCodeAppeal.objects.create(
            id_hash=h,
            id_masked=mask_id_number(normalize_id_number(id_number)),
            name=name[:50],
            phone=phone[:32],
            colour=colour,
            reason=reason[:500],
            needed_by=needed_by,
            town_code=town_code,
            evidence=evidence,
            filed_at=now,
            filed_by=actor,
        )
        proof = (
            "；".join(
                f"{e['sampled_at'][:16].replace('T', ' ')} 阴性（{e['source']}）" for e in evidence
            )
            or "登记库中无阴性结果"
        )
        if positive:
            proof += f"；注意：{positive.sampled_at:%m-%d %H:%M} 有阳性记录"
        need = f"，需在 {needed_by:%m月%d日} 前处理" if needed_by else ""
        receive(
            actor,
            Appeal(
                channel="phone",
                description=(
                    f"健康码申诉：{CodeColour(colour).label}，{reason}{need}。证据：{proof}。"
                )[:2000],
                caller_name=name,
                caller_phone=phone,
                kind=APPEAL_KIND,
                town_code=town_code or None,
                source=Source("control", "hcappeal", str(appeal.pk)),
                idempotency_key=f"control-hcappeal-{appeal.pk}",
            ),
            now=now,
        )
        _event(
            "control.appeal.filed",
            actor,
            appeal,
            {"colour": colour, "evidence": len(evidence), "needed_by": str(needed_by or "")},
            now,
        )
    return appeal


def can_decide(user, appeal: HealthCodeAppeal) -> bool:
    """Admins, supervisors, and handlers of the unit its order went to."""
    roles = roles_of(user)
    if roles & {Role.ADMIN, Role.SUPERVISOR}:
        return True
    if Role.UNIT_HANDLER not in roles:
        return False
    profile = getattr(user, "hotline_profile", None)
    unit_id = getattr(profile, "unit_id", None)
    return bool(unit_id) and (
        orders_for_source(Source("control", "hcappeal", str(appeal.pk)))
        .filter(handling_unit_id=unit_id)
        .exists()
    )


def decide_health_code_appeal(actor, appeal_id: int, decision: str, note: str, *, now=None):
    """The code authority's decision: recorded on the appeal, the order answered with it
    (``source_done``), and the resident told by SMS through the outbox."""
    now = _now(now)
    note = (note or "").strip()
    if decision not in AppealDecision.values:
        raise _invalid("核定结果只能是 准予转绿码 或 维持原码色。", "bad_decision")
    if not note or "\x00" in note:
        raise _invalid("请填写核定说明，它会告知申诉人。", "note_required")
    with transaction.atomic():
        appeal = HealthCodeAppeal.objects.select_for_update().filter(pk=appeal_id).first()
        if appeal is None:
            raise ControlError("找不到该申诉。", code="appeal_not_found", status=404)
        if not can_decide(actor, appeal):
            raise _forbidden("只有健康码核定单位可以核定此申诉。")
        if appeal.status == AppealStatus.DECIDED:
            raise ControlError("此申诉已核定，不能重复核定。", code="already_decided")
        appeal.status, appeal.decision, appeal.decision_note = AppealStatus.DECIDED, decision, note
        appeal.decided_at, appeal.decided_by = now, actor
        appeal.save(
            update_fields=["status", "decision", "decision_note", "decided_at", "decided_by"]
        )
        label = AppealDecision(decision).label
        source = Source("control", "hcappeal", str(appeal.pk))
        orders = source_done(source, f"健康码申诉核定：{label}。{note}", actor, now=now)
        queue_message(
            appeal.phone,
            f"【12345】您的健康码申诉已核定：{label}。{note}",
            event_code="control.appeal.decided",
            order=orders[0] if orders else None,
            now=now,
        )
        _event("control.appeal.decided", actor, appeal, {"decision": decision}, now)
    return appeal


# ---------------------------------------------------------------- overdue returns


def report_overdue_returns(*, now=None) -> int:
    """Make a work order for the community of each allowed exit whose return is later than the
    rule allows (kind ``control.overdue_return``). Idempotent: each exit is reported once
    (``overdue_reported_at`` and the order's idempotency key). Returns how many were new."""
    now = _now(now)
    made = 0
    candidates = (
        Passage.objects.filter(
            direction=Direction.EXIT,
            decision=Decision.ALLOWED,
            returned_at__isnull=True,
            overdue_reported_at__isnull=True,
            at__gte=now - dt.timedelta(days=3),
        )
        .select_related("household", "member", "checkpoint")
        .order_by("at")
    )
    for exit_ in candidates:
        rule = rule_for(exit_.household.village_id, exit_.at) if exit_.household else None
        limit = rule.max_minutes if rule else 120
        if exit_.at + dt.timedelta(minutes=limit) > now:
            continue
        with transaction.atomic():
            locked = (
                Passage.objects.select_for_update(skip_locked=True)
                .filter(pk=exit_.pk, overdue_reported_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            who = exit_.member.id_masked if exit_.member else "成员"
            receive(
                system_actor(),
                Appeal(
                    channel="system",
                    description=(
                        f"出行超时未归：出入卡 {exit_.household.card_no}（{who}）"
                        f"于 {timezone.localtime(exit_.at):%m-%d %H:%M} "
                        f"经{exit_.checkpoint.name}外出，"
                        f"超过规定的 {limit} 分钟仍未返回，请村居核实。"
                    ),
                    kind=OVERDUE_KIND,
                    village_code=exit_.household.village_id,
                    address=exit_.household.address,
                    source=Source("control", "passage", str(exit_.pk)),
                    idempotency_key=f"control-overdue-{exit_.pk}",
                ),
                now=now,
            )
            locked.overdue_reported_at = now
            locked.save(update_fields=["overdue_reported_at"])
            _event("control.passage.overdue", None, locked, {"limit": limit}, now)
            made += 1
    return made
