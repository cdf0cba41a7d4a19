"""Fixtures of the orders tests: the demo city, one user per role, a frozen clock (T0)."""

from __future__ import annotations

import io

import pytest

from hotline.accounts.roles import Role

from .factories import T0

_CITY_SNAPSHOT: dict[str, list[dict]] = {}


@pytest.fixture
def demo_city(db):
    """The root fixture's Maoming city, loaded from CSV once per session and then copied in
    with bulk inserts (the CSV load takes ~2 s, which over 200 tests would dominate the run)."""
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
def t0():
    return T0


@pytest.fixture
def people(demo_city, make_user):
    """One user per role; unit handlers of 公馆镇, 茂南区疫情防控办, another town, and health."""

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
def api_as(token_client):
    """api_as(user) -> a client sending that user's bearer token."""
    cache = {}

    def make(user):
        if user.pk not in cache:
            cache[user.pk] = token_client(user)
        return cache[user.pk]

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users get real passwords; hashing them with PBKDF2 would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_policies_and_rules(request):
    """Re-seed the clock matrix and routing table when a transactional test (PostgreSQL
    concurrency) has flushed the rows the data migration put there."""
    if "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")  # autouse runs first: open the database now
    from importlib import import_module

    from django.apps import apps

    from hotline.orders.models import RoutingRule

    if not RoutingRule.objects.exists():
        import_module("hotline.orders.migrations.0002_default_policies_and_rules").seed(apps, None)


@pytest.fixture
def kb_article(people):
    """publish(key) -> a published knowledge-base article an answer may cite."""
    from hotline.knowledge.tests.factories import published

    def publish(key: str):
        return published(people.supervisor, people.admin, key)

    return publish
