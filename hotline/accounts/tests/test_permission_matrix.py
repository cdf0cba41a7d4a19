"""The permission matrix of the whole platform, generated at test time.

Every named page of the URL conf and every operation of the OpenAPI schema is requested as
every role, and the status must be the one declared in ``PERMISSIONS``: one table, one row per
URL-name pattern (pages: ``"console:order"``, ``"stats:*"``) or per ``"METHOD /api/v1/path"``
pattern (API). The first matching row wins, so specific rows go above wildcards. A URL that no
row matches fails the test with the row to add, so a new app's pages cannot slip in unchecked.

Objects: ``{number}`` is an order dispatched to 公馆镇, so ``handler`` (公馆镇's handler) sees its
own unit's order and ``other_handler`` (another town's) must get 404 — the same for every URL
that takes an order. ``{key}`` is a published knowledge article. The field apps' parameters
name real objects too (``PARAMS``): a care request and its task, a household and a checkpoint,
a sampling round, its village and a site, a screening report and ledger person — each of
公馆镇, so again ``handler`` is the own unit and ``other_handler`` another — and a workforce
person, team and course, an import job, a stats table. A parameter no row names is an object
that does not exist (``MISSING``): the row says who reaches the lookup (404) and who is refused
before it (403).

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
    # a volunteer agent takes calls only after the basic course (workforce); the test's has not
    ("console:intake", _row(403, anon=LOGIN, agent=200, supervisor=200, admin=200)),
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
    # --- the field apps and channels (docs of each app say why; POST-only pages answer 405) ---
    # --- console ---
    ("console:urge", _row(405, anon=LOGIN)),
    # --- intake ---
    ("intake:portal_home", _row(200)),
    ("intake:portal_new", _row(200)),
    ("intake:portal_code", _row(405)),
    ("intake:portal_places", _row(200)),
    ("intake:portal_done", _row(OTHER)),
    ("intake:portal_track", _row(200)),
    ("intake:portal_rate", _row(405)),
    ("intake:portal_photo", _row(404, anon=LOGIN)),
    ("intake:import", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("intake:import_job", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("intake:import_progress", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("intake:hook", _row(405)),
    ("intake:open311_discovery", _row(200)),
    ("intake:open311_services", _row(200)),
    ("intake:open311_service", _row(404)),
    ("intake:open311_requests", _row(200)),
    ("intake:open311_request", _row(404)),
    # --- stats ---
    ("stats:board", _row(200, anon=LOGIN, agent=403, volunteer=403, field_staff=403)),
    ("stats:board-panels", _row(200, anon=LOGIN, agent=403, volunteer=403, field_staff=403)),
    ("stats:league", _row(200, anon=LOGIN, agent=403, volunteer=403, field_staff=403)),
    ("stats:report", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("stats:report-xlsx", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("stats:report-pdf", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    # a handler's export is of its own unit (the second test checks what is in it)
    ("stats:export", _row(200, anon=LOGIN, agent=403, volunteer=403, field_staff=403)),
    # --- workforce ---
    ("workforce:roster", _row(200, anon=LOGIN, handler=403, other_handler=403)),
    ("workforce:roster-add", _row(405, anon=LOGIN)),
    ("workforce:shift-sign", _row(405, anon=LOGIN)),
    ("workforce:staffing", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("workforce:staffing-table", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("workforce:teams", _row(200, anon=LOGIN, handler=403, other_handler=403)),
    ("workforce:team-add", _row(405, anon=LOGIN)),
    ("workforce:team", _row(200, anon=LOGIN, handler=403, other_handler=403)),
    ("workforce:team-deploy", _row(405, anon=LOGIN)),
    ("workforce:batch-end", _row(405, anon=LOGIN)),
    ("workforce:attendance", _row(405, anon=LOGIN)),
    ("workforce:people", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("workforce:people-import", _row(405, anon=LOGIN)),
    ("workforce:person", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("workforce:person-update", _row(405, anon=LOGIN)),
    ("workforce:training", _row(200, anon=LOGIN)),
    ("workforce:course", _row(200, anon=LOGIN)),
    # --- control ---
    # open to the center and to staff whose area has households or checkpoints (公馆镇's)
    ("control:overview", _row(200, anon=LOGIN, other_handler=403, field_staff=403)),
    ("control:household", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("control:issue_card", _row(405, anon=LOGIN)),
    ("control:issue_outing", _row(405, anon=LOGIN)),
    ("control:revoke", _row(405, anon=LOGIN)),
    ("control:cards_pdf", _row(OTHER, anon=LOGIN)),
    ("control:import", _row(405, anon=LOGIN)),
    ("control:appeals", _row(200, anon=LOGIN)),
    # the center files and follows appeals; the order goes to the code authority, not a town
    ("control:appeal", _row(404, anon=LOGIN, agent=200, volunteer=200, supervisor=200, admin=200)),
    # with one checkpoint in the user's area the list opens it directly
    ("control:checkpoints", _row(OTHER, anon=LOGIN, other_handler=200, field_staff=200)),
    ("control:service_worker", _row(200)),
    ("control:checkpoint", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("control:bundle", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("control:sync", _row(405, anon=LOGIN)),
    ("control:vehicle", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    # --- sampling ---
    ("sampling:rounds", _row(200, anon=LOGIN)),
    ("sampling:round", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("sampling:village", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("sampling:results", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    # the town office sees the round but does not swab; field staff off its sites do not see it
    ("sampling:samples", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=403)),
    ("sampling:samples_template", _row(404, anon=LOGIN, supervisor=200, admin=200, handler=200)),
    ("sampling:round_action", _row(405, anon=LOGIN)),
    ("sampling:register", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("sampling:close_tube", _row(405, anon=LOGIN)),
    # --- care ---
    ("care:requests", _row(200, anon=LOGIN, field_staff=OTHER)),
    ("care:from-order", _row(405, anon=LOGIN)),
    ("care:new", _row(403, anon=LOGIN, handler=200, other_handler=200)),
    ("care:route", _row(403, anon=LOGIN, field_staff=200)),
    ("care:plan", _row(403, anon=LOGIN, handler=200, other_handler=200)),
    ("care:stock", _row(403, anon=LOGIN, handler=200, other_handler=200)),
    ("care:request", _row(404, anon=LOGIN, **CENTER, handler=200)),
    ("care:reveal", _row(405, anon=LOGIN)),
    ("care:add-task", _row(405, anon=LOGIN)),
    ("care:cancel", _row(405, anon=LOGIN)),
    ("care:photo", _row(404, anon=LOGIN)),
    ("care:task-action", _row(405, anon=LOGIN)),
    # --- screening ---
    ("screening:ledger", _row(403, anon=LOGIN, handler=200, other_handler=200)),
    ("screening:add-person", _row(405, anon=LOGIN)),
    ("screening:remove-person", _row(405, anon=LOGIN)),
    ("screening:setup", _row(405, anon=LOGIN)),
    ("screening:ledger-export", _row(404, anon=LOGIN, handler=200)),
    # the town form is filled by both towns: each its own report
    ("screening:report", _row(403, anon=LOGIN, handler=200, other_handler=200)),
    ("screening:review", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("screening:review-export", _row(404, anon=LOGIN, supervisor=200, admin=200)),
    ("screening:decide", _row(405, anon=LOGIN)),
    # --- reserve ---
    ("reserve:book", _row(200)),
    ("reserve:apply", _row(200)),
    ("reserve:gate", _row(403, anon=LOGIN, supervisor=200, admin=200, field_staff=200)),
    ("reserve:passage", _row(405, anon=LOGIN)),
    ("reserve:reveal", _row(405, anon=LOGIN)),
    ("reserve:manage", _row(403, anon=LOGIN, supervisor=200, admin=200)),
    ("reserve:suspend", _row(405, anon=LOGIN)),
    ("reserve:end_suspension", _row(405, anon=LOGIN)),
    ("reserve:decide", _row(405, anon=LOGIN)),
    ("reserve:duty", _row(405, anon=LOGIN)),
    ("reserve:map", _row(403, anon=LOGIN, supervisor=200, admin=200, field_staff=200)),
    ("reserve:incident", _row(403, anon=LOGIN, supervisor=200, admin=200, field_staff=200)),
    ("reserve:on_site", _row(405, anon=LOGIN)),
    ("reserve:resolve", _row(405, anon=LOGIN)),
    ("reserve:link", _row(405, anon=LOGIN)),
    ("reserve:photo", _row(403, anon=LOGIN, supervisor=404, admin=404, field_staff=404)),
    # --- field apps' API reads ---
    ("GET /api/v1/stats/board", _row(200, anon=401, agent=403, volunteer=403, field_staff=403)),
    ("GET /api/v1/stats/league", _row(200, anon=401, agent=403, volunteer=403, field_staff=403)),
    ("GET /api/v1/stats/report", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/stats/tables/{table}", _row(422, anon=401)),
    ("GET /api/v1/stats/history", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/workforce/on-shift", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/workforce/staffing", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/workforce/people", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/workforce/teams", _row(200, anon=401, handler=403, other_handler=403)),
    (
        "GET /api/v1/control/test-results/{id_hash}/validity",
        _row(422, anon=401, agent=403, volunteer=403, supervisor=403),
    ),
    (
        "GET /api/v1/control/checkpoints/{code}/bundle",
        _row(404, anon=401, supervisor=200, admin=200, handler=200),
    ),
    # the round's table is the city's; a town's handler reads its villages one by one
    (
        "GET /api/v1/sampling/rounds/{pk}/coverage",
        _row(404, anon=401, supervisor=200, admin=200, handler=403),
    ),
    (
        "GET /api/v1/sampling/rounds/{pk}/coverage/{code}",
        _row(404, anon=401, supervisor=200, admin=200, handler=200),
    ),
    ("GET /api/v1/care/requests", _row(200, anon=401)),
    ("GET /api/v1/care/requests/{pk}", _row(404, anon=401, **CENTER, handler=200)),
    ("GET /api/v1/screening/ledger/{day}", _row(404, anon=401, handler=200)),
    ("GET /api/v1/screening/rollup/{code}/{day}", _row(403, anon=401, supervisor=200, admin=200)),
    ("GET /api/v1/reserve/availability", _row(200)),  # public
    ("GET /api/v1/reserve/gate/check", _row(422, anon=401)),
    ("GET /api/v1/reserve/inside", _row(403, anon=401, supervisor=200, admin=200, field_staff=200)),
    ("GET /api/v1/fire/incidents", _row(403, anon=401, supervisor=200, admin=200, field_staff=200)),
    (
        "GET /api/v1/fire/incidents/{number}",
        _row(403, anon=401, supervisor=200, admin=200, field_staff=200),
    ),
    # --- public writes: a visitor's booking or exception request, a machine signal checked by
    # its signature (an empty body is refused as invalid, not as unauthenticated) ---
    ("POST /api/v1/reserve/bookings", _row(SKIP, anon=422)),
    ("POST /api/v1/reserve/exceptions", _row(SKIP, anon=422)),
    ("POST /api/v1/fire/signals", _row(SKIP, anon=422)),
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
    "GET /api/v1/reserve/availability": {"date": "2022-11-06"},
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


#: Which object of ``world`` each path parameter of a URL names (first matching pattern wins);
#: a parameter no row names takes ``world``'s value of that name (``number``: the order;
#: ``key``: the article; ``day``: today), else ``MISSING``. The field apps' objects belong to
#: 公馆镇 where the app is divided by unit, so ``handler`` sees its own unit's object and
#: ``other_handler`` another unit's.
PARAMS: list[tuple[str, dict[str, str]]] = [
    # care: a request of 公馆镇 made from a help order, and its first delivery task
    ("care:photo", {"pk": "care_task"}),
    ("care:task-action", {"pk": "care_task", "action": "start"}),
    ("care:*", {"pk": "care_request"}),
    ("* /api/v1/care/tasks/{pk}/*", {"pk": "care_task"}),
    ("* /api/v1/care/requests/{pk}*", {"pk": "care_request"}),
    # control: a household of a 公馆镇 village, a checkpoint there
    ("control:household", {"pk": "household"}),
    ("control:issue_*", {"pk": "household"}),
    ("control:appeal", {"pk": "hc_appeal"}),
    ("* /api/v1/control/appeals/{appeal_id}/*", {"appeal_id": "hc_appeal"}),
    ("control:checkpoint", {"code": "checkpoint"}),
    ("control:bundle", {"code": "checkpoint"}),
    ("control:sync", {"code": "checkpoint"}),
    ("control:vehicle", {"code": "checkpoint"}),
    ("* /api/v1/control/checkpoints/{code}/*", {"code": "checkpoint"}),
    # sampling: a round over 公馆镇, one of its villages, a site there
    ("sampling:register", {"pk": "sampling_site"}),
    ("sampling:village", {"pk": "sampling_round", "code": "sampling_village"}),
    ("sampling:round*", {"pk": "sampling_round"}),
    ("sampling:results", {"pk": "sampling_round"}),
    ("sampling:samples*", {"pk": "sampling_round"}),
    (
        "* /api/v1/sampling/rounds/{pk}/coverage/{code}",
        {"pk": "sampling_round", "code": "sampling_village"},
    ),
    ("* /api/v1/sampling/rounds/{pk}*", {"pk": "sampling_round"}),
    # screening: 公馆镇's ledger person, the town form and 公馆镇's report on it
    ("screening:remove-person", {"pk": "ledger_person"}),
    ("screening:report", {"code": "form"}),
    ("screening:review-export", {"code": "form"}),
    ("screening:decide", {"pk": "report", "action": "approve"}),
    ("* /api/v1/screening/forms/{code}/{day}", {"code": "form"}),
    ("* /api/v1/screening/reports/{pk}/*", {"pk": "report"}),
    ("* /api/v1/screening/rollup/{code}/{day}", {"code": "form"}),
    # workforce: a person, a team, a course (not divided by unit: the center's)
    ("workforce:person*", {"pk": "person"}),
    ("workforce:team*", {"pk": "team"}),
    ("workforce:course", {"code": "course"}),
    ("workforce:shift-sign", {"pk": "shift", "action": "in"}),
    ("* /api/v1/workforce/shifts/{shift_id}/*", {"shift_id": "shift"}),
    # reserve: a fire incident inside the reserve (the reserve is not divided by unit)
    ("reserve:incident", {"number": "incident"}),
    ("* /api/v1/fire/incidents/{number}*", {"number": "incident"}),
    # intake: a supervisor's import job; stats: a table of the board
    ("intake:import_*", {"job_id": "import_job"}),
    ("stats:export", {"table": "stats_table", "fmt": "csv"}),
]

#: The value of any other path parameter: an object that does not exist. A role that may open
#: the page then gets 404 and a role that may not gets 403 (or 404 where the app hides that the
#: object exists at all) — both are declared in the rows.
MISSING = "0"


def _objects_for(key: str, objects: dict) -> dict:
    """The path parameters' values for the URL ``key`` (a page name or "METHOD /path")."""
    for pattern, params in PARAMS:
        if fnmatch.fnmatchcase(key, pattern):
            return {**objects, **{p: objects.get(o, o) for p, o in params.items()}}
    return objects


