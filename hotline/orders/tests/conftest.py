"""Fixtures of the orders tests: a frozen clock (T0), API clients, articles to cite.

``demo_city`` and ``people`` (one user per role) are in the root conftest."""

from __future__ import annotations

import pytest

from .factories import T0


@pytest.fixture
def t0():
    return T0


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
