"""People who answer the hotline and go out to the field: their skills and training, the desk's
roster and attendance, the calls they handle, field teams sent out in batches, and the duties
other apps give them. Every write goes through ``hotline.workforce.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from hotline.accounts.roles import Role, roles_of
from hotline.common.masking import mask_phone
from hotline.common.models import DomainEvent

from .choices import (
    PATTERN_CHOICES,
    BackgroundCheck,
    DeploymentStatus,
    PersonKind,
    SiteKind,
)

#: Roles that manage the workforce (roster, teams, people, import) and see phones unmasked.
MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Roles that see the roster and the team board (read only, masked).
VIEWER_ROLES = frozenset(
    {Role.SUPERVISOR, Role.ADMIN, Role.AGENT, Role.VOLUNTEER_AGENT, Role.FIELD_STAFF}
)


def is_manager(user) -> bool:
    return bool(roles_of(user) & MANAGER_ROLES)


def can_view_workforce(user) -> bool:
    return bool(roles_of(user) & VIEWER_ROLES)


class PersonQuerySet(models.QuerySet):
    def active(self) -> PersonQuerySet:
        return self.filter(active=True)

    def with_skill(self, skill: str) -> PersonQuerySet:
        """People who list ``skill`` (a Skill code); JSON containment differs between SQLite
        and PostgreSQL, so the list is matched as text with its quotes."""
        return self.filter(skills_text__contains=f"|{skill}|")


class Person(models.Model):
    """A member of the workforce (人员): a hotline agent, a volunteer drafted from another
    agency, a lawyer or cadre on a field team. Center agents have a user account; field
    volunteers usually do not. The ID number is kept only as a keyed hash and a mask."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="系统账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workforce_person",
    )
    name = models.CharField("姓名", max_length=64)
    kind = models.CharField("人员类别", max_length=12, choices=PersonKind.choices)
    home_agency = models.CharField("派出单位", max_length=100, blank=True)
    phone = models.CharField("手机号", max_length=32, blank=True, db_index=True)
    id_hash = models.CharField("身份证号摘要", max_length=64, blank=True, db_index=True)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18, blank=True)
    skills = models.JSONField("技能", default=list, blank=True)
    #: "|cantonese|legal|": the skills as text for a portable filter (see PersonQuerySet).
    skills_text = models.CharField(max_length=200, blank=True, editable=False)
    party_member = models.BooleanField("党员", default=False)
    background_check = models.CharField(
        "背景审查", max_length=10, choices=BackgroundCheck.choices, default=BackgroundCheck.PENDING
    )
    #: {step code: ISO time it was done} for the steps of choices.ONBOARDING_STEPS.
    onboarding = models.JSONField("入职清单", default=dict, blank=True)
    active = models.BooleanField("在册", default=True)
    created_at = models.DateTimeField("登记时间")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["home_agency", "name", "id"]
        indexes = [models.Index(fields=["kind", "active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .choices import Skill

        bad = set(self.skills or ()) - set(Skill.values)
        if bad:
            raise ValidationError({"skills": f"未知技能：{'、'.join(sorted(bad))}"})

    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def can_reveal_phone(self, user) -> bool:
        """Who may open the full phone number (each read is recorded): managers only."""
        return is_manager(user)


class Course(models.Model):
    """A training course (培训课程): reading from the knowledge base and a short quiz with a pass
    mark. A volunteer agent takes calls only after passing a course marked ``is_basic``."""

    code = models.SlugField("课程代码", max_length=40, unique=True)
    title = models.CharField("课程名称", max_length=100)
    is_basic = models.BooleanField("上岗基础课", default=False)
    pass_mark = models.PositiveSmallIntegerField("及格分（百分制）", default=80)
    articles = models.ManyToManyField(
        "knowledge.Article", verbose_name="学习材料（知识库条目）", blank=True, related_name="+"
    )
    #: [{"q": question, "options": [...], "answer": index of the right option}]
    questions = models.JSONField("测验题", default=list, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "培训课程"
        verbose_name_plural = "培训课程"
        ordering = ["-is_basic", "code"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not 1 <= self.pass_mark <= 100:
            raise ValidationError({"pass_mark": "及格分应在 1～100 之间。"})
        for i, item in enumerate(self.questions or (), 1):
            options = item.get("options") if isinstance(item, dict) else None
            answer = item.get("answer") if isinstance(item, dict) else None
            if not options or not isinstance(answer, int) or not 0 <= answer < len(options):
                raise ValidationError(
                    {"questions": f"第 {i} 题格式有误：需要题干、选项和正确答案序号。"}
                )


class Completion(models.Model):
    """One attempt at a course's quiz (培训记录), append-only: the score and whether it passed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    score = models.PositiveSmallIntegerField("得分")
    passed = models.BooleanField("通过")
    answers = models.JSONField("作答", default=list, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["person", "course", "passed"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.course} · {self.score}"


class ShiftQuerySet(models.QuerySet):
    def live(self) -> ShiftQuerySet:
        """Shifts not cancelled."""
        return self.filter(cancelled_at__isnull=True)

    def covering(self, when) -> ShiftQuerySet:
        return self.live().filter(starts_at__lte=when, ends_at__gt=when)

    def overlapping(self, start, end) -> ShiftQuerySet:
        return self.live().filter(starts_at__lt=end, ends_at__gt=start)

    def on_shift_at(self, when) -> ShiftQuerySet:
        """Shifts whose person is at the desk at ``when``: signed in and not yet out."""
        return self.live().filter(
            Q(signed_out_at__isnull=True) | Q(signed_out_at__gt=when),
            signed_in_at__isnull=False,
            signed_in_at__lte=when,
        )


class Shift(models.Model):
    """A rostered shift at the hotline desk (排班), with its sign-in and sign-out (考勤)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="shifts")
    pattern = models.CharField("班次", max_length=4, choices=PATTERN_CHOICES)
    starts_at = models.DateTimeField("开始", db_index=True)
    ends_at = models.DateTimeField("结束", db_index=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = "排班"
        verbose_name_plural = "排班"
        ordering = ["starts_at", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "starts_at"], name="workforce_shift_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="workforce_shift_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_pattern_display()} {self.starts_at:%m-%d}"

    def can_sign(self, user) -> bool:
        """The person signs themself in and out; a manager may do it for them."""
        return is_manager(user) or (
            self.person.user_id is not None and self.person.user_id == user.pk
        )


class CallRecord(models.Model):
    """One call an agent handled (话务记录): talk and after-call work in seconds. Written by the
    telephony system through the API (no switch is connected in this deployment) or by hand;
    the average handle time of the staffing figures is read from these."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="calls")
    started_at = models.DateTimeField("接起时间", db_index=True)
    talk_seconds = models.PositiveIntegerField("通话时长（秒）")
    wrap_seconds = models.PositiveIntegerField("话后处理（秒）", default=0)
    order_number = models.CharField("工单编号", max_length=20, blank=True)

    class Meta:
        verbose_name = "话务记录"
        verbose_name_plural = "话务记录"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "started_at"], name="workforce_call_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.started_at:%H:%M} {self.talk_seconds}s"

    @property
    def handle_seconds(self) -> int:
        return self.talk_seconds + self.wrap_seconds


class StaffingPolicy(models.Model):
    """The staffing parameters (one row, pk=1): the service-level target, the default handle
    time used until calls are recorded, callers' patience for Erlang A, the daily caps."""

    service_target = models.FloatField("服务水平目标", default=0.8, help_text="如 0.8 表示 80%")
    answer_seconds = models.PositiveIntegerField("应答时限（秒）", default=20)
    default_aht_seconds = models.PositiveIntegerField("默认平均处理时长（秒）", default=300)
    patience_seconds = models.PositiveIntegerField("来电人平均等待耐心（秒）", default=120)
    daily_call_cap = models.PositiveIntegerField("每人每日接听上限", default=150)
    daily_hours_cap = models.PositiveIntegerField("每人每日在岗时长上限（小时）", default=12)
    history_weeks = models.PositiveSmallIntegerField("预测参考周数", default=4)
    aht_window_hours = models.PositiveSmallIntegerField("平均处理时长统计窗口（小时）", default=24)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "排班参数"
        verbose_name_plural = "排班参数"

    def __str__(self) -> str:
        return f"{self.service_target:.0%}/{self.answer_seconds}s"

    def clean(self) -> None:
        if not 0 < self.service_target < 1:
            raise ValidationError({"service_target": "服务水平目标应在 0 和 1 之间（不含）。"})
        for name in ("answer_seconds", "default_aht_seconds", "patience_seconds"):
            if getattr(self, name) <= 0:
                raise ValidationError({name: "须大于 0。"})

    @classmethod
    def current(cls) -> StaffingPolicy:
        """The stored policy, or the defaults (unsaved) when none was set."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Team(models.Model):
    """A field team (队伍): a leader and members from one or more agencies, sent out in batches."""

    name = models.CharField("队伍名称", max_length=100, unique=True)
    home_agency = models.CharField("组建单位", max_length=100, blank=True)
    leader = models.ForeignKey(
        Person,
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams_led",
    )
    members = models.ManyToManyField(Person, verbose_name="队员", related_name="teams", blank=True)
    created_at = models.DateTimeField("组建时间")

    class Meta:
        verbose_name = "队伍"
        verbose_name_plural = "队伍"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeploymentQuerySet(models.QuerySet):
    def on_day(self, day) -> DeploymentQuerySet:
        """Deployments at their site on ``day`` (started, not ended before it)."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class Deployment(models.Model):
    """One batch (批次) of a team sent to a site — a village, a checkpoint, a sampling site, a
    community's compounds — for some days, with its tasks and the people in it."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="deployments")
    batch = models.PositiveSmallIntegerField("批次")
    site_kind = models.CharField("驻点类型", max_length=12, choices=SiteKind.choices)
    site_division = models.ForeignKey(
        "geo.Division",
        verbose_name="所在区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    site_name = models.CharField("驻点", max_length=100)
    tasks = models.JSONField("任务", default=list)
    starts_on = models.DateField("出发日期")
    ends_on = models.DateField("撤回日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=DeploymentStatus.choices, default=DeploymentStatus.PLANNED
    )
    members = models.ManyToManyField(Person, verbose_name="人员", related_name="deployments")
    note = models.CharField("说明", max_length=500, blank=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        verbose_name = "派出批次"
        verbose_name_plural = "派出批次"
        ordering = ["-starts_on", "team_id", "batch"]
        constraints = [
            models.UniqueConstraint(fields=["team", "batch"], name="workforce_batch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team} 第{self.batch}批 → {self.site_name}"

    def task_labels(self) -> list[str]:
        from .choices import Task

        return [Task(t).label if t in Task.values else t for t in self.tasks]


class DeploymentAttendance(models.Model):
    """Whether a person of a batch was at the site on a day (驻点考勤)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    present = models.BooleanField("到岗")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "驻点考勤"
        verbose_name_plural = "驻点考勤"
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "person", "day"], name="workforce_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {'到岗' if self.present else '缺勤'}"


class DutyQuerySet(models.QuerySet):
    def current(self) -> DutyQuerySet:
        return self.filter(released_at__isnull=True)

    def at(self, when) -> DutyQuerySet:
        return self.current().filter(starts_at__lte=when, ends_at__gt=when)

    def for_source(self, app: str, type: str, id: str) -> DutyQuerySet:
        return self.filter(source_app=app, source_type=type, source_id=str(id))


class Duty(models.Model):
    """A duty another app gives one of these people (勤务): a shift at a checkpoint, a sampling
    site's registration desk, a care delivery round. The app's object is named like an
    order's source (app, type, id); see ``services.assign_duty``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="duties")
    deployment = models.ForeignKey(
        Deployment, null=True, blank=True, on_delete=models.PROTECT, related_name="duties"
    )
    source_app = models.CharField("来源应用", max_length=30)
    source_type = models.CharField("来源对象类型", max_length=30)
    source_id = models.CharField("来源对象编号", max_length=64)
    task = models.CharField("任务", max_length=30)
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    released_at = models.DateTimeField("解除时间", null=True, blank=True)

    objects = DutyQuerySet.as_manager()

    class Meta:
        verbose_name = "勤务"
        verbose_name_plural = "勤务"
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["source_app", "source_type", "source_id"]),
            models.Index(fields=["person", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.source_app}.{self.source_type}:{self.source_id}"


class WorkforceEvent(DomainEvent):
    """Something that happened in the workforce app (append-only): who did what to which
    person, shift, team or batch. ``object_type``/``object_id`` name the object."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    object_type = models.CharField("对象类型", max_length=20)
    object_id = models.CharField("对象编号", max_length=64)

    class Meta:
        verbose_name = "人员事件"
        verbose_name_plural = "人员事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
