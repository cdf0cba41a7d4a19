"""Factories of the care tests: orders, requests and volunteers made through the services
(the only writers), so each is in the state the workflow would leave it in."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.care import services
from hotline.orders import services as orders

_seq = itertools.count(1)
GONGGUAN = "440902101"
#: 2022-11-05 15:51 in Maoming: the disabled man out of food (the seed's case).
JIANG_CALL = timezone.make_aware(dt.datetime(2022, 11, 5, 15, 51))


def help_order(agent, *, now=None, town=GONGGUAN, text=None, address=None, **fields):
    """An urgent help appeal about food, received by ``agent`` and dispatched to the town."""
    n = next(_seq)
    received = orders.receive(
        agent,
        orders.Appeal(
            channel="phone",
            description=text or f"我是残疾人，封控在家，家里已经没有吃的了（测试{n}）。",
            caller_name="江建国",
            caller_phone="13800001111",
            address="茂南区公馆镇艾屋村三巷12号" if address is None else address,
            appeal_type="help",
            category="supplies",
            urgency="urgent",
            vulnerable=["disabled"],
            town_code=town,
            idempotency_key=f"care-test-{n}",
            **fields,
        ),
        now=now,
    )
    return received.order


def volunteer(make_user, unit=GONGGUAN, username=None):
    return make_user(Role.FIELD_STAFF, unit, username)


def request_from_order(agent, *, now=None, need="groceries", items="米 5 斤、蔬菜一袋"):
    """A care request of 公馆镇 made by the center's ``agent`` from a new help appeal."""
    order = help_order(agent, now=now)
    return services.create_from_order(agent, order.number, need=need, items=items, now=now)