def _fill(route: str, objects: dict) -> str:
    def value(name: str) -> str:
        return str(objects.get(name, MISSING))

    # regex routes (Open311's ``services/(?P<code>…)\.(?P<fmt>json|xml)``)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route)
    route = route.replace("\\.", ".")
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
    objects = {"number": order.number, "key": article.key, "action": "accept", "fmt": "json"}
    objects.update(_field_objects(people))
    return clients, objects


def _field_objects(people) -> dict:
    """One object of each field app, of 公馆镇 where the app is divided by unit, made through
    each app's own test factories (so they are in the state the workflow leaves them in)."""
    from django.utils import timezone

    from hotline.care.tests.factories import request_from_order
    from hotline.control.demo import CODE_AUTHORITY
    from hotline.control.services import file_health_code_appeal
    from hotline.control.tests import factories as control
    from hotline.geo.services import upsert_units
    from hotline.intake.models import ImportJob
    from hotline.sampling.tests.factories import VILLAGE, make_round, make_site
    from hotline.screening import services as screening
    from hotline.screening.tests.factories import GOOD, ledger_with, town_form
    from hotline.workforce.models import Team
    from hotline.workforce.tests.factories import CourseFactory, PersonFactory, shift_now

    care = request_from_order(people.agent)
    upsert_units([CODE_AUTHORITY])
    control.rule()
    household, _members = control.household(people.gongguan)
    # a resident's health-code appeal: its order goes to the code authority, not to a town
    hc_appeal = file_health_code_appeal(
        people.agent,
        id_number=control.id_number(7),
        name="陈七",
        phone="13800138007",
        colour="yellow",
        reason="明天考试，核酸已阴性",
    )
    round_ = make_round(people.supervisor)
    site = make_site(people.supervisor, round_)
    form = town_form()
    today = timezone.localdate()
    report = screening.submit_report(people.gongguan, form.code, today, GOOD)
    person = PersonFactory()
    incident = _fire_incident()
    job = ImportJob.objects.create(
        user=people.supervisor,
        channel="import",
        filename="orders.csv",
        format="csv",
        content=b"",
        created_at=timezone.now(),
    )
    return {
        "care_request": care.pk,
        "care_task": care.tasks.first().pk,
        "household": household.pk,
        "hc_appeal": hc_appeal.pk,
        "checkpoint": control.checkpoint().code,
        "sampling_round": round_.pk,
        "sampling_site": site.pk,
        "sampling_village": VILLAGE,
        "ledger_person": ledger_with(people.gongguan)[0].pk,
        "form": form.code,
        "report": report.pk,
        "day": today.isoformat(),
        "person": person.pk,
        "team": Team.objects.create(name="应急突击队", created_at=timezone.now()).pk,
        "course": CourseFactory().code,
        "shift": shift_now(person).pk,
        "import_job": job.pk,
        "stats_table": "towns",
        "incident": incident.number,
    }


