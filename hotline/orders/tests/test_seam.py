"""The seam other apps use: typed appeals with a source, kinds as data, batches, source
writes, and event subscriptions with cursors (docs/ARCHITECTURE.md, "The seam")."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from hotline.accounts.roles import Role
from hotline.orders import events, services
from hotline.orders.cache import clear_all
from hotline.orders.choices import EventCode, Status
from hotline.orders.errors import OrderError
from hotline.orders.kinds import RegisterKind
from hotline.orders.models import DeadLetter, Order, OrderEvent, OrderKind, SubscriberCursor
from hotline.orders.queries import orders_for_source

from .factories import T0, appeal

pytestmark = pytest.mark.django_db

RECALL = RegisterKind(
    "example.recall",
    "混管阳性召回",
    category="testing",
    appeal_type="help",
    urgency="urgent",
    epidemic_related=True,
    clocks=[
        {"mode": "normal", "urgency": "urgent", "accept": (20, "minutes"), "resolve": (6, "hours")}
    ],
    rules=[{"priority": 1, "name": "召回派所在镇街", "target": "town_office"}],
)


@pytest.fixture
def recall_kind(demo_city):
    RECALL.code(django_apps, None)
    clear_all()
    yield "example.recall"
    RECALL.reverse_code(django_apps, None)
    clear_all()


def recall(n=1, **fields):
    return services.Appeal(
        channel="system",
        description=f"混管阳性，第 {n} 管同管人员需单采复核",
        kind="example.recall",
        source=services.Source("example", "recall", str(n)),
        town_code="440902101",
        idempotency_key=f"recall-{n}",
        **fields,
    )


def test_a_kind_gives_defaults_clocks_and_routing(recall_kind, people):
    order = services.receive(services.system_actor(), recall(), now=T0).order
    assert (order.category, order.appeal_type, order.urgency) == ("testing", "help", "urgent")
    assert order.epidemic_related is True
    # the kind's clock (20 min), not the urgent default (30 min)
    assert order.accept_deadline - T0 == dt.timedelta(minutes=20)
    assert order.resolve_deadline - T0 == dt.timedelta(hours=6)
    # the kind's rule (town office) beats the "urgent epidemic → district epidemic office" rule
    assert order.handling_unit.code == "440902101"
    assert order.routing_rule == "召回派所在镇街"
    received = order.events.get(code=EventCode.RECEIVED)
    assert received.payload["kind"] == "example.recall"
    assert received.payload["source"] == {"app": "example", "type": "recall", "id": "1"}
    triaged = order.events.get(code=EventCode.TRIAGED)
    assert triaged.payload["source"]["urgency"] == "kind"
    # a kind's default is not a person's correction: no override event
    assert not order.events.filter(code=EventCode.TRIAGE_OVERRIDDEN).exists()


def test_a_value_given_beats_the_kind_and_ordinary_orders_ignore_kind_rules(recall_kind, people):
    order = services.receive(services.system_actor(), recall(urgency="critical"), now=T0).order
    assert order.urgency == "critical"
    plain = services.receive(people.agent, now=T0, **appeal(urgency="urgent")).order
    assert plain.kind == "" and plain.routing_rule != "召回派所在镇街"


def test_unknown_kind_and_bad_source_are_refused(demo_city, people):
    with pytest.raises(OrderError) as err:
        services.receive(people.agent, services.Appeal("phone", "测试", kind="nope.kind"))
    assert err.value.code == "unknown_kind" and err.value.status == 422
    with pytest.raises(OrderError) as err:
        services.Source("sampling", "", "1")
    assert err.value.code == "bad_source"


def test_with_a_source_any_active_user_may_create_without_one_only_the_center(
    recall_kind, make_user
):
    field = make_user(Role.FIELD_STAFF)
    assert services.receive(field, recall(), now=T0).created
    with pytest.raises(OrderError) as err:
        services.receive(field, now=T0, **appeal())
    assert err.value.status == 403
    field.is_active = False
    with pytest.raises(OrderError):
        services.receive(field, recall(2), now=T0)


def test_system_actor_is_one_user_without_password(db):
    a, b = services.system_actor(), services.system_actor()
    assert a.pk == b.pk and not a.has_usable_password()


def test_keyword_form_and_appeal_form_are_the_same_request(demo_city, people):
    fields = appeal()
    first = services.receive(people.agent, now=T0, idempotency_key="k1", **fields)
    again = services.receive(people.agent, services.Appeal(**fields, idempotency_key="k1"), now=T0)
    assert not again.created and again.order == first.order
    with pytest.raises(TypeError):
        services.receive(people.agent, services.Appeal(**fields), channel="phone")


def test_batch_reports_each_item(demo_city, people):
    good = services.Appeal(**appeal(), idempotency_key="b1")
    services.receive(people.agent, good, now=T0)
    items = services.receive_batch(
        people.agent,
        [
            services.Appeal(**appeal(description="第二条诉求，家里停水"), idempotency_key="b2"),
            good,  # retried
            services.Appeal(**appeal(description="另一条不同的诉求"), idempotency_key="b1"),
            services.Appeal(**appeal(description=""), idempotency_key="b3"),
            services.Appeal(**appeal(town_code="999999999"), idempotency_key="b4"),
        ],
        now=T0,
    )
    assert [(i.index, i.status) for i in items] == [
        (0, 201),
        (1, 200),
        (2, 409),
        (3, 422),
        (4, 422),
    ]
    assert items[2].code == "idempotency_conflict" and items[3].code == "description_required"
    assert items[0].order.pk and items[3].order is None
    assert OrderEvent.objects.filter(order=items[0].order, code=EventCode.RECEIVED).count() == 1


def test_source_note_and_done(recall_kind, people):
    src = services.Source("example", "recall", "1")
    order = services.receive(services.system_actor(), recall(), now=T0).order
    assert order.status == Status.DISPATCHED
    services.source_note(src, "已通知居家等候单采", services.system_actor(), now=T0)
    done = services.source_done(src, "单采阴性，解除召回", services.system_actor(), now=T0)
    assert done == [order]
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.reply == "单采阴性，解除召回"
    codes = list(order.events.values_list("code", flat=True))
    assert codes[-3:] == [EventCode.NOTE, EventCode.ACCEPTED, EventCode.RESOLVED]
    assert order.events.get(code=EventCode.RESOLVED).payload["source"]["id"] == "1"
    # idempotent: a second "done" changes nothing
    assert services.source_done(src, "再次", services.system_actor(), now=T0) == []
    assert list(orders_for_source(src)) == [order]
    assert list(orders_for_source(services.Source("example", "recall", "2"))) == []


def test_register_kind_is_reversible(demo_city):
    from hotline.orders.models import RoutingRule, SlaPolicy

    RECALL.code(django_apps, None)
    assert OrderKind.objects.filter(code="example.recall").exists()
    assert SlaPolicy.objects.filter(kind="example.recall").count() == 1
    assert RoutingRule.objects.filter(kind="example.recall").count() == 1
    RECALL.code(django_apps, None)  # twice: still one of each
    assert SlaPolicy.objects.filter(kind="example.recall").count() == 1
    RECALL.reverse_code(django_apps, None)
    assert not OrderKind.objects.filter(code="example.recall").exists()
    assert not SlaPolicy.objects.filter(kind="example.recall").exists()
    with pytest.raises(ValueError):
        RegisterKind("nodot", "x", category="testing")
    with pytest.raises(ValueError):
        RegisterKind("a.b", "x", category="not-a-category")


# --- events ---------------------------------------------------------------------------------
@pytest.fixture
def recorder():
    seen: list[tuple[int, str]] = []
    state = {"fail": 0}

    def handler(event):
        if state["fail"]:
            state["fail"] -= 1
            raise RuntimeError("boom")
        seen.append((event.id, event.code))

    events.subscribe("test.recorder", EventCode.RESOLVED, "orders.order.dispatch*")(handler)
    yield seen, state
    events.unsubscribe("test.recorder")


def deliver(**kw):
    return events.deliver(names=["test.recorder"], **kw)["test.recorder"]


def test_subscriber_gets_its_codes_once_in_order(recorder, demo_city, people):
    seen, _ = recorder
    a = services.receive(people.agent, now=T0, **appeal()).order
    b = services.receive(people.agent, now=T0, **appeal(description="第二条")).order
    assert deliver().handled == 2
    assert [c for _, c in seen] == [EventCode.DISPATCHED] * 2
    assert [i for i, _ in seen] == sorted(i for i, _ in seen)
    assert deliver().handled == 0  # nothing new
    cursor = SubscriberCursor.objects.get(name="test.recorder")
    assert cursor.position == OrderEvent.objects.order_by("-id").first().id
    assert {a.pk, b.pk} == set(
        OrderEvent.objects.filter(id__in=[i for i, _ in seen]).values_list("order", flat=True)
    )


def test_a_failing_handler_is_retried_then_dead_lettered(recorder, demo_city, people):
    seen, state = recorder
    services.receive(people.agent, now=T0, **appeal())
    state["fail"] = 1
    first = deliver(now=T0)
    assert (first.handled, first.failed) == (0, 1)
    assert deliver(now=T0).skipped  # waiting for its retry time
    assert deliver(now=T0 + dt.timedelta(seconds=5)).handled == 1
    assert len(seen) == 1

    services.receive(people.agent, now=T0, **appeal(description="第三条"))
    state["fail"] = events.MAX_ATTEMPTS
    later = T0
    for _ in range(events.MAX_ATTEMPTS):
        later += events.MAX_BACKOFF
        deliver(now=later)
    assert DeadLetter.objects.filter(subscriber="test.recorder").count() == 1
    assert SubscriberCursor.objects.get(name="test.recorder").failures == 0
    assert events.retry_dead_letters("test.recorder") == 1
    assert len(seen) == 2


def test_an_event_committed_late_is_not_missed(recorder, demo_city, people):
    """PostgreSQL may commit a smaller id after a larger one: simulate it by removing an event
    before delivery and putting it back (same id) afterwards."""
    seen, _ = recorder
    a = services.receive(people.agent, now=T0, **appeal()).order
    services.receive(people.agent, now=T0, **appeal(description="第二条"))
    late = OrderEvent.objects.get(order=a, code=EventCode.DISPATCHED)
    row = {f.attname: getattr(late, f.attname) for f in OrderEvent._meta.concrete_fields}
    late.delete()
    assert deliver(now=T0).handled == 1
    assert str(row["id"]) in SubscriberCursor.objects.get(name="test.recorder").gaps
    OrderEvent.objects.create(**row)
    assert deliver(now=T0).handled == 1
    assert row["id"] in [i for i, _ in seen]
    assert SubscriberCursor.objects.get(name="test.recorder").gaps == {}


def test_a_gap_that_never_fills_expires(recorder, demo_city, people):
    a = services.receive(people.agent, now=T0, **appeal()).order
    services.receive(people.agent, now=T0, **appeal(description="第二条"))
    OrderEvent.objects.filter(order=a, code=EventCode.DISPATCHED).delete()
    deliver(now=T0)
    assert SubscriberCursor.objects.get(name="test.recorder").gaps
    deliver(now=T0 + events.GAP_TTL + dt.timedelta(seconds=1))
    assert SubscriberCursor.objects.get(name="test.recorder").gaps == {}


def test_duplicate_subscriber_name_is_refused():
    events.subscribe("test.dup")(lambda e: None)
    try:
        with pytest.raises(ValueError):
            events.subscribe("test.dup")(print)
    finally:
        events.unsubscribe("test.dup")


def test_worker_and_events_command_run_subscribers(recorder, demo_city, people):
    seen, _ = recorder
    services.receive(people.agent, now=T0, **appeal())
    call_command("worker", "--once", stdout=io.StringIO())
    assert len(seen) == 1
    out = io.StringIO()
    call_command("events", "status", stdout=out)
    assert "test.recorder" in out.getvalue()
    call_command("events", "replay", "test.recorder", stdout=io.StringIO())
    call_command("events", "catch-up", "test.recorder", stdout=io.StringIO())
    assert len(seen) == 2  # replayed: the handler must be idempotent


# --- the batch endpoint ---------------------------------------------------------------------
def test_batch_endpoint(api_as, demo_city, people):
    api = api_as(people.agent)
    body = {
        "items": [
            {**appeal(), "idempotency_key": "x1"},
            {**appeal(), "idempotency_key": "x1"},
            {**appeal(channel="pigeon"), "idempotency_key": "x2"},
            {**appeal()},  # no key
            {**appeal(description="另一条"), "idempotency_key": "x1"},
        ]
    }
    r = api.post("/api/v1/orders/batch", body, content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert [i["status"] for i in data["items"]] == [201, 200, 422, 422, 409]
    assert (data["created"], data["replayed"], data["failed"]) == (1, 1, 3)
    assert data["items"][2]["errors"][0]["field"] == "channel"
    assert data["items"][0]["number"] == data["items"][1]["number"]
    too_many = {"items": [appeal()] * 501}
    r = api.post("/api/v1/orders/batch", too_many, content_type="application/json")
    assert r.status_code == 422


def test_the_largest_valid_batch_fits_and_a_larger_body_is_a_413(api_as, demo_city, people):
    """500 appeals of the longest description allowed are a valid batch (Django's 2.5 MB body
    limit refused them with an HTML 400); a body over the limit is refused whole, in JSON."""
    from django.test import override_settings

    from hotline.orders.models import DESCRIPTION_MAX

    api = api_as(people.agent)
    items = [
        {**appeal(description="停" * DESCRIPTION_MAX), "idempotency_key": f"long-{i}"}
        for i in range(500)
    ]
    r = api.post("/api/v1/orders/batch", {"items": items}, content_type="application/json")
    assert r.status_code == 200, r.content[:200]
    assert r.json()["created"] == 500
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024):
        more = [{**item, "idempotency_key": f"more-{i}"} for i, item in enumerate(items)]
        r = api.post("/api/v1/orders/batch", {"items": more}, content_type="application/json")
    assert r.status_code == 413
    assert r.json()["code"] == "request_too_large"
    assert "1 MB" in r.json()["message"]
    assert not Order.objects.filter(idempotency_key__startswith="more-").exists()


def test_batch_in_batch_repeats_numbers_and_notices(demo_city, people):
    from hotline.orders.models import Notification

    a = services.Appeal(**appeal(urgency="urgent"), idempotency_key="r1")
    items = services.receive_batch(
        people.agent,
        [
            a,
            a,  # the same appeal twice in one batch: one order
            services.Appeal(**appeal(description="不同内容"), idempotency_key="r1"),
            services.Appeal(**appeal(description="第三条"), idempotency_key="r3"),
        ],
        now=T0,
    )
    assert [i.status for i in items] == [201, 200, 409, 201]
    assert items[0].order == items[1].order
    first, third = items[0].order, items[3].order
    assert int(third.number[-6:]) == int(first.number[-6:]) + 1  # one block of numbers
    # the urgent one is dispatched with its duty-phone notices, like a single receive
    assert Notification.objects.filter(order=first).count() == 2
    assert first.events.filter(code=EventCode.DISPATCHED).count() == 1


def test_batch_answers_a_key_another_writer_stored_meanwhile(demo_city, people, monkeypatch):
    """Another writer stores a key between the batch's idempotency query and its insert: the
    insert skips that row (ON CONFLICT DO NOTHING) and the item is answered from the stored
    order — 200 for the same appeal, 409 for another — while the rest of the batch is kept."""
    from hotline.orders.services import intake

    same = services.Appeal(**appeal(), idempotency_key="f1")
    other = services.Appeal(**appeal(description="别的诉求"), idempotency_key="f2")
    stored_f1 = services.receive(people.agent, same, now=T0).order
    stored_f2 = services.receive(
        people.agent, services.Appeal(**appeal(description="原先的"), idempotency_key="f2"), now=T0
    ).order
    real = intake._stored_for_keys
    calls = {"n": 0}

    def not_yet(actor, keys):  # the first query runs before the other writer's commit
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(actor, keys)

    monkeypatch.setattr(intake, "_stored_for_keys", not_yet)
    items = services.receive_batch(
        people.agent,
        [
            same,
            services.Appeal(**appeal(description=""), idempotency_key="f3"),
            services.Appeal(**appeal(description="第二条"), idempotency_key="f4"),
            other,
            same,  # an in-batch retry of the item that lost the race
        ],
        now=T0,
    )
    assert calls["n"] == 2
    assert [i.status for i in items] == [200, 422, 201, 409, 200]
    assert items[0].order.pk == stored_f1.pk and items[4].order.pk == stored_f1.pk
    assert stored_f2.number in items[3].message
    assert Order.objects.filter(idempotency_key__in=["f1", "f2"]).count() == 2
    assert OrderEvent.objects.filter(order=stored_f1, code=EventCode.RECEIVED).count() == 1
    new = items[2].order
    assert new.pk and OrderEvent.objects.filter(order=new).count() >= 3


def test_receive_answers_a_key_another_writer_stored_meanwhile(demo_city, people, monkeypatch):
    from hotline.orders.services import intake

    fields = appeal()
    first = services.receive(people.agent, now=T0, idempotency_key="s1", **fields)
    real = intake._existing_for_key
    calls = {"n": 0}

    def not_yet(actor, key, fingerprint):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(actor, key, fingerprint)

    monkeypatch.setattr(intake, "_existing_for_key", not_yet)
    again = services.receive(people.agent, now=T0, idempotency_key="s1", **fields)
    assert calls["n"] == 2
    assert not again.created and again.order.pk == first.order.pk
    calls["n"] = 0
    with pytest.raises(OrderError) as err:
        services.receive(people.agent, now=T0, idempotency_key="s1", **appeal(description="别的"))
    assert err.value.code == "idempotency_conflict"
    assert Order.objects.filter(idempotency_key="s1").count() == 1
    assert OrderEvent.objects.filter(order=first.order).count() == len(first.events)


def test_sqlite_write_lock_is_released_after_each_transaction(tmp_path):
    """The backend's file lock (hotline.common.sqlite_backend) queues writers and is always
    given back: after commit and after rollback another process could take it at once."""
    import fcntl
    import os

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    from hotline.common.sqlite_backend.base import DatabaseWrapper

    settings = {**connection.settings_dict, "NAME": str(tmp_path / "x.sqlite3")}
    db = DatabaseWrapper(settings, alias="lockcheck")
    try:
        lock = str(tmp_path / "x.sqlite3.writelock")

        def free() -> bool:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                return True
            except BlockingIOError:
                return False
            finally:
                os.close(fd)

        db.ensure_connection()
        db.set_autocommit(False)  # what atomic() does on SQLite: BEGIN IMMEDIATE under the lock
        db._start_transaction_under_autocommit()
        assert not free()
        db.commit()
        assert free()
        db._start_transaction_under_autocommit()
        db.rollback()
        assert free()
    finally:
        db.close()


def test_queue_message_goes_through_the_outbox_without_an_order(db):
    from hotline.orders import outbox
    from hotline.orders.choices import NotificationStatus

    sent = []
    note = outbox.queue_message("13800000000", "您的验证码是 123456", event_code="intake.code")
    assert note.order is None and note.status == NotificationStatus.PENDING
    assert outbox.deliver_pending(sender=sent.append) == 1
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and sent == [note]
    with pytest.raises(ValueError):
        outbox.queue_message("", "x", event_code="intake.code")
