"""Choices of the orders app. Codes follow shared TAXONOMY.md; labels are what people read."""

from typing import NamedTuple

from django.db import models


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信"
    APP = "app", "手机应用"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    OPEN311 = "open311", "Open311 接口"
    IMPORT = "import", "批量导入"
    AGENT = "agent", "坐席代录"
    #: Made by the platform from a field app's record or a machine signal (a positive sampling
    #: pool's recall, a fire incident, an overdue outing), not by a person's appeal.
    SYSTEM = "system", "系统生成"


class AppealType(models.TextChoices):
    INQUIRY = "inquiry", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Category(models.TextChoices):
    MEDICAL = "medical", "就医用药"
    SUPPLIES = "supplies", "生活物资"
    HEALTH_CODE = "health_code", "健康码/行程卡"
    TESTING = "testing", "核酸检测"
    CONTROL = "control", "管控措施"
    TRAVEL = "travel", "出行通行"
    MARKET = "market", "市场价格"
    LIVING = "living", "公用事业与物业"
    STUDY_WORK = "study_work", "学业就业"
    SAFETY = "safety", "公共安全"
    OTHER = "other", "其他"


#: Categories of the epidemic special line: an appeal in one of them is epidemic-related unless
#: the caller or triage says otherwise.
EPIDEMIC_CATEGORIES = frozenset(
    {
        Category.MEDICAL,
        Category.SUPPLIES,
        Category.HEALTH_CODE,
        Category.TESTING,
        Category.CONTROL,
        Category.TRAVEL,
    }
)


class Urgency(models.TextChoices):
    CRITICAL = "critical", "危急"
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"


class Vulnerable(models.TextChoices):
    ELDERLY = "elderly", "老"
    CHILD = "child", "幼"
    SICK = "sick", "病"
    DISABLED = "disabled", "残"
    PREGNANT = "pregnant", "孕"


class Status(models.TextChoices):
    """Where a work order stands. Reopened orders go back to ACCEPTED (the unit handles again)."""

    RECEIVED = "received", "已受理待派单"
    DISPATCHED = "dispatched", "已派单待签收"
    ACCEPTED = "accepted", "已签收办理中"
    RESOLVED = "resolved", "已答复待回访"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.ACCEPTED, Status.RESOLVED)
#: Statuses in which the order still waits for a unit to take it.
ACCEPT_CLOCK_STATUSES = (Status.RECEIVED, Status.DISPATCHED)
#: Statuses in which the resolve clock runs.
RESOLVE_CLOCK_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.ACCEPTED)


class Clock(NamedTuple):
    """One of an order's clocks: the statuses it runs in and the deadline field it counts to."""

    name: str
    statuses: tuple[str, ...]
    deadline_field: str
    label: str


#: The one mapping from status to running clock; the overdue query, ``Order.running_clocks``,
#: the sweep and the work pages all read it. Order matters: the first running clock is the
#: one a page shows as "next deadline".
CLOCKS = (
    Clock("accept", ACCEPT_CLOCK_STATUSES, "accept_deadline", "签收时限"),
    Clock("resolve", RESOLVE_CLOCK_STATUSES, "resolve_deadline", "办结时限"),
    Clock("callback", (Status.RESOLVED,), "callback_due", "回访时限"),
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class SlaMode(models.TextChoices):
    NORMAL = "normal", "常态"
    SURGE = "surge", "高峰（疫情激增）"


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", "分钟"
    WORKDAYS = "workdays", "工作日"


class Clock(models.TextChoices):
    ACCEPT = "accept", "签收时限"
    RESOLVE = "resolve", "办结时限"
    CALLBACK = "callback", "回访时限"


class RoutingTarget(models.TextChoices):
    """What a routing rule sends an order to."""

    UNIT = "unit", "指定单位"
    DISTRICT_EPIDEMIC_OFFICE = "district_epidemic_office", "所在区县疫情防控办"
    TOWN_OFFICE = "town_office", "所在镇街"
    DISTRICT_GOVERNMENT = "district_government", "所在区县政府（兜底）"
    CENTER_QUEUE = "center_queue", "热线中心人工派单"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（将重试）"
    #: Claimed by a worker and handed to the gateway; if the worker dies before recording the
    #: outcome, the claim expires (``outbox.CLAIM_LEASE``) and the message is tried again.
    SENDING = "sending", "发送中"
    #: Failed ``outbox.MAX_ATTEMPTS`` times: no more retries; kept for a person (admin).
    DEAD = "dead", "发送失败（已放弃）"


class EventCode:
    """Dotted codes of order events (the timeline, audit, statistics and notices read them)."""

    RECEIVED = "orders.order.received"
    TRIAGED = "orders.order.triaged"
    #: A person set a classification field that triage read differently (training data).
    TRIAGE_OVERRIDDEN = "orders.order.triage_overridden"
    DISPATCHED = "orders.order.dispatched"
    ACCEPTED = "orders.order.accepted"
    RETURNED = "orders.order.returned"
    EXTENSION_REQUESTED = "orders.order.extension_requested"
    EXTENSION_DECIDED = "orders.order.extension_decided"
    NOTE = "orders.order.note"
    ESCALATED = "orders.order.escalated"
    OVERDUE = "orders.order.overdue"
    RESOLVED = "orders.order.resolved"
    CALLBACK = "orders.order.callback"
    REOPENED = "orders.order.reopened"
    CLOSED = "orders.order.closed"
    DUPLICATE_LINKED = "orders.order.duplicate_linked"
    REPEAT_RECEIVED = "orders.order.repeat_received"
    URGED = "orders.order.urged"
    PERSONAL_DATA_READ = "orders.order.personal_data_read"
