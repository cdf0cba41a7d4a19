"""Model invariants and manager verbs."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from hotline.orders.choices import Status
from hotline.orders.models import Order

from .factories import T0, OrderRowFactory, receive

H = dt.timedelta(hours=1)


def test_open_and_overdue_verbs(people):
    unit = people.gongguan.hotline_profile.unit
    fresh = OrderRowFactory(handling_unit=unit, accept_deadline=T0 + H)
    late_accept = OrderRowFactory(handling_unit=unit, accept_deadline=T0 - H)
    late_resolve = OrderRowFactory(
        status="accepted", accept_deadline=T0 - H, resolve_deadline=T0 - H
    )
    accepted_ok = OrderRowFactory(status="accepted", accept_deadline=T0 - H)
    closed = OrderRowFactory(status="closed", resolve_deadline=T0 - H)
    assert set(Order.objects.open()) == {fresh, late_accept, late_resolve, accepted_ok}
    assert set(Order.objects.overdue(T0)) == {late_accept, late_resolve}
    assert late_accept.is_overdue(T0) and not accepted_ok.is_overdue(T0)
    assert not closed.is_open


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_running_clocks_agree_with_the_overdue_query(people, status):
    """The Python reading (pages, ``is_overdue``) and the SQL one (``overdue``) of ``CLOCKS``."""
    order = OrderRowFactory(
        status=status, accept_deadline=T0 - H, resolve_deadline=T0 + H, callback_due=T0 - H
    )
    running = {clock.name: deadline for clock, deadline in order.running_clocks()}
    expected = {
        "received": {"accept", "resolve"},
        "dispatched": {"accept", "resolve"},
        "accepted": {"resolve"},
        "resolved": {"callback"},
        "closed": set(),
    }[status]
    assert set(running) == expected
    in_sql = Order.objects.overdue(T0).filter(pk=order.pk).exists()
    assert order.is_overdue(T0) is in_sql is bool(expected - {"resolve"})


@pytest.mark.parametrize("inline", [500, 0], ids=["co-ids-inline", "co-ids-subquery"])
def test_visible_to(people, monkeypatch, inline):
    monkeypatch.setattr("hotline.orders.models.CO_IDS_INLINE", inline)
    gongguan_unit = people.gongguan.hotline_profile.unit
    health_unit = people.health.hotline_profile.unit
    mine = OrderRowFactory(handling_unit=gongguan_unit)
    co = OrderRowFactory(handling_unit=health_unit)
    co.co_units.add(gongguan_unit)
    OrderRowFactory(handling_unit=health_unit)
    assert set(Order.objects.visible_to(people.gongguan)) == {mine, co}
    assert Order.objects.visible_to(people.agent).count() == 3
    assert Order.objects.visible_to(people.other_town).count() == 0
    # Filters and counts keep to the unit's own orders whichever way the ids are read.
    assert Order.objects.for_unit(gongguan_unit.pk).filter(pk=co.pk).count() == 1
    assert set(Order.objects.for_unit(health_unit.pk).exclude(pk=co.pk)) == {
        o for o in Order.objects.filter(handling_unit=health_unit) if o != co
    }


def test_predicates(people):
    order = receive(people.agent)
    assert order.can_view(people.gongguan) and order.is_lead_handler(people.gongguan)
    assert not order.can_view(people.other_town)
    assert order.can_reveal_personal_data(people.agent)
    assert order.can_reveal_personal_data(people.gongguan)
    assert not order.can_reveal_personal_data(people.volunteer)


def test_idempotency_key_unique_per_client(people):
    OrderRowFactory(client=people.agent, idempotency_key="k")
    OrderRowFactory(client=people.supervisor, idempotency_key="k")
    OrderRowFactory(client=people.agent, idempotency_key=None)
    OrderRowFactory(client=people.agent, idempotency_key=None)
    with pytest.raises(IntegrityError):
        OrderRowFactory(client=people.agent, idempotency_key="k")


def test_clean_rejects_unknown_vulnerable_flags(db):
    with pytest.raises(ValidationError):
        Order(vulnerable=["martian"]).clean()


def test_str(people):
    order = receive(people.agent)
    assert str(order) == order.number
    assert str(order.events.first()).startswith("orders.order.received")
