"""Fixtures of the page tests: one user per role and a way to register an order."""

from __future__ import annotations

import pytest

from hotline.accounts.roles import Role


@pytest.fixture
def people(demo_city, make_user):
    class People:
        agent = make_user(Role.AGENT, "center", "agent")
        volunteer = make_user(Role.VOLUNTEER_AGENT, "center", "volunteer")
        supervisor = make_user(Role.SUPERVISOR, "center", "supervisor")
        gongguan = make_user(Role.UNIT_HANDLER, "440902101", "gongguan")
        other_town = make_user(Role.UNIT_HANDLER, "440902102", "xinpo")

    return People


@pytest.fixture
def register(people):
    """register(**fields) -> an order received by the agent (explicit fields skip triage)."""
    from hotline.orders import services

    def make(**fields):
        values = {
            "channel": "phone",
            "description": "公馆镇圩镇路灯坏了一个星期，晚上很黑，希望尽快修。",
            "caller_name": "王小明",
            "caller_phone": "13812345678",
            "appeal_type": "help",
            "category": "living",
            "urgency": "normal",
            "vulnerable": [],
            "town_code": "440902101",
        }
        values.update(fields)
        return services.receive(people.agent, **values).order

    return make
