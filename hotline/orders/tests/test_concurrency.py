"""Idempotency under concurrent retries: threads posting the same key at once get one order.

Runs only on PostgreSQL, where writers really overlap (SQLite serialises them).
"""

import threading

import pytest
from django.db import connection, connections

from hotline.orders import services
from hotline.orders.models import Order

from .factories import appeal

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_order(people):
    barrier = threading.Barrier(6)
    results, errors = [], []

    def retry():
        try:
            barrier.wait()
            results.append(services.receive(people.agent, idempotency_key="same", **appeal()))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Order.objects.filter(idempotency_key="same").count() == 1
    assert len({r.order.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_distinct_orders_get_distinct_numbers(people):
    barrier = threading.Barrier(5)
    numbers, errors = [], []

    def one(i):
        try:
            barrier.wait()
            order = services.receive(people.agent, idempotency_key=f"k{i}", **appeal()).order
            numbers.append(order.number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(numbers)) == 5
