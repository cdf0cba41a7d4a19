"""Home-quarantine care (居家关爱): a sealed or home-quarantined household's request for
groceries, meals, medicine, formula or transport, the delivery tasks it becomes, the proof of
each handover, the community's supplies and its movements.

Models hold data, invariants and ``can_*`` predicates; every write is in ``services``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from hotline.accounts.roles import Role, roles_of
from hotline.common.models import DomainEvent
from hotline.orders.models import handler_unit_id, is_center

from .choices import (
    CLOSED_TASK_STATUSES,
    OPEN_REQUEST_STATUSES,
    OPEN_TASK_STATUSES,
    Need,
    Origin,
    RequestStatus,
    TaskStatus,
)

#: Personal data of a household: masked unless the role needs it, every unmasked read recorded.
PERSONAL_FIELDS = ("household_name", "household_phone", "address")
#: Roles that may read a household's unmasked data anywhere (they call the resident back).
REVEAL_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def member_unit_id(user) -> int | None:
    """The handling unit a unit handler or a field worker (volunteer) belongs to, else None."""
    unit_id = handler_unit_id(user)
    if unit_id is not None:
        return unit_id
    if Role.FIELD_STAFF not in roles_of(user):
        return None
    if not hasattr(user, "_care_unit_id"):
        profile = getattr(user, "hotline_profile", None)
        user._care_unit_id = profile.unit_id if profile is not None else None
    return user._care_unit_id


def is_volunteer(user) -> bool:
    return Role.FIELD_STAFF in roles_of(user)


class CareRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def visible_to(self, user):
        """The center and supervisors see every request; a town office its own; a volunteer
        the requests of the tasks assigned to them."""
        if is_center(user):
            return self
        unit_id = handler_unit_id(user)
        if unit_id is not None:
            # The town that delivers, and the unit its order was dispatched to (the district
            # epidemic office that turned the appeal into a request follows it too).
            return self.filter(Q(unit_id=unit_id) | Q(order__handling_unit_id=unit_id))
        if is_volunteer(user):
            return self.filter(tasks__assignee=user).distinct()
        return self.none()


class CareRequest(models.Model):
    """A household's request for help (关爱需求), owned by the town office that delivers it.

    ``received_at`` is when the household first asked (the order's receipt when it came from the
    hotline); ``done_at`` the last handover. Their difference is the time to help.
    """

    origin = models.CharField("来源", max_length=12, choices=Origin.choices)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "geo.HandlingUnit",
        verbose_name="负责单位",
        on_delete=models.PROTECT,
        related_name="care_requests",
    )
    town = models.ForeignKey(
        "geo.Division", verbose_name="镇街", on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "geo.Division",
        verbose_name="村居",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    need = models.CharField("需求", max_length=12, choices=Need.choices)
    description = models.TextField("需求说明", max_length=2000)
    urgent = models.BooleanField("紧急", default=False)
    vulnerable = models.JSONField("特殊群体", default=list, blank=True)
    household_name = models.CharField("联系人", max_length=64, blank=True)
    household_phone = models.CharField("联系电话", max_length=32, blank=True)
    address = models.CharField("地址", max_length=255)
    #: Told to the resident (outbox message); the volunteer asks for it at the door.
    confirmation_code = models.CharField("确认码", max_length=6)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    received_at = models.DateTimeField("求助时间", db_index=True)
    done_at = models.DateTimeField("送达时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    #: The last order event the request has followed (handlers skip events up to it: replays
    #: change nothing).
    order_event_seen = models.BigIntegerField("已处理的工单事件", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    objects = CareRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "关爱需求"
        verbose_name_plural = "关爱需求"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(order__isnull=False),
                name="care_one_request_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"关爱需求 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def time_to_help(self) -> dt.timedelta | None:
        """From the household's first call to the last handover."""
        return self.done_at - self.received_at if self.done_at else None

    @property
    def minutes_to_help(self) -> int | None:
        t = self.time_to_help
        return int(t.total_seconds() // 60) if t is not None else None

    # --- permission predicates ------------------------------------------------------------
    def is_unit_member(self, user) -> bool:
        return handler_unit_id(user) == self.unit_id and self.unit_id is not None

    def is_order_lead(self, user) -> bool:
        """A handler of the unit the request's order is dispatched to."""
        unit_id = handler_unit_id(user)
        return (
            unit_id is not None
            and self.order_id is not None
            and (self.order.handling_unit_id == unit_id)
        )

    def can_view(self, user) -> bool:
        return (
            is_center(user)
            or self.is_unit_member(user)
            or self.is_order_lead(user)
            or (is_volunteer(user) and self.tasks.filter(assignee=user).exists())
        )

    def can_manage(self, user) -> bool:
        """Make tasks, assign, cancel: the town office and supervisors."""
        return self.is_unit_member(user) or bool(roles_of(user) & MANAGER_ROLES)

    def can_reveal(self, user) -> bool:
        """Full name, phone and address: agents, supervisors, the town office, and a volunteer
        while a task of this household is open in their hands."""
        if roles_of(user) & REVEAL_ROLES or self.is_unit_member(user) or self.is_order_lead(user):
            return True
        return (
            is_volunteer(user)
            and self.tasks.filter(assignee=user, status__in=OPEN_TASK_STATUSES).exists()
        )


class CareTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)


