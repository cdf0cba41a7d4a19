"""Writes of the accounts app: users with a role, API tokens."""

from __future__ import annotations

import copy
import threading
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hotline.common.sealing import Unsealable, reseal
from hotline.geo.models import HandlingUnit

from .models import ApiToken, AuditAction, DataAccess, Profile, TotpDevice, hash_token
from .roles import ROLE_CODES, Role, has_role, roles_of


class AccountError(Exception):
    """An account operation that cannot be carried out; the message is for people."""

    def __init__(self, message: str, code: str = "account_error"):
        super().__init__(message)
        self.code = code


def ensure_groups() -> None:
    """Create the role groups if missing (idempotent)."""
    for code in Role.values:
        Group.objects.get_or_create(name=code)


@transaction.atomic
def create_user(
    username: str,
    *,
    role: str,
    unit_code: str | None = None,
    password: str | None = None,
    display_name: str = "",
    validate: bool = True,
):
    """Create a user in one role; a unit handler must be bound to an existing unit.

    Raises AccountError for an unknown role or unit, a taken username, a weak password.
    """
    if role not in ROLE_CODES:
        raise AccountError(
            f"未知角色：{role}。可选：{'、'.join(sorted(ROLE_CODES))}。", "unknown_role"
        )
    unit = None
    if unit_code:
        unit = HandlingUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise AccountError(f"承办单位代码不存在：{unit_code}。", "unknown_unit")
    if role == Role.UNIT_HANDLER and unit is None:
        raise AccountError("承办单位经办人必须用 --unit 指定所属承办单位。", "unit_required")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise AccountError(f"用户名已存在：{username}。", "username_taken")
    user = User(username=username, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise AccountError(
                    "密码不符合要求：" + "；".join(exc.messages), "weak_password"
                ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    ensure_groups()
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, unit=unit, display_name=display_name)
    return user


def create_token(user, *, name: str = "") -> str:
    """Issue a bearer token for ``user``; the raw token is returned once and never stored."""
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, prefix=raw[:8], digest=hash_token(raw))
    return raw


#: Seconds a verified token is trusted without reading it again (per process). A revocation or
#: a deactivated user takes effect in this process at once and in the others within this time.
TOKEN_TTL = 10.0
_token_cache: dict[str, tuple[object, float]] = {}
_token_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop this process's verified tokens (after a revocation; in tests)."""
    with _token_lock:
        _token_cache.clear()


def revoke_token(token: ApiToken, *, now=None) -> ApiToken:
    """Revoke a token: refused at once in this process, within ``TOKEN_TTL`` in the others."""
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    forget_tokens()
    return token


def user_for_token(raw: str):
    """The active user a raw bearer token belongs to, or None. Records the token's last use.

    A machine client sends its token with every request; the verified user (with its roles and
    unit) is kept for ``TOKEN_TTL`` seconds, so a burst of requests costs one lookup, not two
    queries each. Each request gets its own copy of the user object."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_token(raw)
    hit = _token_cache.get(digest)
    if hit is not None and hit[1] > time.monotonic():
        return copy.copy(hit[0])
    token = ApiToken.objects.active().select_related("user").filter(digest=digest).first()
    if token is None:
        return None
    now = timezone.now()
    # Throttle the write: one update a minute per token is enough for an audit of use.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    roles_of(user)  # loaded once, kept on the cached object
    # The same reading as orders.models.handler_unit_id, done now so the cached copy carries it.
    profile = (
        getattr(user, "hotline_profile", None) if Role.UNIT_HANDLER in roles_of(user) else None
    )
    user._hotline_unit_id = profile.unit_id if profile is not None else None
    with _token_lock:
        if len(_token_cache) > 10_000:
            _token_cache.clear()
        _token_cache[digest] = (user, time.monotonic() + TOKEN_TTL)
    return copy.copy(user)


DEMO_PASSWORD = "hotline-demo"

#: (username, role, unit code, display name) of the demo city's users; see README.
DEMO_USERS = [
    ("admin", Role.ADMIN, None, "系统管理员"),
    ("supervisor", Role.SUPERVISOR, "center", "值班长 李敏"),
    ("agent", Role.AGENT, "center", "接线员 陈晓"),
    ("volunteer", Role.VOLUNTEER_AGENT, "center", "志愿接线员 黄立"),
    ("gongguan", Role.UNIT_HANDLER, "440902101", "公馆镇经办人"),
    ("maonan_epi", Role.UNIT_HANDLER, "440902-epi", "茂南区疫情防控办经办人"),
    ("health", Role.UNIT_HANDLER, "dept-health", "市卫健局经办人"),
]


def ensure_demo_users() -> int:
    """Create the demo users (password DEMO_PASSWORD) that do not exist yet; returns how many.

    Refused in production: documented passwords must never open a real deployment.
    """
    if settings.HOTLINE_ENV == "production":
        raise AccountError(
            "生产环境（HOTLINE_ENV=production）不允许创建公开密码的演示账号。", "demo_in_production"
        )
    User = get_user_model()
    made = 0
    for username, role, unit_code, display_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        create_user(
            username,
            role=role,
            unit_code=unit_code,
            password=DEMO_PASSWORD,
            display_name=display_name,
            validate=False,
        )
        made += 1
    return made


def record_data_access(
    user, obj, fields, via: str, *, reason: str = "", request=None, now=None
) -> DataAccess:
    """Record that ``user`` read the unmasked ``fields`` of ``obj`` (a model instance of any
    app) through ``via`` (a page or endpoint name), and why (``reason``, shown in the audit
    log). Call it in the same request that shows the values; the caller decides whether the
    role may see them."""
    from .audit import record

    record(
        AuditAction.REVEAL,
        actor=user,
        target=f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}",
        detail={"fields": sorted(fields), "via": via[:100]},
        reason=reason,
        request=request,
        now=now,
    )
    return DataAccess.objects.create(
        user=user,
        app=obj._meta.app_label,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        fields=sorted(fields),
        via=via[:100],
        at=now or timezone.now(),
    )


# --- second factor (TOTP) ---------------------------------------------------------------------
TOTP_ISSUER = "Hotline 12345"


def _totp(device: TotpDevice):
    import pyotp

    return pyotp.TOTP(device.secret)


@transaction.atomic
def start_totp(user) -> TotpDevice:
    """Give ``user`` a new, unconfirmed TOTP secret (replacing an unconfirmed one). Refused
    when a confirmed device exists: an administrator removes it first (admin)."""
    import pyotp

    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed:
        raise AccountError("您已启用两步验证；如需更换手机，请联系系统管理员重置。", "otp_exists")
    if device is None:
        device = TotpDevice(user=user)
    device.secret = pyotp.random_base32()
    device.confirmed_at = None
    device.last_counter = 0
    device.save()
    return device


def may_reset_totp(user) -> bool:
    """Whether ``user`` may remove another user's second factor: administrators only."""
    return user.is_superuser or has_role(user, Role.ADMIN)


