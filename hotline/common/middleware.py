"""Response headers Django 5.2's SecurityMiddleware does not send: Content-Security-Policy and
Permissions-Policy.

Written by hand because Django gains CSP support only in 6.0 and django-csp is not in the lock;
a fixed policy is a dozen lines. No page runs inline script or inline style (STYLE.md): every
script and stylesheet is a static file, so ``script-src 'self'`` holds without nonces. The
policy is one setting (``CONTENT_SECURITY_POLICY``); a view that truly needs something else sets
its own header, which is left alone.
"""

from __future__ import annotations

from django.conf import settings


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
