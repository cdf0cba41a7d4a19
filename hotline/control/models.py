"""Movement control (出行管控): households and their outing cards, outing rules, signing keys
and signed passes, checkpoints and the passages they register, vehicle checks, the test-result
registry and health-code appeals.

Identity numbers are never stored: members, results and appeals keep ``id_hash`` (keyed
HMAC, hotline.common.identity) and the masked form for display.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from hotline.accounts.roles import Role, roles_of
from hotline.common.masking import mask_address
from hotline.common.models import DomainEvent
from hotline.geo.models import Division

from .choices import (
    AppealDecision,
    AppealStatus,
    CheckpointKind,
    CodeColour,
    Decision,
    Direction,
    Exemption,
    PassKind,
)

#: Roles that manage households, rules and cards (besides a unit's own handlers).
MANAGER_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


def unit_division_code(user) -> str | None:
    """The division code of the user's unit ("" for a unit without one), None without a unit."""
    profile = getattr(user, "hotline_profile", None)
    unit = getattr(profile, "unit", None) if profile else None
    if unit is None:
        return None
    return unit.division_id or ""


def covers(user, division_code: str) -> bool:
    """True when the user may act for places in ``division_code``: admins and supervisors
    everywhere, a unit handler or field worker inside their unit's division (codes nest by
    prefix: town 440902101 covers village 440902101001)."""
    roles = roles_of(user)
    if roles & MANAGER_ROLES:
        return True
    if not roles & {Role.UNIT_HANDLER, Role.FIELD_STAFF}:
        return False
    mine = unit_division_code(user)
    return bool(mine) and division_code.startswith(mine)


class OutingRule(models.Model):
    """The outing rule of an area for a period (出行规则), as the notices state it: persons per
    household per day, outings per day, the longest time out, the test validity. Periods are
    instants; ``time_zone`` says which clock the notice's dates and "today" are read on."""

    area = models.ForeignKey(
        Division, verbose_name="适用区域", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=100)
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    time_zone = models.CharField("时区", max_length=40, default="Asia/Shanghai")
    persons_per_day = models.PositiveSmallIntegerField("每户每天外出人数", default=1)
    outings_per_day = models.PositiveSmallIntegerField("每户每天外出次数", default=1)
    max_minutes = models.PositiveIntegerField("单次外出时长上限（分钟）", default=120)
    test_validity_hours = models.PositiveSmallIntegerField("核酸有效期（小时）", default=24)
    exemptions = models.JSONField(
        "豁免类别", default=list, blank=True, help_text="medical / approved：不受次数限制"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "出行规则"
        verbose_name_plural = "出行规则"
        ordering = ["area_id", "-starts_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"time_zone": "时区无效，应为 IANA 名称，如 Asia/Shanghai。"}
            ) from None
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "结束时间须晚于开始时间。"})
        bad = set(self.exemptions or []) - set(Exemption.values)
        if bad:
            raise ValidationError({"exemptions": f"未知的豁免类别：{'、'.join(sorted(bad))}"})

    def as_bundle(self) -> dict:
        """The rule as the checkpoint page caches it."""
        return {
            "id": self.pk,
            "name": self.name,
            "area": self.area_id,
            "starts": int(self.starts_at.timestamp()),
            "ends": int(self.ends_at.timestamp()),
            "tz": self.time_zone,
            "persons": self.persons_per_day,
            "outings": self.outings_per_day,
            "max_minutes": self.max_minutes,
            "test_hours": self.test_validity_hours,
            "exemptions": list(self.exemptions or []),
        }


