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


def test_a_districts_open_orders_are_counted_newest_first(client, people, register, monkeypatch):
    import datetime as dt

    from hotline.console import queries
    from hotline.orders.choices import Status
    from hotline.orders.models import Order

    open_ = [register(), register(town_code="440902102")]  # 茂南区 (440902)
    closed = register()
    Order.objects.filter(pk=closed.pk).update(
        status=Status.CLOSED, closed_at=closed.received_at + dt.timedelta(hours=1)
    )
    elsewhere = register(town_code="440981002")  # 高州市
    client.force_login(people.supervisor)
    html, sql = _get(client, "console:orders", {"status": "open", "district": "440902"})
    assert all(o.number in html for o in open_) and "共 2 件" in html
    assert closed.number not in html and elsewhere.number not in html
    count = [q for q in sql if q.startswith(COUNT)]
    assert len(count) == 1 and 'ORDER BY "orders_order"."received_at" DESC' in count[0], count
    plan = _plan(count[0])
    # The district's index newest first, stopping at the cap: no sort, no other index.
    assert "(district_id=?)" in plan and "TEMP B-TREE" not in plan, plan
    # Capped in that order as in any other: past the cap it says "1+".
    monkeypatch.setattr(queries, "COUNT_CAP", 1)
    monkeypatch.setattr(queries, "LIST_PAGE_SIZE", 1)
    html, _sql = _get(client, "console:orders", {"status": "open", "district": "440902"})
    assert "共 1+ 件" in html and open_[1].number in html


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open"},  # the status indexes find open rows by themselves
        {"status": "open", "unit": "440902101"},  # (handling_unit, status)
        {"status": "open", "district": "440902", "overdue": "1"},  # (status, deadline)
        {"status": "open", "q": "20221107"},  # the number index
        {"status": "accepted", "district": "440902"},
        {"district": "440902"},
    ],
)
def test_other_lists_count_without_an_order(client, people, register, params):
    register()
    client.force_login(people.supervisor)
    _html, sql = _get(client, "console:orders", params)
    count = [q for q in sql if q.startswith(COUNT)]
    assert len(count) == 1 and "ORDER BY" not in count[0], count


def test_a_unit_handlers_open_orders_count_without_an_order(client, people, register):
    register()
    client.force_login(people.gongguan)
    html, sql = _get(client, "console:orders", {"status": "open", "urgency": "normal"})
    assert "共 1 件" in html
    count = [q for q in sql if q.startswith(COUNT)]
    assert len(count) == 1 and "ORDER BY" not in count[0], count


def test_one_towns_board_counts_closed_today_in_the_same_read(client, people, register):
    import datetime as dt

    from django.utils import timezone

    from hotline.orders.choices import Status
    from hotline.orders.models import Order

    def close(order, at):
        Order.objects.filter(pk=order.pk).update(status=Status.CLOSED, closed_at=at)

    now = timezone.now()
    register(urgency="urgent")
    register()
    close(register(urgency="critical"), now)  # closed today: counted as closed, not as open
    close(register(), now - dt.timedelta(days=2))  # closed before today: not counted
    close(register(town_code="440902102"), now)  # another town's
    register(town_code="440902102", urgency="critical")
    client.force_login(people.supervisor)
    html, sql = _get(client, "console:board-panels", {"town": "440902101"})
    assert 'data-count="open">2<' in html and 'data-count="status-closed">1<' in html
    assert 'data-count="urgency-urgent">1<' in html
    assert 'data-count="urgency-critical">0<' in html
    assert (
        '危急 / 紧急工单 <span class="muted">1 件' in html
    )  # the queue's total: from the counters
    # No second query for "closed today" (it looked up every order the city closed today) …
    assert not [q for q in sql if q.startswith('SELECT COUNT(*) AS "__count"') and "closed_at" in q]
    # … it comes from the one read of the town's orders, the counters' GROUP BY.
    counters = _one(sql, 'SELECT "orders_order"."status" AS "status"', "GROUP BY")
    assert "(town_id=?)" in counters and "MULTI-INDEX OR" not in counters, counters
    assert "status=?" not in counters and "closed_at" not in counters, counters
    # The city's view counts closed today apart, from (status, closed_at).
    html, sql = _get(client, "console:board-panels", {})
    assert 'data-count="status-closed">2<' in html and 'data-count="open">3<' in html
    closed_today = _one(sql, 'SELECT COUNT(*) AS "__count"', "closed_at")
    assert "(status=? AND closed_at>?)" in closed_today, closed_today


def _overdue(order):
    import datetime as dt

    from django.utils import timezone

    from hotline.orders.models import Order

    past = timezone.now() - dt.timedelta(hours=1)
    Order.objects.filter(pk=order.pk).update(accept_deadline=past, resolve_deadline=past)
    return order


@pytest.mark.parametrize("who", ["supervisor", "gongguan"])
def test_overdue_beside_another_filter_reads_the_overdue_orders_first(
    client, people, register, who
):
    late = _overdue(register())  # 公馆镇, 茂南区, lead unit 440902101
    on_time = register()
    late_elsewhere = _overdue(register(town_code="440981002"))  # 高州市
    client.force_login(getattr(people, who))
    # The supervisor narrows to a district; the unit handler's list is the unit's already.
    params = {"overdue": "1", **({"district": "440902"} if who == "supervisor" else {})}
    html, sql = _get(client, "console:orders", params)
    assert late.number in html and "共 1 件" in html
    assert on_time.number not in html and late_elsewhere.number not in html
    count = _one(sql, COUNT)
    # The overdue ids from the three (status, deadline) indexes, then matched by id — not
    # every order of the district or unit read and tested for its clocks.
    assert "LIST SUBQUERY" in count and "MULTI-INDEX OR" in count, count
    assert "(status=? AND accept_deadline<?)" in count, count
    assert "(district_id=?)" not in count and "(handling_unit_id=?)" not in count, count
    # The page reads the list newest first and stops after a page, matching those ids.
    page = _one(sql, PAGE, "ORDER BY")
    assert "LIST SUBQUERY" in page and "TEMP B-TREE FOR ORDER BY" not in page, page


def test_the_citys_overdue_orders_read_the_deadline_indexes_straight(client, people, register):
    late = _overdue(register())
    on_time = register()
    client.force_login(people.supervisor)
    html, sql = _get(client, "console:orders", {"status": "open", "overdue": "1"})
    assert late.number in html and on_time.number not in html and "共 1 件" in html
    count = _one(sql, COUNT)
    assert "MULTI-INDEX OR" in count and "LIST SUBQUERY" not in count, count
