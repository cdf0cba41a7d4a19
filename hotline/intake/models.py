"""What the doors keep beside the orders they create: what a channel sent that an order has no
field for, portal submissions and verification codes, rate counters, import jobs, and the
intake's own event log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from hotline.common.models import DomainEvent

from .choices import Door, ImportFormat, JobStatus, RateKind


class ChannelRecord(models.Model):
    """One request a door turned into an order (Open311, a webhook message): the key that
    makes a retry give the same order, and what the channel sent beyond the appeal (device,
    account, e-mail, media link, attributes). Personal data here is never shown publicly."""

    door = models.CharField("入口", max_length=10, choices=Door.choices)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接入方", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("幂等键", max_length=120)
    #: Same device and text (Open311 without an Idempotency-Key): the window is counted here.
    dedupe_base = models.CharField("去重基键", max_length=64, blank=True, db_index=True)
    order_number = models.CharField("工单编号", max_length=20, db_index=True)
    channel = models.CharField("渠道", max_length=10)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("账户标识", max_length=100, blank=True)
    email = models.CharField("电子邮箱", max_length=254, blank=True)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    attributes = models.JSONField("附加属性", default=dict, blank=True)
    created_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "渠道来件"
        verbose_name_plural = "渠道来件"
        constraints = [
            models.UniqueConstraint(fields=["door", "client", "key"], name="intake_record_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_door_display()} {self.order_number}"


class PortalAppeal(models.Model):
    """An appeal a resident submitted on the portal: the form's one-time token (a resubmitted
    form gives the same order), the verified phone, the order, and the optional photo (kept in
    the database: at most 5 MB, read only by staff)."""

    token = models.CharField("表单令牌", max_length=40, unique=True)
    phone = models.CharField("手机号", max_length=20)
    order_number = models.CharField("工单编号", max_length=20, db_index=True)
    photo = models.BinaryField("照片", null=True, blank=True)
    photo_type = models.CharField("照片类型", max_length=40, blank=True)
    created_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "居民网页诉求"
        verbose_name_plural = "居民网页诉求"

    def __str__(self) -> str:
        return self.order_number


class VerificationCode(models.Model):
    """A 6-digit code sent to a phone through the outbox. Only its keyed hash is stored; it
    expires, allows a few wrong tries, and is used once."""

    phone = models.CharField("手机号", max_length=20)
    purpose = models.CharField("用途", max_length=20)
    digest = models.CharField(max_length=64)
    ip = models.GenericIPAddressField("来源 IP", null=True, blank=True)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "验证码"
        verbose_name_plural = "验证码"
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%m-%d %H:%M}"


class RateHit(models.Model):
    """One counted action for a rate limit (a code sent to a phone, from an IP; a failed
    lookup). Counted in the database so that every server process sees the same counts."""

    kind = models.CharField("类别", max_length=12, choices=RateKind.choices)
    key = models.CharField("对象", max_length=64)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "限流计数"
        verbose_name_plural = "限流计数"
        indexes = [models.Index(fields=["kind", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%m-%d %H:%M}"


class RateLock(models.Model):
    """One row per rate-limited key, locked (select_for_update) while its hits are counted
    and a new one is added, so two processes cannot both pass the same last free slot."""

    kind = models.CharField(max_length=12, choices=RateKind.choices)
    key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="intake_ratelock_unique_key")
        ]

    def __str__(self) -> str:
        return self.kind


class ImportJob(models.Model):
    """A bulk import: the file, the column mapping found, every bad row (line and reason), and
    progress counters updated with each batch's transaction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=10)
    filename = models.CharField("文件名", max_length=200)
    format = models.CharField("格式", max_length=5, choices=ImportFormat.choices)
    content = models.BinaryField("文件内容")
    skip_bad = models.BooleanField("跳过错误行", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.VALIDATED
    )
    mapping = models.JSONField("列对应", default=dict, blank=True)
    ignored_columns = models.JSONField("未用的列", default=list, blank=True)
    errors = models.JSONField("错误行", default=list, blank=True)
    total = models.PositiveIntegerField("行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    created = models.PositiveIntegerField("新建工单", default=0)
    replayed = models.PositiveIntegerField("已导入过", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("上传时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    #: When a running job last showed progress (its start, each batch): a job whose thread
    #: died with its process (a restart) stays "running", and this tells the page so.
    beat_at = models.DateTimeField("最近进展", null=True, blank=True)

    #: A running job without progress for this long is taken as cut short: the page offers to
    #: continue it. Well above a batch's time (a batch of 500 orders takes about a second) and
    #: the file's check before the first batch.
    STALLED_MINUTES = 5
    STALLED_AFTER = dt.timedelta(minutes=STALLED_MINUTES)

    class Meta:
        verbose_name = "批量导入"
        verbose_name_plural = "批量导入"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.INVALID)

    @property
    def stalled(self) -> bool:
        """Running, and no progress for ``STALLED_AFTER`` (its process is likely gone)."""
        last = self.beat_at or self.started_at
        return (
            self.status == JobStatus.RUNNING
            and last is not None
            and timezone.now() - last > self.STALLED_AFTER
        )

    def can_view(self, user) -> bool:
        from hotline.accounts.roles import Role, has_role

        return has_role(user, Role.SUPERVISOR, Role.ADMIN)


class IntakeEvent(DomainEvent):
    """Something that happened at a door (append-only): a code sent or refused, a webhook
    refused, an import started or finished. ``subject`` names the door's object; no code,
    phone or message text is kept here."""

    door = models.CharField("入口", max_length=10, choices=Door.choices)
    subject = models.CharField("对象", max_length=64, blank=True)
    order_number = models.CharField("工单编号", max_length=20, blank=True)

    class Meta:
        verbose_name = "受理渠道事件"
        verbose_name_plural = "受理渠道事件"
        ordering = ["id"]
