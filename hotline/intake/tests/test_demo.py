"""The demo adds orders from every door once; a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from hotline.intake import demo
from hotline.orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_orders_from_every_channel_and_idempotent(city):
    demo.load(io.StringIO())
    channels = set(Order.objects.values_list("channel", flat=True))
    assert {"open311", "web", "import", "sms", "wechat", "app"} <= channels
    count = Order.objects.count()
    out = io.StringIO()
    demo.load(out)
    assert Order.objects.count() == count
    assert "新建 0 条" in out.getvalue()