def reset_totp(user, *, by=None, reason: str = "", request=None) -> bool:
    """Remove ``user``'s second factor (a lost or replaced phone): the next login asks for no
    code, and the user enrols again. ``by`` is the administrator doing it (None: the
    ``hotline otp_reset`` command, run by whoever holds the server). Recorded in the audit
    log with the reason; returns whether there was a device to remove."""
    from .audit import record

    reason = (reason or "").strip()
    if not reason:
        message = "请写明重置理由（例如：手机遗失），理由会记入审计日志。"
        raise AccountError(message, "reason_required")
    if by is not None and not may_reset_totp(by):
        raise AccountError("只有系统管理员可以重置两步验证。", "forbidden")
    deleted, _ = TotpDevice.objects.filter(user=user).delete()
    record(
        AuditAction.OTP_RESET,
        actor=by,
        actor_name="" if by is not None else "hotline otp_reset",
        target=f"auth.user:{user.pk}",
        detail={"username": user.get_username(), "had_device": bool(deleted)},
        reason=reason,
        request=request,
    )
    return bool(deleted)


def totp_uri(device: TotpDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _totp(device).provisioning_uri(name=device.user.get_username(), issuer_name=TOTP_ISSUER)


def _matching_counter(device: TotpDevice, code: str, now: float) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = _totp(device)
    current = totp.timecode(dt_from_ts(now))
    for counter in (current - 1, current, current + 1):  # one step of clock drift either way
        if counter > device.last_counter and totp.generate_otp(counter) == code:
            return counter
    return None


def dt_from_ts(ts: float):
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


#: A device whose key no configured SECRET_KEY opens (hotline.common.sealing).
UNREADABLE = (
    "两步验证密钥无法读取（服务器密钥已更换）：请联系系统管理员重置您的两步验证后重新启用。"
)
UNREADABLE_NEW = "二维码已失效（服务器密钥已更换），请刷新页面重新扫描。"


def check_totp(user, code: str, *, request=None, now: float | None = None) -> TotpDevice:
    """Accept ``code`` from ``user``'s device (confirming a new device), once per time step.

    Raises AccountError for a wrong, malformed or replayed code (recorded in the audit log),
    and for a device whose sealed key no configured SECRET_KEY opens any more."""
    from .audit import record

    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise AccountError("您尚未启用两步验证。", "otp_missing")
        try:
            counter = _matching_counter(device, code, time.time() if now is None else now)
            unreadable = False
        except Unsealable:
            counter, unreadable = None, True
        if unreadable and not device.confirmed:
            device.delete()  # an unfinished enrolment starts again (committed with this block)
        elif counter is not None:
            device.last_counter = counter
            device.sealed_secret = reseal(device.sealed_secret)  # onto the current key
            first = not device.confirmed
            if first:
                device.confirmed_at = timezone.now()
            device.save()
            if first:
                record(AuditAction.OTP_ENROLLED, actor=user, request=request)
            return device
    if unreadable:
        raise AccountError(UNREADABLE if device.confirmed else UNREADABLE_NEW, "otp_unreadable")
    # Outside the transaction: the failure is recorded even though nothing else changes.
    record(AuditAction.OTP_FAILED, actor=user, request=request)
    raise AccountError(
        "验证码不正确或已使用过，请输入手机验证器上当前显示的 6 位数字。", "otp_invalid"
    )
