"""Test data of the control app: made-up ID numbers, a rule, a checkpoint, households."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from hotline.common.identity import check_digit

from .. import services
from ..models import Checkpoint, OutingRule

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
VILLAGE = "440902101001"  # 公馆居委会
OTHER_VILLAGE = "440902102201"  # a village of 新坡镇 (another town)
TOWN = "440902101"
_serial = itertools.count(1)


def id_number(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    first17 = f"44090219{80 + n % 20:02d}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return first17 + check_digit(first17)


def rule(area=TOWN, *, starts=None, ends=None, **limits) -> OutingRule:
    starts = starts or dt.datetime(2022, 11, 7, 0, 0, tzinfo=TZ)
    ends = ends or dt.datetime(2022, 11, 9, 0, 0, tzinfo=TZ)
    limits.setdefault("exemptions", ["medical"])
    return OutingRule.objects.create(
        area_id=area, name=f"规则 {area}", starts_at=starts, ends_at=ends, **limits
    )


def checkpoint(code="GG-1", kind="community", division=VILLAGE) -> Checkpoint:
    return Checkpoint.objects.create(
        code=code, name=f"卡口 {code}", kind=kind, division_id=division
    )


def household(actor, *, village=VILLAGE, members=1, exemptions=(), now=None):
    people = [
        services.MemberIn(
            f"陈{'一二三四'[k]}", id_number(), exemptions[k] if k < len(exemptions) else ""
        )
        for k in range(members)
    ]
    h, _ = services.register_household(
        actor,
        village_code=village,
        address="茂南区公馆镇公馆居委会新街3号",
        phone="13826680001",
        members=people,
        now=now,
    )
    return h, people
