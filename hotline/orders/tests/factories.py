"""Factories for order tests. Orders are made through the services (the only writers), so a
factory-made order has its events and clocks like a real one; ``OrderRowFactory`` makes bare
rows for read-only tests that need many orders fast."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import factory

from hotline.orders import services
from hotline.orders.models import Order

SH = ZoneInfo("Asia/Shanghai")
#: Monday 7 November 2022, 10:00 in Maoming: an ordinary working morning of the surge.
T0 = dt.datetime(2022, 11, 7, 10, 0, tzinfo=SH)

_keys = itertools.count(1)


def appeal(**overrides) -> dict:
    """Keyword arguments for services.receive: a supply appeal from 公馆镇 by default."""
    fields = {
        "channel": "phone",
        "description": "封控在家，家里没有米了，想问怎么买到生活物资。",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "address": "金湖小区3栋2单元",
        "appeal_type": "help",
        "category": "supplies",
        "urgency": "normal",
        "vulnerable": [],
        "district_code": "440902",
        "town_code": "440902101",
    }
    fields.update(overrides)
    return fields


def receive(actor, now=T0, **overrides) -> Order:
    return services.receive(actor, now=now, **appeal(**overrides)).order


class OrderRowFactory(factory.django.DjangoModelFactory):
    """A bare order row (no events): for listings and query-count tests only."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"20221107-{900000 + n:06d}")
    channel = "phone"
    appeal_type = "help"
    category = "supplies"
    urgency = "normal"
    title = "生活物资"
    description = "家里没有米了"
    caller_name = "李四"
    caller_phone = "13900001111"
    status = "dispatched"
    sla_mode = "normal"
    received_at = T0
    accept_deadline = T0 + dt.timedelta(hours=8)
    resolve_deadline = T0 + dt.timedelta(days=14)
