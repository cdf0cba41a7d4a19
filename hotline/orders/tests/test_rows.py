"""The multi-row write path of receive (``services.rows``, ``receive_batch``): it must store
exactly what Django's ``bulk_create`` and one-by-one receives store, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from hotline.geo.models import Division, HandlingUnit
from hotline.orders import services
from hotline.orders.models import Notification, Order, OrderEvent
from hotline.orders.services.rows import RowWriter

from .factories import T0, appeal

pytestmark = pytest.mark.django_db


def _order(number: str, client, **extra) -> Order:
    """An unsaved order using every kind of column: text, JSON, floats, booleans, nullable
    datetimes, foreign keys by object and by id, model defaults left to the model."""
    fields = dict(
        number=number,
        channel="phone",
        appeal_type="help",
        category="supplies",
        urgency="urgent",
        vulnerable=["elderly", "child"],
        epidemic_related=True,
        title="封控在家缺米",
        description="封控在家，家里没有米了。“引号”和 emoji 🍚",
        caller_name="张三",
        caller_phone="13812341234",
        address="金湖小区3栋",
        district=Division.objects.get(code="440902"),
        town_id="440902101",
        latitude=21.6634,
        longitude=110.9255,
        status="dispatched",
        handling_unit=HandlingUnit.objects.get(code="440902101"),
        routing_rule="属地事项派所在镇街",
        sla_mode="normal",
        accept_deadline=T0 + dt.timedelta(minutes=30),
        resolve_deadline=dt.datetime(2022, 11, 21, 18, 0, tzinfo=dt.UTC),
        received_at=T0,
        dispatched_at=T0,
        client=client,
        idempotency_key=None,
        request_hash="a" * 64,
        kind="",
    )
    fields.update(extra)
    return Order(**fields)


def _row(model, pk, drop=("id",)) -> dict:
    row = model.objects.filter(pk=pk).values()[0]
    return {k: v for k, v in row.items() if k not in drop}


def test_row_writer_stores_what_bulk_create_stores(demo_city, people):
    by_django = _order("20221107-900001", people.agent)
    by_writer = _order("20221107-900002", people.agent)
    Order.objects.bulk_create([by_django])
    RowWriter(Order).insert_objects([by_writer])
    assert by_writer.pk and not by_writer._state.adding
    assert by_writer.pk != by_django.pk
    a, b = _row(Order, by_django.pk), _row(Order, by_writer.pk)
    assert a.pop("number") != b.pop("number")
    assert a == b
    # the model's defaults were applied (return_count 0, empty texts), not left NULL
    assert b["return_count"] == 0 and b["reply"] == "" and b["owner_assigned"] is False

    events = []
    for target in (by_django, by_writer):
        events.append(
            [
                OrderEvent(
                    order=target,
                    code="orders.order.received",
                    actor=people.agent,
                    payload={"reasons": ["“停水”→公用事业"], "n": 1.5, "ok": True, "x": None},
                    at=T0,
                ),
                OrderEvent(order=target, code="orders.order.triaged", payload={}, at=T0),
                OrderEvent(
                    order=target,
                    code="orders.order.dispatched",
                    unit=HandlingUnit.objects.get(code="440902101"),
                    payload={"unit": "440902101"},
                    at=T0 + dt.timedelta(seconds=1),
                ),
            ]
        )
    OrderEvent.objects.bulk_create(events[0])
    RowWriter(OrderEvent).insert_objects(events[1])
    # ids in the order given, as bulk_create gives them
    assert [e.pk for e in events[1]] == sorted(e.pk for e in events[1])
    drop = ("id", "order_id")
    assert [_row(OrderEvent, e.pk, drop) for e in events[0]] == [
        _row(OrderEvent, e.pk, drop) for e in events[1]
    ]

    notices = [
        Notification(
            order=target,
            event_code="orders.order.dispatched",
            recipient="0668-123",
            text="【12345】紧急工单",
            status="pending",
            next_attempt_at=T0,
            created_at=T0,
        )
        for target in (by_django, by_writer)
    ]
    Notification.objects.bulk_create(notices[:1])
    writer = RowWriter(Notification)
    writer.insert(writer.adapt_rows([writer.values(notices[1])]))
    stored = Notification.objects.filter(order=by_writer).values()[0]
    assert {k: v for k, v in stored.items() if k not in drop} == _row(
        Notification, notices[0].pk, drop
    )


def test_row_writer_skips_a_row_that_breaks_the_key_constraint(demo_city, people):
    writer = RowWriter(Order)
    first = _order("20221107-900011", people.agent, idempotency_key="dup")
    writer.insert_objects([first])
    second = _order("20221107-900012", people.agent, idempotency_key="dup")
    third = _order("20221107-900013", people.agent, idempotency_key="other")
    rows = writer.adapt_rows([writer.values(second), writer.values(third)])
    got = writer.insert(rows, returning=("number",), conflict=("client_id", "idempotency_key"))
    assert got == [("20221107-900013",)]
    assert Order.objects.filter(idempotency_key="dup").get().pk == first.pk


#: Appeals that take every branch of receive: dispatched, urgent with duty-phone notices,
#: no place (the center's queue), an urgent one for the queue (a notice to the center), a
#: person's values that differ from triage's (an override event), a village, the same text
#: twice (triaged once in a batch), no key, coordinates.
FIXTURE = [
    appeal(),
    appeal(urgency="urgent", description="老人摔倒在家，需要帮助。"),
    appeal(district_code=None, town_code=None, description="想问一下出门证怎么办理？"),
    appeal(district_code=None, town_code=None, urgency="critical", description="有人被困电梯里"),
    appeal(category="market", appeal_type="complaint", description="家里停水两天了"),
    appeal(village_code="440902101001", town_code=None, district_code=None),
    appeal(description="封控在家，家里没有米了，想问怎么买到生活物资。"),
    appeal(latitude=21.66, longitude=110.92, vulnerable=["elderly"]),
    appeal(
        caller_phone="",
        caller_name="",
        address="茂南区站南路88号",
        district_code=None,
        town_code=None,
        description="路灯坏了一个月",
    ),
]


def _stored(order: Order) -> dict:
    row = _row(Order, order.pk, drop=("id", "number", "idempotency_key"))
    events = [
        (e["code"], e["actor_id"], e["unit_id"], e["payload"], e["at"])
        for e in OrderEvent.objects.filter(order=order).order_by("id").values()
    ]
    notices = [
        (n["event_code"], n["recipient"], n["text"].replace(order.number, "N"))
        for n in Notification.objects.filter(order=order).order_by("id").values()
    ]
    return {"row": row, "events": events, "notices": notices}


def test_a_batch_stores_what_single_receives_store(demo_city, people):
    keys = [f"one-{i}" if i != 6 else "" for i in range(len(FIXTURE))]
    singles = [
        services.receive(people.agent, services.Appeal(**a, idempotency_key=k), now=T0).order
        for a, k in zip(FIXTURE, keys, strict=True)
    ]
    items = services.receive_batch(
        people.agent,
        [
            services.Appeal(**a, idempotency_key=k.replace("one", "batch"))
            for a, k in zip(FIXTURE, keys, strict=True)
        ],
        now=T0,
    )
    assert [i.status for i in items] == [201] * len(FIXTURE)
    branches = set()
    for single, item in zip(singles, items, strict=True):
        a, b = _stored(single), _stored(item.order)
        assert a == b
        assert item.order.number != single.number
        branches.update(code for code, *_ in b["events"])
        branches.add(("notices", len(b["notices"])))
    # the fixture took the branches it names
    assert {"orders.order.triage_overridden", "orders.order.dispatched"} <= {
        c for c in branches if isinstance(c, str)
    }
    assert ("notices", 2) in branches and ("notices", 1) in branches
    # what the batch handed back is what it stored
    for item in items:
        fresh = Order.objects.get(pk=item.order.pk)
        assert fresh.number == item.order.number
        assert fresh.accept_deadline == item.order.accept_deadline
        assert fresh.handling_unit_id == item.order.handling_unit_id


def test_readings_worked_out_ahead_give_the_same_orders(demo_city, people):
    appeals = [services.Appeal(**a, idempotency_key=f"r-{i}") for i, a in enumerate(FIXTURE)]
    readings = services.triage_readings(services.triage_key(a) for a in appeals)
    assert len(readings) == len({services.triage_key(a) for a in appeals})
    ahead = services.receive_batch(people.agent, appeals, now=T0, readings=readings)
    again = [services.Appeal(**a, idempotency_key=f"s-{i}") for i, a in enumerate(FIXTURE)]
    alone = services.receive_batch(people.agent, again, now=T0)
    for a, b in zip(ahead, alone, strict=True):
        assert _stored(a.order) == _stored(b.order)


def _split(order: Order) -> tuple[dict, dict]:
    """(column values by attname, related objects by name) of an unsaved order."""
    related = {
        f.name: getattr(order, f.name)
        for f in Order._meta.concrete_fields
        if f.many_to_one and f.name in order._state.fields_cache
    }
    values = {
        f.attname: getattr(order, f.attname)
        for f in Order._meta.concrete_fields
        if f.name not in related and not f.primary_key
    }
    return values, related


def _instance_state(order: Order) -> tuple:
    return (
        {k: v for k, v in order.__dict__.items() if k != "_state"},
        order._state.db,
        order._state.adding,
        dict(order._state.fields_cache),
    )


def test_new_instance_makes_what_the_model_makes(demo_city, people):
    """``new_instance`` skips ``Model.__init__`` when nothing listens to its signals: the
    instance must be the same — every attribute, the related objects' cache, the state."""
    from django.db.models.signals import post_init

    from hotline.orders.services.rows import new_instance

    expected = _order("20221107-000001", people.agent, village=None)
    values, related = _split(expected)
    assert set(related) == {"district", "handling_unit", "client", "village"}
    made = new_instance(Order, values, related)
    assert _instance_state(made) == _instance_state(expected)
    assert made.district.code == "440902" and made.village is None

    # With an init receiver the model makes it, and the receiver sees it.
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Order)
    try:
        made = new_instance(Order, values, related)
    finally:
        post_init.disconnect(receiver, sender=Order)
    assert seen == [made] and _instance_state(made) == _instance_state(expected)
