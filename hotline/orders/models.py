"""Work orders (工单) and what hangs off them: events, clock policies, routing rules, the
notification outbox, the personal-data access log.

Models hold data, invariants, manager verbs and ``can_*`` predicates. Every write goes through
``hotline.orders.services``; nothing here has side effects in ``save()``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from hotline.accounts.roles import Role, roles_of
from hotline.common.models import DomainEvent

from .choices import (
    CLOCKS,
    OPEN_STATUSES,
    AppealType,
    Category,
    Channel,
    Clock,
    LimitUnit,
    NotificationStatus,
    RoutingTarget,
    Satisfaction,
    SlaMode,
    Status,
    Urgency,
)

DESCRIPTION_MAX = 4000
#: The caller's personal data on an order: masked for display, every unmasked read recorded.
PERSONAL_DATA_FIELDS = ("caller_name", "caller_phone", "address", "latitude", "longitude")

#: Roles that see every order (the hotline center).
CENTER_ROLES = frozenset({Role.AGENT, Role.VOLUNTEER_AGENT, Role.SUPERVISOR, Role.ADMIN})
#: Roles that may read a caller's unmasked phone and name (recorded on each read). Volunteer
#: agents are drafted from other agencies for the surge: they answer with the caller on the line
#: and never need the stored number, so they see it masked.
REVEAL_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


def handler_unit_id(user) -> int | None:
    """The handling unit (pk) a unit handler works for, cached on the user; else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_hotline_unit_id"):
        profile = (
            getattr(user, "hotline_profile", None) if Role.UNIT_HANDLER in roles_of(user) else None
        )
        user._hotline_unit_id = profile.unit_id if profile is not None else None
    return user._hotline_unit_id


def is_center(user) -> bool:
    return bool(roles_of(user) & CENTER_ROLES)


#: Co-handled order ids a unit's order query carries inline (beyond, a subquery).
CO_IDS_INLINE = 500


