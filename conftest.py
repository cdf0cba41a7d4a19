"""Fixtures shared by every app's tests.

The database follows DATABASE_URL (SQLite by default, PostgreSQL in the second run of
`make test`). The one global setting made here is ``string_if_invalid`` for templates, so that
a missing variable shows up in tests instead of silently in production.
"""

from __future__ import annotations

import io
import os

import pytest

_CITY_SNAPSHOT: dict[str, list[dict]] = {}

#: What a template prints for a variable it cannot resolve, in tests only (production prints
#: nothing). Pages that print it have a lookup on a missing object; tests that render pages
#: assert it is absent (see ``assert_no_invalid_variables``).
INVALID_VARIABLE = "!!INVALID:%s!!"


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    from django.conf import settings

    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = INVALID_VARIABLE


#: Fixtures through which a test can reach the test database (pytest-django blocks every other
#: test's queries).
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)
_ENGINE_INDEPENDENT: list = []


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, leave out the tests that cannot reach the database.

    pytest-django refuses queries from a test that neither has the ``django_db`` mark nor asks
    for a database fixture, so such a test gives the same result on either engine (those that
    start a ``hotline`` process give it their own SQLite data directory); the SQLite pass of
    `make test` runs them. The pure tests (triage, tokeniser, parsers, Erlang, the CLI on its
    own SQLite) thus run once instead of twice, and none is lost.
    """
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    keep = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & _DATABASE_FIXTURES:
            keep.append(item)
        else:
            _ENGINE_INDEPENDENT.append(item)
    if _ENGINE_INDEPENDENT:
        config.hook.pytest_deselected(items=_ENGINE_INDEPENDENT)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if _ENGINE_INDEPENDENT:
        terminalreporter.write_line(
            f"PostgreSQL pass: {len(_ENGINE_INDEPENDENT)} tests that never reach the database "
            "were left out (the SQLite pass runs them)."
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """A run with browser tests keeps its SQLite test database in a file, as the product does.

    Django's default SQLite test database lives in memory with a shared cache, and there a
    reader does not wait for a writer: it fails at once with "database table is locked". The
    live server answers each request in its own thread and some pages start background work
    (the intake file import), so a page read could fail while that work wrote — a failure no
    server with a file database (WAL: readers never wait) can have. A file in the run's data
    directory gives the browser tests the product's locking: WAL, the busy timeout and the
    write queue of ``hotline.common.sqlite_backend``.
    """
    from django.conf import settings
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        return
    if not any(item.get_closest_marker("browser") for item in request.session.items):
        return
    name = settings.DATA_DIR / "test-browser.sqlite3"
    # Django replaces an earlier run's file but not its WAL, which SQLite would replay into the
    # new file.
    for leftover in ("-wal", "-shm"):
        name.with_name(name.name + leftover).unlink(missing_ok=True)
    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = str(name)


def assert_no_invalid_variables(response_or_text) -> None:
    """Fail if a rendered page printed an unresolved template variable."""
    text = getattr(response_or_text, "content", response_or_text)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    marker = INVALID_VARIABLE.split("%s")[0]
    assert marker not in text, "unresolved template variable: " + text[text.index(marker) :][:120]


@pytest.fixture
def demo_city(db):
    """The Maoming divisions, handling units and role groups (no demo users).

    Loaded from the bundled files once per session, then copied in with two bulk inserts: the
    file load takes ~1–2 s, which over hundreds of tests would dominate the run.
    """
    from hotline.accounts.services import ensure_groups
    from hotline.geo import demo
    from hotline.geo.models import Division, HandlingUnit

    if not _CITY_SNAPSHOT:
        demo.load(io.StringIO())
        _CITY_SNAPSHOT["divisions"] = list(Division.objects.values())
        _CITY_SNAPSHOT["units"] = list(HandlingUnit.objects.values())
    elif not HandlingUnit.objects.exists():
        # Foreign keys are checked at commit (deferred) on SQLite and PostgreSQL alike.
        Division.objects.bulk_create([Division(**r) for r in _CITY_SNAPSHOT["divisions"]])
        HandlingUnit.objects.bulk_create([HandlingUnit(**r) for r in _CITY_SNAPSHOT["units"]])
    ensure_groups()


@pytest.fixture
def make_user(db):
    """make_user(role, unit_code=None, username=None) -> a user with that role."""
    from hotline.accounts.services import create_user

    counter = {"n": 0}

    def make(role: str, unit_code: str | None = None, username: str | None = None):
        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        return create_user(name, role=role, unit_code=unit_code, password="Pw-for-tests-42")

    return make


@pytest.fixture
def people(demo_city, make_user):
    """One user per role; unit handlers of 公馆镇, 茂南区疫情防控办, another town (新坡镇), the
    health commission and 茂南区 government."""
    from hotline.accounts.roles import Role

    class People:
        agent = make_user(Role.AGENT, "center", "agent")
        volunteer = make_user(Role.VOLUNTEER_AGENT, "center", "volunteer")
        supervisor = make_user(Role.SUPERVISOR, "center", "supervisor")
        admin = make_user(Role.ADMIN, None, "admin")
        gongguan = make_user(Role.UNIT_HANDLER, "440902101", "gongguan")
        maonan_epi = make_user(Role.UNIT_HANDLER, "440902-epi", "maonan_epi")
        other_town = make_user(Role.UNIT_HANDLER, "440902102", "other_town")
        health = make_user(Role.UNIT_HANDLER, "dept-health", "health")
        maonan_gov = make_user(Role.UNIT_HANDLER, "440902-gov", "maonan_gov")

    return People


@pytest.fixture
def token_client(client):
    """token_client(user) -> a Django test client that sends a bearer token for ``user``."""
    from django.test import Client

    from hotline.accounts.services import create_token

    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {create_token(user)}"})

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_table_caches():
    """Every test starts with empty per-process caches (clock policies, routing rules, units,
    the console's index of recent orders): ids differ between tests on PostgreSQL, where
    sequences are not reset."""
    from django.apps import apps

    if not apps.is_installed("hotline.orders"):
        yield
        return
    from hotline.accounts.services import forget_tokens
    from hotline.console.queries import clear_repeat_index
    from hotline.orders.cache import clear_all

    clear_all()
    clear_repeat_index()
    forget_tokens()
    yield
    clear_all()
    clear_repeat_index()
    forget_tokens()


@pytest.fixture
def openapi_schema(db):
    """openapi_schema(tag) -> a schemathesis schema of the API operations with that tag (every
    operation with ``tag=None``), called in-process through WSGI inside the test's transaction
    (for the "never a 500" fuzz tests)."""
    schemathesis = pytest.importorskip("schemathesis")
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from hotline.config.wsgi import application

    # Like Django's test client: keep the test's database connection (and its transaction)
    # open across the WSGI requests, instead of closing it at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:

        def load(tag: str | None):
            schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
            return schema if tag is None else schema.include(tag=tag)

        yield load
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
