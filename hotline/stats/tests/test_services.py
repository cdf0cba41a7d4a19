"""The formulas of docs/STATS.md computed by hand on the fixture city, the live subscriber
against a rebuild, replays, and the history import."""

from __future__ import annotations

import datetime as dt

import pytest

from hotline.orders import events
from hotline.stats import queries, services
from hotline.stats.errors import StatsError
from hotline.stats.models import HistoryCount, HourlyCount, OrderFact, StatsEvent, UnitFact

from .factories import T0

pytestmark = pytest.mark.django_db
DAY = T0.date()


def _snapshot():
    facts = sorted(OrderFact.objects.values_list(*services.ORDER_FACT_FIELDS))
    units = sorted(UnitFact.objects.values_list(*services.UNIT_FACT_FIELDS))
    cells = sorted(
        HourlyCount.objects.filter(count__gt=0).values_list(
            "day", "hour", "channel", "town", "unit_id", "count"
        )
    )
    return facts, units, cells


def _league(people):
    scope = queries.scope_for(people.supervisor)
    return queries.league(scope, queries.make_period(DAY, DAY))


def test_the_three_rates_and_the_others_by_hand(city, people):
    table = _league(people)
    rows = {r["name"]: r for r in table["units"]}
    g = rows["茂南区公馆镇人民政府"]
    # Dispatched to 公馆镇: A, B, C, D, F.
    assert g["dispatches"] == 5
    # Accept clocks that ended: A (on time), B (late), C (on time), F (ran out) — D was
    # returned in time, so it is not counted. 2 / 4.
    assert (g["accept_on_time"], g["accept_due"], g["accept_rate"]) == (2, 4, 50.0)
    # Resolve clocks: A (on time), B (late), C before and after the reopen (on time). 3 / 4.
    assert (g["resolve_on_time"], g["resolve_due"], g["resolve_rate"]) == (3, 4, 75.0)
    # Callbacks: A satisfied, B basically satisfied, C dissatisfied then satisfied. 3 / 4.
    assert (g["satisfied"], g["rated"], g["satisfaction_rate"]) == (3, 4, 75.0)
    # Returns over dispatches: 1 / 5. Reopens over replies: 1 / 4.
    assert (g["returns"], g["return_rate"]) == (1, 20.0)
    assert (g["reopens"], g["resolves"], g["reopen_rate"]) == (1, 4, 25.0)
    # First acceptances: A 10 min, C 20 min, B > 20 min → median 20.
    assert g["median_accept_minutes"] == 20.0
    # First replies from the dispatch: A 60, C 118, B days → median 118.
    assert g["median_resolve_minutes"] == 118.0

    x = rows["茂南区新坡镇人民政府"]
    assert (x["dispatches"], x["accept_due"], x["accept_on_time"], x["accept_rate"]) == (
        1,
        1,
        1,
        100.0,
    )
    assert x["median_accept_minutes"] == 30.0 and x["resolve_rate"] is None

    # First contact: E of six orders received.
    total = table["total"]
    assert (total["first_contact"], total["received"], total["first_contact_rate"]) == (1, 6, 16.7)
    district = {r["code"]: r for r in table["districts"]}["440902"]
    assert district["first_contact_rate"] == 16.7
    assert (district["accept_on_time"], district["accept_due"]) == (3, 5)
    assert district["accept_rate"] == 60.0


def test_a_unit_sees_only_its_own_row(city, people):
    scope = queries.scope_for(people.gongguan)
    table = queries.league(scope, queries.make_period(DAY, DAY))
    assert [r["name"] for r in table["units"]] == ["茂南区公馆镇人民政府"]
    assert table["districts"] == []
    figures = queries.board(scope, queries.make_period(DAY, DAY))
    # A, B, C, F are with 公馆镇 now (D went to 新坡镇, E was never dispatched).
    assert figures["total"] == 4


def test_agents_and_people_without_a_unit_are_refused(people):
    with pytest.raises(StatsError) as exc:
        queries.scope_for(people.agent)
    assert exc.value.status == 403


def test_board_figures_from_the_cells(city, people):
    scope = queries.scope_for(people.supervisor)
    figures = queries.board(scope, queries.make_period(DAY, DAY))
    assert figures["total"] == 6 and figures["phone"] == 6 and figures["online"] == 0
    assert figures["volume"][9]["count"] == 6  # all received in the 09 hour
    assert {c["code"]: c["count"] for c in figures["categories"]} == {"living": 5, "testing": 1}
    overdue = {r["unit"]: r for r in figures["overdue"]}
    assert overdue["茂南区公馆镇人民政府"] == {
        "unit": "茂南区公馆镇人民政府",
        "orders": 1,
        "open": 1,
    }


