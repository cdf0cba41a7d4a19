"""Reads of the statistics: the board, the league table, the daily report.

Every figure comes from the stats tables (hourly cells, order and unit facts, last year's
counts), never from the orders table. Who sees what: supervisors and admins the whole city; a
unit handler only the orders their unit leads (the cells and facts of that unit).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from hotline.accounts.roles import Role, roles_of
from hotline.geo.models import Division, HandlingUnit
from hotline.orders.choices import Category, Channel, Urgency
from hotline.orders.models import handler_unit_id

from .choices import PHONE_CHANNELS, SYSTEM_CHANNELS
from .errors import forbidden, invalid
from .facts import UNIT_COUNTERS
from .models import ROLLUPS, HistoryCount, OrderFact, UnitFact
from .services import local_zone

MAX_PERIOD_DAYS = 366
#: A year back on the same weekday (52 weeks), for the hourly curve.
SAME_WEEKDAY = dt.timedelta(days=364)
CHANNEL_LABELS = dict(Channel.choices)
CATEGORY_LABELS = dict(Category.choices)
URGENCY_LABELS = dict(Urgency.choices)
HEAT_LEVELS = 6


@dataclass(frozen=True)
class Scope:
    """What a user may see: the city (``unit_id`` None) or one unit's orders."""

    unit_id: int | None
    label: str

    @property
    def city(self) -> bool:
        return self.unit_id is None


def scope_for(user) -> Scope:
    """The city for supervisors and admins, the own unit for a unit handler; else refused."""
    roles = roles_of(user)
    if roles & {Role.SUPERVISOR, Role.ADMIN}:
        return Scope(None, "全市")
    if Role.UNIT_HANDLER in roles:
        unit_id = handler_unit_id(user)
        if unit_id:
            name = HandlingUnit.objects.filter(pk=unit_id).values_list("name", flat=True).first()
            return Scope(unit_id, name or "本单位")
    raise forbidden()


def require_city(user) -> Scope:
    scope = scope_for(user)
    if not scope.city:
        raise forbidden("日报只有值班长和系统管理员可以查看。")
    return scope


