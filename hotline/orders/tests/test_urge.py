"""催办: a repeat call about an open order goes onto that order and may raise it, never lower it."""

import datetime as dt

import pytest

from hotline.orders import services
from hotline.orders.choices import EventCode, Status
from hotline.orders.errors import OrderError
from hotline.orders.models import Notification
from hotline.orders.replay import replay, state_of

from .factories import T0, receive

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)


def test_worse_news_raises_the_order_and_shortens_its_clocks(people):
    order = receive(people.agent, urgency="urgent")
    assert order.status == Status.DISPATCHED
    before_accept = order.accept_deadline
    later = T0 + 10 * MIN
    services.urge(people.agent, order, text="老人昏过去了", urgency="critical", now=later)
    order.refresh_from_db()
    assert order.urgency == "critical"
    assert order.accept_deadline < before_accept
    assert order.accept_deadline <= later + dt.timedelta(minutes=30)
    event = order.events.get(code=EventCode.URGED)
    assert event.payload["urgency_before"] == "urgent" and event.payload["urgency"] == "critical"
    recipients = set(
        Notification.objects.filter(order=order, event_code=EventCode.URGED).values_list(
            "recipient", flat=True
        )
    )
    assert len(recipients) == 2  # the unit's duty phone and the center's
    assert replay(order.events.order_by("id")) == state_of(order)


def test_milder_words_never_lower_the_order(people):
    order = receive(people.agent, urgency="critical")
    deadline = order.accept_deadline
    services.urge(people.agent, order, text="还没人来，麻烦快点", urgency="normal", now=T0 + MIN)
    order.refresh_from_db()
    assert order.urgency == "critical" and order.accept_deadline == deadline
    assert "urgency_before" not in order.events.get(code=EventCode.URGED).payload


def test_urge_is_for_the_center_and_open_orders_with_words(people):
    order = receive(people.agent)
    with pytest.raises(OrderError) as err:
        services.urge(people.gongguan, order, text="再催一下")
    assert err.value.status == 403
    with pytest.raises(OrderError):
        services.urge(people.agent, order, text="  ")
    services.accept(people.gongguan, order)
    services.resolve(people.gongguan, order, reply="已送米上门。")
    with pytest.raises(OrderError) as err:
        services.urge(people.agent, order, text="又没米了")
    assert err.value.code == "invalid_state"
