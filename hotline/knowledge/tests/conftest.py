"""Fixtures of the knowledge tests: the policy team, an agent, the demo articles."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hotline.accounts.roles import Role
from hotline.knowledge import search


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test starts without an in-memory index (the stamp is checked anyway)."""
    search.reset()
    yield
    search.reset()


@pytest.fixture
def people(db, make_user):
    """The policy team (two supervisors and an admin), agents and a unit handler. Two units
    only: the whole demo city takes a second to load and nothing here needs it."""
    from hotline.accounts.services import ensure_groups
    from hotline.geo.models import HandlingUnit

    ensure_groups()
    HandlingUnit.objects.get_or_create(
        code="center", defaults={"name": "市12345热线中心", "kind": "hotline_center"}
    )
    HandlingUnit.objects.get_or_create(
        code="dept-health", defaults={"name": "市卫生健康局", "kind": "department"}
    )
    return SimpleNamespace(
        author=make_user(Role.SUPERVISOR, unit_code="center", username="author"),
        reviewer=make_user(Role.SUPERVISOR, unit_code="center", username="reviewer"),
        admin=make_user(Role.ADMIN, username="kbadmin"),
        agent=make_user(Role.AGENT, unit_code="center", username="agent"),
        volunteer=make_user(Role.VOLUNTEER_AGENT, unit_code="center", username="volunteer"),
        handler=make_user(Role.UNIT_HANDLER, unit_code="dept-health", username="handler"),
    )


@pytest.fixture
def demo_articles(db):
    """The demo knowledge base, imported as ``hotline kb import`` does."""
    from hotline.knowledge.evaluation import DEMO_ARTICLES
    from hotline.knowledge.importer import import_file

    return import_file(DEMO_ARTICLES)