class Household(models.Model):
    """A household (户) of a village or community, with its outing-card number (出入卡号)."""

    card_no = models.CharField("出入卡号", max_length=24, unique=True)
    village = models.ForeignKey(
        Division, verbose_name="村居", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("住址", max_length=200)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    #: The reference the import file used for this household (re-import updates, never dupes).
    import_ref = models.CharField("导入编号", max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "家庭户"
        verbose_name_plural = "家庭户"
        ordering = ["card_no"]

    def __str__(self) -> str:
        return self.card_no

    def can_view(self, user) -> bool:
        return covers(user, self.village_id)

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)


class Member(models.Model):
    """A member of a household: the name, the ID number's keyed hash and masked form."""

    household = models.ForeignKey(
        Household, verbose_name="家庭户", on_delete=models.CASCADE, related_name="members"
    )
    number = models.PositiveSmallIntegerField("户内序号")
    name = models.CharField("姓名", max_length=50)
    id_hash = models.CharField("身份证号哈希", max_length=64, db_index=True)
    id_masked = models.CharField("身份证号（脱敏）", max_length=24)
    exemption = models.CharField(
        "豁免", max_length=16, choices=Exemption.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "number"], name="control_member_number"),
            models.UniqueConstraint(fields=["household", "id_hash"], name="control_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}-{self.number}"


class SigningKey(models.Model):
    """An Ed25519 key pair that signs passes (签名密钥). The newest active key signs; older
    ones keep verifying until retired, so a rotation never voids printed cards. The private
    key stays in this table: only ``kid`` and the public key ever reach a browser."""

    kid = models.CharField("密钥编号", max_length=8, unique=True)
    public_key = models.CharField("公钥（base64url）", max_length=64)
    private_key = models.CharField("私钥（base64url）", max_length=64)
    created_at = models.DateTimeField("创建时间")
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签名密钥"
        verbose_name_plural = "签名密钥"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class Pass(models.Model):
    """A signed pass (签名通行凭证): a household's outing card or a one-off outing pass for a
    member. ``token`` is the exact text in the QR code (payload and signature)."""

    serial = models.CharField("凭证编号", max_length=16, unique=True)
    kind = models.CharField("类型", max_length=1, choices=PassKind.choices)
    household = models.ForeignKey(
        Household, verbose_name="家庭户", on_delete=models.CASCADE, related_name="passes"
    )
    member = models.ForeignKey(
        Member, verbose_name="成员", null=True, blank=True, on_delete=models.CASCADE
    )
    key = models.ForeignKey(SigningKey, verbose_name="签名密钥", on_delete=models.PROTECT)
    valid_from = models.DateTimeField("生效")
    valid_until = models.DateTimeField("失效")
    token = models.CharField("二维码内容", max_length=300)
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    revoked_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "通行凭证"
        verbose_name_plural = "通行凭证"
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.serial


class Checkpoint(models.Model):
    """A checkpoint (卡口): a village's gate or a traffic checkpoint on a road."""

    code = models.CharField("卡口编号", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=CheckpointKind.choices)
    division = models.ForeignKey(
        Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "卡口"
        verbose_name_plural = "卡口"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def can_operate(self, user) -> bool:
        return self.active and covers(user, self.division_id)


class Passage(models.Model):
    """One passage a checkpoint registered (通行登记): exit or return, the decision the staff
    acted on and why. ``client_id`` is made by the checkpoint page, so a queued passage synced
    twice is stored once. ``server_reason`` is the server's own verdict at sync; when it
    differs from the checkpoint's (two gates offline let the same household out) the passage
    is a conflict for the community to look at."""

    client_id = models.CharField("客户端编号", max_length=64, unique=True)
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡口", on_delete=models.PROTECT, related_name="passages"
    )
    household = models.ForeignKey(
        Household, verbose_name="家庭户", null=True, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name="成员", null=True, blank=True, on_delete=models.SET_NULL
    )
    pass_serial = models.CharField("凭证编号", max_length=16, blank=True)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices)
    decision = models.CharField("结果", max_length=8, choices=Decision.choices)
    reason = models.CharField("原因", max_length=32)
    server_reason = models.CharField("服务器复核", max_length=32, blank=True)
    at = models.DateTimeField("通行时间", db_index=True)
    day = models.DateField("日期（规则时区）", db_index=True)
    recorded_at = models.DateTimeField("入库时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    offline = models.BooleanField("离线登记", default=False)
    #: On an exit: the return that closed it.
    returned_at = models.DateTimeField("返回时间", null=True, blank=True)
    overdue_reported_at = models.DateTimeField("超时已报", null=True, blank=True)

    class Meta:
        verbose_name = "通行登记"
        verbose_name_plural = "通行登记"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["household", "day"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.pass_serial} {self.at:%H:%M}"

    @property
    def conflict(self) -> bool:
        return bool(self.server_reason) and (
            (self.server_reason == "ok") != (self.decision == Decision.ALLOWED)
        )


class VehicleCheck(models.Model):
    """A vehicle stopped at a traffic checkpoint (车辆查验): plate, driver, passengers, what was
    checked for each person (pass, health code, test) and the temperature."""

    client_id = models.CharField("客户端编号", max_length=64, unique=True)
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡口", on_delete=models.PROTECT, related_name="vehicle_checks"
    )
    plate = models.CharField("车牌号", max_length=12, db_index=True)
    people = models.JSONField(
        "人员", default=list, help_text="[{role, id_masked, id_hash, code, test, temperature}]"
    )
    decision = models.CharField("结果", max_length=8, choices=Decision.choices)
    reasons = models.JSONField("原因", default=list, blank=True)
    at = models.DateTimeField("查验时间", db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "车辆查验"
        verbose_name_plural = "车辆查验"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plate} {self.at:%m-%d %H:%M}"


