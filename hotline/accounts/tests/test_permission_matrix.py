"""The permission matrix of the whole platform, generated at test time.

Every named page of the URL conf and every operation of the OpenAPI schema is requested as
every role, and the status must be the one declared in ``PERMISSIONS``: one table, one row per
URL-name pattern (pages: ``"console:order"``, ``"stats:*"``) or per ``"METHOD /api/v1/path"``
pattern (API). The first matching row wins, so specific rows go above wildcards. A URL that no
row matches fails the test with the row to add, so a new app's pages cannot slip in unchecked.

Objects: ``{number}`` is an order dispatched to 公馆镇, so ``handler`` (公馆镇's handler) sees its
own unit's order and ``other_handler`` (another town's) must get 404 — the same for every URL
that takes an order. ``{key}`` is a published knowledge article.

Pages are requested with GET (a POST-only view answers 405 to a signed-in user, which still
proves it is reachable only by POST); API GET operations as every role; API writes as
``anon`` only (401) — what each role may write is test_permissions.py of each app.
"""

from __future__ import annotations

import fnmatch
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hotline.accounts.roles import Role
from hotline.orders import services

ROLES = (
    "anon", "agent", "volunteer", "supervisor", "admin", "handler", "other_handler",
    "field_staff",
)  # fmt: skip

LOGIN = "login"  # a redirect to the login page
OTHER = "redirect"  # a redirect elsewhere (e.g. a handler's start page)
SKIP = "skip"  # not requested (say why in the row's comment)

CENTER = {"agent": 200, "volunteer": 200, "supervisor": 200, "admin": 200}
UNITS = {"handler": 200, "other_handler": 200}


def _row(default, **roles):
    return {"*": default, **roles}


