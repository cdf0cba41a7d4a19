"""The two additions to the orders seam this app needed: check_appeal and a resident's
rating through record_callback."""

from __future__ import annotations

import pytest

from hotline.orders import services
from hotline.orders.errors import OrderError
from hotline.orders.models import Order
from hotline.orders.tests.factories import receive

pytestmark = pytest.mark.django_db


def test_check_appeal_accepts_a_good_appeal_and_writes_nothing(city):
    services.check_appeal(
        city.agent,
        services.Appeal(channel="phone", description="停水了", town_code="440902101"),
    )
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"description": " "}, "description_required"),
        ({"channel": "fax"}, "unknown_channel"),
        ({"category": "weather"}, "unknown_code"),
        ({"vulnerable": ["giant"]}, "unknown_code"),
        ({"town_code": "440902999"}, "unknown_division"),
        ({"town_code": "440902101", "district_code": "440904"}, "division_mismatch"),
        ({"kind": "nope.kind"}, "unknown_kind"),
        ({"latitude": 21.6}, "coordinates_incomplete"),
    ],
)
def test_check_appeal_refuses_what_receive_refuses(city, fields, code):
    appeal = services.Appeal(**{"channel": "phone", "description": "停水了", **fields})
    with pytest.raises(OrderError) as exc:
        services.check_appeal(city.agent, appeal)
    assert exc.value.code == code
    with pytest.raises(OrderError) as same:
        services.receive(city.agent, appeal)
    assert same.value.code == code


def test_check_appeal_refuses_a_unit_handler_without_source(city):
    with pytest.raises(OrderError) as exc:
        services.check_appeal(city.gongguan, services.Appeal(channel="phone", description="停水了"))
    assert exc.value.status == 403


def test_resident_rating_only_by_the_system_user(city):
    from .factories import resolved

    order = resolved(receive(city.agent, now=None), city)
    with pytest.raises(OrderError) as exc:
        services.record_callback(city.agent, order, satisfaction="satisfied", by_resident=True)
    assert exc.value.code == "resident_rating_by_system_only"
    done = services.record_callback(
        services.system_actor(), order, satisfaction="satisfied", by_resident=True
    )
    assert done.status == "closed"
    with pytest.raises(OrderError) as refused:
        services.record_callback(services.system_actor(), order, satisfaction="satisfied")
    assert refused.value.code == "center_only"
