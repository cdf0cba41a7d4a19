"""Demo data of the reserve: the ranger station's unit, two bookable areas with their gates,
the seed's suspension (from 6 Nov 2022 12:00, until further notice) with the bookings it
cancelled, exception requests in each state, signal sources, a small fire with its order, a
remembered false-alarm chimney, rangers on 24-hour duty and their last positions.

Idempotent: every object is found by its natural key before it is made. The hot spots are a
hand-made VIIRS-layout file (``DEMO_FIRMS``), labelled as demo data in the detections'
source file name; the real FIRMS file is imported with ``hotline fire import`` (docs/FIRE.md).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import DEMO_PASSWORD, create_user
from hotline.geo.choices import UnitKind
from hotline.geo.models import HandlingUnit
from hotline.geo.services import UnitSpec, upsert_units
from hotline.orders.services import system_actor

from . import services
from .models import (
    Area,
    Booking,
    Detection,
    DutyShift,
    Entrance,
    ExceptionRequest,
    FalseAlarmSite,
    RangerPosition,
    SignalSource,
    Suspension,
)

TZ = ZoneInfo("Asia/Shanghai")
SUSPENSION_START = dt.datetime(2022, 11, 6, 12, 0, tzinfo=TZ)
SUSPENSION_REASON = "森林防火高火险期及疫情防控需要"

STATION = UnitSpec(
    "reserve-yunkai",
    "广东云开山国家级自然保护区管理局护林站",
    UnitKind.DEPARTMENT,
    parent_code="center",
    duty_phone="0668-8000119",
)

AREAS = [
    ("datianding", "大田顶登山线", 300),
    ("magui-meadow", "马贵高山草甸", 200),
]
#: (code, area, name, town code, lat, lon) — positions are approximate (schematic map).
ENTRANCES = [
    ("qianpai", "datianding", "钱排入口卡点", "440983118", 22.352, 111.110),
    ("magui", "magui-meadow", "马贵入口卡点", "440981122", 22.228, 111.268),
]
SOURCES = [
    ("cam-datianding-01", "大田顶远程视频监控 1 号", "camera", 22.283, 111.172),
    ("sentinel-yunkai-01", "云开山智能森林哨卫 1 号塔", "sentinel", 22.300, 111.150),
    ("checkpoint-qianpai", "钱排防火码卡点", "checkpoint", 22.352, 111.110),
    ("ranger-terminal-01", "护林员终端（钱排护林点）", "ranger", None, None),
    ("public-12345", "群众报告（12345 转入）", "public", None, None),
]
USERS = [
    ("ranger_qianpai", Role.FIELD_STAFF, None, "护林员 黄志强"),
    ("ranger_magui", Role.FIELD_STAFF, None, "护林员 梁国华"),
    ("gate_qianpai", Role.FIELD_STAFF, None, "卡点值守 陈丽"),
    ("yunkai_station", Role.UNIT_HANDLER, "reserve-yunkai", "护林站 值班员"),
]
#: Demo hot spots (VIIRS standard layout, hand-made), two passes over one spot near 大田顶.
DEMO_FIRMS = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
    "confidence,version,bright_ti5,frp,daynight\n"
    "22.2861,111.1792,336.2,0.39,0.36,{d},0518,N,VIIRS,n,2.0NRT,292.1,4.8,D\n"
    "22.2868,111.1805,341.7,0.39,0.36,{d},0518,N,VIIRS,h,2.0NRT,293.0,7.9,D\n"
    "22.2859,111.1811,338.0,0.41,0.37,{d},0609,1,VIIRS,n,2.0NRT,292.6,6.2,D\n"
)


def ensure_station_unit() -> None:
    """The ranger station's handling unit (the reserve.fire kind routes to it first)."""
    if HandlingUnit.objects.filter(code="center").exists():
        upsert_units([STATION])


def ensure_places() -> None:
    for code, name, capacity in AREAS:
        Area.objects.get_or_create(code=code, defaults={"name": name, "daily_capacity": capacity})
    for code, area, name, town, lat, lon in ENTRANCES:
        Entrance.objects.get_or_create(
            code=code,
            defaults={
                "area": Area.objects.get(code=area),
                "name": name,
                "town_code": town,
                "latitude": lat,
                "longitude": lon,
            },
        )
    for code, name, kind, lat, lon in SOURCES:
        SignalSource.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "latitude": lat, "longitude": lon}
        )


def _visitor(name, phone, number, size, plate=""):
    return services.VisitorIn(
        name=name, phone=phone, id_number=number, party_size=size, plate=plate
    )


