"""Where to send the user next: a ``next`` value carried by the browser, if it is safe."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def local_target(request, value: str | None) -> str | None:
    """``value`` when it is a path on this site, else None.

    A ``next`` comes from the query string or a form, so anyone can write it: another host's
    address would send the user off the site, and a bare word given to Django's ``redirect()``
    is taken for a view name to reverse (``?next=x`` raised NoReverseMatch: a 500)."""
    if not value or not value.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(
        value, {request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value
