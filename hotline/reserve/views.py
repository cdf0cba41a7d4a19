"""Pages of the reserve: the public booking and exception pages, the gate, the management
page (suspensions, exceptions, duty), the fire map and an incident's page. Views parse a form,
call one service and render; a refused action shows the service's Chinese message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.accounts.services import record_data_access

from . import forms, queries, services
from .errors import ReserveError
from .models import (
    Booking,
    ExceptionRequest,
    Incident,
    IncidentPhoto,
    is_reserve_manager,
    is_reserve_staff,
)


def _refuse(request, message: str = "您没有权限查看此页面。"):
    return render(request, "reserve/refused.html", {"message": message}, status=403)


def _visitor(data) -> services.VisitorIn:
    return services.VisitorIn(
        name=data["name"],
        phone=data["phone"],
        id_number=data["id_number"],
        party_size=data["party_size"],
        plate=data.get("plate") or "",
    )


# --- public ---------------------------------------------------------------------------------
def book(request):
    """The public booking page: availability of the chosen day and the booking form."""
    now = timezone.now()
    today = timezone.localtime(now).date()
    form = forms.BookingForm(request.POST or None, initial={"visit_date": today})
    booking = None
    status = 200
    day = today
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["visit_date"]
        try:
            booking = services.book(
                None,
                area_code=form.cleaned_data["area"].code,
                visit_date=form.cleaned_data["visit_date"],
                visitor=_visitor(form.cleaned_data),
            )
        except ReserveError as exc:
            form.add_error(None, str(exc))
            status = exc.status
    elif request.method == "POST":
        status = 422
    if booking is not None:  # a blank form again: the page must not echo the ID number back
        form = forms.BookingForm(initial={"visit_date": day, "area": booking.area.code})
    areas = queries.availability(day, now)
    context = {
        "form": form,
        "booking": booking,
        "day": day,
        "areas": areas,
        "suspended": next((a["message"] for a in areas if not a["open"]), ""),
    }
    return render(request, "reserve/book.html", context, status=status)


def apply_exception(request):
    """The public exception request page (while bookings are suspended)."""
    form = forms.ExceptionForm(request.POST or None)
    made = None
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            made = services.apply_exception(
                None,
                area_code=d["area"].code,
                kind=d["kind"],
                date_from=d["date_from"],
                date_to=d["date_to"],
                purpose=d["purpose"],
                visitor=_visitor(d),
            )
            form = forms.ExceptionForm()
        except ReserveError as exc:
            form.add_error(None, str(exc))
            status = exc.status
    elif request.method == "POST":
        status = 422
    return render(request, "reserve/apply.html", {"form": form, "made": made}, status=status)


# --- gate -----------------------------------------------------------------------------------
@login_required
def gate(request):
    """Check a permit at a gate, register entries and exits, and list who is still inside."""
    if not is_reserve_staff(request.user):
        return _refuse(request)
    now = timezone.now()
    form = forms.GateForm(request.GET or None)
    results = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            results = services.gate_check(
                request.user,
                entrance_code=form.cleaned_data["entrance"].code,
                query=form.cleaned_data["q"],
                now=now,
            )
        except ReserveError as exc:
            form.add_error(None, str(exc))
            status = exc.status
    context = {
        "form": form,
        "results": results,
        "entrance": form.cleaned_data.get("entrance")
        if form.is_bound and form.is_valid()
        else None,
        "inside": queries.people_inside(),
        "night": queries.is_night(now),
        "now": now,
    }
    return render(request, "reserve/gate.html", context, status=status)


@login_required
@require_POST
def passage(request):
    if not is_reserve_staff(request.user):
        return _refuse(request)
    form = forms.PassageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写人数（1～10）。")
        return redirect("reserve:gate")
    d = form.cleaned_data
    try:
        services.register_passage(
            request.user,
            entrance_code=d["entrance"],
            number=d["number"],
            direction=d["direction"],
            people=d["people"],
        )
        label = "入园" if d["direction"] == "in" else "出园"
        messages.success(request, f"已登记 {d['number']} {label} {d['people']} 人。")
    except ReserveError as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('reserve:gate')}?entrance={d['entrance']}&q={d['number']}")


@login_required
@require_POST
def reveal_phone(request, kind: str, number: str):
    """Show one permit's phone number in full to reserve staff (night call), recorded."""
    if not is_reserve_staff(request.user):
        return _refuse(request)
    model = Booking if kind == "booking" else ExceptionRequest
    permit = get_object_or_404(model, number=number)
    record_data_access(request.user, permit, ["phone", "name"], "reserve:gate（夜间联系）")
    return HttpResponse(
        f'<span class="revealed">{permit.name} {permit.phone}</span>', content_type="text/html"
    )


# --- management -----------------------------------------------------------------------------
@login_required
def manage(request):
    """Suspensions, exception requests and the duty roster, for the reserve's managers."""
    if not is_reserve_manager(request.user):
        return _refuse(request, "仅值班长和管理员可以管理预约、特许进入和值班。")
    now = timezone.now()
    context = {
        "suspension_form": forms.SuspensionForm(prefix="s"),
        "duty_form": forms.DutyForm(prefix="d", initial={"day": timezone.localtime(now).date()}),
        "suspensions": queries.current_suspensions(now),
        "pending": ExceptionRequest.objects.filter(status="pending").select_related("area"),
        "decided": ExceptionRequest.objects.exclude(status="pending").select_related("area")[:20],
        "bookings": Booking.objects.select_related("area", "suspension")[:30],
        "duty": queries.duty_on(now),
        "now": now,
    }
    return render(request, "reserve/manage.html", context)


