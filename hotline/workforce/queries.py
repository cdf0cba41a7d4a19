"""Reads of the workforce app, shaped for pages, the API and other apps. No writes here.

For the other field apps (checkpoints, sampling, care, reserve): ``available_people``,
``duties_for_source``, ``duties_of`` and ``people_at_site`` are the read side of the duty API
(the write side is ``services.assign_duty`` / ``release_duty``); see docs/WORKFORCE.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractHour, ExtractMinute
from django.utils import timezone

from hotline.common.masking import mask_phone

from . import erlang
from .choices import ONBOARDING_STEPS, SHIFT_PATTERNS
from .models import (
    CallRecord,
    Completion,
    Deployment,
    DeploymentAttendance,
    Duty,
    Person,
    Shift,
    StaffingPolicy,
    Team,
)

#: Minutes in a staffing interval; 96 intervals a day.
INTERVAL_MINUTES = 15
INTERVALS = 24 * 60 // INTERVAL_MINUTES
RECEIVED = "orders.order.received"


#: The days a staffing table, roster or team board can be asked for: the forecast reads weeks
#: back and the tables a day ahead, which overflow near ``date.min`` / ``date.max``.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, timezone.get_current_timezone())


def interval_of(when: dt.datetime) -> int:
    local = timezone.localtime(when)
    return (local.hour * 60 + local.minute) // INTERVAL_MINUTES


# --- who is on shift ------------------------------------------------------------------------
def on_shift_now(
    now: dt.datetime | None = None, policy: StaffingPolicy | None = None
) -> list[dict]:
    """Everyone signed in at the desk at ``now`` (not yet signed out), with their load today:
    orders registered, calls and handled time, and whether they are past the daily cap. Four
    queries whatever the number of people; the supervisor board shows it."""
    now = now or timezone.now()
    policy = policy or StaffingPolicy.current()
    shifts = list(
        Shift.objects.on_shift_at(now)
        .select_related("person")
        .order_by("signed_in_at", "person__name")
    )
    loads = agent_loads([s.person for s in shifts], now)
    rows = []
    for shift in shifts:
        load = loads.get(shift.person_id, {})
        rows.append(
            {
                "person": shift.person,
                "name": shift.person.name,
                "kind": shift.person.get_kind_display(),
                "pattern": SHIFT_PATTERNS[shift.pattern].label,
                "signed_in_at": shift.signed_in_at,
                "ends_at": shift.ends_at,
                **load,
                "over_cap": load.get("calls", 0) > policy.daily_call_cap
                or load.get("orders", 0) > policy.daily_call_cap,
            }
        )
    return rows


def agent_loads(people: list[Person], now: dt.datetime) -> dict[int, dict]:
    """{person id: {orders, critical, calls, handled_seconds, talk_seconds}} for the local day
    of ``now`` (two queries)."""
    from hotline.orders.models import Order

    if not people:
        return {}
    midnight = local_midnight(timezone.localdate(now))
    by_user = {p.user_id: p.pk for p in people if p.user_id}
    out = {
        p.pk: {"orders": 0, "critical": 0, "calls": 0, "handled_seconds": 0, "talk_seconds": 0}
        for p in people
    }
    if by_user:
        orders = (
            Order.objects.filter(
                received_at__gte=midnight, received_at__lte=now, client_id__in=list(by_user)
            )
            .values("client_id")
            .annotate(n=Count("id"), critical=Count("id", filter=Q(urgency="critical")))
        )
        for row in orders:
            entry = out[by_user[row["client_id"]]]
            entry["orders"], entry["critical"] = row["n"], row["critical"]
    calls = (
        CallRecord.objects.filter(
            person__in=[p.pk for p in people], started_at__gte=midnight, started_at__lte=now
        )
        .values("person_id")
        .annotate(n=Count("id"), talk=Sum("talk_seconds"), wrap=Sum("wrap_seconds"))
    )
    for row in calls:
        entry = out[row["person_id"]]
        entry["calls"] = row["n"]
        entry["talk_seconds"] = row["talk"] or 0
        entry["handled_seconds"] = (row["talk"] or 0) + (row["wrap"] or 0)
    return out


def load_today(now: dt.datetime | None = None) -> list[dict]:
    """Per-agent load today for everyone rostered today or signed in: orders registered,
    calls, handled and talk time, hours at the desk, and the cap warnings."""
    now = now or timezone.now()
    policy = StaffingPolicy.current()
    day = timezone.localdate(now)
    start = local_midnight(day)
    shifts = list(
        Shift.objects.overlapping(start, start + dt.timedelta(days=1))
        .select_related("person")
        .order_by("person__name", "starts_at")
    )
    people = {s.person_id: s.person for s in shifts}
    loads = agent_loads(list(people.values()), now)
    hours: dict[int, float] = defaultdict(float)
    for s in shifts:
        if s.signed_in_at and s.signed_in_at <= now:
            end = min(s.signed_out_at or now, now)
            hours[s.person_id] += (
                max(0.0, (end - max(s.signed_in_at, start)).total_seconds()) / 3600
            )
    rows = []
    for pk, person in people.items():
        load = loads[pk]
        rows.append(
            {
                "person": person,
                **load,
                "hours": round(hours[pk], 1),
                "over_calls": max(load["calls"], load["orders"]) > policy.daily_call_cap,
                "over_hours": hours[pk] > policy.daily_hours_cap,
            }
        )
    rows.sort(key=lambda r: (-max(r["calls"], r["orders"]), r["person"].name))
    return rows


# --- arrivals and forecast ------------------------------------------------------------------
def arrivals(day: dt.date, until: dt.datetime | None = None) -> list[int]:
    """Orders received in each 15-minute interval of the local ``day`` (96 counts), counted
    from the ``orders.order.received`` events, up to ``until`` when given. One query."""
    from hotline.orders.models import OrderEvent

    tz = timezone.get_current_timezone()
    start = local_midnight(day)
    end = start + dt.timedelta(days=1)
    if until is not None:
        end = min(end, until)
    counts = [0] * INTERVALS
    if end <= start:
        return counts
    rows = (
        OrderEvent.objects.filter(code=RECEIVED, at__gte=start, at__lt=end)
        .annotate(h=ExtractHour("at", tzinfo=tz), m=ExtractMinute("at", tzinfo=tz))
        .values("h", "m")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[(row["h"] * 60 + row["m"]) // INTERVAL_MINUTES] += row["n"]
    return counts


@dataclass(frozen=True)
class Forecast:
    """Expected orders per interval for a day, and how it was made."""

    counts: list[float]
    method: str  # "weekday_shape", "recent_rate" or "none"
    reference_days: list[dt.date]
    day_total: float


#: A day's level is read from its own arrivals once this share of the usual day has passed.
MIN_SHARE_FOR_LEVEL = 0.05


def forecast(day: dt.date, now: dt.datetime, weeks: int = 4) -> Forecast:
    """The expected orders per interval for ``day``: the shape of the same weekday in the last
    ``weeks`` weeks (each interval's share of that day's orders), scaled to the level today
    has shown so far (orders so far ÷ the share of the day already past). Before 5 % of the
    usual day has passed, the level is the reference days' mean total. Without reference days,
    the last hour's rate is carried flat. See docs/WORKFORCE.md."""
    references = [day - dt.timedelta(weeks=w) for w in range(1, weeks + 1)]
    series = [arrivals(d) for d in references]
    used = [(d, s) for d, s in zip(references, series, strict=True) if sum(s)]
    today = arrivals(day, until=now)
    current = interval_of(now) if timezone.localdate(now) == day else INTERVALS
    if not used:
        last_hour = sum(today[max(0, current - 4) : current])
        per_interval = last_hour / 4 if current else 0.0
        counts = [float(today[i]) if i < current else per_interval for i in range(INTERVALS)]
        return Forecast(counts, "recent_rate" if last_hour else "none", [], sum(counts))
    shape = [0.0] * INTERVALS
    for _, s in used:
        total = sum(s)
        for i, n in enumerate(s):
            shape[i] += n / total / len(used)
    mean_total = sum(sum(s) for _, s in used) / len(used)
    share_past = sum(shape[:current])
    so_far = sum(today[:current])
    level = so_far / share_past if share_past >= MIN_SHARE_FOR_LEVEL else mean_total
    counts = [float(today[i]) if i < current else shape[i] * level for i in range(INTERVALS)]
    return Forecast(counts, "weekday_shape", [d for d, _ in used], level)


