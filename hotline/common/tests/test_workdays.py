import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.common.workdays import (
    add_workdays,
    is_workday,
    next_workday,
    workday_deadline,
    workdays_between,
)

SH = ZoneInfo("Asia/Shanghai")


def test_weekdays_and_weekends_of_an_ordinary_week():
    assert is_workday(dt.date(2022, 11, 4))  # Friday
    assert not is_workday(dt.date(2022, 11, 5))  # Saturday
    assert not is_workday(dt.date(2022, 11, 6))  # Sunday
    assert next_workday(dt.date(2022, 11, 4)) == dt.date(2022, 11, 7)


def test_national_day_week_2022_and_its_working_weekend():
    # 1–7 October 2022 off; Saturday 8 and Sunday 9 October were working days (调休).
    for day in range(1, 8):
        assert not is_workday(dt.date(2022, 10, day))
    assert is_workday(dt.date(2022, 10, 8))
    assert is_workday(dt.date(2022, 10, 9))
    assert next_workday(dt.date(2022, 9, 30)) == dt.date(2022, 10, 8)
    assert add_workdays(dt.date(2022, 9, 30), 2) == dt.date(2022, 10, 9)
    assert add_workdays(dt.date(2022, 9, 30), 3) == dt.date(2022, 10, 10)


def test_unknown_year_falls_back_to_weekends_only():
    assert is_workday(dt.date(2040, 1, 2))  # Monday
    assert not is_workday(dt.date(2040, 1, 7))  # Sunday
    assert add_workdays(dt.date(2040, 1, 6), 1) == dt.date(2040, 1, 9)


def test_add_workdays_rejects_zero():
    with pytest.raises(ValueError):
        add_workdays(dt.date(2022, 11, 4), 0)


def test_workdays_between():
    assert workdays_between(dt.date(2022, 11, 4), dt.date(2022, 11, 7)) == 1
    assert workdays_between(dt.date(2022, 11, 7), dt.date(2022, 11, 4)) == 0
    assert workdays_between(dt.date(2022, 9, 30), dt.date(2022, 10, 10)) == 3


def test_deadline_is_close_of_business_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    friday_night = dt.datetime(2022, 11, 4, 23, 30, tzinfo=SH)
    deadline = workday_deadline(friday_night, 1)
    assert deadline == dt.datetime(2022, 11, 7, 18, 0, tzinfo=SH)
    # A UTC instant that is already Saturday in Shanghai counts from Saturday.
    utc_start = dt.datetime(2022, 11, 4, 17, 0, tzinfo=dt.UTC)  # 01:00 Saturday local
    assert workday_deadline(utc_start, 1) == dt.datetime(2022, 11, 7, 18, 0, tzinfo=SH)
