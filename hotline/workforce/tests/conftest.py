"""Fixtures of the workforce tests: the people of the root ``people`` fixture registered as
workforce persons (``staff``)."""

from __future__ import annotations

import pytest

from .factories import PersonFactory


@pytest.fixture
def staff(people):
    """people + Person rows for the agent, the volunteer and the supervisor."""

    class Staff:
        agent = PersonFactory(user=people.agent, name="陈晓", kind="staff")
        volunteer = PersonFactory(user=people.volunteer, name="黄立", kind="volunteer")
        supervisor = PersonFactory(user=people.supervisor, name="李敏", kind="staff")

    Staff.people = people
    return Staff
