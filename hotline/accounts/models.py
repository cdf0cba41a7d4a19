"""People: each user's profile (handling unit binding) and API tokens for machine clients."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from hotline.common.sealing import seal, unseal


class Profile(models.Model):
    """What Hotline knows of a user beyond Django's auth: the unit a unit handler works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_profile"
    )
    display_name = models.CharField("姓名", max_length=64, blank=True)
    unit = models.ForeignKey(
        "geo.HandlingUnit",
        verbose_name="所属承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    class Meta:
        verbose_name = "用户资料"
        verbose_name_plural = "用户资料"

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for a machine client. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=64, blank=True)
    prefix = models.CharField("前缀", max_length=8, help_text="令牌的前 8 位，便于辨认")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "hl_" + secrets.token_urlsafe(32)


class DataAccess(models.Model):
    """One read of unmasked personal data held by a field app (households, residents, visitors,
    care recipients): who read which object's which fields, through what, when. Orders keep
    their own log (``orders.PersonalDataAccess``); this one serves every other app."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    app = models.CharField("应用", max_length=30)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象编号", max_length=64)
    fields = models.JSONField("字段", default=list)
    via = models.CharField("途径", max_length=100)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录（现场业务）"
        verbose_name_plural = "个人信息查看记录（现场业务）"
        ordering = ["-at"]
        indexes = [models.Index(fields=["app", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.app}.{self.object_type}:{self.object_id}"


class AuditAction(models.TextChoices):
    """What an audit entry records. One English name per Chinese term (docs/GLOSSARY.md)."""

    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "登录被锁定"
    LOGOUT = "logout", "退出登录"
    OTP_ENROLLED = "otp_enrolled", "启用两步验证"
    OTP_FAILED = "otp_failed", "两步验证码错误"
    OTP_RESET = "otp_reset", "重置两步验证"
    REVEAL = "reveal", "查看完整个人信息"
    EXPORT = "export", "导出数据"
    ROLE_CHANGE = "role_change", "角色变更"
    PERMISSION_CHANGE = "permission_change", "权限变更"


class AuditEntry(models.Model):
    """One line of the audit log (审计日志): who did what to what, when, from where and why.

    Append-only: written by ``hotline.accounts.audit.record`` and never edited; only the
    retention purge (``hotline audit purge``) deletes, and only entries older than
    ``AUDIT_RETENTION_DAYS``. ``actor_name`` keeps the username as typed (a failed login may
    name nobody). Personal data never lands here unmasked: ``record`` masks the detail."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("动作", max_length=20, choices=AuditAction.choices, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor_name", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"


class TotpDevice(models.Model):
    """A user's TOTP second factor (两步验证, RFC 6238 via pyotp), its key sealed at rest:
    confirmed once the user has typed a first valid code. ``last_counter`` is the time step
    of the last accepted code, so a code seen once cannot be replayed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    #: The TOTP key, sealed (``hotline.common.sealing``): read it through ``secret``.
    sealed_secret = models.CharField("密钥（加密保存）", max_length=255)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_counter = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = "两步验证设备"
        verbose_name_plural = "两步验证设备"

    def __str__(self) -> str:
        return f"TOTP {self.user}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def secret(self) -> str:
        """The base32 TOTP key; raises ``sealing.Unsealable`` if no current key opens it."""
        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = seal(value)
