"""The example app end to end: create through the seam, follow through the subscription."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps as django_apps

from hotline.orders import events, services
from hotline.orders.cache import clear_all
from hotline.orders.choices import Status
from hotline.orders.models import SubscriberCursor
from hotline.orders.queries import orders_for_source

from . import lamps

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp_app(demo_city):
    lamps.KIND.code(django_apps, None)
    clear_all()
    lamps.install()
    yield lamps
    lamps.uninstall()


def test_outage_becomes_an_order_of_its_kind_and_repair_is_followed(lamp_app):
    received = lamp_app.report_outage("L-0042", "440902101")
    order = received.order
    assert received.created
    assert (order.kind, order.source_app, order.source_type, order.source_id) == (
        "lamps.outage",
        "lamps",
        "lamp",
        "L-0042",
    )
    assert order.category == "living" and order.appeal_type == "report"
    assert order.handling_unit.code == "dept-water"  # the kind's own rule
    assert order.accept_deadline - order.received_at == dt.timedelta(hours=2)
    assert list(orders_for_source(services.Source("lamps", "lamp", "L-0042"))) == [order]
    # the same signal again: the same order
    assert lamp_app.report_outage("L-0042", "440902101").order == order

    events.deliver(names=[lamps.SUBSCRIBER])
    assert lamps.REPAIRED == {}  # nothing resolved yet

    # the lamp crew closes the job in the app; the app reports its order done
    crew = services.system_actor()
    services.source_done(services.Source("lamps", "lamp", "L-0042"), "已更换灯泡", crew)
    order.refresh_from_db()
    assert order.status == Status.RESOLVED

    events.deliver(names=[lamps.SUBSCRIBER])
    assert list(lamps.REPAIRED) == ["L-0042"]
    calls = len(lamps.CALLS)

    # a replay from the start calls the handler again and changes nothing
    events.replay(lamps.SUBSCRIBER)
    events.deliver_all(names=[lamps.SUBSCRIBER])
    assert len(lamps.CALLS) == 2 * calls
    assert list(lamps.REPAIRED) == ["L-0042"]
    cursor = SubscriberCursor.objects.get(name=lamps.SUBSCRIBER)
    assert cursor.position >= lamps.REPAIRED["L-0042"]
