"""Pages and endpoints of the doors: the resident portal (public, mobile first), the import
page (supervisors), inbound webhooks (signed). Each parses input, calls one service, renders.
Open311 is in open311.py."""

from __future__ import annotations

import threading
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from hotline.accounts.roles import Role, has_role
from hotline.common.api_errors import DomainError
from hotline.geo.models import Division
from hotline.orders.choices import Status
from hotline.orders.models import Order
from hotline.orders.services import Appeal

from . import services
from .forms import ImportForm, PortalAppealForm, RateForm, TrackForm
from .models import ImportJob
from .queries import portal_progress
from .schemas import HookMessageIn

PLACE_LEVELS = {"county": "town", "town": "village"}


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is the client's to forge unless a known proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


def _portal_context(**extra):
    return {"sms_gateway": services.portal.sms_gateway_configured(), **extra}


# --- resident portal -------------------------------------------------------------------------
@require_GET
def portal_home(request):
    return render(request, "intake/portal_home.html", _portal_context(track_form=TrackForm()))


@require_http_methods(["GET", "POST"])
def portal_new(request):
    """The appeal form; POST checks the code and receives the appeal."""
    if request.method == "GET":
        form = PortalAppealForm(initial={"token": uuid.uuid4().hex})
        return render(request, "intake/portal_new.html", _portal_context(form=form))
    form = PortalAppealForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        photo = data.get("photo")
        try:
            order = services.submit(
                services.Submission(
                    token=data["token"],
                    phone=data["phone"],
                    code=data["code"],
                    description=data["description"],
                    category=data["category"] or None,
                    district_code=data["district_code"] or None,
                    town_code=data["town_code"] or None,
                    village_code=data["village_code"] or None,
                    address=data["address"],
                    name=data["name"],
                    photo=photo.read(services.portal.PHOTO_MAX + 1) if photo else None,
                    photo_type=getattr(photo, "content_type", "") if photo else "",
                )
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            request.session["portal_number"] = order.number
            return redirect("intake:portal_done", number=order.number)
    return render(request, "intake/portal_new.html", _portal_context(form=form), status=400)


@require_POST
def portal_code(request):
    """Send a verification code (htmx: answers the status line under the button)."""
    purpose = request.POST.get("purpose", "submit")
    phone = request.POST.get("phone", "")
    try:
        services.send_code(phone, purpose=purpose, ip=client_ip(request))
    except DomainError as exc:
        status, text, ok = exc.status, str(exc), False
    else:
        status, ok = 200, True
        text = "验证码已发送，10 分钟内有效。"
    context = _portal_context(ok=ok, text=text)
    return render(request, "intake/partials/code_status.html", context, status=status)


@require_GET
def portal_places(request):
    """<option>s of the towns of a district, or the villages of a town (htmx)."""
    code = request.GET.get("district_code") or request.GET.get("town_code") or ""
    parent = Division.objects.filter(code=code).first() if code.isdigit() else None
    level = PLACE_LEVELS.get(parent.level) if parent else None
    rows = (
        Division.objects.filter(parent=parent, level=level).values_list("code", "name")
        if level
        else []
    )
    label = {"town": "请选择镇街", "village": "请选择村居（可不选）"}.get(level, "请先选择上一级")
    return render(request, "intake/partials/place_options.html", {"rows": rows, "label": label})


@require_GET
def portal_done(request, number):
    # Only the browser that submitted the order sees this page by number alone.
    if request.session.get("portal_number") != number:
        return redirect("intake:portal_home")
    return render(request, "intake/portal_done.html", _portal_context(number=number))


@require_http_methods(["GET", "POST"])
def portal_track(request):
    """Progress of one order, by number + the phone it was made with (POST, so that neither
    lands in logs or browser history)."""
    form = TrackForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "intake/portal_home.html", _portal_context(track_form=form))
    try:
        order = services.track(
            form.cleaned_data["number"], form.cleaned_data["phone"], ip=client_ip(request)
        )
    except DomainError as exc:
        form.add_error(None, str(exc))
        return render(
            request, "intake/portal_home.html", _portal_context(track_form=form), status=exc.status
        )
    return _track_page(request, order, form.cleaned_data["phone"])


def _track_page(request, order: Order, phone: str, rate_form=None, status=200):
    rate_form = rate_form or RateForm(initial={"number": order.number, "phone": phone})
    context = _portal_context(
        order=order,
        steps=portal_progress(order),
        can_rate=order.status == Status.RESOLVED,
        rate_form=rate_form,
    )
    return render(request, "intake/portal_track.html", context, status=status)


