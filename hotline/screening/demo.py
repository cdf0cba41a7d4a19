"""Demo data of the screening app: the ledger of 云开山 reserve (staff on 24-hour duty,
canteen and guard contractors, rangers posted in 高州 and 信宜 towns) filled by its named
person, 公馆镇's ledger, and two daily forms — the reserve's fire-and-epidemic report and the
茂南区 towns' epidemic report — with yesterday's round (some late, one returned, one missing)
and part of today's.

Idempotent: a ledger with people is left alone, a day already filled is not filled again and a
report already there is not submitted again.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import DEMO_PASSWORD, create_user
from hotline.geo.models import HandlingUnit

from . import services
from .models import DailyReport, DailyStatus, Ledger, ReportForm

RESERVE = "dept-forestry"
TOWN = "440902101"
DISTRICT_EPI = "440902-epi"
RESERVE_USER = ("yunkai", "云开山保护区防控专员 何志明")

RESERVE_PEOPLE = [
    ("何志明", "staff", "机关值班室"),
    ("梁海燕", "staff", "机关值班室"),
    ("陈建华", "staff", "森林防火指挥中心"),
    ("李振宇", "staff", "森林防火指挥中心"),
    ("杨秀兰", "staff", "综合科"),
    ("黄国强", "contractor", "机关食堂"),
    ("吴晓东", "contractor", "大门保安"),
    ("邓永生", "ranger", "高州市深镇驻守点"),
    ("罗文彬", "ranger", "高州市马贵镇驻守点"),
    ("钟伟明", "ranger", "信宜市钱排镇驻守点"),
    ("冯家辉", "ranger", "信宜市合水镇驻守点"),
    ("谭志坚", "ranger", "云开山主峰瞭望台"),
]
TOWN_PEOPLE = [
    ("林少华", "staff", "镇防控办"),
    ("陈美玲", "staff", "镇防控办"),
    ("张伟强", "staff", "艾屋村驻村"),
    ("莫丽萍", "staff", "物资保障组"),
    ("周建新", "contractor", "镇政府食堂"),
    ("刘海波", "staff", "卡点值守"),
]

COUNT_FIELDS = [
    {"key": "staff_on_duty", "label": "在岗人数", "type": "int", "prefill": "ledger.on_duty"},
    {"key": "staff_negative", "label": "核酸阴性人数", "type": "int", "prefill": "ledger.negative"},
    {"key": "staff_symptoms", "label": "有症状人数", "type": "int", "prefill": "ledger.symptoms"},
]
FORMS = [
    {
        "code": "reserve-daily",
        "title": "森林防火和疫情防控一日一报告",
        "cutoff": dt.time(18, 0),
        "approver": "center",
        "units": [RESERVE],
        "fields": [
            *COUNT_FIELDS,
            {"key": "patrols", "label": "护林巡护人次", "type": "int"},
            {"key": "hotspots", "label": "卫星热点核查（个）", "type": "int"},
            {"key": "checkpoint_entries", "label": "防火码卡点登记（人次）", "type": "int"},
            {"key": "fire", "label": "发现火情", "type": "choice", "choices": ["无", "有"]},
            {"key": "notes", "label": "其他情况", "type": "text", "required": False},
        ],
    },
    {
        "code": "town-daily",
        "title": "镇街疫情防控一日一报告",
        "cutoff": dt.time(17, 0),
        "approver": DISTRICT_EPI,
        "units": "maonan-towns",
        "fields": [
            *COUNT_FIELDS,
            {"key": "sealed_households", "label": "封控户数", "type": "int"},
            {"key": "deliveries", "label": "居家关爱配送（户次）", "type": "int"},
            {"key": "sampled", "label": "当日采样人数", "type": "int"},
            {"key": "notes", "label": "其他情况", "type": "text", "required": False},
        ],
    },
]


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _ledger(handler, people, day, now, rng) -> None:
    if not Ledger.objects.filter(
        unit_id=handler.hotline_profile.unit_id, people__isnull=False
    ).exists():
        for name, kind, post in people:
            services.add_person(
                handler,
                name=name,
                kind=kind,
                post=post,
                phone=f"1{rng.randint(3000000000, 8999999999)}",
            )
        services.set_up_ledger(handler, cutoff=dt.time(10, 0), filler=handler)
    ledger = Ledger.objects.get(unit_id=handler.hotline_profile.unit_id)
    if DailyStatus.objects.filter(person__ledger=ledger, day=day).exists():
        return
    rows = {}
    for person in ledger.people.filter(active=True):
        rows[person.pk] = {
            "test_result": "negative" if rng.random() > 0.08 else "pending",
            "test_date": day - dt.timedelta(days=rng.randint(0, 1)),
            "symptoms": rng.random() < 0.05,
            "location": person.post,
            "on_duty": rng.random() > 0.1,
        }
    services.fill_ledger(handler, day, rows, now=now)


def _handler(unit, cache):
    from hotline.orders.demo import _handler_for

    return _handler_for(unit, cache)


def load(stdout) -> None:
    reserve = HandlingUnit.objects.filter(code=RESERVE).first()
    town_handler = _user("gongguan")
    if reserve is None or town_handler is None:
        stdout.write("筛查台账演示数据：缺少承办单位或演示账号，跳过。")
        return
    yunkai = _user(RESERVE_USER[0])
    if yunkai is None:
        production = getattr(settings, "HOTLINE_ENV", "") == "production"
        yunkai = create_user(
            RESERVE_USER[0],
            role=Role.UNIT_HANDLER,
            unit_code=RESERVE,
            password=None if production else DEMO_PASSWORD,
            display_name=RESERVE_USER[1],
            validate=False,
        )
    towns = list(HandlingUnit.objects.filter(kind="town_office", code__startswith="440902"))
    for spec in FORMS:
        form, created = ReportForm.objects.get_or_create(
            code=spec["code"],
            defaults={
                "title": spec["title"],
                "cutoff": spec["cutoff"],
                "fields": spec["fields"],
                "approver": HandlingUnit.objects.get(code=spec["approver"]),
            },
        )
        if created:
            units = (
                towns
                if spec["units"] == "maonan-towns"
                else list(HandlingUnit.objects.filter(code__in=spec["units"]))
            )
            form.units.set(units)

    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    at = lambda day, h, m: timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)))  # noqa: E731
    now = timezone.now()
    for handler, people in ((yunkai, RESERVE_PEOPLE), (town_handler, TOWN_PEOPLE)):
        for day, when in ((yesterday, at(yesterday, 9, 20)), (today, min(now, at(today, 9, 40)))):
            rng = random.Random(f"{handler.username}-{day.isoformat()}")
            _ledger(handler, people, day, when, rng)

    supervisor, district = _user("supervisor"), _user("maonan_epi")
    handlers: dict = {}
    made = 0
    reserve_form = ReportForm.objects.get(code="reserve-daily")
    town_form = ReportForm.objects.get(code="town-daily")
    if not DailyReport.objects.filter(form=reserve_form, day=yesterday).exists():
        report = services.submit_report(
            yunkai,
            reserve_form.code,
            yesterday,
            {
                "staff_on_duty": 11,
                "staff_negative": 12,
                "staff_symptoms": 0,
                "patrols": 46,
                "hotspots": 2,
                "checkpoint_entries": 318,
                "fire": "无",
                "notes": "两处卫星热点经护林员现场核查为农户烧秸秆，已劝止。",
            },
            now=at(yesterday, 17, 25),
        )
        if supervisor is not None:
            services.approve_report(supervisor, report.pk, now=at(yesterday, 19, 5))
        made += 1
    for n, unit in enumerate(sorted(towns, key=lambda u: u.code)):
        handler = town_handler if unit.code == TOWN else _handler(unit, handlers)
        for day, share in ((yesterday, 0.9), (today, 0.35)):
            # One generator per unit and day, so a re-run draws the same choice for each.
            rng = random.Random(f"{unit.code}-{day.isoformat()}")
            if DailyReport.objects.filter(form=town_form, unit=unit, day=day).exists():
                continue
            if rng.random() > share or (day == today and unit.code == TOWN):
                continue  # not reported (yet): 公馆镇 is left for the demo user today
            late = day == yesterday and n % 5 == 2
            when = at(day, 18 if late else 16, rng.randint(0, 59))
            if when > now:
                when = now
            values = {
                "staff_on_duty": rng.randint(20, 60),
                "staff_negative": rng.randint(20, 60),
                "staff_symptoms": 0,
                "sealed_households": rng.randint(0, 400),
                "deliveries": rng.randint(5, 120),
                "sampled": rng.randint(2000, 30000),
                "notes": "",
            }
            report = services.submit_report(handler, town_form.code, day, values, now=when)
            made += 1
            if day == yesterday and district is not None:
                if n % 7 == 3:
                    services.return_report(
                        district,
                        report.pk,
                        reason="采样人数与采样系统不一致，请核对后重报",
                        now=at(day, 19, 30),
                    )
                else:
                    services.approve_report(district, report.pk, now=at(day, 19, 0))
    stdout.write(f"筛查台账与日报：新增日报 {made}")
