"""The platform's own middleware: response headers Django 5.2's SecurityMiddleware does not send
(Content-Security-Policy and Permissions-Policy), and the refusal of U+0000 in what a request
carries (``RefuseNulMiddleware``, below).

Written by hand because Django gains CSP support only in 6.0 and django-csp is not in the lock;
a fixed policy is a dozen lines. No page runs inline script or inline style (STYLE.md): every
script and stylesheet is a static file, so ``script-src 'self'`` holds without nonces. The
policy is one setting (``CONTENT_SECURITY_POLICY``); a view that truly needs something else sets
its own header, which is left alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.module_loading import import_string


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *values]) for name, values in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


#: Form bodies Django parses into ``request.POST`` (other bodies, JSON included, are the
#: API's parsers' to check: ``hotline.common.parsers``).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

NUL_MESSAGE = "请求中含有空字符（\\u0000），任何字段都不接受；请删除后重新提交。"


def holds_nul(request) -> bool:
    """Whether the request's path, query string or form fields hold U+0000. Uploaded files'
    names are not asked: Django's parser already drops unprintable characters from them. The
    query string is checked encoded: a NUL arrives as ``%00``, while a ``%`` typed by the user
    arrives as ``%25``, so ``%2500`` is text, not NUL."""
    if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return False
    try:
        fields = request.POST
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        # Not this check's to answer: a form body Django cannot read fails again where the view
        # reads it (a broken multipart body is left empty, as after CSRF's own read of it).
        return False
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in fields.lists()
    )


class RefuseNulMiddleware:
    """Refuse, before any view runs, a request whose path, query string or form fields hold
    U+0000 — the same rule the API's JSON parser applies to bodies.

    PostgreSQL cannot store text holding NUL nor compare a column with it, so such a value
    reaching a query was a 500 on PostgreSQL (a list page's search box given ``?q=%00``) while
    SQLite stored it. No field of the platform has a use for the character, so one check at the
    door covers every page instead of a validator on each field; Django's form fields refuse
    it already, but views that read ``request.GET`` directly did not. The answer: under a
    prefix of the setting ``NUL_REFUSALS`` that surface's own (the API's 422
    ``nul_character``, Open311's error list); elsewhere a 400 page in Chinese. A cookie
    holding U+0000 is dropped instead (the request goes on without it). Costs a substring
    search of the path, query string and cookies, and of form bodies only."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.refusals = [
            (prefix, import_string(dotted))
            for prefix, dotted in getattr(settings, "NUL_REFUSALS", {}).items()
        ]

    def __call__(self, request):
        cookies = request.COOKIES
        if any("\x00" in name + value for name, value in cookies.items()):
            # A quoted cookie may spell NUL as an octal escape ("\000"), which Django decodes:
            # a session cookie holding it broke the session look-up on PostgreSQL (a 500 on
            # every page for that browser). Such a cookie is ignored, as if never set.
            request.COOKIES = {n: v for n, v in cookies.items() if "\x00" not in n + v}
        if holds_nul(request):
            for prefix, refuse in self.refusals:
                if request.path_info.startswith(prefix):
                    return refuse(request, NUL_MESSAGE)
            return refuse_nul(request)
        return self.get_response(request)


def refuse_nul(request, message: str = NUL_MESSAGE) -> HttpResponse:
    """The pages' answer: a 400 page in Chinese."""
    return render(request, "400.html", {"message": message}, status=400)


def refuse_nul_json(request, message: str) -> HttpResponse:
    """The API's answer, in its error shape (api_errors.py): 422 ``nul_character``."""
    return JsonResponse(
        {"code": "nul_character", "message": message},
        status=422,
        json_dumps_params={"ensure_ascii": False},
    )