class OrderQuerySet(models.QuerySet):
    def open(self) -> OrderQuerySet:
        """Orders not yet closed."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now) -> OrderQuerySet:
        """Open orders with a clock that has run out at ``now`` (accept, resolve or callback)."""
        condition = Q()
        for clock in CLOCKS:
            condition |= Q(status__in=clock.statuses, **{f"{clock.deadline_field}__lt": now})
        return self.filter(condition)

    def for_unit(self, unit_id: int) -> OrderQuerySet:
        """Orders dispatched to the unit as lead (主办) or co-handler (协办).

        Reads the unit's co-handled order ids first (one small query; co-handling is rare)
        and filters ``lead = unit OR id IN (those ids)``: both engines then take the union
        of two index lookups (SQLite's multi-index OR, PostgreSQL's BitmapOr). A correlated
        EXISTS, or an IN over a subquery inside the OR, made every count of a unit's list a
        scan of the whole table — seconds over a million orders (docs/ORDERS.md, "Lists at
        scale"). A unit co-handling more than ``CO_IDS_INLINE`` orders gets the subquery."""
        through = Order.co_units.through.objects.filter(handlingunit_id=unit_id)
        ids = list(through.values_list("order_id", flat=True)[: CO_IDS_INLINE + 1])
        if not ids:
            return self.filter(handling_unit_id=unit_id)
        if len(ids) > CO_IDS_INLINE:
            return self.filter(Q(handling_unit_id=unit_id) | Q(pk__in=through.values("order_id")))
        return self.filter(Q(handling_unit_id=unit_id) | Q(pk__in=ids))

    def visible_to(self, user) -> OrderQuerySet:
        """What ``user`` may see: the center sees all; a unit handler only their unit's orders."""
        if is_center(user):
            return self
        unit_id = handler_unit_id(user)
        if unit_id is None:
            return self.none()
        return self.for_unit(unit_id)


class Order(models.Model):
    """A work order (工单): one appeal, from receipt to close, on the law's clocks.

    Deadlines are stored here and changed only by services (each change is also in an event's
    payload, so replaying the events gives the same clocks). ``*_overdue_at`` mark that the
    sweep has recorded a clock running out, so each clock is reported exactly once.
    """

    number = models.CharField("工单编号", max_length=20, unique=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    appeal_type = models.CharField("诉求类型", max_length=12, choices=AppealType.choices)
    category = models.CharField("诉求分类", max_length=12, choices=Category.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    vulnerable = models.JSONField("特殊群体", default=list, blank=True)
    epidemic_related = models.BooleanField("涉疫", default=False)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("诉求内容", max_length=DESCRIPTION_MAX)
    caller_name = models.CharField("来电人姓名", max_length=64, blank=True)
    caller_phone = models.CharField("来电号码", max_length=32, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    district = models.ForeignKey(
        "geo.Division",
        verbose_name="区县",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    town = models.ForeignKey(
        "geo.Division",
        verbose_name="镇街",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (town, received_at) in Meta.indexes serves it
    )
    village = models.ForeignKey(
        "geo.Division",
        verbose_name="村居",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)

    status = models.CharField("状态", max_length=12, choices=Status.choices)
    handling_unit = models.ForeignKey(
        "geo.HandlingUnit",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_orders",
    )
    co_units = models.ManyToManyField(
        "geo.HandlingUnit", verbose_name="协办单位", blank=True, related_name="co_orders"
    )
    routing_rule = models.CharField("派单规则", max_length=100, blank=True)
    owner_assigned = models.BooleanField(
        "中心指定承办", default=False, help_text="三次退单后由中心指定，不可再退"
    )

    sla_mode = models.CharField("时限模式", max_length=8, choices=SlaMode.choices)
    accept_deadline = models.DateTimeField("签收时限", null=True, blank=True)
    resolve_deadline = models.DateTimeField("办结时限", null=True, blank=True)
    callback_due = models.DateTimeField("回访时限", null=True, blank=True)
    accept_overdue_at = models.DateTimeField("签收超时记录", null=True, blank=True)
    resolve_overdue_at = models.DateTimeField("办结超时记录", null=True, blank=True)
    callback_overdue_at = models.DateTimeField("回访超时记录", null=True, blank=True)

    received_at = models.DateTimeField("受理时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    resolved_at = models.DateTimeField("答复时间", null=True, blank=True)
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    escalation_reason = models.CharField("督办原因", max_length=500, blank=True)

    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    extension_until = models.DateTimeField("申请延期至", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    extension_requested_at = models.DateTimeField("延期申请时间", null=True, blank=True)

    reply = models.TextField("答复内容", blank=True)
    article_key = models.CharField("知识库条目", max_length=100, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=20, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.CharField("回访记录", max_length=1000, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复于",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交方",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        # The unique constraint's index (client, idempotency_key) leads with it (migration 0010).
        db_index=False,
    )
    # NULL (not "") when the client sent no key: the unique constraint then ignores the row, and
    # the lookup by (client, key) uses the constraint's plain index on SQLite and PostgreSQL.
    idempotency_key = models.CharField(  # noqa: DJ001
        "幂等键", max_length=100, null=True, blank=True
    )
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)

    # The seam (docs/ARCHITECTURE.md): what kind of order a field app made it as, and the app's
    # object it serves (a sampling recall, a care request, a fire incident). Empty for appeals.
    kind = models.CharField("工单类型", max_length=40, blank=True, help_text="留空为普通诉求")
    source_app = models.CharField("来源应用", max_length=30, blank=True)
    source_type = models.CharField("来源对象类型", max_length=30, blank=True)
    source_id = models.CharField("来源对象编号", max_length=64, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="orders_order_unique_client_key"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "accept_deadline"]),
            models.Index(fields=["status", "resolve_deadline"]),
            models.Index(fields=["status", "callback_due"]),
            # The unit inbox reads this one; a wider index starting with (handling_unit, status)
            # replacing it turned SQLite's inbox plan to reading the unit's every order.
            models.Index(fields=["handling_unit", "status"]),
            # The lists and the board over a million orders (docs/ORDERS.md, "Lists at scale"):
            # each list filter with the list's order (newest first), the board's counters of
            # open orders by status and urgency, today's closed orders, pending extensions.
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["urgency", "received_at"]),
            models.Index(fields=["handling_unit", "received_at"]),
            models.Index(fields=["district", "received_at"]),
            # Leads with town, so the foreign key has no index of its own (db_index=False,
            # migration 0009): one B-tree fewer for each order written. District and
            # handling_unit keep theirs: a single-column index ends with the rowid, and SQLite
            # reads an overdue list narrowed to a district or a unit as (district_id=? AND
            # rowid=?) per overdue id; without it, it reads every order of the district
            # (hotline/console/tests/test_list_plans.py).
            models.Index(fields=["town", "received_at"]),
            # Two filters neither of which is selective alone (a district's or the largest
            # unit's ~160,000 orders, 7% of them urgent or critical): both equalities, then
            # the list's order, so the page and its capped count read only the matches.
            models.Index(fields=["district", "urgency", "received_at"]),
            models.Index(fields=["handling_unit", "urgency", "received_at"]),
            # The board's view of one unit: its open orders by status and urgency, and its
            # orders closed today, from the index alone.
            models.Index(fields=["handling_unit", "status", "closed_at", "urgency"]),
            models.Index(fields=["status", "urgency"]),
            models.Index(fields=["status", "closed_at"]),
            models.Index(
                fields=["extension_requested_at"],
                condition=Q(extension_requested_at__isnull=False),
                name="orders_order_extension_asked",
            ),
            models.Index(
                fields=["source_app", "source_type", "source_id"], name="orders_order_source"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.duplicate_of_id is not None and self.duplicate_of_id == self.pk:
            raise ValidationError({"duplicate_of": "工单不能重复于自身。"})
        bad = set(self.vulnerable or ()) - {"elderly", "child", "sick", "disabled", "pregnant"}
        if bad:
            raise ValidationError({"vulnerable": f"未知特殊群体标记：{'、'.join(sorted(bad))}"})

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def place_label(self) -> str:
        """The most precise known place for a list row: town, else district, else "—". An
        order may have neither (the API and the console allow an appeal with no place)."""
        if self.town_id is not None:
            return self.town.name
        if self.district_id is not None:
            return self.district.name
        return "—"

    @property
    def place_path(self) -> str:
        """District, town and village names that are known, space-separated ("" if none)."""
        parts = (self.district, self.town, self.village)
        return " ".join(p.name for p in parts if p is not None)

    @property
    def unit_label(self) -> str:
        """Who holds the order, for lists and the order page: the lead unit; for an order the
        center closed without dispatching it, the center (at first contact, or merged into
        another order); otherwise "待派单"."""
        if self.handling_unit_id is not None:
            return self.handling_unit.name
        if self.status == Status.CLOSED:
            return "热线中心（已并入重复工单）" if self.duplicate_of_id else "热线中心（首呼办结）"
        return "待派单"

    @property
    def extension_pending(self) -> bool:
        return self.extension_requested_at is not None

    def running_clocks(self) -> list[tuple[Clock, dt.datetime]]:
        """The clocks running in the current status that have a deadline, in ``CLOCKS`` order."""
        running = []
        for clock in CLOCKS:
            deadline = getattr(self, clock.deadline_field)
            if self.status in clock.statuses and deadline is not None:
                running.append((clock, deadline))
        return running

    def is_overdue(self, now) -> bool:
        return any(deadline < now for _clock, deadline in self.running_clocks())

    # --- permission predicates (services check these; the API maps a refusal to 403) ---------
    def is_lead_handler(self, user) -> bool:
        unit_id = handler_unit_id(user)
        return unit_id is not None and unit_id == self.handling_unit_id

    def is_co_handler(self, user) -> bool:
        unit_id = handler_unit_id(user)
        return unit_id is not None and self.co_units.filter(pk=unit_id).exists()

    def can_view(self, user) -> bool:
        return is_center(user) or self.is_lead_handler(user) or self.is_co_handler(user)

    def can_reveal_personal_data(self, user) -> bool:
        """Full name, phone and address: center agents, supervisors, admins, and the lead unit's
        handlers (they call the resident back). Volunteers and co-handlers see masks."""
        return bool(roles_of(user) & REVEAL_ROLES) or self.is_lead_handler(user)


class OrderEvent(DomainEvent):
    """One thing that happened to an order (append-only). Ordered by ``id`` within an order.

    ``code`` is dotted (``orders.order.dispatched``); ``payload`` carries what changed, including
    any new deadline, so the timeline, the audit, statistics and replay read the same record.
    """

    # Without DomainEvent's single-column index: the (code, at) index below leads with the
    # code, so it serves every lookup by code too, and each event written updates one B-tree
    # fewer (migration 0010).
    code = models.CharField("事件", max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey(
        "geo.HandlingUnit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "工单事件"
        verbose_name_plural = "工单事件"
        ordering = ["order_id", "id"]
        # One kind of event in a time window (the board's calls in the last hour, the
        # workforce forecast's arrivals): without it SQLite reads every event of the code.
        indexes = [models.Index(fields=["code", "at"])]


class OrderDaySequence(models.Model):
    """The last order number issued on a day (local date); numbers are ``YYYYMMDD-NNNNNN``."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "工单编号序列"
        verbose_name_plural = "工单编号序列"

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"


class SlaPolicy(models.Model):
    """A row of the clock matrix: (urgency, appeal type, mode) → accept and resolve limits.

    An empty ``appeal_type`` matches every type (used for critical and urgent rows). Limits are
    in minutes or in working days (ending at close of business; see common.workdays).
    """

    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    appeal_type = models.CharField(
        "诉求类型",
        max_length=12,
        choices=AppealType.choices,
        blank=True,
        help_text="留空表示任意类型",
    )
    mode = models.CharField("模式", max_length=8, choices=SlaMode.choices)
    kind = models.CharField(
        "工单类型", max_length=40, blank=True, help_text="留空表示普通诉求；填写则只用于该类型"
    )
    accept_amount = models.PositiveIntegerField("签收时限")
    accept_unit = models.CharField("签收时限单位", max_length=10, choices=LimitUnit.choices)
    resolve_amount = models.PositiveIntegerField("办结时限")
    resolve_unit = models.CharField("办结时限单位", max_length=10, choices=LimitUnit.choices)

    class Meta:
        verbose_name = "时限策略"
        verbose_name_plural = "时限策略"
        ordering = ["mode", "urgency", "appeal_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "appeal_type", "mode", "kind"],
                name="orders_slapolicy_unique_kind_row",
            ),
            models.CheckConstraint(
                condition=Q(accept_amount__gt=0) & Q(resolve_amount__gt=0),
                name="orders_slapolicy_positive_limits",
            ),
        ]

    def __str__(self) -> str:
        appeal_type = self.get_appeal_type_display() or "任意类型"
        row = f"{self.get_mode_display()}·{self.get_urgency_display()}·{appeal_type}"
        return f"{row}·{self.kind}" if self.kind else row


class OperatingMode(models.Model):
    """The clock mode for new orders (one row, pk=1): normal or surge. Switching it never
    rewrites the clocks of existing orders."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    mode = models.CharField(
        "时限模式", max_length=8, choices=SlaMode.choices, default=SlaMode.NORMAL
    )
    changed_at = models.DateTimeField("切换时间", null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="切换人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField("切换原因", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "时限模式"
        verbose_name_plural = "时限模式"

    def __str__(self) -> str:
        return self.get_mode_display()


class RoutingRule(models.Model):
    """A dispatch rule (派单规则), tried in ``priority`` order; the first that matches and whose
    target resolves to an active unit wins. Empty match fields match anything."""

    priority = models.PositiveIntegerField("优先级", help_text="数字小的先匹配")
    name = models.CharField("规则名称", max_length=100)
    active = models.BooleanField("启用", default=True)
    category = models.CharField("诉求分类", max_length=12, choices=Category.choices, blank=True)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, blank=True)
    epidemic_related = models.BooleanField("涉疫", null=True, blank=True, help_text="留空表示不限")
    kind = models.CharField(
        "工单类型", max_length=40, blank=True, help_text="留空表示任意类型（含普通诉求）"
    )
    target = models.CharField("派往", max_length=30, choices=RoutingTarget.choices)
    unit_code = models.CharField(
        "指定单位代码", max_length=40, blank=True, help_text="派往“指定单位”时填写"
    )

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.priority} {self.name}"

    def clean(self) -> None:
        if self.target == RoutingTarget.UNIT and not self.unit_code:
            raise ValidationError({"unit_code": "派往指定单位时必须填写单位代码。"})


class Notification(models.Model):
    """The outbox: a message to send, written in the same transaction as the change that causes
    it and delivered by the worker. No SMS gateway is wired in this deployment: the worker's
    default sender writes the message to the log and marks it sent; a real gateway replaces
    ``hotline.orders.outbox.send`` without touching the services."""

    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event_code = models.CharField("事件", max_length=64)
    recipient = models.CharField("接收方", max_length=64)
    text = models.CharField("内容", max_length=500)
    status = models.CharField(
        "状态", max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发通知"
        verbose_name_plural = "待发通知"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text[:20]}"


class PersonalDataAccess(models.Model):
    """One read of a caller's unmasked personal data: who, which order, which fields, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField("字段", default=list)
    via = models.CharField("途径", max_length=100)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.order} @ {self.at:%Y-%m-%d %H:%M}"


class OrderKind(models.Model):
    """A kind of order a field app makes (``sampling.recall``, ``reserve.fire``), registered as
    data by the app's migration (``hotline.orders.kinds.RegisterKind``): its label and the
    classification an order of the kind gets when the appeal leaves it out. Its clocks are
    ``SlaPolicy`` rows and its routing ``RoutingRule`` rows carrying the same ``kind``."""

    code = models.CharField("代码", max_length=40, primary_key=True)
    label = models.CharField("名称", max_length=100)
    app = models.CharField("所属应用", max_length=30)
    appeal_type = models.CharField("默认诉求类型", max_length=12, choices=AppealType.choices)
    category = models.CharField("默认诉求分类", max_length=12, choices=Category.choices)
    urgency = models.CharField("默认紧急程度", max_length=10, choices=Urgency.choices)
    epidemic_related = models.BooleanField("默认涉疫", null=True, blank=True)

    class Meta:
        verbose_name = "工单类型"
        verbose_name_plural = "工单类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"


class SubscriberCursor(models.Model):
    """How far one event subscriber (``hotline.orders.events``) has read the order events.

    ``position`` is the highest event id handled; ``gaps`` holds lower ids that were not yet
    visible when the position moved past them ({id: first seen, ISO}), because on PostgreSQL a
    transaction holding a smaller id can commit after one holding a larger id. A gap is read
    again on every delivery until its event appears or it is older than ``events.GAP_TTL`` (a
    rolled-back transaction leaves an id that never appears)."""

    name = models.CharField("订阅者", max_length=100, primary_key=True)
    position = models.BigIntegerField("已处理至事件", default=0)
    gaps = models.JSONField("待补事件", default=dict, blank=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    retry_at = models.DateTimeField("重试时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件订阅进度"
        verbose_name_plural = "事件订阅进度"

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class DeadLetter(models.Model):
    """An event a subscriber failed on ``events.MAX_ATTEMPTS`` times: set aside so the others
    flow, kept for a person to look at and replay (``hotline events retry``)."""

    subscriber = models.CharField("订阅者", max_length=100)
    event = models.ForeignKey(OrderEvent, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField("尝试次数")
    error = models.CharField("错误", max_length=500)
    at = models.DateTimeField("时间")
    retried_at = models.DateTimeField("重试时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件死信"
        verbose_name_plural = "事件死信"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "event"], name="orders_deadletter_unique_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.event_id}"
