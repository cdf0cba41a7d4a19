"""Every write of the screening app. Each service takes the acting user first, runs in one
transaction, locks what it changes, checks the actor (a unit keeps only its own ledger; only
the approving unit decides on a report), writes a ``ScreeningEvent`` and raises
``ScreeningError`` otherwise."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.common.params import as_id

from .choices import EventCode, FieldType, PersonKind, ReportStatus, TestResult
from .errors import ScreeningError, forbidden, invalid, not_found
from .models import (
    DailyReport,
    DailyStatus,
    Ledger,
    Person,
    ReportForm,
    ScreeningEvent,
    cutoff_at,
    unit_of,
)

TEXT_MAX = 500


INT_MAX = 1_000_000


def _now(now):
    return now or timezone.now()


def _event(code, actor, now, *, unit_id=None, report=None, **payload) -> None:
    ScreeningEvent.objects.create(
        code=code, actor=actor, at=now, unit_id=unit_id, report=report, payload=payload
    )


def _own_unit(actor) -> int:
    unit_id = unit_of(actor)
    if unit_id is None:
        raise forbidden("只有承办单位的经办人可以管理本单位的排查台账和日报。", "unit_only")
    return unit_id


def _check_day(day: dt.date, now) -> None:
    if day > timezone.localdate(now):
        raise invalid("不能填报未来的日期。", "future_day")


# --- the ledger -----------------------------------------------------------------------------
def set_up_ledger(actor, *, cutoff: dt.time | None = None, filler=None, now=None) -> Ledger:
    """Open (or change) the actor's unit's ledger: its daily cut-off and the named person who
    fills it (a handler or field worker of the unit; None = any handler of the unit)."""
    now = _now(now)
    unit_id = _own_unit(actor)
    if filler is not None:
        User = get_user_model()
        user = filler if isinstance(filler, User) else User.objects.filter(pk=as_id(filler)).first()
        profile = getattr(user, "hotline_profile", None) if user else None
        if (
            user is None
            or not user.is_active
            or profile is None
            or profile.unit_id != unit_id
            or not has_role(user, Role.UNIT_HANDLER, Role.FIELD_STAFF)
        ):
            raise invalid("填报人须为本单位在岗的经办人或工作人员。", "filler_of_other_unit")
        filler = user
    with transaction.atomic():
        ledger, _ = Ledger.objects.select_for_update().get_or_create(unit_id=unit_id)
        if cutoff is not None:
            ledger.cutoff = cutoff
        ledger.filler = filler
        ledger.save()
        _event(
            EventCode.LEDGER_FILLER_SET,
            actor,
            now,
            unit_id=unit_id,
            filler=filler.username if filler else "",
            cutoff=ledger.cutoff.isoformat(),
        )
    return ledger


def add_person(actor, *, name: str, kind: str, phone: str = "", post: str = "", now=None):
    """Put one of the unit's own people on its ledger (staff, contractor or ranger)."""
    now = _now(now)
    unit_id = _own_unit(actor)
    name = (name or "").strip()
    if not name:
        raise invalid("请填写姓名。", "name_required")
    if kind not in PersonKind.values:
        raise invalid(f"未知人员类别：{kind}。", "unknown_kind")
    with transaction.atomic():
        ledger, _ = Ledger.objects.get_or_create(unit_id=unit_id)
        person = Person.objects.create(
            ledger=ledger,
            name=name[:64],
            kind=kind,
            phone=(phone or "").strip()[:32],
            post=(post or "").strip()[:100],
        )
        _event(EventCode.PERSON_ADDED, actor, now, unit_id=unit_id, person=person.pk)
    return person


def remove_person(actor, person_id, *, now=None) -> Person:
    """Take someone off the ledger (left the unit); their past rows stay."""
    now = _now(now)
    unit_id = _own_unit(actor)
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .filter(pk=as_id(person_id), ledger__unit_id=unit_id)
            .first()
        )
        if person is None:
            raise not_found()
        person.active = False
        person.save(update_fields=["active"])
        _event(EventCode.PERSON_LEFT, actor, now, unit_id=unit_id, person=person.pk)
    return person


def _status_fields(values: dict) -> dict:
    result = values.get("test_result")
    if result not in TestResult.values:
        raise invalid("请选择核酸结果。", "test_result_required")
    location = (values.get("location") or "").strip()
    if not location:
        raise invalid("请填写所在地点。", "location_required")
    test_date = values.get("test_date") or None
    if isinstance(test_date, str):
        try:
            test_date = dt.date.fromisoformat(test_date)
        except ValueError as exc:
            raise invalid("检测日期格式应为 2022-11-06。", "bad_date") from exc
    return {
        "test_result": result,
        "test_date": test_date,
        "symptoms": bool(values.get("symptoms")),
        "symptom_note": (values.get("symptom_note") or "").strip()[:200],
        "location": location[:100],
        "on_duty": bool(values.get("on_duty")),
    }