def _fire_incident():
    """A camera's fire signal inside the reserve, which opens an incident (as the reserve's own
    tests do, with the reserve's places, sources and order kind set up first)."""
    import importlib

    from django.apps import apps as django_apps
    from django.utils import timezone

    from hotline.orders.cache import clear_all
    from hotline.reserve import demo, services
    from hotline.reserve.models import SignalSource
    from hotline.reserve.tests.factories import INSIDE

    migration = importlib.import_module("hotline.reserve.migrations.0002_fire_order_kind")
    migration.Migration.operations[0].code(django_apps, None)
    demo.ensure_station_unit()
    demo.ensure_places()
    clear_all()
    camera = SignalSource.objects.get(code="cam-datianding-01")
    signal, _ = services.receive_signal(
        camera, services.SignalIn("matrix-1", timezone.now(), *INSIDE, {"frame": 1})
    )
    return signal.incident


def test_every_url_answers_every_role_as_declared(world):
    clients, objects = world
    undeclared, wrong = [], []
    checks = [(name, route, "GET", name) for name, route in _pages()]
    checks += [(f"{m} {p}", p, m, f"{m} {p}") for m, p in _operations()]
    for key, route, method, shown in checks:
        if _expected(key, "anon") is None:
            undeclared.append(shown)
            continue
        url = _fill(route, _objects_for(key, objects))
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


