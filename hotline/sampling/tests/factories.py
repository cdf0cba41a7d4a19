"""Test data of the sampling app: valid identity numbers, a round over 公馆镇, residents."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hotline.common.identity import check_digit

from .. import services

TOWN = "440902101"  # 公馆镇
VILLAGE = "440902101201"  # 河之口村
OTHER_VILLAGE = "440902101202"  # 油甘窝村


def id_number(seq: int, region: str = "440902") -> str:
    """A valid 18-digit identity number, distinct for each ``seq`` (< 3,650,000)."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=seq // 1000)
    first17 = f"{region}{day:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def make_round(actor, *, area=TOWN, risk=None, now=None):
    now = now or timezone.now()
    return services.create_round(
        actor,
        name="公馆镇全员核酸第一轮",
        area_code=area,
        starts_at=now - dt.timedelta(hours=1),
        deadline=now + dt.timedelta(hours=23),
        risk=risk,
        now=now,
    )


def make_site(actor, round_, staff=(), village=VILLAGE, name="河之口村委会采样点"):
    return services.add_site(
        actor,
        round_,
        village_code=village,
        name=name,
        address="河之口村委会门前广场",
        opens_at=dt.time(7, 0),
        closes_at=dt.time(22, 0),
        staff=staff,
    )


def make_residents(actor, n: int, *, village=VILLAGE, start=0, home_every=0):
    rows = []
    for i in range(start, start + n):
        rows.append(
            {
                "village": village,
                "id_number": id_number(i),
                "name": f"陈{'一二三四五六七八九十'[i % 10]}{i}",
                "phone": f"138{i:08d}",
                "address": f"茂南区公馆镇河之口村{i % 40 + 1}巷{i % 9 + 1}号",
                "home_reason": "elderly_alone" if home_every and i % home_every == 0 else "",
            }
        )
    return services.import_residents(actor, rows)
