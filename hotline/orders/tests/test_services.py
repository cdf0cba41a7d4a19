"""Lifecycle services: every transition allowed and refused, by whom."""

import datetime as dt

import pytest

from hotline.orders import services
from hotline.orders.choices import EventCode, NotificationStatus, Status
from hotline.orders.errors import OrderError
from hotline.orders.models import Notification, Order

from .factories import T0, appeal, receive

H = dt.timedelta(hours=1)


def codes(order, *, overrides=False):
    """The order's event codes; without ``overrides``, leaving out triage-override events (the
    factory's fixed fields may or may not match what the current model reads)."""
    return [
        e.code
        for e in order.events.order_by("id")
        if overrides or e.code != EventCode.TRIAGE_OVERRIDDEN
    ]


def refused(code, status, fn, *args, **kwargs):
    with pytest.raises(OrderError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code, str(exc.value)
    assert exc.value.status == status
    return exc.value


# --- receive ---------------------------------------------------------------------------------
def test_receive_routes_a_town_matter_to_the_town_office(people):
    order = receive(people.agent)
    assert order.status == Status.DISPATCHED
    assert order.handling_unit.code == "440902101"
    assert order.number == "20221107-000001"
    assert codes(order) == [EventCode.RECEIVED, EventCode.TRIAGED, EventCode.DISPATCHED]
    assert order.sla_mode == "normal"
    # normal help: accept 1 working day, resolve 10 working days (Guangdong rules)
    assert order.accept_deadline == dt.datetime(2022, 11, 8, 18, 0, tzinfo=T0.tzinfo)
    assert order.resolve_deadline == dt.datetime(2022, 11, 21, 18, 0, tzinfo=T0.tzinfo)


def test_numbers_are_sequential_per_local_day(people):
    a = receive(people.agent)
    b = receive(people.agent)
    c = receive(people.agent, now=T0 + dt.timedelta(days=1))
    assert (a.number, b.number, c.number) == (
        "20221107-000001",
        "20221107-000002",
        "20221108-000001",
    )


def test_urgent_epidemic_appeal_goes_to_the_district_epidemic_office_and_notifies(people):
    order = receive(people.agent, urgency="urgent", vulnerable=["disabled"])
    assert order.handling_unit.code == "440902-epi"
    assert order.accept_deadline == T0 + dt.timedelta(minutes=30)
    assert order.resolve_deadline == T0 + 2 * H
    assert Notification.objects.filter(order=order, status=NotificationStatus.PENDING).count() == 2


def test_unknown_place_waits_in_the_center_queue(people):
    order = receive(people.agent, district_code=None, town_code=None, category="other")
    assert order.status == Status.RECEIVED
    assert order.handling_unit is None
    assert codes(order) == [EventCode.RECEIVED, EventCode.TRIAGED]


def test_receive_refuses_unit_handlers_and_bad_places(people):
    refused("center_only", 403, receive, people.gongguan)
    refused("unknown_division", 422, receive, people.agent, town_code="440902999")
    refused("division_mismatch", 422, receive, people.agent, district_code="440904")
    refused("description_required", 422, receive, people.agent, description="  ")


def test_idempotent_retry_returns_the_same_order(people):
    first = services.receive(people.agent, idempotency_key="k1", now=T0, **appeal())
    again = services.receive(people.agent, idempotency_key="k1", now=T0 + H, **appeal())
    assert first.created and not again.created
    assert again.order.pk == first.order.pk
    assert Order.objects.count() == 1
    refused(
        "idempotency_conflict",
        409,
        services.receive,
        people.agent,
        idempotency_key="k1",
        **appeal(description="另一件事"),
    )
    # Keys are per client: another client may use the same key.
    other = services.receive(people.supervisor, idempotency_key="k1", now=T0, **appeal())
    assert other.created


def test_receive_without_triage_fields_uses_defaults_or_triage(people):
    order = services.receive(
        people.agent, channel="web", description="请问核酸检测点在哪里？", now=T0
    ).order
    assert order.appeal_type in {"inquiry", "help"}
    assert order.urgency in {"normal", "urgent", "critical"}
    assert order.events.filter(code=EventCode.TRIAGED).exists()


# --- dispatch / accept -------------------------------------------------------------------------
def test_dispatch_with_co_handlers_and_new_accept_clock(people):
    order = receive(people.agent, district_code=None, town_code=None, category="other")
    order = services.dispatch(
        people.agent, order.number, unit="dept-health", co_units=["440902101"], now=T0 + H
    )
    assert order.status == Status.DISPATCHED
    assert [u.code for u in order.co_units.all()] == ["440902101"]
    assert order.accept_deadline == dt.datetime(2022, 11, 8, 18, 0, tzinfo=T0.tzinfo)
    event = order.events.get(code=EventCode.DISPATCHED)
    assert event.payload["co_units"] == ["440902101"]


def test_dispatch_refusals(people):
    order = receive(people.agent)
    refused("center_only", 403, services.dispatch, people.gongguan, order.number, unit="center")
    refused("unknown_unit", 422, services.dispatch, people.agent, order.number, unit="nope")
    refused("unknown_unit", 422, services.dispatch, people.agent, order.number, unit="center")
    services.accept(people.gongguan, order.number, now=T0 + H)
    refused("invalid_state", 409, services.dispatch, people.agent, order.number, unit="dept-health")
    refused(
        "order_not_found",
        404,
        services.dispatch,
        people.agent,
        "20991231-000001",
        unit="dept-health",
    )


def test_accept_only_by_the_lead_unit(people):
    order = receive(people.agent)
    refused("lead_unit_only", 403, services.accept, people.agent, order.number)
    # A unit that was not sent the order does not even learn it exists.
    refused("order_not_found", 404, services.accept, people.other_town, order.number)
    order = services.accept(people.gongguan, order.number, now=T0 + H)
    assert order.status == Status.ACCEPTED and order.accepted_at == T0 + H
    refused("invalid_state", 409, services.accept, people.gongguan, order.number)


def test_co_handler_sees_and_notes_but_cannot_accept(people):
    order = receive(people.agent)
    services.dispatch(people.agent, order.number, unit="440902101", co_units=["dept-health"])
    refused("lead_unit_only", 403, services.accept, people.health, order.number)
    services.add_note(people.health, order.number, text="已联系社区配送。")
    assert order.events.filter(code=EventCode.NOTE, actor=people.health).exists()


# --- return ----------------------------------------------------------------------------------
def test_return_within_one_working_day(people):
    order = receive(people.agent)
    refused(
        "reason_required", 422, services.return_to_center, people.gongguan, order.number, reason=" "
    )
    order = services.return_to_center(
        people.gongguan, order.number, reason="不属本镇管辖", now=T0 + H
    )
    assert order.status == Status.RECEIVED
    assert order.handling_unit is None and order.return_count == 1


def test_return_after_the_window_is_refused(people):
    order = receive(people.agent)  # dispatched Monday 10:00; window ends Tuesday 18:00
    late = dt.datetime(2022, 11, 8, 18, 1, tzinfo=T0.tzinfo)
    refused(
        "return_window_closed",
        409,
        services.return_to_center,
        people.gongguan,
        order.number,
        reason="不属本镇",
        now=late,
    )


def test_third_return_makes_the_district_government_the_owner(people):
    order = receive(people.agent)
    for attempt in range(3):
        services.return_to_center(
            people.gongguan, order.number, reason=f"第{attempt + 1}次", now=T0 + H
        )
        order.refresh_from_db()
        if attempt < 2:
            services.dispatch(people.agent, order.number, unit="440902101", now=T0 + H)
    assert order.return_count == 3
    assert order.status == Status.DISPATCHED
    assert order.handling_unit.code == "440902-gov"
    assert order.owner_assigned
    refused(
        "return_limit",
        409,
        services.return_to_center,
        people.maonan_gov,
        order.number,
        reason="也不归我们",
        now=T0 + H,
    )


def test_third_return_without_district_waits_for_the_center(people):
    order = receive(people.agent, district_code=None, town_code=None, category="other")
    for _ in range(3):
        services.dispatch(people.agent, order.number, unit="dept-health", now=T0)
        services.return_to_center(people.health, order.number, reason="非本部门", now=T0 + H)
    order.refresh_from_db()
    assert order.status == Status.RECEIVED and order.return_count == 3
    services.dispatch(people.agent, order.number, unit="dept-health", now=T0 + H)
    refused(
        "return_limit",
        409,
        services.return_to_center,
        people.health,
        order.number,
        reason="非本部门",
        now=T0 + H,
    )


# --- extension ---------------------------------------------------------------------------------
def test_extension_request_and_approval_moves_the_deadline(people):
    order = receive(people.agent)
    services.accept(people.gongguan, order.number, now=T0)
    until = order.resolve_deadline + dt.timedelta(days=7)
    order = services.request_extension(
        people.gongguan, order.number, until=until, reason="需协调供货商", now=T0 + H
    )
    assert order.extension_pending
    refused(
        "extension_pending",
        409,
        services.request_extension,
        people.gongguan,
        order.number,
        until=until,
        reason="再次",
        now=T0 + H,
    )
    refused(
        "supervisor_only", 403, services.decide_extension, people.agent, order.number, approve=True
    )
    order = services.decide_extension(people.supervisor, order.number, approve=True, now=T0 + H)
    assert order.resolve_deadline == until and not order.extension_pending


def test_extension_refused_after_deadline_or_not_later_or_refused_by_center(people):
    order = receive(people.agent, urgency="urgent")  # resolve in 2 h
    services.accept(people.maonan_epi, order.number, now=T0)
    refused(
        "extension_not_later",
        422,
        services.request_extension,
        people.maonan_epi,
        order.number,
        until=T0 + H,
        reason="x",
        now=T0,
    )
    refused(
        "extension_too_late",
        409,
        services.request_extension,
        people.maonan_epi,
        order.number,
        until=T0 + 5 * H,
        reason="x",
        now=T0 + 3 * H,
    )
    services.request_extension(
        people.maonan_epi, order.number, until=T0 + 5 * H, reason="x", now=T0 + H
    )
    order = services.decide_extension(people.supervisor, order.number, approve=False)
    assert order.resolve_deadline == T0 + 2 * H
    refused(
        "no_extension_pending",
        409,
        services.decide_extension,
        people.supervisor,
        order.number,
        approve=True,
    )


# --- resolve / callback ------------------------------------------------------------------------
def test_resolve_then_satisfied_callback_closes(people):
    order = receive(people.agent)
    refused("invalid_state", 409, services.resolve, people.gongguan, order.number, reply="好")
    services.accept(people.gongguan, order.number, now=T0)
    refused("reply_required", 422, services.resolve, people.gongguan, order.number, reply="")
    order = services.resolve(people.gongguan, order.number, reply="已送米上门", now=T0 + H)
    assert order.status == Status.RESOLVED
    assert order.callback_due == dt.datetime(2022, 11, 8, 18, 0, tzinfo=T0.tzinfo)
    refused(
        "center_only",
        403,
        services.record_callback,
        people.gongguan,
        order.number,
        satisfaction="satisfied",
    )
    order = services.record_callback(
        people.agent, order.number, satisfaction="basically_satisfied", now=T0 + 2 * H
    )
    assert order.status == Status.CLOSED and order.closed_at == T0 + 2 * H
    assert codes(order)[-2:] == [EventCode.CALLBACK, EventCode.CLOSED]


def test_dissatisfied_callback_reopens_to_the_same_unit(people):
    order = receive(people.agent)
    services.accept(people.gongguan, order.number, now=T0)
    services.resolve(people.gongguan, order.number, reply="已处理", now=T0 + H)
    friday = dt.datetime(2022, 11, 11, 9, 0, tzinfo=T0.tzinfo)
    order = services.record_callback(
        people.agent, order.number, satisfaction="dissatisfied", note="米没有送到", now=friday
    )
    assert order.status == Status.ACCEPTED
    assert order.reopen_count == 1
    assert order.handling_unit.code == "440902101"
    # 10 working days from Friday 11 Nov: Friday 25 Nov, close of business.
    assert order.resolve_deadline == dt.datetime(2022, 11, 25, 18, 0, tzinfo=T0.tzinfo)
    assert codes(order)[-2:] == [EventCode.CALLBACK, EventCode.REOPENED]


# --- first contact, duplicates, notes, escalation ---------------------------------------------
def test_close_at_first_contact_only_for_inquiries_in_the_queue(people, kb_article):
    kb_article("kb-12")
    inquiry = receive(
        people.agent, appeal_type="inquiry", category="testing", district_code=None, town_code=None
    )
    assert inquiry.status == Status.RECEIVED
    order = services.close_at_first_contact(
        people.volunteer, inquiry.number, answer="核酸点见官方公众号", article_key="kb-12"
    )
    assert order.status == Status.CLOSED and order.article_key == "kb-12"
    from hotline.knowledge.models import Citation

    assert Citation.objects.get(order_number=inquiry.number).article.key == "kb-12"
    help_order = receive(people.agent, district_code=None, town_code=None, category="other")
    refused(
        "not_inquiry",
        409,
        services.close_at_first_contact,
        people.agent,
        help_order.number,
        answer="x",
    )
    dispatched = receive(people.agent, appeal_type="inquiry")
    refused(
        "invalid_state",
        409,
        services.close_at_first_contact,
        people.agent,
        dispatched.number,
        answer="x",
    )


def test_link_duplicate_closes_the_repeat_and_keeps_it(people):
    original = receive(people.agent)
    repeat = receive(people.agent)
    refused(
        "duplicate_of_self",
        409,
        services.link_duplicate,
        people.agent,
        repeat.number,
        of=repeat.number,
    )
    repeat = services.link_duplicate(people.agent, repeat.number, of=original.number)
    assert repeat.status == Status.CLOSED and repeat.duplicate_of == original
    assert original.events.filter(code=EventCode.REPEAT_RECEIVED).exists()
    third = receive(people.agent)
    refused(
        "duplicate_of_duplicate",
        409,
        services.link_duplicate,
        people.agent,
        third.number,
        of=repeat.number,
    )
    refused(
        "center_only",
        403,
        services.link_duplicate,
        people.gongguan,
        third.number,
        of=original.number,
    )


def test_escalate_by_supervisor_notifies(people):
    order = receive(people.agent)
    refused("supervisor_only", 403, services.escalate, people.agent, order.number, reason="x")
    refused("reason_required", 422, services.escalate, people.supervisor, order.number, reason="")
    order = services.escalate(people.supervisor, order.number, reason="领导批示", now=T0 + H)
    assert order.escalated_at == T0 + H
    assert Notification.objects.filter(order=order, event_code=EventCode.ESCALATED).count() == 2


def test_note_requires_text_and_visibility(people):
    order = receive(people.agent)
    refused("text_required", 422, services.add_note, people.agent, order.number, text="")
    refused("order_not_found", 404, services.add_note, people.health, order.number, text="x")


def test_surge_mode_applies_to_new_orders_only(people):
    before = receive(people.agent)
    refused("supervisor_only", 403, services.set_mode, people.agent, "surge")
    services.set_mode(people.supervisor, "surge")
    after = receive(people.agent)
    before.refresh_from_db()
    assert before.sla_mode == "normal" and after.sla_mode == "surge"
    assert before.accept_deadline == dt.datetime(2022, 11, 8, 18, 0, tzinfo=T0.tzinfo)
    assert after.accept_deadline == T0 + 4 * H  # surge matrix: normal orders accepted in 4 h


def test_receive_fills_missing_fields_from_triage(people):
    pytest.importorskip("hotline.triage")
    order = services.receive(
        people.agent,
        channel="phone",
        description="茂南区公馆镇的残疾人，一个人在家，家里没吃的了",
        caller_phone="13812341234",
        now=T0,
    ).order
    assert order.urgency == "urgent"
    assert "disabled" in order.vulnerable
    assert order.town_id == "440902101"
    assert order.handling_unit.code == "440902-epi"
    triaged = order.events.get(code=EventCode.TRIAGED)
    assert triaged.payload["source"]["urgency"] == "triage"
    assert triaged.payload["reasons"]


def test_receive_without_routing_keeps_the_order_at_the_center(people):
    order = receive(people.agent, appeal_type="inquiry", route=False)
    assert order.status == Status.RECEIVED and order.handling_unit is None
    assert codes(order) == [EventCode.RECEIVED, EventCode.TRIAGED]


def test_a_person_overriding_triage_is_recorded(people):
    from hotline.orders.services import receive as receive_service

    order = receive_service(
        people.agent,
        channel="phone",
        description="公馆镇新坡路有人家里着火了，浓烟很大，里面还有老人",
        urgency="normal",
        category="safety",
    ).order
    assert order.urgency == "normal"  # the agent's value stands
    event = order.events.get(code=EventCode.TRIAGE_OVERRIDDEN)
    assert event.actor == people.agent
    assert event.payload["fields"]["urgency"] == {"triage": "critical", "corrected": "normal"}
    assert "category" not in event.payload["fields"]  # agreed with triage


def test_no_override_event_when_the_person_agrees_or_leaves_it_to_triage(people):
    from hotline.orders.services import receive as receive_service

    order = receive_service(
        people.agent, channel="phone", description="公馆镇新坡路有人家里着火了，浓烟很大"
    ).order
    assert EventCode.TRIAGE_OVERRIDDEN not in codes(order, overrides=True)


def test_first_contact_refuses_an_unknown_article(people):
    inquiry = receive(
        people.agent, appeal_type="inquiry", category="testing", district_code=None, town_code=None
    )
    refused(
        "unknown_article",
        422,
        services.close_at_first_contact,
        people.agent,
        inquiry.number,
        answer="见公告",
        article_key="no-such-key",
    )
    inquiry.refresh_from_db()
    assert inquiry.status == Status.RECEIVED
