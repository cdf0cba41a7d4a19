"""Fixtures of the intake tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def city(demo_city, people):
    return people


@pytest.fixture
def api_key(city):
    """A raw ApiToken of a machine account with no center role (an Open311 client)."""
    from hotline.accounts.roles import Role
    from hotline.accounts.services import create_token, create_user

    user = create_user("fixmystreet", role=Role.FIELD_STAFF)
    return create_token(user, name="open311")


@pytest.fixture
def outbox_code():
    """outbox_code(phone) -> the last verification code queued in the outbox for ``phone``."""
    import re

    from hotline.orders.models import Notification

    def read(phone: str) -> str:
        note = Notification.objects.filter(recipient=phone).order_by("-pk").first()
        return re.search(r"验证码是 (\d{6})", note.text).group(1)

    return read


# The concurrency tests are transactional: on PostgreSQL their flush removes the clock matrix
# and routing table the orders migration seeded; the orders tests' fixture puts them back.
from hotline.orders.tests.conftest import default_policies_and_rules  # noqa: E402, F401