#: (pattern, {role: expected status, "*": default}). Order matters: first match wins.
PERMISSIONS: list[tuple[str, dict]] = [
    # --- platform ---
    ("home", _row(200, anon=LOGIN)),
    ("accounts:login", _row(OTHER, anon=200)),
    ("accounts:logout", _row(405, anon=405)),
    ("accounts:otp-enrol", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("accounts:otp-verify", _row(OTHER, anon=LOGIN)),
    ("accounts:audit", _row(403, anon=LOGIN, admin=200)),
    ("admin:index", _row(OTHER, admin=200)),
    # --- console (orders) ---
    ("console:intake", _row(403, anon=LOGIN, agent=200, volunteer=200, supervisor=200, admin=200)),
    ("console:intake-assess", _row(405, anon=LOGIN)),
    ("console:caller-history", _row(403, anon=LOGIN, **CENTER)),
    ("console:orders", _row(200, anon=LOGIN)),
    ("console:order", _row(404, anon=LOGIN, **CENTER, handler=200)),
    ("console:reveal", _row(405, anon=LOGIN)),
    ("console:action", _row(405, anon=LOGIN)),
    ("console:inbox", _row(403, anon=LOGIN, **UNITS)),
    ("console:inbox-rows", _row(403, anon=LOGIN, **UNITS)),
    ("console:board", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("console:board-panels", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("console:board-mode", _row(405, anon=LOGIN)),
    # --- knowledge: the answers (口径) are readable by everyone signed in; writing is the
    # policy team's (supervisors and admins) ---
    ("kb:review", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("kb:new", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("kb:edit", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("kb:action", _row(405)),
    ("kb:*", _row(200, anon=LOGIN)),
    # --- API: platform and reference data ---
    ("GET /api/v1/health", _row(200)),
    ("GET /api/v1/divisions", _row(200, anon=401)),
    ("GET /api/v1/units", _row(200, anon=401)),
    # --- API: orders ---
    ("GET /api/v1/orders", _row(200, anon=401)),
    ("GET /api/v1/orders/{number}", _row(404, anon=401, **CENTER, handler=200)),
    ("GET /api/v1/sla/mode", _row(200, anon=401)),
    # --- API: knowledge ---
    ("GET /api/v1/kb/usage", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/kb/*", _row(200, anon=401)),
    # --- every API write: credentials first ---
    ("POST *", _row(SKIP, anon=401)),
    ("PUT *", _row(SKIP, anon=401)),
    ("PATCH *", _row(SKIP, anon=401)),
    ("DELETE *", _row(SKIP, anon=401)),
]

#: Query strings for operations with required parameters (else they answer 422 to everyone).
QUERY = {
    "GET /api/v1/kb/search": {"q": "核酸"},
    "GET /api/v1/kb/suggest": {"text": "哪里可以做核酸"},
}

#: Django's admin pages other than the index are guarded by the admin itself (is_staff and
#: model permissions); the API's own root, schema and docs are listed as API operations.
NOT_PAGES = ("admin:*", "api:*")


def _pages() -> list[tuple[str, str]]:
    """(qualified name, route) of every named URL pattern, namespaces included."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns or None)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append((name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", None)
    pages = [(n, r) for n, r in found if not any(fnmatch.fnmatch(n, x) for x in NOT_PAGES)]
    return [*pages, ("admin:index", "admin/")]


def _operations() -> list[tuple[str, str]]:
    from hotline.config.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method.upper(), path))
    return ops


def _expected(key: str, role: str):
    for pattern, spec in PERMISSIONS:
        if fnmatch.fnmatchcase(key, pattern):
            return spec.get(role, spec["*"])
    return None


def _fill(route: str, objects: dict) -> str:
    def value(name: str) -> str:
        if name not in objects:
            raise AssertionError(
                f"{route}: no value for the path parameter {{{name}}}; add it to `objects`"
            )
        return objects[name]

    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    route = re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), route)
    return "/" + route.lstrip("^").rstrip("$").lstrip("/")


def _status(response):
    if response.status_code in (301, 302):
        return LOGIN if "/accounts/login/" in response["Location"] else OTHER
    return response.status_code


@pytest.fixture
def world(people, make_user):
    from hotline.knowledge.tests.factories import published
    from hotline.orders.tests.factories import receive

    order = receive(people.agent)
    services.dispatch(people.agent, order.number, unit="440902101")
    article = published(people.supervisor, people.admin)
    field = make_user(Role.FIELD_STAFF, None, "field1")
    users = {
        "agent": people.agent, "volunteer": people.volunteer,
        "supervisor": people.supervisor, "admin": people.admin, "handler": people.gongguan,
        "other_handler": people.other_town, "field_staff": field,
    }  # fmt: skip
    clients = {"anon": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    objects = {"number": order.number, "key": article.key, "action": "accept"}
    return clients, objects


def test_every_url_answers_every_role_as_declared(world):
    clients, objects = world
    undeclared, wrong = [], []
    checks = [(name, route, "GET", name) for name, route in _pages()]
    checks += [(f"{m} {p}", p, m, f"{m} {p}") for m, p in _operations()]
    for key, route, method, shown in checks:
        if _expected(key, "anon") is None:
            undeclared.append(shown)
            continue
        url = _fill(route, objects)
        for role in ROLES:
            want = _expected(key, role)
            if want == SKIP:
                continue
            client = clients[role]
            if method == "GET":
                got = _status(client.get(url, QUERY.get(key, {})))
            else:
                got = _status(client.generic(method, url, b"{}", content_type="application/json"))
            if got != want:
                wrong.append(f"{shown} as {role}: expected {want}, got {got} ({url})")
    assert not undeclared, (
        "URLs with no row in PERMISSIONS (hotline/accounts/tests/test_permission_matrix.py); "
        "add a row per URL name or a pattern, e.g.\n"
        + "\n".join(f'    ("{k}", _row(403, anon=LOGIN, ...)),' for k in undeclared)
    )
    assert not wrong, "permission matrix mismatches:\n" + "\n".join(wrong)


def test_every_row_still_matches_something():
    keys = [n for n, _ in _pages()] + [f"{m} {p}" for m, p in _operations()]
    # "METHOD *" rows are the catch-alls for writes that may not exist yet (no PATCH today).
    rows = [p for p, _ in PERMISSIONS if not re.fullmatch(r"[A-Z]+ \*", p)]
    stale = [p for p in rows if not any(fnmatch.fnmatchcase(k, p) for k in keys)]
    assert not stale, f"rows that match no URL (remove or fix them): {stale}"


def test_a_handler_never_sees_another_units_order_count_or_export(people, token_client):
    from hotline.orders.tests.factories import receive

    mine = receive(people.agent, description="我们村停水两天了，请公馆镇尽快处理。")
    services.dispatch(people.agent, mine.number, unit="440902101")
    theirs = receive(people.agent, description="新坡镇某小区电梯坏了，老人下不了楼。")
    services.dispatch(people.agent, theirs.number, unit="440902102")
    c = Client()
    c.force_login(people.gongguan)
    listing = c.get("/orders/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    export = b"".join(c.get("/orders/", {"export": "csv"}).streaming_content).decode()
    assert mine.number in export and theirs.number not in export
    api = token_client(people.gongguan).get("/api/v1/orders").json()
    numbers = {item["number"] for item in api["items"]}
    assert mine.number in numbers and theirs.number not in numbers
    assert api["count"] == 1
    assert c.get(f"/orders/{theirs.number}/").status_code == 404
    assert token_client(people.gongguan).get(f"/api/v1/orders/{theirs.number}").status_code == 404