#: The days a period may cover (the same bounds as the workforce's roster days).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end`` inclusive (local dates), optionally cut at an hour of
    the last day (a report's cut-off: receipts before that hour)."""

    start: dt.date
    end: dt.date
    cutoff_hour: int = 24

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def cutoff(self) -> dt.datetime:
        """The instant of the cut-off, aware (the end of the last day when 24)."""
        base = dt.datetime.combine(self.end, dt.time(), tzinfo=local_zone())
        return base + dt.timedelta(hours=self.cutoff_hour)


def make_period(start=None, end=None, cutoff_hour: int = 24, today=None) -> Period:
    """A checked period (defaults: today); a refusal is a StatsError with a Chinese message."""
    today = today or dt.datetime.now(local_zone()).date()
    start = start or end or today
    end = end or start
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        # Last year's comparison moves the period back a year: 0001-01-01 would overflow.
        raise invalid(f"日期应在 {FIRST_DAY.year}–{LAST_DAY.year} 年之间。", "date_out_of_range")
    if end < start:
        raise invalid("结束日期不能早于开始日期。", "period_reversed")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise invalid(f"统计区间最长 {MAX_PERIOD_DAYS} 天。", "period_too_long")
    if not 1 <= cutoff_hour <= 24:
        raise invalid("截止时间应为 1–24 时。", "cutoff_invalid")
    return Period(start, end, cutoff_hour)


def rollup_for(dims) -> type:
    """The coarsest rollup that has every dimension in ``dims`` (the fewest rows to read)."""
    needed = set(dims)
    for model in reversed(ROLLUPS):
        if needed <= set(model.dimensions):
            return model
    raise ValueError(f"no rollup has {sorted(needed)}")  # a programming error, not input


def _sums(scope: Scope, period: Period, *dims):
    """(dims…, total) over the count cells of the scope and period, summed by the database,
    from the coarsest rollup that can answer: the city's own rollups for the city, the unit's
    cells of ``HourlyCount`` for a unit, ``HourlyCount`` too for a towns figure cut before
    midnight (the towns' rollup has no hours)."""
    needed = {"day", *dims}
    if scope.unit_id is not None:
        needed.add("unit_id")
    if period.cutoff_hour < 24:
        needed.add("hour")
    model = rollup_for(needed)
    qs = model.objects.filter(day__range=(period.start, period.end), count__gt=0)
    if scope.unit_id is not None:
        qs = qs.filter(unit_id=scope.unit_id)
    if period.cutoff_hour < 24:
        qs = qs.exclude(day=period.end, hour__gte=period.cutoff_hour)
    return qs.order_by().values_list(*dims).annotate(n=Sum("count")).values_list(*dims, "n")


def _facts(model, scope: Scope, period: Period):
    qs = model.objects.filter(day__range=(period.start, period.end))
    if scope.unit_id is not None:
        qs = qs.filter(unit_id=scope.unit_id)
    if period.cutoff_hour < 24:
        qs = qs.filter(received_at__lt=period.cutoff())
    return qs


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator as a percentage with one decimal, or None when nothing is due."""
    return round(100 * numerator / denominator, 1) if denominator else None


def yoy(now: int, before: int | None) -> float | None:
    """Year-on-year change in percent, None without last year's figure."""
    return round(100 * (now - before) / before, 1) if before else None


def _history(period: Period, shift: dt.timedelta):
    """Last year's rows for the period moved back by ``shift``, as (day+shift, hour, channel,
    epidemic, count) so they line up with this year's days."""
    rows = HistoryCount.objects.filter(
        day__range=(period.start - shift, period.end - shift)
    ).values_list("day", "hour", "channel", "epidemic", "count")
    return [(d + shift, h, c, e, n) for d, h, c, e, n in rows]


def _town_names(codes) -> dict[str, str]:
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def _unit_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return dict(HandlingUnit.objects.filter(pk__in=ids).values_list("pk", "name"))


def board(scope: Scope, period: Period) -> dict:
    """Every figure of the board for a period: volume by hour (one day) or by day against last
    year's same weekday, channels, categories with their epidemic share, towns, the urgent
    pipeline and overdue orders by unit."""
    by_hour = period.days == 1
    total = epidemic = 0
    series: Counter = Counter()
    channels: Counter = Counter()
    categories: Counter = Counter()
    categories_epi: Counter = Counter()
    towns: Counter = Counter()
    heat: dict[str, Counter] = defaultdict(Counter)
    # One grouped read for the curve, channels and categories; one for the towns.
    key = "hour" if by_hour else "day"
    for k, channel, category, epi, n in _sums(scope, period, key, "channel", "category",
                                              "epidemic"):  # fmt: skip
        series[k] += n
        channels[channel] += n
        total += n
        categories[category] += n
        if epi:
            epidemic += n
            categories_epi[category] += n
    for town, category, n in _sums(scope, period, "town", "category"):
        towns[town] += n
        heat[town][category] += n

    # Last year: the hourly curve against the same weekday, the totals against the same date.
    last_series: Counter = Counter()
    last_total = last_epi = None
    if scope.city:
        for day, hour, _c, _e, n in _history(period, SAME_WEEKDAY):
            if by_hour:
                if hour is not None and hour < period.cutoff_hour:
                    last_series[hour] += n
            elif day != period.end or hour is None or hour < period.cutoff_hour:
                last_series[day] += n
        same_date = _history_same_date(period)
        if same_date:
            last_total = sum(n for *_x, n in same_date)
            split = [n for _d, _h, _c, e, n in same_date if e is not None]
            last_epi = sum(n for _d, _h, _c, e, n in same_date if e) if split else None

    if by_hour:
        labels = [f"{h:02d}时" for h in range(24)]
        keys = list(range(24))
    else:
        keys = [period.start + dt.timedelta(days=i) for i in range(period.days)]
        labels = [f"{d:%m-%d}" for d in keys]
    volume = [
        {"label": label, "count": series[k], "last_year": last_series.get(k)}
        for label, k in zip(labels, keys, strict=True)
    ]
    top_towns = [t for t, _n in towns.most_common(20)]
    names = _town_names(top_towns)
    town_rows = [
        {"code": t, "name": names.get(t, "未定位") if t else "未定位", "count": towns[t]}
        for t in top_towns
    ]
    heat_cats = [c for c, _n in categories.most_common(8)]
    peak = max((heat[t][c] for t in top_towns[:12] for c in heat_cats), default=0)
    heat_rows = [
        {
            "name": row["name"],
            "cells": [
                {
                    "count": heat[row["code"]][c],
                    "level": _heat_level(heat[row["code"]][c], peak),
                }
                for c in heat_cats
            ],
        }
        for row in town_rows[:12]
    ]
    return {
        "scope": scope.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "by_hour": by_hour,
        "total": total,
        "epidemic": epidemic,
        "last_year_total": last_total,
        "yoy": yoy(total, last_total),
        "last_year_epidemic": last_epi,
        "epidemic_yoy": yoy(epidemic, last_epi),
        "phone": sum(n for c, n in channels.items() if c in PHONE_CHANNELS),
        "online": sum(n for c, n in channels.items() if c not in PHONE_CHANNELS | SYSTEM_CHANNELS),
        "volume": volume,
        "channels": [
            {"code": c, "name": CHANNEL_LABELS.get(c, c), "count": n, "share": rate(n, total)}
            for c, n in channels.most_common()
        ],
        "categories": [
            {
                "code": c,
                "name": CATEGORY_LABELS.get(c, c),
                "count": n,
                "epidemic": categories_epi[c],
                "epidemic_share": rate(categories_epi[c], n),
            }
            for c, n in categories.most_common()
        ],
        "towns": town_rows,
        "heat": {"columns": [CATEGORY_LABELS.get(c, c) for c in heat_cats], "rows": heat_rows},
        "pipeline": pipeline(scope, period),
        "overdue": overdue_by_unit(scope, period),
    }


def _history_same_date(period: Period):
    """Last year's rows for the same calendar dates (29 Feb has none)."""
    out = []
    for i in range(period.days):
        day = period.start + dt.timedelta(days=i)
        try:
            before = day.replace(year=day.year - 1)
        except ValueError:
            continue
        out.append(before)
    rows = HistoryCount.objects.filter(day__in=out).values_list(
        "day", "hour", "channel", "epidemic", "count"
    )
    last = period.end.replace(year=period.end.year - 1) if out else None
    return [
        r for r in rows if not (r[0] == last and r[1] is not None and r[1] >= period.cutoff_hour)
    ]


def _heat_level(n: int, peak: int) -> int:
    if not n or not peak:
        return 0
    return max(1, min(HEAT_LEVELS, round(HEAT_LEVELS * n / peak)))


def pipeline(scope: Scope, period: Period) -> list[dict]:
    """Critical and urgent orders received in the period: how many reached each step, and the
    median minutes from receipt to that step."""
    rows = list(
        _facts(OrderFact, scope, period)
        .filter(urgency__in=[Urgency.CRITICAL, Urgency.URGENT], duplicate=False)
        .values_list("dispatch_minutes", "accept_minutes", "resolve_minutes")
    )
    out = [{"step": "received", "name": "受理", "count": len(rows), "median_minutes": None}]
    for i, (code, label) in enumerate(
        [("dispatched", "派单"), ("accepted", "签收"), ("resolved", "答复")]
    ):
        minutes = [r[i] for r in rows if r[i] is not None]
        out.append(
            {"step": code, "name": label, "count": len(minutes), "median_minutes": median(minutes)}
        )
    return out


def overdue_by_unit(scope: Scope, period: Period, limit: int = 20) -> list[dict]:
    """Units with orders of the period whose clock ran out while with them (most first): how
    many such orders, and how many of them the unit still holds open."""
    rows = list(
        _facts(UnitFact, scope, period)
        .filter(overdue__gt=0)
        .values("unit_id")
        .annotate(orders=Count("id"), still_open=Count("id", filter=Q(open=True)))
        .order_by("-orders", "unit_id")[:limit]
    )
    names = _unit_names([r["unit_id"] for r in rows])
    return [
        {
            "unit": names.get(r["unit_id"], str(r["unit_id"])),
            "orders": r["orders"],
            "open": r["still_open"],
        }
        for r in rows
    ]


# --- league table ----------------------------------------------------------------------------
def _league_row(name: str, sums: dict, accept_minutes, resolve_minutes) -> dict:
    return {
        "name": name,
        **{k: sums.get(k) or 0 for k in UNIT_COUNTERS},
        "accept_rate": rate(sums.get("accept_on_time") or 0, sums.get("accept_due") or 0),
        "resolve_rate": rate(sums.get("resolve_on_time") or 0, sums.get("resolve_due") or 0),
        "satisfaction_rate": rate(sums.get("satisfied") or 0, sums.get("rated") or 0),
        "return_rate": rate(sums.get("returns") or 0, sums.get("dispatches") or 0),
        "reopen_rate": rate(sums.get("reopens") or 0, sums.get("resolves") or 0),
        "median_accept_minutes": median(accept_minutes),
        "median_resolve_minutes": median(resolve_minutes),
    }


def league(scope: Scope, period: Period) -> dict:
    """The league table of units (and of districts, for the city) over orders received in the
    period: the three rates, return and reopen rates, first-contact resolution, medians.
    Formulas: docs/STATS.md."""
    facts = _facts(UnitFact, scope, period)
    sums = {k: Sum(k) for k in UNIT_COUNTERS}
    by_unit = {r["unit_id"]: r for r in facts.values("unit_id").annotate(**sums)}
    minutes: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    by_district_minutes: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for unit_id, district, am, rm in facts.values_list(
        "unit_id", "district", "accept_minutes", "resolve_minutes"
    ):
        minutes[unit_id][0].append(am)
        minutes[unit_id][1].append(rm)
        by_district_minutes[district][0].append(am)
        by_district_minutes[district][1].append(rm)
    names = _unit_names(list(by_unit))
    units = [
        {"unit_id": uid, **_league_row(names.get(uid, str(uid)), row, *minutes[uid])}
        for uid, row in by_unit.items()
    ]
    units.sort(
        key=lambda r: (
            -(r["accept_rate"] or 0) - (r["resolve_rate"] or 0) - (r["satisfaction_rate"] or 0),
            r["name"],
        )
    )
    for rank, row in enumerate(units, start=1):
        row["rank"] = rank
    city_sums = {k: sum(r[k] for r in units) for k in UNIT_COUNTERS}
    all_accept = [m for a, _r in minutes.values() for m in a]
    all_resolve = [m for _a, r in minutes.values() for m in r]
    first_contact, fc_whole = _first_contact(scope, period)
    total = _league_row(scope.label, city_sums, all_accept, all_resolve)
    total.update(fc_whole)
    districts = []
    if scope.city:
        by_district = {r["district"]: r for r in facts.values("district").annotate(**sums)}
        dnames = _town_names(list(set(by_district) | set(first_contact)))
        for code in sorted(set(by_district) | set(first_contact)):
            row = _league_row(
                dnames.get(code, "未定位") if code else "未定位",
                by_district.get(code, {}),
                *by_district_minutes[code],
            )
            row["code"] = code
            row.update(first_contact.get(code, {"first_contact_rate": None}))
            districts.append(row)
    return {
        "scope": scope.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "units": units,
        "districts": districts,
        "total": total,
    }


def _first_contact(scope: Scope, period: Period) -> tuple[dict, dict]:
    """First-contact resolution by district code and for the whole scope: orders closed at
    first contact over orders received, repeats (linked duplicates) left out. A unit's scope
    has none: first contact is the center's, before any dispatch."""
    if not scope.city:
        return {}, {"first_contact_rate": None}
    rows = (
        _facts(OrderFact, scope, period)
        .filter(duplicate=False)
        .values("district")
        .annotate(received=Count("order_id"), fc=Count("order_id", filter=Q(first_contact=True)))
    )
    out = {}
    total_received = total_fc = 0
    for r in rows:
        total_received += r["received"]
        total_fc += r["fc"]
        out[r["district"]] = {
            "received": r["received"],
            "first_contact": r["fc"],
            "first_contact_rate": rate(r["fc"], r["received"]),
        }
    whole = {
        "received": total_received,
        "first_contact": total_fc,
        "first_contact_rate": rate(total_fc, total_received),
    }
    return out, whole


# --- daily report ----------------------------------------------------------------------------
def report(scope: Scope, period: Period) -> dict:
    """The daily report (日报) of one day up to its cut-off: totals with year-on-year change,
    channels, top categories and towns, critical and urgent orders handled with their median
    time to help, overdue orders and the league table."""
    figures = board(scope, period)
    urgent = (
        _facts(OrderFact, scope, period)
        .filter(urgency__in=[Urgency.CRITICAL, Urgency.URGENT], duplicate=False)
        .values_list("urgency", "accept_minutes", "resolve_minutes")
    )
    help_rows = {u: {"received": 0, "accepted": 0, "resolved": 0, "minutes": []} for u in
                 (Urgency.CRITICAL, Urgency.URGENT)}  # fmt: skip
    for urgency, accept_minutes, resolve_minutes in urgent:
        row = help_rows[urgency]
        row["received"] += 1
        if accept_minutes is not None:
            row["accepted"] += 1
            row["minutes"].append(accept_minutes)
        if resolve_minutes is not None:
            row["resolved"] += 1
    urgent_rows = [
        {
            "urgency": u,
            "name": URGENCY_LABELS[u],
            "received": r["received"],
            "accepted": r["accepted"],
            "resolved": r["resolved"],
            "median_minutes_to_help": median(r["minutes"]),
        }
        for u, r in help_rows.items()
    ]
    overdue_total = _facts(OrderFact, scope, period).filter(overdue=True).count()
    return {
        "day": period.end.isoformat(),
        "cutoff_hour": period.cutoff_hour,
        "figures": figures,
        "urgent": urgent_rows,
        "overdue_orders": overdue_total,
        "league": league(scope, period),
    }
