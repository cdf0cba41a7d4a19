"""The live subscriber and ``hotline stats rebuild`` give identical tables — facts, unit facts
and every rollup — on a story that has every event kind the statistics read, delivered one
step at a time (so every -1/+1 move of a cell is exercised); and each coarse rollup is the sum
of the finest."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hotline.orders import events
from hotline.orders import services as orders
from hotline.orders.models import OrderEvent
from hotline.orders.sweep import sweep
from hotline.stats import queries, services
from hotline.stats.models import ROLLUPS, HourlyCount, OrderFact, UnitFact

from .factories import GONGGUAN, T0, XINPO, fixture_city, receive

pytestmark = pytest.mark.django_db
M = dt.timedelta(minutes=1)


def _tables() -> dict:
    out = {
        "facts": sorted(OrderFact.objects.values_list(*services.ORDER_FACT_FIELDS)),
        "units": sorted(UnitFact.objects.values_list(*services.UNIT_FACT_FIELDS)),
    }
    for model in ROLLUPS:
        out[model.__name__] = sorted(
            model.objects.filter(count__gt=0).values_list(*model.dimensions, "count")
        )
    return out


def _live(step, *args, **kwargs):
    """One order action, then the subscriber takes its events (as the worker would)."""
    result = step(*args, **kwargs)
    events.deliver_all(names=[services.SUBSCRIBER])
    return result


def every_event_kind(people) -> dict:
    """The six orders of the formula tests, plus orders that are extended, refused an
    extension, run out of their resolve clock, escalated, linked as a repeat, urged to a higher
    urgency (one with no event after the urge), re-dispatched before acceptance."""
    o = fixture_city(people)
    agent, sup, g, x = people.agent, people.supervisor, people.gongguan, people.other_town
    # G: accepted, extension approved, then the new deadline runs out; escalated; replied late.
    o["G"] = _live(receive, agent, T0 + 10 * M)
    _live(orders.accept, g, o["G"].number, now=T0 + 15 * M)
    o["G"].refresh_from_db()
    until = o["G"].resolve_deadline + dt.timedelta(days=1)
    _live(orders.request_extension, g, o["G"].number, until=until, reason="需协调供水公司",
          now=T0 + 30 * M)  # fmt: skip
    _live(orders.decide_extension, sup, o["G"].number, approve=True, now=T0 + 40 * M)
    # H: a repeat of G, linked and closed.
    o["H"] = _live(receive, agent, T0 + 11 * M)
    _live(orders.link_duplicate, agent, o["H"].number, of=o["G"].number, now=T0 + 12 * M)
    # I: urged from normal to urgent before acceptance; refused an extension.
    o["I"] = _live(receive, agent, T0 + 12 * M)
    _live(orders.urge, agent, o["I"].number, text="家里老人等着用水", urgency="urgent",
          now=T0 + 20 * M)  # fmt: skip
    _live(orders.accept, g, o["I"].number, now=T0 + 25 * M)
    o["I"].refresh_from_db()
    _live(orders.request_extension, g, o["I"].number, until=o["I"].resolve_deadline + 60 * M,
          reason="材料未齐", now=T0 + 30 * M)  # fmt: skip
    _live(orders.decide_extension, sup, o["I"].number, approve=False, now=T0 + 35 * M)
    # J: re-dispatched from 公馆镇 to 新坡镇 before acceptance (no return), then accepted.
    o["J"] = _live(receive, agent, T0 + 13 * M)
    _live(orders.dispatch, sup, o["J"].number, unit=XINPO, now=T0 + 14 * M)
    _live(orders.accept, x, o["J"].number, now=T0 + 20 * M)
    o["G"].refresh_from_db()
    _live(sweep, o["G"].resolve_deadline + M)
    late = o["G"].resolve_deadline
    _live(orders.escalate, sup, o["G"].number, reason="逾期未办结", now=late + 2 * M)
    _live(orders.resolve, g, o["G"].number, reply="已恢复供水", now=late + 3 * M)
    # K: urged to critical, and nothing after (the urge alone must move its cells; after the
    # sweep, so no overdue event follows it).
    o["K"] = _live(receive, agent, T0 + 14 * M)
    _live(orders.urge, agent, o["K"].number, text="老人晕倒了", urgency="critical",
          now=T0 + 16 * M)  # fmt: skip
    for order in o.values():
        order.refresh_from_db()
    return o


def test_live_and_rebuild_agree_on_every_event_kind(people):
    story = every_event_kind(people)
    seen = set(OrderEvent.objects.values_list("code", flat=True))
    assert set(services.CODES) <= seen, set(services.CODES) - seen
    assert set(OrderEvent.objects.filter(code="orders.order.overdue").values_list(
        "payload__clock", flat=True)) == {"accept", "resolve"}  # fmt: skip
    live = _tables()
    assert len(live["facts"]) == len(story) == 11
    # The unit still holding G is 公馆镇; J moved to 新坡镇 without a return.
    assert OrderFact.objects.get(pk=story["J"].pk).unit_id == story["J"].handling_unit_id
    assert story["I"].urgency == "urgent"
    assert OrderFact.objects.get(pk=story["I"].pk).urgency == "urgent"
    assert OrderFact.objects.get(pk=story["K"].pk).urgency == "critical"

    services.rebuild()
    assert _tables() == live

    # A replay of every event by the subscriber changes nothing either.
    events.replay(services.SUBSCRIBER)
    events.deliver_all(names=[services.SUBSCRIBER])
    assert _tables() == live


def test_each_rollup_is_the_sum_of_the_finest(people):
    every_event_kind(people)
    finest = list(HourlyCount.objects.filter(count__gt=0).values(*HourlyCount.dimensions, "count"))
    for model in ROLLUPS[1:]:
        expected = Counter()
        for cell in finest:
            expected[tuple(cell[d] for d in model.dimensions)] += cell["count"]
        got = {
            row[:-1]: row[-1]
            for row in model.objects.filter(count__gt=0).values_list(*model.dimensions, "count")
        }
        assert got == dict(expected), model.__name__


def test_the_city_board_reads_the_coarse_rollups_and_agrees_with_the_cells(people):
    every_event_kind(people)
    day = T0.date()
    assert queries.rollup_for({"day", "hour", "channel", "category", "epidemic"}).__name__ == (
        "CityHourlyCount"
    )
    assert queries.rollup_for({"day", "town", "category"}).__name__ == "TownDailyCount"
    assert queries.rollup_for({"day", "town", "category", "hour"}) is HourlyCount
    assert queries.rollup_for({"day", "channel", "unit_id"}) is HourlyCount
    city = queries.Scope(None, "全市")
    full = queries.board(city, queries.make_period(day, day))
    # Cut at 24 h is the whole day; cut at 10 h reads the hourly cells for the towns.
    cut = queries.board(city, queries.make_period(day, day, cutoff_hour=10))
    assert full["total"] == cut["total"] == 11
    assert full["towns"] == cut["towns"]
    assert {t["code"]: t["count"] for t in full["towns"]} == {GONGGUAN: 11}
    early = queries.board(city, queries.make_period(day, day, cutoff_hour=9))
    assert early["total"] == 0 and early["towns"] == []
