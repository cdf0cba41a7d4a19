"""Fixtures of the page tests: a way to register an order (``people`` is in the root conftest)."""

from __future__ import annotations

import pytest


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