def average_handle_time(now: dt.datetime, policy: StaffingPolicy) -> tuple[float, str, int]:
    """(seconds, "calls" or "default", number of calls): the mean talk + wrap time of the calls
    recorded in the policy's window, or the policy's default when fewer than 20 were."""
    since = now - dt.timedelta(hours=policy.aht_window_hours)
    agg = CallRecord.objects.filter(started_at__gte=since, started_at__lte=now).aggregate(
        n=Count("id"), talk=Sum("talk_seconds"), wrap=Sum("wrap_seconds")
    )
    if agg["n"] >= 20:
        return (agg["talk"] + agg["wrap"]) / agg["n"], "calls", agg["n"]
    return float(policy.default_aht_seconds), "default", agg["n"]


def rostered_per_interval(day: dt.date) -> tuple[list[int], list[int]]:
    """(rostered, signed in) agents in each interval of ``day``: rostered counts live shifts
    covering the interval's start; signed in counts those at the desk then. One query."""
    start = local_midnight(day)
    end = start + dt.timedelta(days=1)
    shifts = Shift.objects.overlapping(start, end).values_list(
        "starts_at", "ends_at", "signed_in_at", "signed_out_at"
    )
    rostered, present = [0] * INTERVALS, [0] * INTERVALS
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    for s, e, signed_in, signed_out in shifts:
        for i in range(INTERVALS):
            t = start + i * step
            if s <= t < e:
                rostered[i] += 1
            if signed_in and signed_in <= t + step and (signed_out is None or signed_out > t):
                present[i] += 1
    return rostered, present


