"""Replaying an order's events gives its status and clocks, after any sequence of actions.

Hypothesis drives random sequences of lifecycle actions through the services (refusals are
expected and skipped); after each sequence the fold of the events must equal the stored order.
"""

import contextlib
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.orders import services
from hotline.orders.errors import OrderError
from hotline.orders.models import Order
from hotline.orders.replay import replay, state_of

from .factories import T0, receive

ACTIONS = [
    "dispatch_town",
    "dispatch_health",
    "accept",
    "return",
    "request_extension",
    "approve_extension",
    "refuse_extension",
    "escalate",
    "note",
    "resolve",
    "callback_satisfied",
    "callback_dissatisfied",
    "first_contact",
    "link_duplicate",
]


def lead(people, order):
    unit = order.handling_unit.code if order.handling_unit_id else None
    return {
        "440902101": people.gongguan,
        "dept-health": people.health,
        "440902-gov": people.maonan_gov,
        "440902-epi": people.maonan_epi,
    }.get(unit, people.gongguan)


def run(people, order, action, now, other):
    n = order.number
    match action:
        case "dispatch_town":
            services.dispatch(people.agent, n, unit="440902101", now=now)
        case "dispatch_health":
            services.dispatch(people.agent, n, unit="dept-health", co_units=["440902101"], now=now)
        case "accept":
            services.accept(lead(people, order), n, now=now)
        case "return":
            services.return_to_center(lead(people, order), n, reason="不属本单位", now=now)
        case "request_extension":
            services.request_extension(
                lead(people, order), n, reason="协调", until=now + dt.timedelta(days=40), now=now
            )
        case "approve_extension":
            services.decide_extension(people.supervisor, n, approve=True, now=now)
        case "refuse_extension":
            services.decide_extension(people.supervisor, n, approve=False, now=now)
        case "escalate":
            services.escalate(people.supervisor, n, reason="督办", now=now)
        case "note":
            services.add_note(people.agent, n, text="备注", now=now)
        case "resolve":
            services.resolve(lead(people, order), n, reply="已办", now=now)
        case "callback_satisfied":
            services.record_callback(people.agent, n, satisfaction="satisfied", now=now)
        case "callback_dissatisfied":
            services.record_callback(people.agent, n, satisfaction="dissatisfied", now=now)
        case "first_contact":
            services.close_at_first_contact(people.agent, n, answer="已答复", now=now)
        case "link_duplicate":
            services.link_duplicate(people.agent, n, of=other.number, now=now)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 600)), max_size=14),
    appeal_type=st.sampled_from(["inquiry", "help"]),
    urgency=st.sampled_from(["normal", "urgent"]),
    placed=st.booleans(),
)
def test_replay_equals_state(people, steps, appeal_type, urgency, placed):
    place = {} if placed else {"district_code": None, "town_code": None, "category": "other"}
    order = receive(people.agent, appeal_type=appeal_type, urgency=urgency, **place)
    other = receive(people.agent)
    now = T0
    for action, minutes in steps:
        now += dt.timedelta(minutes=minutes)
        order = Order.objects.get(pk=order.pk)
        # A refused action changes nothing, which replay must also agree with.
        with contextlib.suppress(OrderError):
            run(people, order, action, now, other)
    order = Order.objects.get(pk=order.pk)
    assert replay(order.events.order_by("id")) == state_of(order)
