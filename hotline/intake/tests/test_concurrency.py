"""Rate limits and webhook replays under concurrent writers (separate connections, as
gunicorn's worker processes have). Runs only on PostgreSQL, where writers really overlap
(SQLite serialises them with BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from hotline.intake import services
from hotline.intake.errors import IntakeError
from hotline.orders.models import Notification, Order
from hotline.orders.services import Appeal

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs overlapping writers"),
    pytest.mark.django_db(transaction=True),
]


def _race(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_one_code_a_minute_holds_across_connections(demo_city):
    results, errors = _race(
        6, lambda i: services.send_code("13902680001", purpose="submit", ip=None)
    )
    assert len(results) == 1
    assert len(errors) == 5 and all(isinstance(e, IntakeError) and e.status == 429 for e in errors)
    assert Notification.objects.filter(recipient="13902680001").count() == 1


def test_ip_limit_holds_across_connections(demo_city, monkeypatch):
    monkeypatch.setattr(services.portal, "IP_PER_HOUR", 3)
    results, errors = _race(
        6, lambda i: services.send_code(f"1390268{i:04d}", purpose="submit", ip="10.1.1.1")
    )
    assert len(results) == 3 and len(errors) == 3


def test_concurrent_replays_of_one_message_make_one_order(demo_city):
    appeal = Appeal(channel="sms", description="公馆镇停水两天了", caller_phone="13700000000")
    results, errors = _race(5, lambda i: services.receive_hook("sms", "m-1", appeal))
    assert not errors, errors
    assert len({r.order.number for r in results}) == 1
    assert Order.objects.filter(channel="sms").count() == 1
