"""Pages of the accounts app: the start page, the second factor, the audit log."""

from __future__ import annotations

import csv

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hotline.common.redirects import local_target

from . import queries, services
from .forms import AuditFilterForm, OtpForm
from .middleware import OTP_VERIFIED
from .models import Profile, TotpDevice
from .roles import Role, has_role

#: Wrong codes in one session before the session is ended (a code has 10^6 values).
OTP_MAX_FAILURES = 5


@login_required
def home(request):
    """The signed-in user's start page: who they are and their role's worklist (the console's
    reads: calls today, callbacks due, orders due soon, the board's counters)."""
    profile = Profile.objects.select_related("unit").filter(user=request.user).first()
    work = {}
    if apps.is_installed("hotline.console"):
        from hotline.console.queries import home_worklist

        work = home_worklist(request.user, timezone.now())
    can_enrol = has_role(request.user, *settings.OTP_ROLES)
    device = TotpDevice.objects.filter(user=request.user).first() if can_enrol else None
    return render(
        request,
        "accounts/home.html",
        {
            "profile": profile,
            "work": work,
            "can_enrol": can_enrol,
            "otp_on": device is not None and device.confirmed,
        },
    )


def _refuse(request, message: str, status: int = 403):
    return render(request, "accounts/refused.html", {"message": message}, status=status)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return local_target(request, target) or settings.LOGIN_REDIRECT_URL


@login_required
def otp_enrol(request):
    """Turn on the second factor: scan the QR code, type the first code."""
    if not has_role(request.user, *settings.OTP_ROLES):
        return _refuse(request, "两步验证目前只对系统管理员和值班长开放。")
    device = TotpDevice.objects.filter(user=request.user).first()
    if device is not None and device.confirmed:
        return render(request, "accounts/otp_enrol.html", {"done": True})
    form = OtpForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            services.check_totp(request.user, form.cleaned_data["code"], request=request)
        except services.AccountError as exc:
            form.add_error("code", str(exc))
            if exc.code == "otp_unreadable":
                device = None  # the unfinished enrolment was removed: show a new code
        else:
            request.session[OTP_VERIFIED] = request.user.pk
            messages.success(request, "两步验证已启用：以后每次登录都需输入手机验证器上的验证码。")
            return redirect(_next(request))
    if request.method == "GET" or device is None:
        device = services.start_totp(request.user)
    import segno

    uri = services.totp_uri(device)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5)
    status = 422 if form.errors else 200
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "qr": qr, "secret": device.secret, "next": _next(request)},
        status=status,
    )


@login_required
def otp_verify(request):
    """The second step of a login for a user with a confirmed device."""
    device = TotpDevice.objects.filter(user=request.user).first()
    if device is None or not device.confirmed:
        return redirect(_next(request))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_totp(request.user, form.cleaned_data["code"], request=request)
        except services.AccountError as exc:
            failures = request.session.get("hotline_otp_failures", 0) + 1
            request.session["hotline_otp_failures"] = failures
            if failures >= OTP_MAX_FAILURES:
                logout(request)
                messages.error(request, "验证码连续输错多次，已退出登录，请重新登录。")
                return redirect(settings.LOGIN_URL)
            form.add_error("code", str(exc))
        else:
            request.session[OTP_VERIFIED] = request.user.pk
            request.session.pop("hotline_otp_failures", None)
            return redirect(_next(request))
    status = 422 if form.errors else 200
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _next(request)}, status=status
    )


# --- audit log --------------------------------------------------------------------------------
class _Echo:
    def write(self, value):
        return value


AUDIT_HEADERS = ["时间", "用户名", "动作", "对象", "理由", "详情", "IP 地址"]

#: Labels of the personal-data fields a reveal names (others are shown as they are).
FIELD_LABELS = {
    "caller_name": "姓名",
    "caller_phone": "电话",
    "address": "住址",
    "latitude": "纬度",
    "longitude": "经度",
    "name": "姓名",
    "phone": "电话",
    "id_number": "身份证号",
    "display_name": "姓名",
}


def _audit_row(entry) -> list[str]:
    import json

    return [
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        entry.get_action_display(),
        entry.target,
        entry.reason,
        json.dumps(entry.detail, ensure_ascii=False) if entry.detail else "",
        entry.ip or "",
    ]


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def audit_log(request):
    """Admins read the audit log: filter by action, user, object and dates; export as CSV."""
    if not has_role(request.user, Role.ADMIN):
        return _refuse(request, "审计日志只对系统管理员开放。")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = queries.audit_entries(filters)
    if request.GET.get("export") == "csv" and (not form.is_bound or form.is_valid()):
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"
            yield writer.writerow(AUDIT_HEADERS)
            for entry in qs.iterator(chunk_size=2000):
                yield writer.writerow([_csv_safe(c) for c in _audit_row(entry)])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    for entry in page.object_list:
        fields = entry.detail.get("fields") if isinstance(entry.detail, dict) else None
        entry.field_labels = [FIELD_LABELS.get(f, f) for f in fields or ()]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )
