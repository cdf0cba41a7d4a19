"""The resident portal: verification codes through the outbox, submitting an appeal, tracking
it by number and phone, rating the reply."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.orders import outbox
from hotline.orders.choices import Channel, Satisfaction, Status
from hotline.orders.errors import OrderError
from hotline.orders.models import Order
from hotline.orders.services import (
    Appeal,
    Source,
    check_appeal,
    receive,
    record_callback,
    system_actor,
)

from ..choices import Door, EventCode, RateKind
from ..errors import IntakeError
from ..models import PortalAppeal, VerificationCode
from .base import keyed_hash, record, take

log = logging.getLogger("hotline.intake.portal")

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
CODE_TTL = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
#: (kind, max, window, message) of the code rate limits; phone limits first.
PHONE_GAP = dt.timedelta(seconds=60)
PHONE_PER_HOUR = 5
IP_PER_HOUR = 20
LOOKUPS_PER_HOUR = 30
PHOTO_MAX = 5 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")
PURPOSES = {"submit": "提交诉求", "rate": "评价办理结果"}


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise IntakeError("请填写 11 位中国大陆手机号码。", code="bad_phone")
    return phone


def sms_gateway_configured() -> bool:
    """Whether a real SMS gateway sends the outbox (not in this deployment: the stand-in in
    ``orders.outbox.send`` only logs). The portal says so outside production."""
    return False


def send_code(phone: str, *, purpose: str, ip: str | None, now=None) -> VerificationCode:
    """Send a 6-digit code to ``phone`` through the notification outbox.

    Limits (counted in the database, so they hold across server processes): one code per
    phone a minute, 5 an hour; 20 an hour from one IP. Raises ``IntakeError`` 429 when one is
    reached, 400 for a bad phone. Outside production the code is also written to the log,
    because no SMS gateway delivers it here."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    if purpose not in PURPOSES:
        raise IntakeError("未知的验证码用途。", code="bad_purpose")
    code = f"{secrets.randbelow(10**6):06d}"
    phone_key = keyed_hash("phone", phone)[:64]
    limits = [
        (
            RateKind.CODE_PHONE,
            f"{phone_key[:50]}:{purpose}",
            1,
            PHONE_GAP,
            "验证码已发送，请 1 分钟后再试。",
        ),
        (
            RateKind.CODE_PHONE,
            phone_key,
            PHONE_PER_HOUR,
            dt.timedelta(hours=1),
            "该号码 1 小时内获取验证码次数过多，请稍后再试。",
        ),
    ]
    if ip:
        limits.append(
            (
                RateKind.CODE_IP,
                ip[:64],
                IP_PER_HOUR,
                dt.timedelta(hours=1),
                "您所在网络获取验证码过于频繁，请 1 小时后再试。",
            )
        )
    try:
        with transaction.atomic():
            take(limits, now)
            row = VerificationCode.objects.create(
                phone=phone,
                purpose=purpose,
                digest=keyed_hash("code", phone, purpose, code),
                ip=ip,
                created_at=now,
                expires_at=now + CODE_TTL,
            )
            outbox.queue_message(
                phone,
                f"【12345】您的验证码是 {code}，10 分钟内有效，用于{PURPOSES[purpose]}。"
                "请勿告诉他人。",
                event_code=EventCode.CODE_SENT,
                now=now,
            )
            record(Door.PORTAL, EventCode.CODE_SENT, now, subject=str(row.pk))
    except IntakeError as exc:
        record(Door.PORTAL, EventCode.CODE_REFUSED, now, payload={"reason": exc.code})
        raise
    if not settings.PRODUCTION:
        # No SMS gateway here: development shows the code in the server log (never in
        # production, where the gateway sends it and logs must not hold codes).
        log.warning("【开发环境，未接短信网关】%s 的验证码：%s", phone, code)
    return row


