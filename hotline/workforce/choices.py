"""Choices of the workforce app. One English name per Chinese term (docs/GLOSSARY.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models


class PersonKind(models.TextChoices):
    STAFF = "staff", "在编话务员"
    VOLUNTEER = "volunteer", "志愿者"
    LAWYER = "lawyer", "律师志愿者"
    CADRE = "cadre", "机关干部"


class Skill(models.TextChoices):
    CANTONESE = "cantonese", "粤语"
    MANDARIN = "mandarin", "普通话"
    MEDICAL = "medical", "医疗"
    LEGAL = "legal", "法律"
    DIALECT = "dialect", "茂名本地话"
    DRIVING = "driving", "驾驶"


class BackgroundCheck(models.TextChoices):
    PENDING = "pending", "待审查"
    PASSED = "passed", "已通过"
    FAILED = "failed", "未通过"


#: The onboarding checklist (入职清单): every person ticks these before a first shift.
ONBOARDING_STEPS = (
    ("agreement", "签署保密承诺书"),
    ("account", "开通系统账号"),
    ("headset", "领取耳麦与工位"),
    ("handbook", "阅读接线规范"),
)
ONBOARDING_LABELS = dict(ONBOARDING_STEPS)


@dataclass(frozen=True)
class ShiftPattern:
    """A roster pattern: when a shift of this kind starts and how long it lasts."""

    code: str
    label: str
    start: dt.time
    hours: int


#: The hotline desk's patterns: two 12-hour shifts (the surge) or three 8-hour shifts.
SHIFT_PATTERNS = {
    p.code: p
    for p in (
        ShiftPattern("d12", "白班 08:00–20:00（12小时）", dt.time(8), 12),
        ShiftPattern("n12", "夜班 20:00–08:00（12小时）", dt.time(20), 12),
        ShiftPattern("a8", "早班 08:00–16:00（8小时）", dt.time(8), 8),
        ShiftPattern("b8", "中班 16:00–24:00（8小时）", dt.time(16), 8),
        ShiftPattern("c8", "晚班 00:00–08:00（8小时）", dt.time(0), 8),
    )
}
PATTERN_CHOICES = [(p.code, p.label) for p in SHIFT_PATTERNS.values()]


class SiteKind(models.TextChoices):
    VILLAGE = "village", "村（居）"
    CHECKPOINT = "checkpoint", "交通卡点"
    SAMPLING = "sampling", "核酸采样点"
    COMPOUND = "compound", "住宅小区"
    COMMUNITY = "community", "社区"


class Task(models.TextChoices):
    SAMPLING_REGISTRATION = "sampling_registration", "核酸采样登记"
    DOOR_TO_DOOR = "door_to_door", "上门通知"
    CHECKPOINT_DUTY = "checkpoint_duty", "卡点值守"
    SUPPLIES = "supplies", "物资配送"
    PUBLICITY = "publicity", "防疫宣传"
    GATE_DUTY = "gate_duty", "小区门岗值守"


class DeploymentStatus(models.TextChoices):
    PLANNED = "planned", "待出发"
    ACTIVE = "active", "驻点中"
    ENDED = "ended", "已撤回"


class EventCode(models.TextChoices):
    PERSON_ADDED = "workforce.person.added", "登记人员"
    PERSON_UPDATED = "workforce.person.updated", "更新人员"
    ONBOARDING_STEP = "workforce.person.onboarding_step", "完成入职事项"
    COURSE_ATTEMPT = "workforce.course.attempted", "参加培训测验"
    SHIFT_ROSTERED = "workforce.shift.rostered", "排班"
    SHIFT_CANCELLED = "workforce.shift.cancelled", "取消排班"
    SIGNED_IN = "workforce.shift.signed_in", "签到"
    SIGNED_OUT = "workforce.shift.signed_out", "签退"
    CALL_RECORDED = "workforce.call.recorded", "记录通话"
    TEAM_FORMED = "workforce.team.formed", "组建队伍"
    DEPLOYED = "workforce.deployment.created", "派出批次"
    DEPLOYMENT_ENDED = "workforce.deployment.ended", "批次撤回"
    ATTENDANCE = "workforce.deployment.attendance", "驻点考勤"
    DUTY_ASSIGNED = "workforce.duty.assigned", "分派勤务"
    DUTY_RELEASED = "workforce.duty.released", "解除勤务"
    POLICY_CHANGED = "workforce.policy.changed", "修改排班参数"
    IMPORTED = "workforce.people.imported", "导入人员"