def test_replay_changes_nothing_and_rebuild_agrees(city, people):
    before = _snapshot()
    assert services.refresh_order(city["C"].pk) is False  # the handler again: no change
    events.replay(services.SUBSCRIBER)
    events.deliver_all(names=[services.SUBSCRIBER])
    assert _snapshot() == before
    summary = services.rebuild()
    assert summary["orders"] == 6
    assert _snapshot() == before
    assert StatsEvent.objects.filter(code="stats.rollup.rebuilt").exists()


def test_a_later_event_moves_the_order_between_cells(city, people):
    from hotline.orders import services as order_services

    d = city["D"]
    xinpo = d.handling_unit_id
    order_services.return_to_center(
        people.other_town, d.number, reason="不属本镇", now=T0 + 60 * dt.timedelta(minutes=1)
    )
    events.deliver_all(names=[services.SUBSCRIBER])
    assert not HourlyCount.objects.filter(unit_id=xinpo, count__gt=0).exists()
    assert OrderFact.objects.get(pk=d.pk).unit_id == 0
    assert sum(HourlyCount.objects.values_list("count", flat=True)) == 6


CSV = """date,hour,channel,epidemic,count
2021-11-07,9,phone,0,2
2021-11-07,9,phone,1,1
2021-11-08,,,,30
2021-11-08,,,,10
"""


def test_history_import_is_idempotent_and_feeds_yoy(city, people):
    first = services.import_history(people.admin, CSV, source="test.csv")
    assert first == {
        "rows": 4,
        "days": 2,
        "first": "2021-11-07",
        "last": "2021-11-08",
        "total": 43,
        "source": "test.csv",
    }
    services.import_history(people.admin, CSV)
    assert HistoryCount.objects.count() == 4
    scope = queries.scope_for(people.supervisor)
    figures = queries.board(scope, queries.make_period(DAY, DAY))
    # 7 Nov 2021 had 3 → 6 now is +100 %; 1 of the 3 epidemic, 1 now (E is testing).
    assert (figures["last_year_total"], figures["yoy"]) == (3, 100.0)
    assert figures["last_year_epidemic"] == 1
    # The hourly curve compares with the same weekday: 8 Nov 2021 (a Monday), whole-day rows.
    assert figures["volume"][9]["last_year"] is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("day,count\n2021-11-07,3\n", "history_header"),
        ("date,count,colour\n2021-11-07,3,red\n", "history_header"),
        ("date,count\n2021-13-07,3\n", "history_date"),
        ("date,hour,count\n2021-11-07,24,3\n", "history_hour"),
        ("date,channel,count\n2021-11-07,pigeon,3\n", "history_channel"),
        ("date,epidemic,count\n2021-11-07,yes,3\n", "history_epidemic"),
        ("date,count\n2021-11-07,-3\n", "history_count"),
        ("date,count\n", "history_empty"),
    ],
)
def test_history_refusals(db, text, code):
    with pytest.raises(StatsError) as exc:
        services.import_history(None, text)
    assert exc.value.code == code and exc.value.status == 422
    assert not HistoryCount.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "cutoff", "code"),
    [
        (dt.date(2022, 11, 8), dt.date(2022, 11, 7), 24, "period_reversed"),
        (dt.date(2020, 1, 1), dt.date(2022, 1, 1), 24, "period_too_long"),
        (dt.date(2022, 11, 7), dt.date(2022, 11, 7), 0, "cutoff_invalid"),
        (dt.date(1, 1, 1), dt.date(1, 1, 1), 24, "date_out_of_range"),
        (dt.date(2022, 11, 7), dt.date(9999, 12, 31), 24, "date_out_of_range"),
    ],
)
def test_period_refusals(start, end, cutoff, code):
    with pytest.raises(StatsError) as exc:
        queries.make_period(start, end, cutoff)
    assert exc.value.code == code


def test_after_a_rebuild_the_subscriber_takes_only_new_events(city, people):
    from hotline.orders.models import SubscriberCursor

    from .factories import receive

    summary = services.rebuild()
    assert SubscriberCursor.objects.get(name=services.SUBSCRIBER).position == summary["last_event"]
    receive(people.agent, T0 + dt.timedelta(hours=3))
    handled = events.deliver_all(names=[services.SUBSCRIBER])
    assert 1 <= handled <= 3  # received, dispatched (and nothing of the history again)
    assert OrderFact.objects.count() == 7
    assert sum(HourlyCount.objects.values_list("count", flat=True)) == 7
