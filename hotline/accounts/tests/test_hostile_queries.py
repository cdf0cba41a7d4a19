"""No page and no API read answers a 500 to what a query string can carry.

Every named page of the URL conf and every GET operation of the API (the permission matrix's
world: real objects of each app) is asked with each hostile value in every query parameter it
reads: the names its page's forms carry, its operation's declared parameters, and the names
the views read from ``request.GET``. Any answer is fine except a server error. Found this way:
``?next=x`` on the second login step (``redirect()`` reversed the word as a view name) and
``?q=%00`` on the movement-control page (PostgreSQL cannot compare text with NUL)."""

from __future__ import annotations

import re

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

ROLES = ("supervisor", "handler")


def test_no_query_string_makes_a_page_or_an_api_read_fail(world):
    clients, objects = world
    from hotline.config.api import api

    paths = api.get_openapi_schema()["paths"]
    failed = []
    for role in ROLES:
        client = clients[role]
        client.raise_request_exception = False
        asks = []
        for name, route in matrix._pages():
            url = matrix._fill(route, matrix._objects_for(name, objects))
            page = client.get(url)
            names = set(NAMES)
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                names |= set(re.findall(r'name="(\w+)"', page.content.decode()))
            asks.append((url, names))
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
