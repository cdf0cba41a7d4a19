"""Demo data of movement control in 公馆镇 (茂南区): the code authority unit, two demo users,
the outing rules (the notice of 7–8 Nov 2022 for 茂南区 and a running one for 公馆镇 so that
the checkpoint works today), two checkpoints, twelve households of 公馆居委会 with cards and
the test results of last night's sampling round.

Idempotent: everything is looked up first (households by import reference, rules by name,
results by their natural key), so a second run changes nothing. The ID numbers are made up
(valid check digits, region 440902) and exist only here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import DEMO_PASSWORD, create_user
from hotline.common.identity import check_digit, id_hash
from hotline.geo.choices import UnitKind
from hotline.geo.services import UnitSpec, upsert_units

from . import services
from .models import Checkpoint, Household, OutingRule, Pass

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
VILLAGE = "440902101001"  # 公馆居委会
TOWN = "440902101"  # 公馆镇
CODE_AUTHORITY = UnitSpec(
    "dept-healthcode",
    "茂名市疫情防控指挥部健康码核定专班",
    UnitKind.DEPARTMENT,
    parent_code="center",
)
SURNAMES = "陈李黄梁林张吴杨何罗冯邓"
GIVEN = [
    "伟明",
    "秀英",
    "志强",
    "丽娟",
    "建华",
    "小燕",
    "国栋",
    "美玲",
    "文杰",
    "桂芳",
    "海涛",
    "慧敏",
]


def demo_id_number(n: int) -> str:
    """A made-up but well-formed ID number (region 440902, check digit right)."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=(n * 997) % 15000)
    first17 = f"440902{birth:%Y%m%d}{(n * 7) % 1000:03d}"
    return first17 + check_digit(first17)


def _user(username, role, unit_code, display):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None and not settings.PRODUCTION:
        user = create_user(
            username,
            role=role,
            unit_code=unit_code,
            password=DEMO_PASSWORD,
            display_name=display,
            validate=False,
        )
    return user


def load(stdout) -> None:
    upsert_units([CODE_AUTHORITY])
    gate = _user("gongguan_gate", Role.FIELD_STAFF, TOWN, "公馆镇卡口工作人员")
    _user("healthcode", Role.UNIT_HANDLER, "dept-healthcode", "健康码核定专班经办人")
    if gate is None:
        stdout.write("出行管控：生产环境不创建演示账号，跳过演示数据")
        return
    now = timezone.now()
    today = timezone.localtime(now, TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    made = 0
    # Rules are written through the service by the demo supervisor (who covers the district).
    boss = get_user_model().objects.filter(username="supervisor").first() or gate
    if not OutingRule.objects.filter(name="茂南区临时管控（2022年11月7日通告）").exists():
        services.set_outing_rule(
            boss,
            area_code="440902",
            name="茂南区临时管控（2022年11月7日通告）",
            starts_at=dt.datetime(2022, 11, 7, 0, 0, tzinfo=TZ),
            ends_at=dt.datetime(2022, 11, 9, 0, 0, tzinfo=TZ),
            exemptions=["medical", "approved"],
        )
        made += 1
    if services.rule_for(VILLAGE, now) is None:
        services.set_outing_rule(
            gate,
            area_code=TOWN,
            name=f"公馆镇出行管控（演示，自 {today:%m月%d日} 起）",
            starts_at=today,
            ends_at=today + dt.timedelta(days=14),
            exemptions=["medical", "approved"],
        )
        made += 1
    for code, name, kind, division in (
        ("GG-DONGMEN", "公馆居委会东门卡口", "community", VILLAGE),
        ("GG-G207", "公馆镇 G207 交通卡口", "traffic", TOWN),
    ):
        _, created = Checkpoint.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "division_id": division}
        )
        made += created
    results = []
    for n in range(12):
        ref = f"demo-{n + 1}"
        people = [n * 3 + 1, n * 3 + 2] if n % 3 else [n * 3 + 1]
        if not Household.objects.filter(import_ref=ref, village_id=VILLAGE).exists():
            members = [
                services.MemberIn(
                    SURNAMES[n] + GIVEN[(n + k) % len(GIVEN)],
                    demo_id_number(p),
                    "medical" if (n == 4 and k == 1) else "",
                )
                for k, p in enumerate(people)
            ]
            services.register_household(
                gate,
                village_code=VILLAGE,
                address=f"茂南区公馆镇公馆居委会新街{n + 3}号",
                phone=f"1382668{n:04d}",
                members=members,
                import_ref=ref,
            )
            made += 1
        household = Household.objects.get(import_ref=ref, village_id=VILLAGE)
        if not Pass.objects.filter(household=household, revoked_at__isnull=True).exists():
            services.issue_card(gate, household.pk)
        if n != 5:  # one household without a test today: the checkpoint refuses it
            results.append(
                services.TestResultIn(
                    id_hash(demo_id_number(people[0])),
                    True,
                    today - dt.timedelta(minutes=60 - n * 4),  # last night's round
                    "demo",
                    f"GG{today:%m%d}-{n + 1:03d}",
                )
            )
    new = services.record_test_results(gate, results)
    stdout.write(f"出行管控：新增 {made} 条基础数据，{new} 条核酸结果")