def _manager_post(request, action):
    if not is_reserve_manager(request.user):
        return _refuse(request, "仅值班长和管理员可以管理预约、特许进入和值班。")
    try:
        message = action()
        messages.success(request, message)
    except ReserveError as exc:
        messages.error(request, str(exc))
    return redirect("reserve:manage")


@login_required
@require_POST
def create_suspension(request):
    form = forms.SuspensionForm(request.POST, prefix="s")

    def act():
        if not form.is_valid():
            raise ReserveError("请检查暂停的起始时间与原因。", code="invalid")
        d = form.cleaned_data
        _, n = services.suspend(
            request.user,
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            reason=d["reason"],
            effect=d["effect"],
            area_code=d["area"].code if d["area"] else None,
        )
        return f"已登记暂停预约，影响已有预约 {n} 个（已短信告知）。"

    return _manager_post(request, act)


@login_required
@require_POST
def end_suspension(request, pk: int):
    form = forms.EndSuspensionForm(request.POST)

    def act():
        if not form.is_valid():
            raise ReserveError("请填写结束时间。", code="invalid")
        _, n = services.end_suspension(request.user, pk, ends_at=form.cleaned_data["ends_at"])
        return f"已设定暂停结束时间，恢复待定预约 {n} 个。"

    return _manager_post(request, act)


@login_required
@require_POST
def decide_exception(request, number: str):
    form = forms.DecisionForm(request.POST)

    def act():
        if not form.is_valid():
            raise ReserveError("请选择审批结果并填写意见。", code="invalid")
        d = form.cleaned_data
        decided = services.decide_exception(
            request.user, number, approve=d["decision"] == "approve", reason=d["reason"]
        )
        return f"申请 {number} {decided.get_status_display()}，已短信告知申请人。"

    return _manager_post(request, act)


@login_required
@require_POST
def assign_duty(request):
    form = forms.DutyForm(request.POST, prefix="d")

    def act():
        if not form.is_valid():
            raise ReserveError("请填写日期、岗位和值班人员。", code="invalid")
        d = form.cleaned_data
        services.assign_duty(request.user, day=d["day"], post=d["post"], username=d["username"])
        return f"已安排 {d['day']:%m月%d日} {d['post']} 值班。"

    return _manager_post(request, act)


# --- fire watch -----------------------------------------------------------------------------
@login_required
def fire_map(request):
    """The map (schematic outline, towns, incidents, hot spots, rangers) and the incident list."""
    if not is_reserve_staff(request.user):
        return _refuse(request)
    now = timezone.now()
    context = queries.map_context(now)
    context.update(
        {"duty": queries.duty_on(now), "incident_rows": queries.incident_list(limit=50), "now": now}
    )
    return render(request, "reserve/map.html", context)


@login_required
def incident(request, number: str):
    if not is_reserve_staff(request.user):
        return _refuse(request)
    item = get_object_or_404(Incident, number=number)
    item.order_number = queries.order_numbers([item]).get(item.pk)
    context = {
        "incident": item,
        "detections": item.detections.order_by("acquired_at")[:100],
        "signals": item.signals.select_related("source"),
        "photos": item.photos.only("pk", "note", "at", "taken_by"),
        "links": item.order_links.select_related("order"),
        "candidates": queries.candidate_reports(item) if item.is_open else [],
        "onsite_form": forms.OnSiteForm(),
        "resolve_form": forms.ResolveForm(),
        "link_form": forms.LinkForm(),
    }
    return render(request, "reserve/incident.html", context)


def _incident_post(request, number: str, action):
    if not is_reserve_staff(request.user):
        return _refuse(request)
    try:
        messages.success(request, action())
    except ReserveError as exc:
        messages.error(request, str(exc))
    return redirect("reserve:incident", number=number)


@login_required
@require_POST
def incident_on_site(request, number: str):
    form = forms.OnSiteForm(request.POST, request.FILES)

    def act():
        if not form.is_valid():
            raise ReserveError("请上传现场照片。", code="photo_required")
        photo = form.cleaned_data["photo"]
        if photo.size > services.MAX_PHOTO_BYTES:
            raise ReserveError("照片不能超过 2 MB。", code="photo_too_large")
        services.confirm_on_site(
            request.user, number, photo=photo.read(), note=form.cleaned_data["note"]
        )
        return "已记录到场核实与现场照片。"

    return _incident_post(request, number, act)


@login_required
@require_POST
def incident_resolve(request, number: str):
    form = forms.ResolveForm(request.POST)

    def act():
        if not form.is_valid():
            raise ReserveError("请选择处置结果。", code="bad_outcome")
        d = form.cleaned_data
        done = services.resolve_incident(
            request.user, number, outcome=d["outcome"], note=d["note"], remember_as=d["remember_as"]
        )
        return f"火情 {number} 已处置：{done.get_outcome_display()}。"

    return _incident_post(request, number, act)


@login_required
@require_POST
def incident_link(request, number: str):
    form = forms.LinkForm(request.POST)

    def act():
        if not form.is_valid():
            raise ReserveError("请填写工单编号。", code="invalid")
        link = services.link_order(request.user, number, form.cleaned_data["order"])
        return f"已关联来电工单 {link.order.number}。"

    return _incident_post(request, number, act)


@login_required
def incident_photo(request, pk: int):
    if not is_reserve_staff(request.user):
        return HttpResponseForbidden("无权查看")
    photo = get_object_or_404(IncidentPhoto, pk=pk)
    return HttpResponse(bytes(photo.image), content_type=photo.content_type)