def load(stdout) -> None:
    ensure_station_unit()
    ensure_places()
    User = get_user_model()
    if not settings.PRODUCTION:
        for username, role, unit, display in USERS:
            if not User.objects.filter(username=username).exists() and (
                unit is None or HandlingUnit.objects.filter(code=unit).exists()
            ):
                create_user(
                    username,
                    role=role,
                    unit_code=unit,
                    password=DEMO_PASSWORD,
                    display_name=display,
                    validate=False,
                )
    admin = User.objects.filter(username="admin").first() or system_actor()
    if not admin.is_superuser:
        stdout.write("保护区：缺少 admin 演示账号，跳过预约与暂停的演示数据")
        return
    made = 0
    if not Suspension.objects.filter(starts_at=SUSPENSION_START).exists():
        before = dt.datetime(2022, 11, 4, 9, 30, tzinfo=TZ)
        for i, (name, phone, idn, size, day) in enumerate(
            [
                ("林晓东", "13902681234", "440902199003150018", 3, 6),
                ("何美玲", "13719225678", "440983198807210024", 2, 7),
                ("王建华", "15816639012", "440981197512300017", 4, 8),
            ]
        ):
            services.book(
                None,
                area_code="datianding",
                visit_date=dt.date(2022, 11, day),
                visitor=_visitor(name, phone, idn, size),
                now=before + dt.timedelta(hours=i),
            )
            made += 1
        services.suspend(
            admin,
            starts_at=SUSPENSION_START,
            reason=SUSPENSION_REASON,
            effect="cancel",
            now=dt.datetime(2022, 11, 6, 10, 0, tzinfo=TZ),
        )
    now = timezone.now()
    today = timezone.localtime(now).date()
    if not ExceptionRequest.objects.exists():
        research = services.apply_exception(
            None,
            area_code="datianding",
            kind="research",
            date_from=today,
            date_to=today + dt.timedelta(days=6),
            purpose="华南农业大学 黑桫椤种群样方监测",
            visitor=_visitor("张卫国", "13826671122", "440104198205160032", 2, "粤A3K721"),
        )
        services.decide_exception(
            admin, research.number, approve=True, reason="科研监测，限 2 人，须随护林员进出"
        )
        services.apply_exception(
            None,
            area_code="magui-meadow",
            kind="resident",
            date_from=today,
            date_to=today,
            purpose="马贵镇大潭村村民上山收割已种植的生姜",
            visitor=_visitor("梁秀英", "13622901234", "440981196811020029", 1),
        )
        refused = services.apply_exception(
            None,
            area_code="datianding",
            kind="research",
            date_from=today,
            date_to=today,
            purpose="摄影爱好者拍摄云海",
            visitor=_visitor("陈浩", "18922334455", "440902199512250017", 3, "粤K88D21"),
        )
        services.decide_exception(
            admin, refused.number, approve=False, reason="不属于科研、居民、家属或应急情形"
        )
        made += 3
    if not FalseAlarmSite.objects.exists():
        services.remember_false_alarm(
            admin,
            name="钱排镇砖厂烟囱（示意位置）",
            latitude=22.362,
            longitude=111.092,
            radius_m=800,
            now=now,
        )
    if not Detection.objects.filter(source_file="演示数据-viirs.csv").exists():
        services.import_firms(
            system_actor(),
            DEMO_FIRMS.format(d=(timezone.now() - dt.timedelta(hours=9)).astimezone(dt.UTC).date()),
            name="演示数据-viirs.csv",
            now=now,
        )
    for code, ext, lat, lon, minutes, payload in [
        ("cam-datianding-01", "demo-cam-1", 22.2870, 111.1798, 40, {"frame": "烟雾识别 0.91"}),
        ("checkpoint-qianpai", "demo-chk-1", 22.3620, 111.0925, 25, {"note": "烟囱冒烟"}),
    ]:
        source = SignalSource.objects.get(code=code)
        services.receive_signal(
            source,
            services.SignalIn(ext, now - dt.timedelta(minutes=minutes), lat, lon, payload),
            now=now,
        )
    users = {u.username: u for u in User.objects.filter(username__startswith="ranger_")}
    for post, username in (
        ("保护区管理局值班室", "ranger_qianpai"),
        ("马贵护林点", "ranger_magui"),
    ):
        user = users.get(username)
        if user and not DutyShift.objects.filter(day=today, post=post).exists():
            services.assign_duty(admin, day=today, post=post, username=username, now=now)
    for username, lat, lon in (
        ("ranger_qianpai", 22.335, 111.120),
        ("ranger_magui", 22.232, 111.255),
    ):
        user = users.get(username)
        if user and not RangerPosition.objects.filter(user=user).exists():
            services.report_position(user, latitude=lat, longitude=lon, now=now)
    stdout.write(
        f"保护区：区域 {Area.objects.count()}，预约 {Booking.objects.count()}，"
        f"特许申请 {ExceptionRequest.objects.count()}，本次新增 {made}"
    )
