"""The reserve: bookable areas and entrances, suspensions, bookings, exception requests, gate
passages; and the fire watch: satellite detections, signal sources and signals, incidents,
remembered false-alarm sites, on-site photos, rangers' positions and the duty roster.

Writes go through ``services.py``; these classes hold data, invariants and predicates.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.common.masking import mask_name, mask_phone
from hotline.common.models import DomainEvent

from .choices import (
    OPEN_INCIDENT_STATUSES,
    BookingStatus,
    Confidence,
    Direction,
    ExceptionKind,
    ExceptionStatus,
    IncidentStatus,
    Outcome,
    SignalKind,
    SuspensionEffect,
)

#: Roles that run the reserve (decide exceptions, suspend bookings, handle fire incidents).
MANAGING_ROLES = (Role.ADMIN, Role.SUPERVISOR)
#: Roles that work at the gates and in the forest.
FIELD_ROLES = (Role.FIELD_STAFF, Role.ADMIN, Role.SUPERVISOR)
#: The handling unit of the reserve's ranger station (created by migration 0002).
STATION_UNIT = "reserve-yunkai"


def is_reserve_staff(user) -> bool:
    """Field staff, supervisors, admins, and the ranger station's own unit handlers."""
    if has_role(user, *FIELD_ROLES):
        return True
    profile = getattr(user, "hotline_profile", None)
    unit = getattr(profile, "unit", None) if profile else None
    return bool(has_role(user, Role.UNIT_HANDLER) and unit and unit.code == STATION_UNIT)


def is_reserve_manager(user) -> bool:
    return has_role(user, *MANAGING_ROLES)


class Area(models.Model):
    """A bookable part of the reserve with a daily visitor capacity (people per day)."""

    code = models.SlugField("区域代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    daily_capacity = models.PositiveIntegerField("每日容量（人）")
    active = models.BooleanField("开放预约", default=True)

    class Meta:
        verbose_name = "保护区区域"
        verbose_name_plural = "保护区区域"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Entrance(models.Model):
    """A gate into an area, in a town (NBS code), with its position."""

    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="entrances"
    )
    code = models.SlugField("入口代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    town_code = models.CharField("所在镇街代码", max_length=9)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")

    class Meta:
        verbose_name = "入口卡点"
        verbose_name_plural = "入口卡点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SuspensionQuerySet(models.QuerySet):
    def in_force(self, at: dt.datetime) -> SuspensionQuerySet:
        """Suspensions running at ``at`` (start ≤ at < end; no end = until further notice)."""
        return self.filter(starts_at__lte=at).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> SuspensionQuerySet:
        """Suspensions that cover any instant of [start, end)."""
        return self.filter(starts_at__lt=end).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))

    def for_area(self, area) -> SuspensionQuerySet:
        """Suspensions of ``area`` and of the whole reserve (area empty)."""
        return self.filter(Q(area__isnull=True) | Q(area=area))


class Suspension(models.Model):
    """A window in which bookings are refused (暂停预约): from ``starts_at``, until ``ends_at``
    or, with no end, until further notice (另行通知). No area = the whole reserve."""

    area = models.ForeignKey(
        Area, verbose_name="区域（空=全保护区）", null=True, blank=True, on_delete=models.PROTECT
    )
    starts_at = models.DateTimeField("起始时间")
    ends_at = models.DateTimeField("结束时间（空=另行通知）", null=True, blank=True)
    reason = models.CharField("原因", max_length=200)
    effect = models.CharField("已有预约", max_length=10, choices=SuspensionEffect.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = "暂停预约"
        verbose_name_plural = "暂停预约"
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.area or '全保护区'} {self.starts_at:%Y-%m-%d %H:%M} 起暂停"

    def in_force(self, at: dt.datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight to midnight of ``day`` (TIME_ZONE, Asia/Shanghai by default)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


class Visitor(models.Model):
    """Who comes in (a booking's visitor, an exception's applicant): the name and phone in full
    (the gate must call them and the SMS must reach them; masked on every page that does not
    need them), the ID number only as a keyed hash and a masked form."""

    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机号", max_length=20)
    id_hash = models.CharField("身份证号（密钥散列）", max_length=64, db_index=True)
    id_masked = models.CharField("身份证号（遮蔽）", max_length=18)
    plate = models.CharField("车牌号", max_length=12, blank=True)
    party_size = models.PositiveSmallIntegerField("人数")

    class Meta:
        abstract = True

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Booking(Visitor):
    """A visitor's booking of one area on one day (入园预约)."""

    number = models.CharField("预约号", max_length=20, unique=True)
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="bookings"
    )
    visit_date = models.DateField("入园日期", db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    suspension = models.ForeignKey(
        Suspension, verbose_name="受影响的暂停", null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField("渠道", max_length=10, default="web")
    created_at = models.DateTimeField("预约时间")

    class Meta:
        verbose_name = "入园预约"
        verbose_name_plural = "入园预约"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["area", "visit_date", "status"])]

    def __str__(self) -> str:
        return self.number


class ExceptionRequest(Visitor):
    """A request to enter while bookings are suspended (除批准外禁止进入): research, residents,
    rangers' families, emergencies — approved or refused by the reserve with a reason."""

    number = models.CharField("申请号", max_length=20, unique=True)
    kind = models.CharField("类别", max_length=16, choices=ExceptionKind.choices)
    area = models.ForeignKey(
        Area, verbose_name="区域", on_delete=models.PROTECT, related_name="exceptions"
    )
    date_from = models.DateField("起始日期")
    date_to = models.DateField("截止日期")
    purpose = models.CharField("事由", max_length=300)
    status = models.CharField(
        "状态", max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.CharField("审批意见", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = "特许进入申请"
        verbose_name_plural = "特许进入申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    def covers(self, day: dt.date) -> bool:
        return self.status == ExceptionStatus.APPROVED and self.date_from <= day <= self.date_to


class Passage(models.Model):
    """One entry or exit registered at a gate, for a booking or an approved exception."""

    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="passages")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="passages"
    )
    exception = models.ForeignKey(
        ExceptionRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="passages"
    )
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    people = models.PositiveSmallIntegerField("人数")
    at = models.DateTimeField("时间", db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "出入登记"
        verbose_name_plural = "出入登记"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, exception__isnull=True)
                | Q(booking__isnull=True, exception__isnull=False),
                name="reserve_passage_one_permit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.people} 人 @ {self.at:%Y-%m-%d %H:%M}"


class ReserveEvent(DomainEvent):
    """Append-only log of every change in the reserve app (``reserve.booking.created``,
    ``reserve.incident.opened`` …), for the object named by type and id."""

    object_type = models.CharField("对象类型", max_length=30)
    object_id = models.CharField("对象编号", max_length=40)

    class Meta:
        verbose_name = "保护区事件"
        verbose_name_plural = "保护区事件"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


# --- fire watch -----------------------------------------------------------------------------
class IncidentQuerySet(models.QuerySet):
    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=OPEN_INCIDENT_STATUSES)


