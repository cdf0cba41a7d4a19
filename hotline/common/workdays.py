"""The working-day calendar behind SLA clocks (工作日).

Working days follow the official Chinese holiday calendar as published by the State Council,
through ``chinese-calendar``: public holidays are off, and the weekend days that are turned into
working days (调休上班) are on. For a year the package does not know yet (it ships data a year or
so ahead), the calendar falls back to "Monday to Friday" rather than failing: a clock must
always be computable, and a slightly wrong deadline is better than none.

A deadline "in N working days" ends at the close of business (``CLOSE_OF_BUSINESS``, 18:00
local time) of the N-th working day after the day the clock starts; the starting day itself
does not count (as in the Guangdong 12345 rules, counting starts the next day).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

CLOSE_OF_BUSINESS = dt.time(18, 0)

#: A hard stop for loops over days, far beyond any real holiday run (the longest is ~9 days).
_MAX_SCAN_DAYS = 60


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """True when ``day`` is a working day in mainland China (weekend-only rule if unknown)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    for offset in range(1, _MAX_SCAN_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if is_workday(candidate):
            return candidate
    raise RuntimeError(f"no working day within {_MAX_SCAN_DAYS} days after {day}")


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted); ``n`` ≥ 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    for _ in range(n):
        day = next_workday(day)
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end] — 0 when end ≤ start."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def workday_deadline(start: dt.datetime, n: int) -> dt.datetime:
    """Close of business (local time) of the ``n``-th working day after ``start``'s local day.

    ``start`` must be timezone-aware; the result is aware, in the current time zone.
    """
    local = timezone.localtime(start)
    day = add_workdays(local.date(), n)
    return dt.datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=local.tzinfo)
