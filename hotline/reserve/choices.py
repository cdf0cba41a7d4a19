"""Choices of the reserve app. Labels are what people read (Simplified Chinese)."""

from django.db import models


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已预约"
    #: Kept but put on hold by a suspension: not valid at the gate while the suspension lasts.
    HELD = "held", "暂停期间待定"
    CANCELLED = "cancelled", "已取消"


class SuspensionEffect(models.TextChoices):
    """What a suspension does to bookings already made for the days it covers."""

    CANCEL = "cancel", "取消并短信告知"
    HOLD = "hold", "保留待定并短信告知"


class ExceptionKind(models.TextChoices):
    RESEARCH = "research", "科研监测"
    RESIDENT = "resident", "区内及周边居民"
    RANGER_FAMILY = "ranger_family", "护林员家属"
    EMERGENCY = "emergency", "应急抢险"


class ExceptionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class Direction(models.TextChoices):
    IN = "in", "入园"
    OUT = "out", "出园"


class Confidence(models.TextChoices):
    """FIRMS confidence, one scale for both instruments (MODIS numbers are banded)."""

    LOW = "low", "低"
    NOMINAL = "nominal", "中"
    HIGH = "high", "高"


class SignalKind(models.TextChoices):
    SATELLITE = "satellite", "卫星热点"
    CAMERA = "camera", "远程视频监控"
    SENTINEL = "sentinel", "智能森林哨卫"
    CHECKPOINT = "checkpoint", "防火码卡点"
    RANGER = "ranger", "护林员终端"
    PUBLIC = "public", "群众报告"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "新发现"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "已签收"
    ON_SITE = "on_site", "已到场核实"
    RESOLVED = "resolved", "已处置"
    #: At a remembered false-alarm site: recorded, no order.
    SUPPRESSED = "suppressed", "已知误报点（不派单）"
    #: Outside the reserve and its buffer: recorded for the map, no order.
    OUTSIDE = "outside", "保护区外（仅记录）"
    MERGED = "merged", "已并入其他火情"


OPEN_INCIDENT_STATUSES = (
    IncidentStatus.OPEN,
    IncidentStatus.DISPATCHED,
    IncidentStatus.ACCEPTED,
    IncidentStatus.ON_SITE,
)


class Outcome(models.TextChoices):
    EXTINGUISHED = "extinguished", "已扑灭"
    FALSE_ALARM = "false_alarm", "误报"
    CONTROLLED_BURN = "controlled_burn", "计划烧除（已报备）"