class TestResultQuerySet(models.QuerySet):
    def negatives_since(self, id_hashes, since):
        return self.filter(id_hash__in=id_hashes, negative=True, sampled_at__gte=since)


class TestResult(models.Model):
    __test__ = False  # not a pytest class, whatever its name
    """A nucleic-acid test result (核酸检测结果) by the person's ID hash: negative or positive,
    when the sample was taken, who reported it. A check reads only its validity."""

    id_hash = models.CharField("身份证号哈希", max_length=64, db_index=True)
    negative = models.BooleanField("阴性")
    sampled_at = models.DateTimeField("采样时间")
    source = models.CharField("来源", max_length=40)
    reference = models.CharField("来源编号", max_length=64, blank=True)
    recorded_at = models.DateTimeField("入库时间")

    objects = TestResultQuerySet.as_manager()

    class Meta:
        verbose_name = "核酸检测结果"
        verbose_name_plural = "核酸检测结果"
        ordering = ["-sampled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash", "sampled_at", "source"], name="control_result_once"
            )
        ]
        indexes = [models.Index(fields=["id_hash", "-sampled_at"])]

    def __str__(self) -> str:
        return f"{'阴性' if self.negative else '阳性'} {self.sampled_at:%m-%d %H:%M}"


class HealthCodeAppeal(models.Model):
    """A resident's health-code appeal (健康码申诉): the colour they got, why it is wrong and
    what it stops (an exam tomorrow), the latest negative results found in the registry as
    evidence, and the code authority's decision. Its work order carries the clock."""

    id_hash = models.CharField("身份证号哈希", max_length=64, db_index=True)
    id_masked = models.CharField("身份证号（脱敏）", max_length=24)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=32)
    colour = models.CharField("当前码色", max_length=8, choices=CodeColour.choices)
    reason = models.CharField("申诉理由", max_length=500)
    needed_by = models.DateField("需在此日前处理", null=True, blank=True)
    town_code = models.CharField("所在镇街", max_length=9, blank=True)
    evidence = models.JSONField("证据（最近阴性结果）", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decision = models.CharField(
        "核定结果", max_length=12, choices=AppealDecision.choices, blank=True
    )
    decision_note = models.CharField("核定说明", max_length=500, blank=True)
    filed_at = models.DateTimeField("提交时间")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("核定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "健康码申诉"
        verbose_name_plural = "健康码申诉"
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.id_masked} {self.get_colour_display()}"


class ControlEvent(DomainEvent):
    """One thing that happened in movement control (append-only): ``control.pass.issued``,
    ``control.passage.synced``, ``control.appeal.decided`` … with the object it concerns."""

    subject_type = models.CharField("对象类型", max_length=24)
    subject_id = models.CharField("对象编号", max_length=64, db_index=True)

    class Meta:
        verbose_name = "出行管控事件"
        verbose_name_plural = "出行管控事件"
        ordering = ["id"]