def verify_code(phone: str, code: str, *, purpose: str, now=None) -> None:
    """Use the newest unexpired code of ``phone`` for ``purpose``; raises ``IntakeError``
    when it is wrong (a wrong try is counted; five spoil the code), expired or missing.
    Runs in its own transaction, so a wrong try stays counted whatever the caller does next;
    call it after the action's input is checked and before the action."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        wrong = _verify(phone, code, purpose, now)
    if wrong:
        raise wrong


def _verify(phone: str, code: str, purpose: str, now) -> IntakeError | None:
    row = (
        VerificationCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or row.attempts >= CODE_MAX_ATTEMPTS:
        raise IntakeError("验证码已失效，请重新获取。", code="code_expired")
    if not secrets.compare_digest(row.digest, keyed_hash("code", phone, purpose, code)):
        VerificationCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        left = CODE_MAX_ATTEMPTS - row.attempts - 1
        return IntakeError(
            f"验证码不正确，还可再试 {left} 次。" if left else "验证码错误次数过多，请重新获取。",
            code="code_wrong",
        )
    row.used_at = now
    row.save(update_fields=["used_at"])
    record(Door.PORTAL, EventCode.CODE_VERIFIED, now, subject=str(row.pk))
    return None


@dataclass(frozen=True)
class Submission:
    """What a resident fills in on the portal."""

    token: str
    phone: str
    code: str
    description: str
    category: str | None = None
    district_code: str | None = None
    town_code: str | None = None
    village_code: str | None = None
    address: str = ""
    name: str = ""
    photo: bytes | None = None
    photo_type: str = ""


def portal_appeal(submission: Submission, phone: str) -> Appeal:
    """The appeal a portal submission makes (channel web, the submission as its source)."""
    token = submission.token
    return Appeal(
        channel=Channel.WEB,
        description=submission.description,
        caller_name=(submission.name or "").strip()[:64],
        caller_phone=phone,
        address=(submission.address or "").strip()[:255],
        category=submission.category or None,
        district_code=submission.district_code or None,
        town_code=submission.town_code or None,
        village_code=submission.village_code or None,
        source=Source("intake", "portal", token),
        idempotency_key=f"portal:{token}",
    )


def submit(submission: Submission, *, now=None) -> Order:
    """Receive a resident's appeal as an order (channel web), after checking the phone's code.
    The platform's system user receives it on the resident's behalf, the portal submission
    being the source. A resubmitted form (same token) gives the same order without asking for
    a new code."""
    now = now or timezone.now()
    token = (submission.token or "").strip()
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise IntakeError("表单已失效，请刷新页面后重新填写。", code="bad_form_token")
    existing = PortalAppeal.objects.filter(token=token).first()
    if existing is not None:
        return Order.objects.get(number=existing.order_number)
    phone = normalise_phone(submission.phone)
    if submission.photo is not None:
        if len(submission.photo) > PHOTO_MAX:
            raise IntakeError("照片不能超过 5 MB，请压缩后再上传。", code="photo_too_large")
        if submission.photo_type not in PHOTO_TYPES:
            raise IntakeError("照片须为 JPG、PNG、WebP 或 HEIC 格式。", code="photo_type")
    appeal = portal_appeal(submission, phone)
    check_appeal(system_actor(), appeal)  # a typo in the form must not spend the code
    verify_code(phone, submission.code, purpose="submit", now=now)
    return file_verified(appeal, submission, now=now)


def file_verified(appeal: Appeal, submission: Submission, *, now) -> Order:
    """Receive a portal appeal whose phone has been verified (``submit`` checks the code; the
    demo files its examples through here)."""
    token = submission.token
    existing = PortalAppeal.objects.filter(token=token).first()
    if existing is not None:
        return Order.objects.get(number=existing.order_number)
    with transaction.atomic():
        received = receive(system_actor(), appeal, now=now)
        PortalAppeal.objects.create(
            token=token,
            phone=appeal.caller_phone,
            order_number=received.order.number,
            photo=submission.photo,
            photo_type=submission.photo_type if submission.photo is not None else "",
            created_at=now,
        )
        record(
            Door.PORTAL,
            EventCode.PORTAL_SUBMITTED,
            now,
            subject=token,
            order=received.order.number,
            payload={"photo": submission.photo is not None},
        )
    return received.order


def _lookup(number: str, phone: str, ip: str | None, now) -> Order:
    number = (number or "").strip()
    try:
        phone = normalise_phone(phone)
    except IntakeError:
        phone = ""
    order = (
        Order.objects.filter(number=number).select_related("handling_unit").first()
        if phone
        else None
    )
    if order is None or order.caller_phone != phone:
        if ip:
            with transaction.atomic():
                take(
                    [
                        (
                            RateKind.LOOKUP_IP,
                            ip[:64],
                            LOOKUPS_PER_HOUR,
                            dt.timedelta(hours=1),
                            "查询失败次数过多，请 1 小时后再试。",
                        )
                    ],
                    now,
                )
        # One answer for "no such order" and "not your phone": the page must not tell a
        # stranger which numbers exist.
        raise IntakeError(
            "没有找到与该手机号对应的工单，请核对工单编号和手机号。", code="not_found", status=404
        )
    return order


def track(number: str, phone: str, *, ip: str | None = None, now=None) -> Order:
    """The order a resident may follow: its number and the phone it was made with must match.
    Failed lookups are limited per IP."""
    now = now or timezone.now()
    if ip:
        from ..models import RateHit

        used = RateHit.objects.filter(
            kind=RateKind.LOOKUP_IP, key=ip[:64], at__gt=now - dt.timedelta(hours=1)
        ).count()
        if used >= LOOKUPS_PER_HOUR:
            raise IntakeError(
                "查询失败次数过多，请 1 小时后再试。", code="rate_limited", status=429
            )
    return _lookup(number, phone, ip, now)


def rate(number: str, phone: str, code: str, satisfaction: str, *, note: str = "", now=None):
    """The resident rates the unit's reply with a code sent to the order's phone: the same
    callback service agents use (``record_callback``), by the system user on the resident's
    behalf (recorded as such)."""
    now = now or timezone.now()
    order = _lookup(number, phone, None, now)
    if order.status != Status.RESOLVED:
        raise IntakeError("该工单当前不在待评价状态。", code="not_resolved", status=409)
    if satisfaction not in Satisfaction.values:
        raise IntakeError("请选择满意、基本满意或不满意。", code="bad_satisfaction")
    verify_code(order.caller_phone, code, purpose="rate", now=now)
    with transaction.atomic():
        try:
            order = record_callback(
                system_actor(),
                order,
                satisfaction=satisfaction,
                note=(note or "").strip()[:500],
                now=now,
                by_resident=True,
            )
        except OrderError as exc:
            raise IntakeError(str(exc), code=exc.code, status=exc.status) from exc
        record(Door.PORTAL, EventCode.PORTAL_RATED, now, subject=number, order=number)
    return order
