"""Demo data of the workforce app, after the Maoming surge of November 2022: the desk's staff,
140 volunteers drafted from 政数局/教育局/电信 (most through the basic course), a 12-hour
roster around today with sign-ins and call records, the lawyers' team sent to 西粤社区's nine
compounds in three batches (64 people), and the 8-person 市司法局 squad at 艾屋村 (公馆镇).

Names, phones and ID numbers are generated (deterministic, valid GB 11643 check digits); no
real person's data. Written with bulk inserts; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from hotline.accounts.models import Profile
from hotline.accounts.roles import Role
from hotline.common.identity import check_digit, id_hash
from hotline.common.masking import mask_id_number
from hotline.geo.models import Division

from .choices import SHIFT_PATTERNS, BackgroundCheck, DeploymentStatus, PersonKind, SiteKind, Task
from .models import (
    CallRecord,
    Completion,
    Course,
    Deployment,
    DeploymentAttendance,
    Person,
    Shift,
    StaffingPolicy,
    Team,
)

SURNAMES = "陈黄李林梁吴张王刘杨何罗郑周谢邓冯叶蔡许朱曾彭苏钟卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰志红建文斌辉宇晨欣怡俊峰婷雪琳"
AGENCIES = (("茂名市政务服务数据管理局", 50), ("茂名市教育局", 55), ("中国电信茂名分公司", 35))
LAWYER_BATCHES = (22, 21, 21)
BASIC = "basic-hotline"
#: Volunteers (by index) who have not passed the basic course yet: they cannot take calls.
UNTRAINED = {7, 23, 41, 66, 88, 101, 119, 137}

BASIC_QUESTIONS = [
    {
        "q": "来电涉及独居老人断药、孕妇腹痛等老幼病残孕或生命安全的诉求，应当怎么做？",
        "options": [
            "按普通工单登记，等待派单",
            "立即上报并按紧急诉求派往属地疫情防控办",
            "请来电人自行联系社区",
        ],
        "answer": 1,
    },
    {
        "q": "来电人说家中有人煤气中毒昏迷，首先应当？",
        "options": [
            "一键转接 120/119 或三方通话，并同时登记工单",
            "记录后告知 15 个工作日内答复",
            "建议其拨打 12345 以外的号码后挂断",
        ],
        "answer": 0,
    },
    {
        "q": "接听中需要查看来电人完整手机号时，志愿接线员应当？",
        "options": [
            "在工单页点击显示完整信息",
            "无需完整号码：来电人在线时直接询问核实",
            "向同事索要",
        ],
        "answer": 1,
    },
    {
        "q": "回答政策咨询时，以什么为准？",
        "options": ["网络流传的说法", "知识库中当前有效的条目（注意生效和失效时间）", "个人经验"],
        "answer": 1,
    },
    {
        "q": "知识库查不到答案的咨询，应当？",
        "options": [
            "凭印象回答",
            "登记工单转交承办单位答复，并告知来电人办理时限",
            "请来电人改日再打",
        ],
        "answer": 1,
    },
]
BASIC_ARTICLES = [
    "escalation-vulnerable",
    "emergency-transfer",
    "outing-card",
    "health-code-colours",
    "sampling-sites-hours",
    "rumours",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 38))
    first17 = f"440902{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + check_digit(first17)


def _person(rng, name, kind, agency, skills, now, user_id=None) -> Person:
    number = _id_number(rng)
    return Person(
        user_id=user_id,
        name=name,
        kind=kind,
        home_agency=agency,
        phone=f"13{rng.randint(100000000, 999999999)}",
        id_hash=id_hash(number),
        id_masked=mask_id_number(number),
        skills=skills,
        skills_text="|" + "|".join(skills) + "|" if skills else "",
        party_member=rng.random() < 0.45,
        background_check=BackgroundCheck.PASSED,
        onboarding={
            "agreement": now.isoformat(),
            "account": now.isoformat(),
            "headset": now.isoformat(),
            "handbook": now.isoformat(),
        },
        created_at=now,
    )


def _users(specs: list[tuple[str, str, str]], role: str) -> dict[str, int]:
    """Bulk-create center users (username, display name, unit) without passwords (they sign
    in after an admin sets one); returns {username: id}."""
    from hotline.geo.models import HandlingUnit

    User = get_user_model()
    center = HandlingUnit.objects.filter(code="center").first()
    existing = set(
        User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True)
    )
    fresh = [User(username=u, password="!demo-unusable") for u, _, _ in specs if u not in existing]
    User.objects.bulk_create(fresh, batch_size=500)
    ids = dict(
        User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", "id")
    )
    group = Group.objects.get(name=role)
    made = {u.username for u in fresh}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=ids[u], group_id=group.pk) for u in made], batch_size=500
    )
    Profile.objects.bulk_create(
        [
            Profile(user_id=ids[u], display_name=name, unit=center)
            for u, name, _ in specs
            if u in made
        ],
        batch_size=500,
    )
    return ids


def _basic_course() -> Course:
    from hotline.knowledge.models import Article

    course, created = Course.objects.get_or_create(
        code=BASIC,
        defaults={
            "title": "热线接听上岗基础课",
            "is_basic": True,
            "pass_mark": 80,
            "questions": BASIC_QUESTIONS,
        },
    )
    if created:
        course.articles.add(*Article.objects.filter(key__in=BASIC_ARTICLES))
        Course.objects.get_or_create(
            code="field-safety",
            defaults={
                "title": "现场防护与采样登记",
                "pass_mark": 60,
                "questions": [
                    {
                        "q": "上门采样前应当？",
                        "options": ["穿戴好防护服、口罩和面屏", "直接进门"],
                        "answer": 0,
                    }
                ],
            },
        )
    return course


def load(stdout) -> None:
    if Person.objects.exists():
        stdout.write("人员与排班演示数据：已存在，跳过。")
        return
    if not Group.objects.filter(name=Role.VOLUNTEER_AGENT).exists():
        stdout.write("人员与排班演示数据：缺少角色组，跳过。")
        return
    rng = random.Random(16_4409)
    now = timezone.now()
    today = timezone.localdate(now)
    StaffingPolicy.objects.get_or_create(pk=1)
    basic = _basic_course()
    User = get_user_model()

    # The desk: the demo accounts plus 20 staff agents.
    desk = {
        u.username: u.pk
        for u in User.objects.filter(username__in=["agent", "volunteer", "supervisor"])
    }
    staff_specs = [(f"staff{i:02d}", _name(rng), "center") for i in range(1, 21)]
    staff_ids = _users([(u, f"接线员 {n}", c) for u, n, c in staff_specs], Role.AGENT)
    people = []
    for username, kind, name in (
        ("agent", PersonKind.STAFF, "陈晓"),
        ("supervisor", PersonKind.STAFF, "李敏"),
        ("volunteer", PersonKind.VOLUNTEER, "黄立"),
    ):
        if username in desk:
            agency = "茂名市教育局" if kind == PersonKind.VOLUNTEER else "茂名市12345热线中心"
            people.append(
                _person(rng, name, kind, agency, ["mandarin", "cantonese"], now, desk[username])
            )
    for username, name, _ in staff_specs:
        people.append(
            _person(
                rng,
                name,
                PersonKind.STAFF,
                "茂名市12345热线中心",
                ["mandarin", "cantonese"],
                now,
                staff_ids[username],
            )
        )

    # 140 volunteers from three agencies, each with a volunteer-agent account.
    vol_specs, agencies = [], []
    for agency, count in AGENCIES:
        for _ in range(count):
            vol_specs.append((f"vol{len(vol_specs) + 1:03d}", _name(rng), "center"))
            agencies.append(agency)
    vol_ids = _users([(u, f"志愿接线员 {n}", c) for u, n, c in vol_specs], Role.VOLUNTEER_AGENT)
    for (username, name, _), agency in zip(vol_specs, agencies, strict=True):
        skills = (
            ["mandarin"]
            + (["cantonese"] if rng.random() < 0.7 else [])
            + (["dialect"] if rng.random() < 0.3 else [])
        )
        people.append(
            _person(rng, name, PersonKind.VOLUNTEER, agency, skills, now, vol_ids[username])
        )

    # Field people: 64 lawyers and the 8-person squad of 市司法局.
    lawyers = [
        _person(rng, _name(rng), PersonKind.LAWYER, "茂名市律师协会", ["legal", "mandarin"], now)
        for _ in range(sum(LAWYER_BATCHES))
    ]
    squad = [
        _person(
            rng,
            _name(rng),
            PersonKind.CADRE,
            "茂名市司法局",
            ["mandarin", "cantonese"] + (["driving"] if i < 2 else []),
            now,
        )
        for i in range(8)
    ]
    Person.objects.bulk_create(people + lawyers + squad, batch_size=500)
    people = list(Person.objects.filter(user__isnull=False).order_by("pk"))
    lawyers = list(Person.objects.filter(kind=PersonKind.LAWYER).order_by("pk"))
    squad = list(Person.objects.filter(home_agency="茂名市司法局").order_by("pk"))

    # Training: everyone at the desk passed the basic course except eight volunteers.
    volunteers = [
        p for p in people if p.kind == PersonKind.VOLUNTEER and p.user_id != desk.get("volunteer")
    ]
    untrained = {volunteers[i].pk for i in UNTRAINED}
    completions = []
    for p in people:
        at = now - dt.timedelta(days=rng.randint(2, 6), minutes=rng.randint(0, 600))
        if p.pk in untrained:
            completions.append(
                Completion(
                    person=p, course=basic, score=60, passed=False, answers=[1, 0, 0, 1, 0], at=at
                )
            )
        else:
            completions.append(
                Completion(
                    person=p,
                    course=basic,
                    score=rng.choice((80, 100)),
                    passed=True,
                    answers=[1, 0, 1, 1, 1],
                    at=at,
                )
            )
    Completion.objects.bulk_create(completions, batch_size=500)
    n_shifts, n_calls = _roster(rng, people, untrained, desk, now, today)

    # Teams and batches.
    team = Team.objects.create(
        name="茂名律师志愿服务队",
        home_agency="市律师行业党委、市律师协会",
        leader=lawyers[0],
        created_at=now - dt.timedelta(days=3),
    )
    team.members.add(*lawyers)
    xiyue = Division.objects.filter(code="440902003010").first()
    start = 0
    batches = []
    for batch, size in enumerate(LAWYER_BATCHES, start=1):
        members = lawyers[start : start + size]
        start += size
        d = Deployment.objects.create(
            team=team,
            batch=batch,
            site_kind=SiteKind.COMPOUND,
            site_division=xiyue,
            site_name="西粤社区（9个住宅小区）",
            tasks=[Task.PUBLICITY, Task.SUPPLIES, Task.DOOR_TO_DOOR, Task.GATE_DUTY],
            starts_on=today - dt.timedelta(days=3 - batch),
            status=DeploymentStatus.ACTIVE,
            note="协助社区做好防疫宣传、物资分发、逐户通知核酸检测和小区门岗通宵值守。",
        )
        d.members.add(*members)
        batches.append(d)
    squad_team = Team.objects.create(
        name="市司法局志愿者突击队",
        home_agency="茂名市司法局",
        leader=squad[0],
        created_at=now - dt.timedelta(days=2),
    )
    squad_team.members.add(*squad)
    aiwu = Division.objects.filter(code="440902101216").first()
    d = Deployment.objects.create(
        team=squad_team,
        batch=1,
        site_kind=SiteKind.VILLAGE,
        site_division=aiwu,
        site_name="公馆镇艾屋村",
        tasks=[Task.SAMPLING_REGISTRATION, Task.DOOR_TO_DOOR, Task.PUBLICITY],
        starts_on=today - dt.timedelta(days=1),
        status=DeploymentStatus.ACTIVE,
        note="岗前培训后进村：电话流调、扫码登记、消杀、为红码人员上门采样。",
    )
    d.members.add(*squad)
    batches.append(d)
    rows = []
    for d in batches:
        for day_offset in range((today - d.starts_on).days + 1):
            day = d.starts_on + dt.timedelta(days=day_offset)
            for p in d.members.all():
                rows.append(
                    DeploymentAttendance(
                        deployment=d, person=p, day=day, present=rng.random() > 0.04
                    )
                )
    DeploymentAttendance.objects.bulk_create(rows, batch_size=1000)
    stdout.write(
        f"人员与排班演示数据：人员 {Person.objects.count()}（志愿者 {len(volunteers) + 1}，"
        f"律师 {len(lawyers)}，突击队 {len(squad)}），排班 {n_shifts}，话务记录 {n_calls}，"
        f"队伍 2，派出批次 {len(batches)}"
    )


def _roster(rng, people, untrained, desk, now, today) -> tuple[int, int]:
    """Twelve-hour shifts from six days ago to a week ahead; sign-ins and call records for the
    shifts that have started."""
    staff = [p for p in people if p.kind == PersonKind.STAFF]
    volunteers = [p for p in people if p.kind == PersonKind.VOLUNTEER and p.pk not in untrained]
    tz = timezone.get_current_timezone()
    shifts = []
    for offset in range(-6, 8):
        day = today + dt.timedelta(days=offset)
        # Six staff keep the night desk; the others work alternate days (a 12-hour day shift,
        # then a day off), so nobody runs a night into a day.
        night = staff[-6:] if len(staff) > 8 else []
        day_staff = [p for p in staff if p not in night][offset % 2 :: 2]
        day_vols = volunteers[(offset % 3) :: 3][:40]
        for pattern, crew in (("d12", day_staff + day_vols), ("n12", night)):
            spec = SHIFT_PATTERNS[pattern]
            start = dt.datetime.combine(day, spec.start, tz)
            end = start + dt.timedelta(hours=spec.hours)
            for p in crew:
                signed_in = signed_out = None
                if start <= now and rng.random() > 0.05:
                    signed_in = start + dt.timedelta(minutes=rng.randint(-20, 10))
                    signed_in = min(signed_in, now)
                    if end <= now:
                        signed_out = end + dt.timedelta(minutes=rng.randint(0, 40))
                shifts.append(
                    Shift(
                        person=p,
                        pattern=pattern,
                        starts_at=start,
                        ends_at=end,
                        signed_in_at=signed_in,
                        signed_out_at=signed_out,
                    )
                )
    Shift.objects.bulk_create(shifts, batch_size=1000)
    # Calls of the last 24 hours for those signed in; the demo agent answers one every 3.5
    # minutes (190+ in a 12-hour shift, as one agent did in the surge) and passes the cap.
    since = now - dt.timedelta(hours=24)
    calls = []
    for s in shifts:
        if s.signed_in_at is None or (s.signed_out_at or now) < since:
            continue
        fast = s.person.user_id == desk.get("agent")
        t = max(s.signed_in_at, since)
        stop = min(s.signed_out_at or now, now)
        while t < stop:
            talk = rng.randint(90, 420)
            calls.append(
                CallRecord(
                    person=s.person,
                    started_at=t,
                    talk_seconds=talk,
                    wrap_seconds=rng.randint(20, 90),
                )
            )
            t += dt.timedelta(seconds=210 if fast else rng.randint(300, 900))
    CallRecord.objects.bulk_create(calls, batch_size=2000)
    return len(shifts), len(calls)