@require_POST
def portal_rate(request):
    form = RateForm(request.POST)
    if not form.is_valid():
        number, phone = request.POST.get("number", ""), request.POST.get("phone", "")
    else:
        number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
    try:
        order = services.track(number, phone, ip=client_ip(request))
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    if form.is_valid():
        try:
            order = services.rate(
                number,
                phone,
                form.cleaned_data["code"],
                form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "感谢您的评价。")
            return _track_page(request, order, phone)
    return _track_page(request, order, phone, rate_form=form, status=400)


# --- import page -----------------------------------------------------------------------------
def _supervisor(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("只有值班长或系统管理员可以批量导入。")


def _start(job: ImportJob) -> None:
    """Run the job beside the request: in a thread of this server process (progress is in
    the job row, so any process can show it), or at once when INTAKE_IMPORT_INLINE is set
    (tests). A job cut short by a restart is resumed from the page or with
    `hotline intake import --job ID`; rows already imported answer with their orders."""
    if getattr(settings, "INTAKE_IMPORT_INLINE", False):
        services.run_job(job.pk)
        return
    # Running before the thread starts: the page this request redirects to shows the job
    # running and polls its progress even if the thread has not reached the database yet (it
    # showed "validated", with no progress, when the page was read first).
    services.start_job(job.pk)

    def work():
        try:
            services.run_job(job.pk)
        except Exception:  # recorded on the job by run_job; the thread must just end
            pass
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"import-{job.pk}", daemon=True).start()


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    _supervisor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, _checked = services.create_job(
                request.user,
                filename=upload.name,
                content=upload.read(),
                channel=form.cleaned_data["channel"],
                skip_bad=form.cleaned_data["skip_bad"],
            )
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("intake:import_job", job_id=job.pk)
    jobs = ImportJob.objects.select_related("user").defer("content")[:20]
    return render(request, "intake/import.html", {"form": form, "jobs": jobs})


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, job_id):
    _supervisor(request)
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id)
    if request.method == "POST":
        try:
            _start(job)
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("intake:import_job", job_id=job.pk)
    labels = {**services.imports.COLUMN_LABELS, "row_key": "编号（去重键）"}
    mapping = [(column, labels.get(field, field)) for field, column in job.mapping.items()]
    return render(request, "intake/import_job.html", {"job": job, "mapping": mapping})


@login_required
@require_GET
def import_progress(request, job_id):
    """The progress bar (htmx polls it until the job has finished)."""
    _supervisor(request)
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id)
    return render(request, "intake/partials/import_progress.html", {"job": job})


@login_required
@require_GET
def portal_photo(request, number):
    """The photo a resident attached (center staff and the order's units only)."""
    from hotline.orders.queries import visible_orders

    from .models import PortalAppeal

    if not visible_orders(request.user).filter(number=number).exists():
        raise Http404
    row = PortalAppeal.objects.filter(order_number=number, photo__isnull=False).first()
    if row is None:
        raise Http404
    return HttpResponse(bytes(row.photo), content_type=row.photo_type)


# --- inbound webhooks ------------------------------------------------------------------------
def _hook_error(status: int, code: str, message: str, errors=None) -> JsonResponse:
    body = {"code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def hook(request, channel):
    """POST /intake/hooks/{channel}: a signed message (X-Hotline-Signature: sha256=<hex>)."""
    from hotline.common.api_errors import field_errors

    body = request.body
    try:
        services.check_signature(channel, body, request.headers.get("X-Hotline-Signature", ""))
    except DomainError as exc:
        return _hook_error(exc.status, exc.code, str(exc))
    try:
        message = HookMessageIn.model_validate_json(body)
    except ValidationError as exc:
        return _hook_error(
            422, "validation_error", "消息格式有误，请按提示修改。", field_errors(exc.errors())
        )
    appeal = Appeal(
        channel=channel,
        description=message.text,
        caller_name=message.name,
        caller_phone=message.phone,
        address=message.address,
        town_code=message.town_code,
        village_code=message.village_code,
        latitude=message.latitude,
        longitude=message.longitude,
    )
    try:
        result = services.receive_hook(
            channel,
            message.message_id,
            appeal,
            account_id=message.sender_id[:100],
            media_url=message.media_url or "",
        )
    except DomainError as exc:
        return _hook_error(exc.status if exc.status < 500 else 400, exc.code, str(exc))
    order = result.order
    return JsonResponse(
        {
            "number": order.number,
            "status": order.status,
            "created": result.created,
            "track_url": request.build_absolute_uri(reverse("intake:portal_home")),
        },
        status=201 if result.created else 200,
    )
