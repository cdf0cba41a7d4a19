import pytest

from hotline.orders.cache import clear_all


@pytest.fixture
def city(people):
    """The demo city with one user per role and the order caches cleared (kinds are read from
    the table the sampling migration filled)."""
    clear_all()
    return people


@pytest.fixture
def staff(make_user):
    return make_user("field_staff", None, "swabber")