def staffing(day: dt.date, now: dt.datetime | None = None) -> dict:
    """The staffing table of ``day``: per 15-minute interval the orders received, the forecast,
    the agents needed by Erlang C and Erlang A for the policy's service level, and the agents
    rostered and signed in."""
    now = now or timezone.now()
    policy = StaffingPolicy.current()
    fc = forecast(day, now, policy.history_weeks)
    observed = arrivals(day, until=now)
    aht, aht_source, aht_calls = average_handle_time(now, policy)
    rostered, present = rostered_per_interval(day)
    current = interval_of(now) if timezone.localdate(now) == day else None
    start = local_midnight(day)
    rows = []
    seconds = INTERVAL_MINUTES * 60
    for i in range(INTERVALS):
        expected = fc.counts[i]
        rate = expected / seconds
        need_c = erlang.agents_erlang_c(rate, aht, policy.service_target, policy.answer_seconds)
        need_a = erlang.agents_erlang_a(
            rate, aht, policy.patience_seconds, policy.service_target, policy.answer_seconds
        )
        on = present[i] if current is not None and i <= current else rostered[i]
        rows.append(
            {
                "index": i,
                "start": start + dt.timedelta(minutes=INTERVAL_MINUTES * i),
                "observed": observed[i] if current is None or i <= current else None,
                "expected": round(expected, 1),
                "needed_c": need_c,
                "needed_a": need_a,
                "rostered": rostered[i],
                "present": present[i],
                "on": on,
                "short": max(0, need_c - on),
                "current": i == current,
                "past": current is not None and i < current,
            }
        )
    return {
        "day": day,
        "rows": rows,
        "policy": policy,
        "aht": round(aht),
        "aht_source": aht_source,
        "aht_calls": aht_calls,
        "forecast": fc,
        "current": rows[current] if current is not None else None,
    }


def live_need(now: dt.datetime, policy: StaffingPolicy) -> dict:
    """Agents needed now by Erlang C and Erlang A from the live arrival rate (orders received
    in the last hour) and the average handle time. Two queries."""
    from hotline.orders.models import OrderEvent

    last_hour = OrderEvent.objects.filter(
        code=RECEIVED, at__gt=now - dt.timedelta(hours=1), at__lte=now
    ).count()
    aht, _, _ = average_handle_time(now, policy)
    rate = last_hour / 3600
    return {
        "per_interval": round(last_hour / 4, 1),
        "aht": round(aht),
        "needed_c": erlang.agents_erlang_c(rate, aht, policy.service_target, policy.answer_seconds),
        "needed_a": erlang.agents_erlang_a(
            rate, aht, policy.patience_seconds, policy.service_target, policy.answer_seconds
        ),
    }


def board_panel(now: dt.datetime | None = None) -> dict:
    """What the supervisor board shows of the workforce: who is on shift now with their load,
    and the agents needed now against them. Seven queries."""
    now = now or timezone.now()
    policy = StaffingPolicy.current()
    on_shift = on_shift_now(now, policy)
    need = live_need(now, policy)
    need["on"] = len(on_shift)
    need["short"] = max(0, need["needed_c"] - need["on"])
    return {"on_shift": on_shift, "staffing_now": need}


def what_if(calls_per_interval: float, aht: float, policy: StaffingPolicy) -> dict:
    """Erlang C and Erlang A for a typed-in load (the calculator on the staffing page)."""
    rate = calls_per_interval / (INTERVAL_MINUTES * 60)
    need_c = erlang.agents_erlang_c(rate, aht, policy.service_target, policy.answer_seconds)
    need_a = erlang.agents_erlang_a(
        rate, aht, policy.patience_seconds, policy.service_target, policy.answer_seconds
    )
    return {
        "load": round(rate * aht, 2),
        "needed_c": need_c,
        "needed_a": need_a,
        "c": erlang.erlang_c_figures(need_c, rate, aht, policy.answer_seconds) if need_c else None,
        "a": erlang.erlang_a_figures(
            need_a, rate, aht, policy.patience_seconds, policy.answer_seconds
        )
        if rate
        else None,
    }