class CareTask(models.Model):
    """One delivery (配送任务) of a request, in the hands of a volunteer or of the town office
    itself, on its own clock (``due_at``), ending in a handover with proof: a photo and/or the
    resident's confirmation code."""

    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="tasks")
    items = models.CharField("配送内容", max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="志愿者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_tasks",
    )
    #: True: the town office delivers itself (no volunteer named).
    by_office = models.BooleanField("镇街自行配送", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    due_at = models.DateTimeField("送达时限")
    created_at = models.DateTimeField("创建时间")
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    started_at = models.DateTimeField("出发时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    route_position = models.PositiveIntegerField("路线顺序", null=True, blank=True)
    code_confirmed = models.BooleanField("确认码核对无误", default=False)
    note = models.CharField("交接说明", max_length=500, blank=True)

    objects = CareTaskQuerySet.as_manager()

    class Meta:
        verbose_name = "配送任务"
        verbose_name_plural = "配送任务"
        ordering = ["request_id", "id"]
        indexes = [models.Index(fields=["assignee", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(by_office=True) & Q(assignee__isnull=False)),
                name="care_task_office_or_volunteer",
            )
        ]

    def __str__(self) -> str:
        return f"配送任务 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_TASK_STATUSES

    def is_overdue(self, now) -> bool:
        return self.is_open and self.due_at < now

    def can_work(self, user) -> bool:
        """Start and hand over: the named volunteer, or the town office for its own deliveries
        (and for a volunteer who cannot finish)."""
        if self.assignee_id is not None and self.assignee_id == user.pk:
            return True
        return self.request.can_manage(user)


class HandoverPhoto(models.Model):
    """The photo taken at a handover, re-encoded as JPEG without its metadata (no GPS, no
    camera serial) and kept in the database so it is backed up with the task."""

    task = models.OneToOneField(CareTask, on_delete=models.CASCADE, related_name="photo")
    image = models.BinaryField("照片")
    content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "交接照片"
        verbose_name_plural = "交接照片"

    def __str__(self) -> str:
        return f"任务 #{self.task_id} 交接照片"


class StockItem(models.Model):
    """One kind of supplies a town office keeps for deliveries (rice, vegetable packs, formula):
    the quantity on hand, changed only by movements."""

    unit = models.ForeignKey(
        "geo.HandlingUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("物资", max_length=60)
    measure = models.CharField("计量单位", max_length=10, default="份")
    quantity = models.IntegerField("库存", default=0)

    class Meta:
        verbose_name = "关爱物资"
        verbose_name_plural = "关爱物资"
        ordering = ["unit_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="care_stock_unique_name"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="care_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.quantity}{self.measure}）"


class TaskSupply(models.Model):
    """Supplies a task takes from stock; issued (a movement) at the handover."""

    task = models.ForeignKey(CareTask, on_delete=models.CASCADE, related_name="supplies")
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "任务物资"
        verbose_name_plural = "任务物资"
        constraints = [
            models.UniqueConstraint(fields=["task", "item"], name="care_task_supply_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="care_task_supply_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"


class StockMovement(models.Model):
    """A change of stock (append-only): + received, − issued at a handover."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    delta = models.IntegerField("变动")
    balance = models.IntegerField("变动后库存")
    reason = models.CharField("说明", max_length=200)
    task = models.ForeignKey(
        CareTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "物资出入库"
        verbose_name_plural = "物资出入库"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.delta:+d}"


class CareEvent(DomainEvent):
    """One thing that happened to a care request or its tasks (append-only)."""

    request = models.ForeignKey(
        CareRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    task = models.ForeignKey(
        CareTask, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    @property
    def label(self) -> str:
        from .choices import EVENT_LABELS

        return EVENT_LABELS.get(self.code, self.code)

    class Meta:
        verbose_name = "关爱事件"
        verbose_name_plural = "关爱事件"
        ordering = ["id"]
