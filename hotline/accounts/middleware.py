"""Request-level guards of the accounts app.

- ``AccountGuardMiddleware`` (after AuthenticationMiddleware): ends an idle agent's session,
  holds a user with a TOTP device at the verification page until the code is typed, sends a
  role that must use a second factor to enrolment, and records every file download (an
  export) in the audit log.
- ``current_request``: the request being served in this thread, for the audit signal
  receivers (a role change made in the admin names who made it).
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import AuditAction
from .roles import roles_of

_request: contextvars.ContextVar = contextvars.ContextVar("hotline_request", default=None)

#: Session keys: when the user was last seen (epoch seconds), whether the user had a confirmed
#: TOTP device at login (set by the login signal, so no request has to look it up), and the
#: user whose code was checked in this session.
LAST_SEEN = "hotline_last_seen"
OTP_NEEDED = "hotline_otp_needed"
OTP_VERIFIED = "hotline_otp_verified"

#: Seconds between two writes of the last-seen time (the session is saved at most that often).
TOUCH_EVERY = 60


def current_request():
    return _request.get()


def _exempt(path: str) -> bool:
    return path.startswith((settings.STATIC_URL, "/accounts/logout/", "/accounts/otp/"))


def on_login(request, user) -> None:
    """Called by the login signal: start the idle clock, note whether a code is due."""
    from .models import TotpDevice

    session = getattr(request, "session", None)
    if session is None:
        return
    session[LAST_SEEN] = time.time()
    session[OTP_NEEDED] = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


class AccountGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            early = self._guard(request)
            response = early or self.get_response(request)
            self._audit_download(request, response)
            return response
        finally:
            _request.reset(token)

    # -- idle expiry and second factor ----------------------------------------------------------
    def _guard(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            # A machine client with a bearer token: no session rules. Checked first, so that
            # such a request never loads the session or the session's user.
            return None
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return None
        now = time.time()
        if set(settings.SESSION_IDLE_ROLES) & roles_of(user):
            last = session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                minutes = settings.SESSION_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    f"您已超过 {minutes} 分钟未操作，为保护来电人信息已自动退出，请重新登录。",
                )
                return self._to(request, reverse(settings.LOGIN_URL), "session_expired")
            if last is None or now - last > TOUCH_EVERY:
                session[LAST_SEEN] = now
        if _exempt(request.path):
            return None
        if session.get(OTP_NEEDED) and session.get(OTP_VERIFIED) != user.pk:
            return self._to(request, reverse("accounts:otp-verify"), "otp_required")
        if (
            settings.OTP_REQUIRED_ROLES
            and set(settings.OTP_REQUIRED_ROLES) & roles_of(user)
            and session.get(OTP_VERIFIED) != user.pk
        ):
            return self._to(request, reverse("accounts:otp-enrol"), "otp_enrolment_required")
        return None

    @staticmethod
    def _to(request, url: str, code: str):
        if request.path.startswith("/api/"):
            messages_text = {
                "session_expired": "登录已因长时间未操作而失效，请重新登录。",
                "otp_required": "请先在网页上完成两步验证。",
                "otp_enrolment_required": "您的角色须先启用两步验证。",
            }
            return JsonResponse({"code": code, "message": messages_text[code]}, status=401)
        target = url
        if request.method == "GET" and request.path != url:
            target = f"{url}?next={request.get_full_path()}"
        return redirect(target)

    # -- exports ---------------------------------------------------------------------------------
    @staticmethod
    def _audit_download(request, response) -> None:
        disposition = response.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if not disposition.startswith("attachment") or user is None:
            return
        if not user.is_authenticated or response.status_code != 200:
            return
        from .audit import record

        filename = disposition.partition("filename=")[2].strip('"')
        record(
            AuditAction.EXPORT,
            actor=user,
            target=request.path,
            detail={"file": filename, "query": request.GET.urlencode()[:500]},
            request=request,
        )
