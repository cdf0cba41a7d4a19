import pytest

from hotline.orders.cache import clear_all

from .factories import make_round, make_site


@pytest.fixture
def city(people):
    """The demo city with one user per role and the order caches cleared (kinds are read from
    the table the sampling migration filled)."""
    clear_all()
    return people


@pytest.fixture
def staff(make_user):
    return make_user("field_staff", None, "swabber")


@pytest.fixture
def rnd(city):
    """A round over 公馆镇 begun an hour ago, every village low risk."""
    return make_round(city.supervisor)


@pytest.fixture
def site(city, rnd, staff):
    """A site of 河之口村 in ``rnd`` with ``staff`` on its team."""
    return make_site(city.supervisor, rnd, staff=[staff])
