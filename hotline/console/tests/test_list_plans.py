"""What the lists and the board read, on SQLite (docs/ORDERS.md, "Lists at scale").

SQLite runs without planner statistics, so its choice of index depends only on the indexes
there are and the shape of the query: the plans asserted here are the ones it makes over a
million orders too (bench/bench_lists.py measures them). Two filters neither of which is
selective alone (open critical orders of one district; a unit's urgent orders) must read the
index on both, not every order of the district or the unit; the board's view of one unit must
count from an index alone; the unit inbox must keep reading (handling_unit, status) — a wider
index once turned it to reading every order of the unit. Each test also checks the rows.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline.orders import services

pytestmark = pytest.mark.django_db

PAGE = 'SELECT "orders_order"."id", "orders_order"."number"'
COUNT = 'SELECT COUNT(*) FROM (SELECT "orders_order"."id"'


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plans without statistics; PostgreSQL plans from its statistics")


def _plan(sql: str) -> str:
    with connection.cursor() as c:
        c.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(row[3] for row in c.fetchall())


def _get(client, name: str, params: dict) -> tuple[str, list[str]]:
    """(the page, the SQL of the queries it ran)."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse(name), params)
    assert r.status_code == 200
    return r.content.decode(), [q["sql"] for q in ctx.captured_queries]


def _one(queries: list[str], start: str, *also: str) -> str:
    found = [q for q in queries if q.startswith(start) and all(a in q for a in also)]
    assert len(found) == 1, (start, also, queries)
    return _plan(found[0])


def test_open_critical_orders_of_a_district_read_the_district_and_urgency_index(
    client, people, register
):
    critical = register(urgency="critical")  # 公馆镇, 茂南区 (440902)
    register()  # normal, the same district
    elsewhere = register(urgency="critical", town_code="440981002")  # 高州市
    client.force_login(people.supervisor)
    html, queries = _get(
        client, "console:orders", {"status": "open", "urgency": "critical", "district": "440902"}
    )
    assert critical.number in html and elsewhere.number not in html and "共 1 件" in html
    for plan in (_one(queries, COUNT), _one(queries, PAGE, "ORDER BY")):
        assert "(district_id=? AND urgency=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # read newest first, no sort


def test_a_units_urgent_orders_read_the_unit_and_urgency_index(client, people, register):
    urgent = register(urgency="urgent")
    normal = register()
    assert urgent.handling_unit.code == normal.handling_unit.code == "440902101"
    other = register(urgency="urgent", town_code="440902102")
    client.force_login(people.gongguan)
    html, queries = _get(client, "console:orders", {"urgency": "urgent"})
    assert urgent.number in html and normal.number not in html and other.number not in html
    assert "共 1 件" in html
    count = _one(queries, COUNT)
    assert "orders_order USING COVERING INDEX" in count, count
    assert "(handling_unit_id=? AND urgency=?)" in count, count
    page = _one(queries, PAGE, "ORDER BY")
    assert "(handling_unit_id=? AND urgency=?)" in page and "TEMP B-TREE" not in page, page


def test_one_units_board_counts_from_an_index_alone(client, people, register):
    from hotline.orders.choices import Status
    from hotline.orders.models import Order

    register(urgency="urgent")
    register()
    closed = register()
    Order.objects.filter(pk=closed.pk).update(status=Status.CLOSED, closed_at=closed.received_at)
    register(town_code="440902102")  # another unit's
    client.force_login(people.supervisor)
    html, queries = _get(client, "console:board-panels", {"unit": "440902101"})
    assert 'data-count="open">2<' in html and 'data-count="status-closed">1<' in html
    by_status = _one(queries, 'SELECT "orders_order"."status" AS "status"', "GROUP BY")
    assert "orders_order USING COVERING INDEX" in by_status, by_status
    assert "(handling_unit_id=? AND status=?)" in by_status, by_status
    closed_today = _one(queries, 'SELECT COUNT(*) AS "__count"', "closed_at")
    assert "orders_order USING COVERING INDEX" in closed_today, closed_today
    assert "(handling_unit_id=? AND status=? AND closed_at>?)" in closed_today, closed_today


def test_the_unit_inbox_keeps_reading_the_unit_and_status_index(client, people, register):
    lead = register()
    services.dispatch(people.supervisor, lead, unit="440902101")
    client.force_login(people.gongguan)
    co = register(town_code="440902102")
    for co_handled in (False, True):
        if co_handled:  # then the unit's orders are "lead = unit OR id IN (co-handled ids)"
            services.dispatch(people.supervisor, co, unit="440902102", co_units=["440902101"])
        html, queries = _get(client, "console:inbox-rows", {})
        assert lead.number in html and (co.number in html) == co_handled
        plan = _one(queries, PAGE, "ORDER BY")
        # The unit's waiting orders from (handling_unit, status), never its every order.
        assert "(handling_unit_id=? AND status=?)" in plan, plan
        assert "(handling_unit_id=?)" not in plan, plan