def test_a_handler_never_sees_another_units_care_request_or_stats(people, token_client):
    """The field apps' lists, counts and exports: 公馆镇's care request and its order are in
    the city's figures and 公馆镇's, never in another town's."""
    from django.utils import timezone

    from hotline.care.tests.factories import request_from_order
    from hotline.orders import events

    mine = request_from_order(people.agent)  # 公馆镇's
    events.deliver_all()  # the stats' counts are kept by the order events' handlers
    day = {"start": timezone.localdate().isoformat()}

    def seen_by(user) -> dict:
        c = Client()
        c.force_login(user)
        board = token_client(user).get("/api/v1/stats/board", day).json()
        care = token_client(user).get("/api/v1/care/requests").json()
        return {
            "care_api": mine.pk in {r["id"] for r in care},
            "care_page": f"/care/{mine.pk}/" in c.get("/care/").content.decode(),
            "care_request": c.get(f"/care/{mine.pk}/").status_code,
            "board_total": board["total"],
            "board_town": "440902101" in {t["code"] for t in board["towns"]},
            "export": "公馆镇" in c.get("/stats/export/towns.csv", day).content.decode("utf-8-sig"),
        }  # fmt: skip

    city = seen_by(people.supervisor)
    assert city == {
        "care_api": True, "care_page": True, "care_request": 200, "board_total": 1,
        "board_town": True, "export": True,
    }, city  # fmt: skip
    assert seen_by(people.gongguan)["care_api"] and seen_by(people.gongguan)["care_page"]
    other = seen_by(people.other_town)
    assert other == {
        "care_api": False, "care_page": False, "care_request": 404, "board_total": 0,
        "board_town": False, "export": False,
    }, other  # fmt: skip