class Incident(models.Model):
    """A fire (火情): detections and signals grouped in space and time, with its growth (first
    and last seen, area, strongest FRP) and, inside the watch area, one work order."""

    number = models.CharField("火情编号", max_length=20, unique=True)
    status = models.CharField(
        "状态", max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    town_code = models.CharField("最近镇街代码", max_length=9, blank=True)
    in_watch_area = models.BooleanField("在保护区及缓冲区内", default=True)
    first_seen = models.DateTimeField("首次发现", db_index=True)
    last_seen = models.DateTimeField("最近发现", db_index=True)
    area_km2 = models.FloatField("面积估算（平方公里）", default=0)
    max_frp = models.FloatField("最大辐射功率（MW）", null=True, blank=True)
    detection_count = models.PositiveIntegerField("卫星热点数", default=0)
    signal_count = models.PositiveIntegerField("其他信号数", default=0)
    satellites = models.CharField("卫星", max_length=80, blank=True)
    outcome = models.CharField("处置结果", max_length=16, choices=Outcome.choices, blank=True)
    on_site_at = models.DateTimeField("到场核实时间", null=True, blank=True)
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    false_alarm_site = models.ForeignKey(
        "FalseAlarmSite", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    created_at = models.DateTimeField("建立时间")

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = "火情"
        verbose_name_plural = "火情"
        ordering = ["-last_seen", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INCIDENT_STATUSES


class Detection(models.Model):
    """One FIRMS active-fire pixel, unique by (satellite, acquired_at, latitude, longitude)."""

    satellite = models.CharField("卫星", max_length=12)
    instrument = models.CharField("传感器", max_length=8)
    acquired_at = models.DateTimeField("过境时间（UTC 存储）", db_index=True)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    scan = models.FloatField("像元扫描向宽度（km）")
    track = models.FloatField("像元轨道向宽度（km）")
    brightness = models.FloatField("亮温 I4/21 通道（K）", null=True, blank=True)
    bright_t31 = models.FloatField("亮温 I5/31 通道（K）", null=True, blank=True)
    frp = models.FloatField("辐射功率（MW）", null=True, blank=True)
    confidence = models.CharField("置信度", max_length=8, choices=Confidence.choices)
    confidence_raw = models.CharField("原始置信度", max_length=8)
    daynight = models.CharField("昼夜", max_length=1, blank=True)
    fire_type = models.SmallIntegerField("类型", null=True, blank=True)
    version = models.CharField("版本", max_length=16, blank=True)
    source_file = models.CharField("来源文件", max_length=200)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="detections"
    )
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "卫星热点"
        verbose_name_plural = "卫星热点"
        ordering = ["acquired_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["satellite", "acquired_at", "latitude", "longitude"],
                name="reserve_detection_key",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.satellite} {self.acquired_at:%Y-%m-%d %H:%M} {self.latitude},{self.longitude}"
        )


class SignalSource(models.Model):
    """A machine or channel that sends fire signals: a camera, a sentinel tower, a checkpoint,
    a ranger's terminal, the public-report door. Its signing secret is never stored: it is
    derived from SECRET_KEY, the code and ``key_version`` (services.source_secret); raising the
    version revokes the old secret."""

    code = models.SlugField("信号源代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=12, choices=SignalKind.choices)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    key_version = models.PositiveSmallIntegerField("密钥版本", default=1)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "火情信号源"
        verbose_name_plural = "火情信号源"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Signal(models.Model):
    """A non-satellite fire signal, unique by (source, external id): matched to an open incident
    or opening one."""

    source = models.ForeignKey(SignalSource, on_delete=models.PROTECT, related_name="signals")
    external_id = models.CharField("信号编号", max_length=64)
    kind = models.CharField("类型", max_length=12, choices=SignalKind.choices)
    observed_at = models.DateTimeField("发现时间", db_index=True)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    payload = models.JSONField("内容", default=dict, blank=True)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="signals")
    opened_incident = models.BooleanField("由此信号建立火情", default=False)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "火情信号"
        verbose_name_plural = "火情信号"
        ordering = ["observed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="reserve_signal_key")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"


class FalseAlarmSite(models.Model):
    """A place that keeps looking like a fire and is not (a factory chimney, a kiln): incidents
    within ``radius_m`` are recorded and suppressed instead of becoming orders."""

    name = models.CharField("名称", max_length=80)
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    radius_m = models.PositiveIntegerField("半径（米）", default=750)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "已知误报点"
        verbose_name_plural = "已知误报点"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IncidentPhoto(models.Model):
    """A photo taken on site to confirm (or clear) a fire, kept in the database (≤ 2 MB)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="photos")
    image = models.BinaryField("照片")
    content_type = models.CharField(max_length=30)
    note = models.CharField("说明", max_length=300, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"照片 {self.pk}"


class IncidentOrderLink(models.Model):
    """A person's report of a fire by phone (an order of category ``safety``) linked to the
    incident it is about."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="order_links")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "关联来电工单"
        verbose_name_plural = "关联来电工单"
        constraints = [
            models.UniqueConstraint(fields=["incident", "order"], name="reserve_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} ↔ {self.order_id}"


class RangerPosition(models.Model):
    """A ranger's last reported position (one row per user, overwritten by each report)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    latitude = models.FloatField("纬度")
    longitude = models.FloatField("经度")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "护林员位置"
        verbose_name_plural = "护林员位置"

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.at:%H:%M}"


class DutyShift(models.Model):
    """A 24-hour duty (值班) from 08:00 on ``day`` to 08:00 the next day, at a post. Assigned to
    Django users with the field_staff role until the workforce app's roster takes over."""

    day = models.DateField("日期", db_index=True)
    post = models.CharField("岗位", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("安排时间")

    class Meta:
        verbose_name = "24小时值班"
        verbose_name_plural = "24小时值班"
        ordering = ["day", "post"]
        constraints = [
            models.UniqueConstraint(fields=["day", "post"], name="reserve_one_duty_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.post}"

    SHIFT_START = dt.time(8, 0)
