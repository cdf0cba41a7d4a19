"""Fixtures of the reserve tests: the demo city with the reserve's unit, places and sources,
the reserve.fire kind registered, and one user per reserve role."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from hotline.accounts.roles import Role


@pytest.fixture
def reserve(demo_city):
    from hotline.orders.cache import clear_all
    from hotline.reserve import demo

    migration = importlib.import_module("hotline.reserve.migrations.0002_fire_order_kind")
    # The kind's rows as the migration writes them (a flushed database has lost them).
    migration.Migration.operations[0].code(django_apps, None)
    demo.ensure_station_unit()
    demo.ensure_places()
    clear_all()


@pytest.fixture
def staff(reserve, make_user):
    class Staff:
        manager = make_user(Role.SUPERVISOR, "center", "r_manager")
        ranger = make_user(Role.FIELD_STAFF, None, "r_ranger")
        station = make_user(Role.UNIT_HANDLER, "reserve-yunkai", "r_station")
        agent = make_user(Role.AGENT, "center", "r_agent")
        town = make_user(Role.UNIT_HANDLER, "440902101", "r_town")

    return Staff
