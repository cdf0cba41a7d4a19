"""A unit's screening ledger (人员防控排查台账) and its daily report forms (一日一报告).

A ledger lists the unit's own people — staff, contractors, rangers — with one status row per
person and day (test, symptoms, where, on duty), filled by the person the unit names, by the
ledger's cut-off time. Report forms are data: their fields, cut-off and approving unit; each
unit that must report submits one report a day per form, which the approver approves or
returns. A unit sees only its own ledger and reports; the approving unit and the center see
the roll-up.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from hotline.accounts.roles import Role, roles_of
from hotline.common.models import DomainEvent
from hotline.orders.models import handler_unit_id

from .choices import FieldType, PersonKind, ReportStatus, TestResult

#: Roles that see every unit's roll-up (not the people in the ledgers).
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
CENTER_CODE = "center"


def unit_of(user) -> int | None:
    """The handling unit a unit handler works for (the only role that keeps a ledger)."""
    return handler_unit_id(user)


def cutoff_at(day: dt.date, cutoff: dt.time) -> dt.datetime:
    """The aware moment of ``cutoff`` on ``day`` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, cutoff))


class Ledger(models.Model):
    """A unit's screening ledger: its cut-off time and the person named to fill it."""

    unit = models.OneToOneField(
        "geo.HandlingUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="ledger"
    )
    cutoff = models.TimeField("每日填报截止", default=dt.time(10, 0))
    filler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="专人填报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "排查台账"
        verbose_name_plural = "排查台账"

    def __str__(self) -> str:
        return f"{self.unit} 台账"

    def can_view(self, user) -> bool:
        return unit_of(user) == self.unit_id

    def can_fill(self, user) -> bool:
        """The named filler; the unit's other handlers only while nobody is named."""
        if unit_of(user) != self.unit_id:
            return False
        return self.filler_id is None or self.filler_id == user.pk


class Person(models.Model):
    """Someone on a unit's ledger. Name and phone are personal data: masked in lists and
    exports, shown to the unit's own handlers."""

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="people")
    name = models.CharField("姓名", max_length=64)
    phone = models.CharField("电话", max_length=32, blank=True)
    kind = models.CharField("人员类别", max_length=12, choices=PersonKind.choices)
    post = models.CharField("岗位/驻守点", max_length=100, blank=True)
    active = models.BooleanField("在册", default=True)

    class Meta:
        verbose_name = "台账人员"
        verbose_name_plural = "台账人员"
        ordering = ["ledger_id", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class DailyStatus(models.Model):
    """One person's status on one day. ``late`` is set when it was first filled after the
    ledger's cut-off and stays set (a late fill is not made on time by correcting it)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="days")
    day = models.DateField("日期")
    test_result = models.CharField("核酸结果", max_length=12, choices=TestResult.choices)
    test_date = models.DateField("检测日期", null=True, blank=True)
    symptoms = models.BooleanField("有发热等症状", default=False)
    symptom_note = models.CharField("症状说明", max_length=200, blank=True)
    location = models.CharField("所在地点", max_length=100)
    on_duty = models.BooleanField("在岗", default=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    filled_at = models.DateTimeField("填报时间")
    late = models.BooleanField("逾期填报", default=False)

    class Meta:
        verbose_name = "每日状态"
        verbose_name_plural = "每日状态"
        ordering = ["day", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="screening_status_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}"


class ReportForm(models.Model):
    """A daily report form defined as data: its fields (a list of
    ``{"key", "label", "type", "required", "choices", "prefill"}``), the cut-off time, the units
    that must submit it and the unit that approves it."""

    code = models.SlugField("表单代码", max_length=40, unique=True)
    title = models.CharField("表单名称", max_length=100)
    fields = models.JSONField("字段")
    cutoff = models.TimeField("每日截止", default=dt.time(17, 0))
    approver = models.ForeignKey(
        "geo.HandlingUnit", verbose_name="审核单位", on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(
        "geo.HandlingUnit", verbose_name="填报单位", related_name="screening_forms"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "日报表单"
        verbose_name_plural = "日报表单"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def can_approve(self, user) -> bool:
        """Handlers of the approving unit; for a form approved by the hotline center (a city
        command office standing behind it), its supervisors."""
        if unit_of(user) == self.approver_id:
            return True
        return self.approver.code == CENTER_CODE and bool(roles_of(user) & OVERSIGHT_ROLES)

    def can_oversee(self, user) -> bool:
        return self.can_approve(user) or bool(roles_of(user) & OVERSIGHT_ROLES)

    def field_specs(self) -> list[dict]:
        return [dict(f) for f in self.fields or []]

    def clean_fields_spec(self) -> list[str]:
        """Problems with the field definitions (empty when usable)."""
        problems, keys = [], set()
        for spec in self.fields or []:
            key = spec.get("key")
            if not key or key in keys:
                problems.append(f"字段代码缺失或重复：{key!r}")
            keys.add(key)
            if spec.get("type") not in FieldType.values:
                problems.append(f"字段 {key} 的类型无效：{spec.get('type')!r}")
            if spec.get("type") == FieldType.CHOICE and not spec.get("choices"):
                problems.append(f"选项字段 {key} 没有选项")
        return problems


class DailyReport(models.Model):
    """A unit's report on one form for one day: the values, when and by whom it was submitted
    (``late`` when first submitted after the cut-off), and the approver's decision."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(
        "geo.HandlingUnit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("日期")
    values = models.JSONField("填报内容", default=dict)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间")
    late = models.BooleanField("逾期", default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "日报"
        verbose_name_plural = "日报"
        ordering = ["-day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "unit", "day"], name="screening_report_once")
        ]
        indexes = [models.Index(fields=["form", "day", "status"])]

    def __str__(self) -> str:
        return f"{self.form_id} {self.unit_id} {self.day}"

    def can_view(self, user) -> bool:
        return unit_of(user) == self.unit_id or self.form.can_oversee(user)


class ScreeningEvent(DomainEvent):
    """One thing that happened in a ledger or to a report (append-only)."""

    unit = models.ForeignKey(
        "geo.HandlingUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(
        DailyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = "台账与日报事件"
        verbose_name_plural = "台账与日报事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "at"])]