# --- roster ---------------------------------------------------------------------------------
def roster_week(week_start: dt.date) -> dict:
    """The roster of the seven days from ``week_start``: per day, per pattern, the shifts."""
    start = local_midnight(week_start)
    end = start + dt.timedelta(days=7)
    shifts = (
        Shift.objects.live()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("person")
        .order_by("starts_at", "person__name")
    )
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    grid = {(d, p): [] for d in days for p in SHIFT_PATTERNS}
    for s in shifts:
        grid.setdefault((timezone.localdate(s.starts_at), s.pattern), []).append(s)
    patterns = [p for p in SHIFT_PATTERNS.values() if any(grid[(d, p.code)] for d in days)]
    if not patterns:
        patterns = [SHIFT_PATTERNS["d12"], SHIFT_PATTERNS["n12"]]
    return {
        "days": days,
        "rows": [
            {"pattern": p, "cells": [{"day": d, "shifts": grid[(d, p.code)]} for d in days]}
            for p in patterns
        ],
    }


# --- people and training --------------------------------------------------------------------
def passed_basic_ids(person_ids=None) -> set[int]:
    qs = Completion.objects.filter(course__is_basic=True, passed=True)
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    return set(qs.values_list("person_id", flat=True))


def people_rows(people) -> list[dict]:
    """People for a list or an API page: phones always masked (a supervisor opens one full
    number on the person's page, and that read is recorded), training status, onboarding."""
    people = list(people)
    passed = passed_basic_ids([p.pk for p in people])
    steps = len(ONBOARDING_STEPS)
    return [
        {
            "person": p,
            "phone": mask_phone(p.phone),
            "trained": p.pk in passed,
            "onboarding": f"{len(p.onboarding)}/{steps}",
        }
        for p in people
    ]


# --- teams ----------------------------------------------------------------------------------
def team_board(day: dt.date) -> list[dict]:
    """Every team with its batches on ``day`` (site, tasks, members, attendance that day) and
    the number of batches in its history. A fixed number of queries."""
    teams = list(
        Team.objects.select_related("leader")
        .annotate(
            n_members=Count("members", distinct=True), n_batches=Count("deployments", distinct=True)
        )
        .order_by("name")
    )
    deployments = list(
        Deployment.objects.on_day(day)
        .select_related("site_division")
        .annotate(n=Count("members", distinct=True))
        .order_by("team_id", "batch")
    )
    present = dict(
        DeploymentAttendance.objects.filter(deployment__in=deployments, day=day, present=True)
        .values_list("deployment_id")
        .annotate(n=Count("id"))
    )
    by_team = defaultdict(list)
    for d in deployments:
        by_team[d.team_id].append({"deployment": d, "present": present.get(d.pk)})
    return [{"team": t, "out": by_team.get(t.pk, [])} for t in teams]


def team_history(team: Team) -> list[dict]:
    """A team's batches, newest first, with their members and attendance days."""
    deployments = list(
        team.deployments.select_related("site_division")
        .prefetch_related("members")
        .annotate(
            days=Count("attendance__day", distinct=True),
            present=Count("attendance", filter=Q(attendance__present=True)),
        )
        .order_by("-batch")
    )
    return [{"deployment": d, "members": list(d.members.all())} for d in deployments]


# --- the duty API for other field apps ------------------------------------------------------
def available_people(
    start: dt.datetime,
    end: dt.datetime,
    *,
    skill: str | None = None,
    team: Team | None = None,
    kind: str | None = None,
) -> list[Person]:
    """People in the register free of any duty and of any desk shift from ``start`` to
    ``end``, optionally with a skill, of a team or of a kind. For an app that is about to call
    ``services.assign_duty``."""
    busy_duty = Duty.objects.current().filter(
        person=OuterRef("pk"), starts_at__lt=end, ends_at__gt=start
    )
    busy_shift = Shift.objects.overlapping(start, end).filter(person=OuterRef("pk"))
    qs = Person.objects.active().filter(~Exists(busy_duty), ~Exists(busy_shift))
    if skill:
        qs = qs.with_skill(skill)
    if team is not None:
        qs = qs.filter(teams=team)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("name", "id"))


def duties_for_source(app: str, type: str, id: str) -> list[Duty]:
    """The current duties given for one object of another app (a checkpoint, a site)."""
    return list(
        Duty.objects.current()
        .for_source(app, type, id)
        .select_related("person")
        .order_by("starts_at", F("person__name"))
    )


def duties_of(person: Person, start: dt.datetime, end: dt.datetime) -> list[Duty]:
    """A person's current duties overlapping [start, end)."""
    return list(
        Duty.objects.current()
        .filter(person=person, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
    )


def people_at_site(division_code: str, day: dt.date) -> list[Person]:
    """People of the batches at a division (a village, or anywhere under a town) on ``day``."""
    return list(
        Person.objects.filter(
            deployments__in=Deployment.objects.on_day(day).filter(
                site_division__code__startswith=division_code
            )
        )
        .distinct()
        .order_by("name")
    )
