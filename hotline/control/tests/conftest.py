import datetime as dt

import pytest

from . import factories

#: 7 Nov 2022, 09:00 in Maoming: inside the notice's period.
MORNING = dt.datetime(2022, 11, 7, 9, 0, tzinfo=factories.TZ)


@pytest.fixture
def morning():
    return MORNING


@pytest.fixture
def kinds(demo_city):
    """The migration's order kinds (the test DB has them) plus the code-authority unit."""
    from hotline.control.demo import CODE_AUTHORITY
    from hotline.geo.services import upsert_units

    upsert_units([CODE_AUTHORITY])


@pytest.fixture
def gate(demo_city, make_user):
    """A field worker of 公馆镇 (covers its villages)."""
    return make_user("field_staff", factories.TOWN, "gate")


@pytest.fixture
def setup(gate):
    factories.rule()
    point = factories.checkpoint()
    return point
