"""No page, no form and no API read answers a 500 to what a client can send.

Every named page of the URL conf and every GET operation of the API (the permission matrix's
world: real objects of each app) is asked with each hostile value in every query parameter it
reads: the names its page's forms carry, its operation's declared parameters, and the names
the views read from ``request.GET``. Any answer is fine except a server error. Found this way:
``?next=x`` on the second login step (``redirect()`` reversed the word as a view name) and
``?q=%00`` on the movement-control page (PostgreSQL cannot compare text with NUL).

Every form those pages show (``method="post"``, as each role sees it: about 150) is then posted
back with each hostile value in every one of its fields. Found this way: a team's members given
an id past a 64-bit integer (Django's ``pk__in`` check overflowed SQLite) and, as a signed-out
visitor, a login name of 3,000 characters (django-axes' column refused it on PostgreSQL)."""

from __future__ import annotations

import re
from html import unescape

from . import test_permission_matrix as matrix

world = matrix.world  # the matrix's fixture: every role signed in, an object of each app

#: Names the views read from request.GET themselves (grep request.GET), and common list ones.
NAMES = (
    "q", "day", "village", "to", "from", "page", "next", "h", "export", "at", "week", "form",
    "town_code", "district_code", "text", "status", "show", "reveal", "pending", "mode", "list",
    "include_expired", "caller_phone", "date", "since", "until", "unit", "district", "town",
    "urgency", "offset", "limit", "number", "kind", "round", "code", "key",
)  # fmt: skip

VALUES = ("a\x00b", "9" * 30, "-99999999999999999999", "2022-13-45", "x" * 3000)

ROLES = ("anon", "supervisor", "handler")  # anon: the login page, the resident portal

#: Every role has forms of its own (an agent's intake, a handler's screening report, …).
FORM_ROLES = ("anon", "supervisor", "admin", "agent", "handler", "field_staff")
FORM_VALUES = ("9" * 30, "-99999999999999999999", "2022-13-45", "x" * 3000, "1e400")


def _forms(html: str):
    """(action, field names) of each form of a page posted by its user."""
    for found in re.finditer(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I):
        attrs, body = found.groups()
        if 'method="post"' in attrs.lower():
            action = re.search(r'action="([^"]*)"', attrs)
            names = set(re.findall(r'name="([\w\[\]-]+)"', body)) - {"csrfmiddlewaretoken"}
            yield (unescape(action.group(1)) if action else None), names


def _visit_pages(client, objects):
    """(url, response) of every named page, each asked once as it is (with the world's objects
    behind its path parameters)."""
    for name, route in matrix._pages():
        url = matrix._fill(route, matrix._objects_for(name, objects))
        yield url, client.get(url)


def _html(page) -> str | None:
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        return page.content.decode()
    return None


def test_no_query_string_makes_a_page_or_an_api_read_fail(world):
    clients, objects = world
    from hotline.config.api import api

    paths = api.get_openapi_schema()["paths"]
    failed = []
    for role in ROLES:
        client = clients[role]
        client.raise_request_exception = False
        asks = []
        for url, page in _visit_pages(client, objects):
            html = _html(page) or ""
            asks.append((url, set(NAMES) | set(re.findall(r'name="(\w+)"', html))))
        for path, methods in paths.items():
            if "get" in methods:
                declared = {p["name"] for p in methods["get"].get("parameters", [])}
                url = matrix._fill(path, matrix._objects_for(f"GET {path}", objects))
                asks.append((url, declared | set(NAMES)))
        for url, names in asks:
            for value in VALUES:
                status = client.get(url, dict.fromkeys(names, value)).status_code
                if status >= 500:
                    failed.append(f"{role}: GET {url} with {value[:12]!r}… → {status}")
    assert not failed, "\n".join(failed)


def test_no_form_posted_back_with_hostile_values_fails(world):
    clients, objects = world
    failed, posted = [], set()
    for role in FORM_ROLES:
        client = clients[role]
        client.raise_request_exception = False
        for url, page in _visit_pages(client, objects):
            for action, names in _forms(_html(page) or ""):
                target = action or url
                form = (role, target, frozenset(names))
                if "logout" in target or form in posted:  # signing out ends the walk
                    continue
                posted.add(form)
                for value in FORM_VALUES:
                    status = client.post(target, dict.fromkeys(names, value)).status_code
                    if status >= 500:
                        failed.append(f"{role}: POST {target} with {value[:12]!r}… → {status}")
    assert len(posted) > 100  # the walk reached the forms (about 150 today)
    assert not failed, "\n".join(failed)
