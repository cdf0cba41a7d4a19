"""Pages of the screening app: the unit's ledger (fill the day, people, filler and cut-off),
its daily report forms, the approver's roll-up by district with the late list, Excel exports.
Views parse input, call one service, render; refusals are shown with their status."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hotline.common.masking import mask_phone

from . import export, queries, services
from .choices import PersonKind, ReportStatus, TestResult
from .errors import ScreeningError
from .models import DailyReport, ReportForm, cutoff_at, unit_of

STATUS_FIELDS = ("test_result", "test_date", "symptoms", "symptom_note", "location", "on_duty")


def _refuse(request, message: str, status: int):
    return render(request, "care/refused.html", {"message": message}, status=status)


def _day(request) -> dt.date:
    raw = request.GET.get("day") or request.POST.get("day") or ""
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _members(unit_id):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, hotline_profile__unit_id=unit_id)
        .select_related("hotline_profile")
        .order_by("username")
    )


def _ledger_context(request, day, error=""):
    ledger = queries.ledger_of(request.user)
    context = {"day": day, "ledger": ledger, "error": error, "today": timezone.localdate()}
    if ledger is None:
        return context
    rows = queries.ledger_day(ledger, day)
    context.update(
        rows=[(p, s, mask_phone(p.phone)) for p, s in rows],
        summary=queries.ledger_summary(ledger.pk, day),
        can_fill=ledger.can_fill(request.user),
        results=TestResult.choices,
        kinds=PersonKind.choices,
        members=_members(ledger.unit_id),
        past_cutoff=timezone.now() > cutoff_at(day, ledger.cutoff),
        forms=[
            (f, DailyReport.objects.filter(form=f, unit_id=ledger.unit_id, day=day).first())
            for f in queries.forms_for_unit(ledger.unit_id)
        ],
    )
    return context


@login_required
def ledger(request):
    if unit_of(request.user) is None:
        return _refuse(request, "只有承办单位的经办人可以查看本单位的排查台账。", 403)
    day = _day(request)
    if request.method == "POST":
        rows = {}
        for key, value in request.POST.items():
            pk = key.split("-")[1] if key.count("-") == 2 else ""
            if key.startswith("s-") and key.endswith("-test_result") and value and pk.isdigit():
                rows[pk] = {f: request.POST.get(f"s-{pk}-{f}", "") for f in STATUS_FIELDS}
        try:
            saved = services.fill_ledger(request.user, day, rows)
        except ScreeningError as exc:
            return render(
                request,
                "screening/ledger.html",
                _ledger_context(request, day, str(exc)),
                status=exc.status,
            )
        messages.success(request, f"已保存 {len(saved)} 人的当日状态。")
        return redirect(f"{reverse('screening:ledger')}?day={day.isoformat()}")
    return render(request, "screening/ledger.html", _ledger_context(request, day))


@login_required
@require_POST
def add_person(request):
    try:
        services.add_person(
            request.user,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", ""),
            phone=request.POST.get("phone", ""),
            post=request.POST.get("post", ""),
        )
    except ScreeningError as exc:
        return _refuse(request, str(exc), exc.status)
    messages.success(request, "已添加到台账。")
    return redirect("screening:ledger")


@login_required
@require_POST
def remove_person(request, pk: int):
    try:
        services.remove_person(request.user, pk)
    except ScreeningError as exc:
        return _refuse(request, str(exc), exc.status)
    messages.success(request, "已移出台账。")
    return redirect("screening:ledger")


@login_required
@require_POST
def set_up(request):
    try:
        cutoff = dt.time.fromisoformat(request.POST.get("cutoff", "") or "10:00")
    except ValueError:
        return _refuse(request, "截止时间格式应为 10:00。", 422)
    filler = request.POST.get("filler") or ""
    if filler and not filler.isdigit():
        return _refuse(request, "请从列表中选择填报人。", 422)
    try:
        services.set_up_ledger(request.user, cutoff=cutoff, filler=int(filler) if filler else None)
    except ScreeningError as exc:
        return _refuse(request, str(exc), exc.status)
    messages.success(request, "已更新填报人和截止时间。")
    return redirect("screening:ledger")


@login_required
@require_GET
def ledger_export(request):
    ledger_obj = queries.ledger_of(request.user)
    if ledger_obj is None:
        raise Http404("本单位还没有排查台账。")
    day = _day(request)
    return export.ledger_workbook(
        ledger_obj,
        day,
        queries.ledger_day(ledger_obj, day),
        queries.ledger_summary(ledger_obj.pk, day),
    )


# --- reports --------------------------------------------------------------------------------
def _form_for_unit(user, code) -> ReportForm:
    unit_id = unit_of(user)
    form = ReportForm.objects.filter(code=code, active=True, units__id=unit_id).first()
    if form is None:
        raise Http404("本单位不需要填报这张日报。")
    return form


@login_required
def report(request, code: str):
    if unit_of(request.user) is None:
        return _refuse(request, "只有承办单位的经办人可以填报日报。", 403)
    form = _form_for_unit(request.user, code)
    day = _day(request)
    unit_id = unit_of(request.user)
    existing = DailyReport.objects.filter(form=form, unit_id=unit_id, day=day).first()
    values = dict(existing.values) if existing else queries.prefill(form, unit_id, day)
    error, status = "", 200
    if request.method == "POST":
        posted = {s["key"]: request.POST.get(f"f-{s['key']}") for s in form.field_specs()}
        try:
            services.submit_report(request.user, form.code, day, posted)
        except ScreeningError as exc:
            error, status, values = str(exc), exc.status, posted
        else:
            messages.success(request, f"{form.title}（{day:%m月%d日}）已提交，等待审核。")
            return redirect(f"{reverse('screening:report', args=[form.code])}?day={day}")
    fields = [{**s, "value": values.get(s["key"], "")} for s in form.field_specs()]
    context = {
        "form": form,
        "day": day,
        "report": existing,
        "fields": fields,
        "error": error,
        "late_now": timezone.now() > cutoff_at(day, form.cutoff),
        "editable": existing is None or existing.status != ReportStatus.APPROVED,
    }
    return render(request, "screening/report.html", context, status=status)


@login_required
@require_GET
def review(request):
    forms = queries.forms_overseen(request.user)
    if not forms:
        return _refuse(request, "您所在单位不审核任何日报。", 403)
    code = request.GET.get("form") or forms[0].code
    form = next((f for f in forms if f.code == code), None)
    if form is None:
        raise Http404("没有这张日报。")
    day = _day(request)
    districts = queries.rollup(form, day)
    context = {
        "forms": forms,
        "form": form,
        "day": day,
        "districts": districts,
        "late": queries.late_rows(districts),
        "can_approve": form.can_approve(request.user),
        "specs": form.field_specs(),
    }
    return render(request, "screening/review.html", context)


@login_required
@require_GET
def review_export(request, code: str):
    form = next((f for f in queries.forms_overseen(request.user) if f.code == code), None)
    if form is None:
        raise Http404("没有这张日报，或您无权查看。")
    day = _day(request)
    return export.rollup_workbook(form, day, queries.rollup(form, day))


@login_required
@require_POST
def decide(request, pk: int, action: str):
    try:
        if action == "approve":
            done = services.approve_report(request.user, pk)
        elif action == "return":
            done = services.return_report(request.user, pk, reason=request.POST.get("reason", ""))
        else:
            raise Http404("没有这个操作。")
    except ScreeningError as exc:
        return _refuse(request, str(exc), exc.status)
    messages.success(request, f"{done.unit.name} {done.form.title}：{done.get_status_display()}。")
    return redirect(f"{reverse('screening:review')}?form={done.form.code}&day={done.day}")