def fill_ledger(actor, day: dt.date, rows: dict, *, now=None) -> list[DailyStatus]:
    """Write the day's status of the unit's people (``{person_id: {test_result, test_date,
    symptoms, symptom_note, location, on_duty}}``) — all rows or none. Only the ledger's named
    filler may (or any handler of the unit while nobody is named). A row first written after
    the cut-off is marked late, and stays so when corrected."""
    now = _now(now)
    unit_id = _own_unit(actor)
    _check_day(day, now)
    if not rows:
        raise invalid("没有要填报的人员。", "rows_required")
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update().filter(unit_id=unit_id).first()
        if ledger is None:
            raise not_found("本单位还没有排查台账，请先添加人员。")
        if not ledger.can_fill(actor):
            raise forbidden(f"本台账由专人填报（{ledger.filler}），您不能填写。", "not_the_filler")
        ids = [as_id(pk) for pk in rows]
        people = {p.pk: p for p in Person.objects.filter(ledger=ledger, pk__in=ids, active=True)}
        if len(people) != len(set(ids)):
            raise not_found("有人员不在本单位台账上。")
        existing = {
            s.person_id: s
            for s in DailyStatus.objects.select_for_update().filter(person_id__in=ids, day=day)
        }
        late = now > cutoff_at(day, ledger.cutoff)
        saved = []
        for pk, values in rows.items():
            pk = as_id(pk)
            try:
                fields = _status_fields(values)
            except ScreeningError as exc:
                raise ScreeningError(f"{people[pk].name}：{exc}", exc.code, exc.status) from exc
            status = existing.get(pk)
            if status is None:
                status = DailyStatus(person_id=pk, day=day, late=late)
            for name, value in fields.items():
                setattr(status, name, value)
            status.filled_by, status.filled_at = actor, now
            status.save()
            saved.append(status)
        _event(
            EventCode.LEDGER_FILLED,
            actor,
            now,
            unit_id=unit_id,
            day=day.isoformat(),
            people=len(saved),
            late=late,
        )
    return saved


# --- daily reports --------------------------------------------------------------------------
def clean_values(form: ReportForm, values: dict) -> dict:
    """The submitted values checked against the form's field definitions (types, required,
    choices); unknown keys are dropped. Raises a 422 naming the field."""
    clean = {}
    for spec in form.field_specs():
        key, label, kind = spec["key"], spec.get("label", spec["key"]), spec.get("type")
        raw = values.get(key)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty and kind != FieldType.YES_NO:
            if spec.get("required", True):
                raise invalid(f"“{label}”为必填项。", "field_required")
            continue
        if kind == FieldType.INTEGER:
            try:
                number = int(str(raw).strip())
            except ValueError as exc:
                raise invalid(f"“{label}”应为整数。", "field_integer") from exc
            if not 0 <= number <= INT_MAX:
                raise invalid(f"“{label}”应在 0～{INT_MAX} 之间。", "field_range")
            clean[key] = number
        elif kind == FieldType.YES_NO:
            clean[key] = raw in (True, "1", "true", "on", "yes", 1)
        elif kind == FieldType.CHOICE:
            if raw not in (spec.get("choices") or []):
                raise invalid(f"“{label}”不是可选的取值。", "field_choice")
            clean[key] = raw
        else:
            text = str(raw).strip()
            if len(text) > TEXT_MAX:
                raise invalid(f"“{label}”不能超过 {TEXT_MAX} 字。", "field_too_long")
            clean[key] = text
    return clean


def submit_report(actor, form_code: str, day: dt.date, values: dict, *, now=None) -> DailyReport:
    """Submit (or correct before the decision, or resubmit after a return) the unit's report on
    a form for a day. The first submission after the form's cut-off is marked late, and stays
    so. An approved report is final."""
    now = _now(now)
    unit_id = _own_unit(actor)
    _check_day(day, now)
    form = ReportForm.objects.filter(code=form_code, active=True).first()
    if form is None or not form.units.filter(pk=unit_id).exists():
        raise not_found("本单位不需要填报这张日报。")
    clean = clean_values(form, values or {})
    with transaction.atomic():
        report = (
            DailyReport.objects.select_for_update()
            .filter(form=form, unit_id=unit_id, day=day)
            .first()
        )
        if report is None:
            report = DailyReport(
                form=form, unit_id=unit_id, day=day, late=now > cutoff_at(day, form.cutoff)
            )
        elif report.status == ReportStatus.APPROVED:
            raise ScreeningError("该日报已审核通过，不能再修改。", "already_approved")
        report.values = clean
        report.status = ReportStatus.SUBMITTED
        report.submitted_by, report.submitted_at = actor, now
        report.decided_by, report.decided_at = None, None
        report.save()
        _event(
            EventCode.REPORT_SUBMITTED, actor, now, unit_id=unit_id, report=report, late=report.late
        )
    return report


def _decide(actor, report_id, now) -> DailyReport:
    report = (
        DailyReport.objects.select_for_update(of=("self",))
        .select_related("form")
        .filter(pk=as_id(report_id))
        .first()
    )
    if report is None or not report.can_view(actor):
        raise not_found()
    if not report.form.can_approve(actor):
        raise forbidden("只有审核单位可以审核日报。", "not_approver")
    if report.status != ReportStatus.SUBMITTED:
        raise ScreeningError(
            f"该日报当前“{report.get_status_display()}”，不能审核。", "invalid_state"
        )
    report.decided_by, report.decided_at = actor, now
    return report


def approve_report(actor, report_id, *, now=None) -> DailyReport:
    """The approving unit accepts a submitted report (final)."""
    now = _now(now)
    with transaction.atomic():
        report = _decide(actor, report_id, now)
        report.status = ReportStatus.APPROVED
        report.return_reason = ""
        report.save()
        _event(EventCode.REPORT_APPROVED, actor, now, unit_id=report.unit_id, report=report)
    return report


def return_report(actor, report_id, *, reason: str, now=None) -> DailyReport:
    """The approving unit sends a report back with a reason; the unit corrects and resubmits."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("请说明退回原因。", "reason_required")
    with transaction.atomic():
        report = _decide(actor, report_id, now)
        report.status = ReportStatus.RETURNED
        report.return_reason = reason[:300]
        report.save()
        _event(
            EventCode.REPORT_RETURNED,
            actor,
            now,
            unit_id=report.unit_id,
            report=report,
            reason=reason,
        )
    return report
