"""Every write of the reserve app. Each service takes the acting user first (``None`` for a
visitor on the public pages), runs in one transaction, locks what it changes, writes a
``ReserveEvent`` and raises ``ReserveError`` with a Chinese message and a stable code.

Bookings: ``book``, ``suspend``, ``end_suspension``, ``apply_exception``,
``decide_exception``, ``gate_check`` (read-only), ``register_passage``.
Fire watch: ``import_firms``, ``receive_signal``, ``confirm_on_site``, ``resolve_incident``,
``link_order``, ``follow_order_event`` (the order subscription), ``report_position``,
``assign_duty``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Sum
from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number
from hotline.common.masking import mask_id_number
from hotline.orders import services as order_services
from hotline.orders.choices import Category, EventCode
from hotline.orders.models import Order
from hotline.orders.outbox import queue_message

from . import clustering, firms, geography
from .choices import (
    OPEN_INCIDENT_STATUSES,
    BookingStatus,
    Direction,
    ExceptionKind,
    ExceptionStatus,
    IncidentStatus,
    Outcome,
    SuspensionEffect,
)
from .errors import ReserveError, forbidden, invalid, not_found
from .models import (
    Area,
    Booking,
    Detection,
    DutyShift,
    Entrance,
    ExceptionRequest,
    FalseAlarmSite,
    Incident,
    IncidentOrderLink,
    IncidentPhoto,
    Passage,
    RangerPosition,
    ReserveEvent,
    Signal,
    SignalSource,
    Suspension,
    day_bounds,
    is_reserve_manager,
    is_reserve_staff,
)

ORDER_KIND = "reserve.fire"
#: Days ahead a visitor may book.
BOOKING_HORIZON_DAYS = 14
MAX_PARTY = 10
MAX_EXCEPTION_DAYS = 31
#: A signal joins an open incident within this distance of it and this time of its last sign.
MATCH_KM = 3.0
MATCH_HOURS = 24.0
#: Signals may be this late (a terminal offline in the forest) or this early (clock skew).
SIGNAL_MAX_AGE = dt.timedelta(days=3)
SIGNAL_MAX_SKEW = dt.timedelta(minutes=10)
MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
PLATE_RE = re.compile(r"^[\u4e00-\u9fffA-Z0-9]{5,10}$")


def _now(now):
    return now or timezone.now()


def _today(now) -> dt.date:
    return timezone.localtime(now).date()


def _event(code: str, obj, actor, now, **payload) -> ReserveEvent:
    return ReserveEvent.objects.create(
        code=code,
        object_type=obj._meta.model_name,
        object_id=str(getattr(obj, "number", None) or obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        payload=payload,
        at=now,
    )


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _require_staff(actor) -> None:
    if not is_reserve_staff(actor):
        raise forbidden("仅保护区工作人员可以进行此操作。")


def _require_manager(actor) -> None:
    if not is_reserve_manager(actor):
        raise forbidden("仅保护区管理人员（值班长、管理员）可以进行此操作。")


def _new_number(prefix: str, model) -> str:
    # Ten characters without look-alikes: collisions are tried again, never expected.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    for _ in range(5):
        number = prefix + "".join(secrets.choice(alphabet) for _ in range(8))
        if not model.objects.filter(number=number).exists():
            return number
    raise ReserveError("编号生成失败，请重试。", code="number_collision")


# --- bookings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitorIn:
    """A visitor's details as the page or the API hands them over (the ID number in full, only
    to be hashed and masked here)."""

    name: str
    phone: str
    id_number: str
    party_size: int
    plate: str = ""

    def checked(self) -> dict:
        name = (self.name or "").strip()
        if not 2 <= len(name) <= 40:
            raise invalid("请填写 2～40 个字的姓名。", "bad_name")
        phone = re.sub(r"[\s-]", "", self.phone or "")
        if not PHONE_RE.match(phone):
            raise invalid("请填写 11 位手机号码，用于接收预约和通知短信。", "bad_phone")
        number = normalize_id_number(self.id_number)
        if not is_valid_id_number(number):
            raise invalid("身份证号码有误，请核对（18 位，末位校验码）。", "bad_id_number")
        if not 1 <= int(self.party_size) <= MAX_PARTY:
            raise invalid(f"每个预约 1～{MAX_PARTY} 人。", "bad_party_size")
        plate = re.sub(r"\s", "", self.plate or "").upper()
        if plate and not PLATE_RE.match(plate):
            raise invalid("车牌号格式有误，如 粤K12345；没有车辆请留空。", "bad_plate")
        return {
            "name": name,
            "phone": phone,
            "id_hash": id_hash(number),
            "id_masked": mask_id_number(number),
            "plate": plate,
            "party_size": int(self.party_size),
        }


def _area(code: str, *, lock: bool = False) -> Area:
    qs = Area.objects.select_for_update() if lock else Area.objects
    area = qs.filter(code=code).first()
    if area is None:
        raise not_found(f"没有代码为 {code} 的区域。", "area_not_found")
    return area


def suspension_for_booking(area: Area, visit_date: dt.date, now: dt.datetime):
    """The suspension that refuses a booking made at ``now`` for ``visit_date``: one in force
    now, else one covering any part of that day. None if bookings are open."""
    qs = Suspension.objects.for_area(area)
    found = qs.in_force(now).order_by("starts_at").first()
    if found is None:
        found = qs.overlapping(*day_bounds(visit_date)).order_by("starts_at").first()
    return found


def suspended_message(s: Suspension) -> str:
    until = f"至 {_local(s.ends_at)}" if s.ends_at else "，恢复时间另行通知"
    return (
        f"保护区自 {_local(s.starts_at)} 起暂停预约进入{until}（{s.reason}）。"
        "确需进入请申请特许进入。"
    )


def book(
    actor,
    *,
    area_code: str,
    visit_date: dt.date,
    visitor: VisitorIn,
    channel: str = "web",
    now=None,
) -> Booking:
    """Book a visit: refused while a suspension is in force or covers the day, when the day is
    past or too far ahead, when the same ID number already holds that day, when full. The
    visitor gets an SMS with the number (through the outbox)."""
    now = _now(now)
    data = visitor.checked()
    today = _today(now)
    if visit_date < today:
        raise invalid("入园日期不能早于今天。", "date_past")
    if visit_date > today + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise invalid(f"最多可预约 {BOOKING_HORIZON_DAYS} 天内的日期。", "date_too_far")
    with transaction.atomic():
        area = _area(area_code, lock=True)
        if not area.active:
            raise ReserveError(f"{area.name}暂不开放预约。", code="area_closed")
        suspension = suspension_for_booking(area, visit_date, now)
        if suspension is not None:
            raise ReserveError(suspended_message(suspension), code="bookings_suspended")
        held = Booking.objects.filter(
            visit_date=visit_date,
            id_hash=data["id_hash"],
            status__in=(BookingStatus.CONFIRMED, BookingStatus.HELD),
        )
        if held.exists():
            raise ReserveError("该身份证号当天已有预约，无需重复预约。", code="duplicate_booking")
        taken = (
            Booking.objects.filter(
                area=area, visit_date=visit_date, status=BookingStatus.CONFIRMED
            ).aggregate(n=Sum("party_size"))["n"]
            or 0
        )
        if taken + data["party_size"] > area.daily_capacity:
            left = max(area.daily_capacity - taken, 0)
            raise ReserveError(
                f"{area.name} {visit_date:%m月%d日} 余量 {left} 人，不足 {data['party_size']} 人。",
                code="area_full",
            )
        booking = Booking.objects.create(
            number=_new_number("YK", Booking),
            area=area,
            visit_date=visit_date,
            channel=channel[:10],
            created_at=now,
            **data,
        )
        _event(
            "reserve.booking.created",
            booking,
            actor,
            now,
            area=area.code,
            visit_date=visit_date.isoformat(),
            party_size=booking.party_size,
            channel=channel,
        )
        queue_message(
            booking.phone,
            f"【云开山保护区】您已预约 {visit_date:%m月%d日} 进入{area.name}，"
            f"{booking.party_size} 人，"
            f"预约号 {booking.number}，入园时请出示身份证。",
            event_code="reserve.booking.created",
            now=now,
        )
    return booking


def _affected_days(start: dt.datetime, end: dt.datetime | None) -> tuple[dt.date, dt.date | None]:
    """First and last visit day whose local day overlaps [start, end)."""
    first = _today(start)
    last = _today(end - dt.timedelta(microseconds=1)) if end else None
    return first, last


def suspend(
    actor,
    *,
    starts_at: dt.datetime,
    reason: str,
    effect: str = SuspensionEffect.CANCEL,
    ends_at: dt.datetime | None = None,
    area_code: str | None = None,
    now=None,
) -> tuple[Suspension, int]:
    """Suspend bookings from ``starts_at`` (until ``ends_at``, or until further notice): new
    bookings are refused, and each confirmed booking for a day the window touches is cancelled
    or held (``effect``) with an SMS. Returns the suspension and how many bookings it touched."""
    _require_manager(actor)
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("请填写暂停原因（将写入短信）。", "reason_required")
    if effect not in SuspensionEffect.values:
        raise invalid("已有预约的处理方式应为取消或保留待定。", "bad_effect")
    if ends_at is not None and ends_at <= starts_at:
        raise invalid("结束时间应晚于起始时间。", "bad_window")
    with transaction.atomic():
        area = _area(area_code) if area_code else None
        suspension = Suspension.objects.create(
            area=area,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason[:200],
            effect=effect,
            created_by=actor,
            created_at=now,
        )
        first, last = _affected_days(starts_at, ends_at)
        affected = Booking.objects.select_for_update().filter(
            status=BookingStatus.CONFIRMED, visit_date__gte=first
        )
        if last:
            affected = affected.filter(visit_date__lte=last)
        if area:
            affected = affected.filter(area=area)
        count = 0
        new_status = (
            BookingStatus.CANCELLED if effect == SuspensionEffect.CANCEL else BookingStatus.HELD
        )
        for booking in affected.select_related("area"):
            booking.status = new_status
            booking.suspension = suspension
            booking.save(update_fields=["status", "suspension"])
            what = "已取消" if effect == SuspensionEffect.CANCEL else "暂不能使用，恢复后另行通知"
            queue_message(
                booking.phone,
                f"【云开山保护区】因{reason[:40]}，保护区自 {_local(starts_at)} 起暂停预约进入，"
                f"您 {booking.visit_date:%m月%d日} 的预约 {booking.number} {what}。",
                event_code=f"reserve.booking.{new_status}",
                now=now,
            )
            _event(f"reserve.booking.{new_status}", booking, actor, now, suspension=suspension.pk)
            count += 1
        _event(
            "reserve.suspension.created",
            suspension,
            actor,
            now,
            area=area_code or "",
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat() if ends_at else None,
            effect=effect,
            bookings=count,
        )
    return suspension, count


def end_suspension(
    actor, suspension_id: int, *, ends_at: dt.datetime, now=None
) -> tuple[Suspension, int]:
    """Set the end of a suspension ("until further notice" → a date). Held bookings for days no
    suspension covers any more are confirmed again, with an SMS. Returns how many."""
    _require_manager(actor)
    now = _now(now)
    with transaction.atomic():
        s = Suspension.objects.select_for_update().filter(pk=suspension_id).first()
        if s is None:
            raise not_found("找不到该暂停记录。", "suspension_not_found")
        if ends_at <= s.starts_at:
            raise invalid("结束时间应晚于起始时间。", "bad_window")
        s.ends_at = ends_at
        s.save(update_fields=["ends_at"])
        restored = 0
        for booking in (
            Booking.objects.select_for_update()
            .filter(suspension=s, status=BookingStatus.HELD)
            .select_related("area")
        ):
            covering = Suspension.objects.for_area(booking.area).overlapping(
                *day_bounds(booking.visit_date)
            )
            if covering.exists():
                continue
            booking.status = BookingStatus.CONFIRMED
            booking.save(update_fields=["status"])
            queue_message(
                booking.phone,
                f"【云开山保护区】保护区恢复预约进入，您 {booking.visit_date:%m月%d日} 的预约 "
                f"{booking.number} 恢复有效。",
                event_code="reserve.booking.restored",
                now=now,
            )
            _event("reserve.booking.restored", booking, actor, now, suspension=s.pk)
            restored += 1
        _event(
            "reserve.suspension.ended",
            s,
            actor,
            now,
            ends_at=ends_at.isoformat(),
            restored=restored,
        )
    return s, restored


def apply_exception(
    actor,
    *,
    area_code: str,
    kind: str,
    date_from: dt.date,
    date_to: dt.date,
    purpose: str,
    visitor: VisitorIn,
    now=None,
) -> ExceptionRequest:
    """Ask to enter despite a suspension (research, residents, rangers' families, emergency)."""
    now = _now(now)
    data = visitor.checked()
    if kind not in ExceptionKind.values:
        raise invalid("请选择申请类别。", "bad_kind")
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise invalid("请写明进入事由（至少 4 个字）。", "purpose_required")
    if date_from < _today(now):
        raise invalid("起始日期不能早于今天。", "date_past")
    if date_to < date_from or (date_to - date_from).days >= MAX_EXCEPTION_DAYS:
        raise invalid(
            f"截止日期应不早于起始日期，且一次最多申请 {MAX_EXCEPTION_DAYS} 天。", "bad_dates"
        )
    with transaction.atomic():
        area = _area(area_code)
        request = ExceptionRequest.objects.create(
            number=_new_number("TX", ExceptionRequest),
            kind=kind,
            area=area,
            date_from=date_from,
            date_to=date_to,
            purpose=purpose[:300],
            created_at=now,
            **data,
        )
        _event(
            "reserve.exception.requested",
            request,
            actor,
            now,
            kind=kind,
            area=area.code,
            date_from=date_from.isoformat(),
            date_to=date_to.isoformat(),
        )
    return request


def decide_exception(
    actor, number: str, *, approve: bool, reason: str, now=None
) -> ExceptionRequest:
    """Approve or refuse a pending exception request, with the reason sent to the applicant."""
    _require_manager(actor)
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("请填写审批意见（将以短信告知申请人）。", "reason_required")
    with transaction.atomic():
        request = ExceptionRequest.objects.select_for_update().filter(number=number).first()
        if request is None:
            raise not_found(f"找不到申请 {number}。", "exception_not_found")
        if request.status != ExceptionStatus.PENDING:
            raise ReserveError(
                f"申请 {number} 已{request.get_status_display()}，不能再次审批。",
                code="already_decided",
            )
        request.status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REFUSED
        request.decided_by = actor
        request.decided_at = now
        request.decision_reason = reason[:300]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        verdict = "已批准" if approve else "未获批准"
        queue_message(
            request.phone,
            f"【云开山保护区】您的特许进入申请 {number}（{request.date_from:%m月%d日}—"
            f"{request.date_to:%m月%d日}）{verdict}：{reason[:60]}",
            event_code=f"reserve.exception.{request.status}",
            now=now,
        )
        _event(f"reserve.exception.{request.status}", request, actor, now, reason=reason[:300])
    return request


@dataclass
class GateResult:
    """What the gate sees for a permit: valid or not (and why), who, how many inside now."""

    valid: bool
    reason: str
    booking: Booking | None = None
    exception: ExceptionRequest | None = None
    inside: int = 0

    @property
    def permit(self):
        return self.booking or self.exception

    @property
    def allowed_people(self) -> int:
        return self.permit.party_size if self.permit else 0


def inside_count(booking=None, exception=None) -> int:
    rows = (
        Passage.objects.filter(booking=booking)
        if booking
        else Passage.objects.filter(exception=exception)
    )
    totals = dict(
        rows.values_list("direction").annotate(n=Sum("people")).values_list("direction", "n")
    )
    return int(totals.get(Direction.IN, 0) or 0) - int(totals.get(Direction.OUT, 0) or 0)


def _judge(entrance: Entrance, *, booking=None, exception=None, now) -> GateResult:
    today = _today(now)
    if booking is not None:
        inside = inside_count(booking=booking)
        result = GateResult(False, "", booking=booking, inside=inside)
        if booking.area_id != entrance.area_id:
            result.reason = f"预约区域为{booking.area.name}，不能从本入口进入。"
        elif booking.visit_date != today:
            result.reason = f"预约日期为 {booking.visit_date:%Y-%m-%d}，不是今天。"
        elif booking.status == BookingStatus.CANCELLED:
            result.reason = "该预约已取消。"
        elif Suspension.objects.for_area(booking.area).in_force(now).exists():
            result.reason = "保护区暂停预约进入期间，预约不能入园；确需进入请凭特许进入审批。"
        else:
            result.valid, result.reason = True, "今日预约有效。"
        return result
    inside = inside_count(exception=exception)
    result = GateResult(False, "", exception=exception, inside=inside)
    if exception.area_id != entrance.area_id:
        result.reason = f"特许区域为{exception.area.name}，不能从本入口进入。"
    elif exception.status != ExceptionStatus.APPROVED:
        result.reason = f"特许进入申请{exception.get_status_display()}。"
    elif not exception.covers(today):
        result.reason = (
            f"特许期限为 {exception.date_from:%m月%d日}—{exception.date_to:%m月%d日}，不含今天。"
        )
    else:
        result.valid, result.reason = True, "特许进入今日有效。"
    return result


def _entrance(code: str) -> Entrance:
    entrance = Entrance.objects.select_related("area").filter(code=code).first()
    if entrance is None:
        raise not_found(f"没有代码为 {code} 的入口。", "entrance_not_found")
    return entrance


def gate_check(actor, *, entrance_code: str, query: str, now=None) -> list[GateResult]:
    """The permits a gate finds for a booking number, an exception number or an ID number
    (today's first), each judged valid or not at ``now``. Read-only."""
    _require_staff(actor)
    now = _now(now)
    entrance = _entrance(entrance_code)
    text = normalize_id_number(query)
    if not text:
        raise invalid("请输入预约号、特许申请号或身份证号。", "query_required")
    bookings = Booking.objects.select_related("area")
    exceptions = ExceptionRequest.objects.select_related("area")
    if len(text) == 18 and is_valid_id_number(text):
        digest = id_hash(text)
        today = _today(now)
        found = [
            _judge(entrance, booking=b, now=now)
            for b in bookings.filter(id_hash=digest, visit_date=today)
        ]
        found += [
            _judge(entrance, exception=e, now=now)
            for e in exceptions.filter(id_hash=digest, date_from__lte=today, date_to__gte=today)
        ]
    else:
        found = [_judge(entrance, booking=b, now=now) for b in bookings.filter(number=text)]
        found += [_judge(entrance, exception=e, now=now) for e in exceptions.filter(number=text)]
    found.sort(key=lambda r: not r.valid)
    return found


def register_passage(
    actor, *, entrance_code: str, number: str, direction: str, people: int, now=None
) -> Passage:
    """Register people entering (a valid permit, at most its party size inside at once) or
    leaving (at most as many as are inside) through a gate."""
    _require_staff(actor)
    now = _now(now)
    if direction not in Direction.values:
        raise invalid("方向应为入园或出园。", "bad_direction")
    people = int(people)
    if people < 1:
        raise invalid("人数至少为 1。", "bad_people")
    with transaction.atomic():
        entrance = _entrance(entrance_code)
        number = normalize_id_number(number)
        booking = Booking.objects.select_for_update().filter(number=number).first()
        exception = (
            None
            if booking
            else ExceptionRequest.objects.select_for_update().filter(number=number).first()
        )
        if booking is None and exception is None:
            raise not_found(f"找不到预约或特许申请 {number}。", "permit_not_found")
        result = _judge(entrance, booking=booking, exception=exception, now=now)
        if direction == Direction.IN:
            if not result.valid:
                raise ReserveError(f"不能入园：{result.reason}", code="permit_invalid")
            if result.inside + people > result.allowed_people:
                raise ReserveError(
                    f"该凭证共 {result.allowed_people} 人，已在园内 {result.inside} 人，"
                    f"不能再进 {people} 人。",
                    code="party_exceeded",
                )
        elif people > result.inside:
            raise ReserveError(f"该凭证在园内仅 {result.inside} 人。", code="not_inside")
        passage = Passage.objects.create(
            entrance=entrance,
            booking=booking,
            exception=exception,
            direction=direction,
            people=people,
            at=now,
            recorded_by=actor,
        )
        _event(
            f"reserve.passage.{direction}",
            booking or exception,
            actor,
            now,
            entrance=entrance.code,
            people=people,
        )
    return passage


# --- fire watch: sources and signals ------------------------------------------------------------
def source_secret(source: SignalSource) -> str:
    """The source's signing secret, derived (never stored): HMAC-SHA256 of the source code and
    key version under SECRET_KEY. Give it to the device once (``hotline fire source-secret``)."""
    message = f"reserve-signal:{source.code}:{source.key_version}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def sign(source: SignalSource, body: bytes) -> str:
    """The ``X-Signature`` header value a source sends with ``body``."""
    return "sha256=" + hmac.new(source_secret(source).encode(), body, hashlib.sha256).hexdigest()


def verify_signature(source: SignalSource, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(source, body), (signature or "").strip())


def _town_code(lat: float, lon: float) -> str:
    return geography.nearest_town(lat, lon)["code"]


def _false_alarm_site(lat: float, lon: float):
    for site in FalseAlarmSite.objects.filter(active=True):
        if clustering.haversine_km(lat, lon, site.latitude, site.longitude) * 1000 <= site.radius_m:
            return site
    return None


def _incident_number(now) -> str:
    prefix = f"HQ{timezone.localtime(now):%Y%m%d}-"
    last = Incident.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _open_incident(*, lat: float, lon: float, first_seen, last_seen, now) -> Incident:
    """A new incident at a place: inside the watch area it is open (its order follows), at a
    remembered false-alarm site suppressed, outside the area only recorded."""
    inside = geography.in_watch_area(lat, lon)
    site = _false_alarm_site(lat, lon) if inside else None
    status = IncidentStatus.OPEN
    if not inside:
        status = IncidentStatus.OUTSIDE
    elif site is not None:
        status = IncidentStatus.SUPPRESSED
    incident = Incident.objects.create(
        number=_incident_number(now),
        status=status,
        latitude=lat,
        longitude=lon,
        town_code=_town_code(lat, lon) if inside else "",
        in_watch_area=inside,
        first_seen=first_seen,
        last_seen=last_seen,
        false_alarm_site=site,
        created_at=now,
    )
    _event(
        "reserve.incident.opened",
        incident,
        None,
        now,
        status=status,
        false_alarm_site=site.name if site else None,
    )
    return incident


def _raise_order(incident: Incident, now) -> Order | None:
    """The incident's work order, through the seam (idempotent by the incident's key)."""
    if incident.status != IncidentStatus.OPEN:
        return None
    town = geography.nearest_town(incident.latitude, incident.longitude)
    text = (
        f"云开山保护区火情 {incident.number}：{_local(incident.first_seen)} 起发现，位置北纬 "
        f"{incident.latitude:.4f}、东经 {incident.longitude:.4f}"
        f"（近{town['county']}{town['name']}），"
        f"卫星热点 {incident.detection_count} 个、其他信号 {incident.signal_count} 条，"
        f"请护林站立即核实处置。"
    )
    received = order_services.receive(
        order_services.system_actor(),
        order_services.Appeal(
            channel="system",
            title=f"保护区火情 {incident.number}",
            description=text,
            kind=ORDER_KIND,
            source=order_services.Source("reserve", "incident", str(incident.pk)),
            town_code=incident.town_code or None,
            latitude=incident.latitude,
            longitude=incident.longitude,
            idempotency_key=f"reserve-incident-{incident.pk}",
        ),
        now=now,
    )
    order = received.order
    if order.handling_unit_id and incident.status == IncidentStatus.OPEN:
        incident.status = IncidentStatus.DISPATCHED
        incident.save(update_fields=["status"])
    _event(
        "reserve.incident.order_raised",
        incident,
        None,
        now,
        order=order.number,
        unit=order.handling_unit.code if order.handling_unit_id else "",
    )
    return order


def _source(incident: Incident) -> order_services.Source:
    return order_services.Source("reserve", "incident", str(incident.pk))


def nearest_open_incident(lat: float, lon: float, when: dt.datetime, *, signals_only=False):
    """The open (or suppressed) incident nearest to a sign of fire, within MATCH_KM of its
    centre and MATCH_HOURS of its first and last sign; (incident, km) or (None, MATCH_KM).
    ``signals_only``: only incidents no satellite has seen yet (detections find the others
    through the clustering, which judges them by pixel size instead of MATCH_KM)."""
    window = dt.timedelta(hours=MATCH_HOURS)
    candidates = Incident.objects.select_for_update().filter(
        status__in=(*OPEN_INCIDENT_STATUSES, IncidentStatus.SUPPRESSED),
        last_seen__gte=when - window,
        first_seen__lte=when + window,
    )
    if signals_only:
        seen = Detection.objects.filter(incident=OuterRef("pk"))
        candidates = candidates.filter(~Exists(seen))
    best, best_km = None, MATCH_KM
    for incident in candidates:
        km = float(clustering.haversine_km(lat, lon, incident.latitude, incident.longitude))
        if km <= best_km:
            best, best_km = incident, km
    return best, best_km


@dataclass(frozen=True)
class SignalIn:
    external_id: str
    observed_at: dt.datetime
    latitude: float
    longitude: float
    payload: dict = field(default_factory=dict)


def receive_signal(source: SignalSource, signal: SignalIn, *, now=None) -> tuple[Signal, bool]:
    """A signed signal from a camera, sentinel, checkpoint, ranger terminal or the public-report
    door: matched to the nearest open incident (within MATCH_KM and MATCH_HOURS of its last
    sign) or opening one. The same (source, id) again returns the first signal, created False."""
    now = _now(now)
    if not source.active:
        raise forbidden("该信号源已停用。", "source_inactive")
    if not (-90 <= signal.latitude <= 90 and -180 <= signal.longitude <= 180):
        raise invalid("经纬度超出范围。", "bad_position")
    if signal.observed_at > now + SIGNAL_MAX_SKEW:
        raise invalid("发现时间晚于当前时间，请校准设备时钟。", "time_in_future")
    if signal.observed_at < now - SIGNAL_MAX_AGE:
        raise invalid("信号过旧（超过 3 天），请改为人工登记。", "signal_too_old")
    with transaction.atomic():
        existing = Signal.objects.filter(source=source, external_id=signal.external_id).first()
        if existing is not None:
            return existing, False
        best, best_km = nearest_open_incident(signal.latitude, signal.longitude, signal.observed_at)
        opened = best is None
        if opened:
            best = _open_incident(
                lat=signal.latitude,
                lon=signal.longitude,
                first_seen=signal.observed_at,
                last_seen=signal.observed_at,
                now=now,
            )
        row = Signal.objects.create(
            source=source,
            external_id=signal.external_id,
            kind=source.kind,
            observed_at=signal.observed_at,
            latitude=signal.latitude,
            longitude=signal.longitude,
            payload=signal.payload,
            incident=best,
            opened_incident=opened,
            received_at=now,
        )
        best.signal_count = best.signals.count()
        best.first_seen = min(best.first_seen, signal.observed_at)
        best.last_seen = max(best.last_seen, signal.observed_at)
        best.save(update_fields=["signal_count", "first_seen", "last_seen"])
        _event(
            "reserve.signal.received",
            best,
            None,
            now,
            source=source.code,
            kind=source.kind,
            external_id=signal.external_id,
            opened=opened,
        )
        if opened:
            _raise_order(best, now)
        elif best.is_open:
            order_services.source_note(
                _source(best),
                f"新信号：{source.get_kind_display()}「{source.name}」"
                f"{_local(signal.observed_at)} 报告，"
                f"距火情中心 {best_km:.1f} 公里。",
                order_services.system_actor(),
                now=now,
            )
    return row, True


# --- fire watch: FIRMS import and clustering ---------------------------------------------------
@dataclass
class ImportResult:
    """What one import did (printed by ``hotline fire import`` and stored in its event)."""

    layout: str = ""
    read: int = 0
    refused: dict = field(default_factory=dict)
    outside: int = 0
    new: int = 0
    duplicate: int = 0
    incidents_opened: int = 0
    incidents_grown: int = 0
    incidents_merged: int = 0
    orders_raised: int = 0
    suppressed: int = 0


def _key(satellite, acquired_at, lat, lon) -> tuple:
    return (satellite, acquired_at.astimezone(dt.UTC), round(lat, 5), round(lon, 5))


def import_firms(
    actor, source, *, name: str = "", watch_all: bool = False, now=None
) -> ImportResult:
    """Import a FIRMS CSV (path, text or text file): keep the detections inside the reserve and
    its buffer (every detection with ``watch_all``, for files of fires elsewhere), skip those
    already stored, then cluster the new ones with their neighbours in time into incidents —
    growing or merging open incidents, opening new ones with their orders. Idempotent."""
    now = _now(now)
    if isinstance(source, str) and "\n" not in source:
        name = name or source.rsplit("/", 1)[-1]
        with open(source, encoding="utf-8-sig", newline="") as handle:
            parsed = firms.parse(handle)
    else:
        parsed = firms.parse(source if not isinstance(source, str) else io.StringIO(source))
    result = ImportResult(
        layout=parsed.layout,
        read=len(parsed.rows) + sum(parsed.refused.values()),
        refused=dict(parsed.refused),
    )
    rows = parsed.rows
    if not watch_all:
        box = geography.bounds()
        rows = [
            r
            for r in rows
            if box[0] <= r.latitude <= box[2]
            and box[1] <= r.longitude <= box[3]
            and geography.in_watch_area(r.latitude, r.longitude)
        ]
    result.outside = len(parsed.rows) - len(rows)
    if not rows:
        return result
    with transaction.atomic():
        first = min(r.acquired_at for r in rows)
        last = max(r.acquired_at for r in rows)
        stored = {
            _key(*k)
            for k in Detection.objects.filter(
                acquired_at__gte=first, acquired_at__lte=last
            ).values_list("satellite", "acquired_at", "latitude", "longitude")
        }
        fresh, seen = [], set()
        for r in rows:
            k = _key(r.satellite, r.acquired_at, r.latitude, r.longitude)
            if k in stored or k in seen:
                result.duplicate += 1
                continue
            seen.add(k)
            fresh.append(r)
        result.new = len(fresh)
        if not fresh:
            return result
        _insert_detections(fresh, name[:200], now)
        _cluster_range(first, last, now, result)
        ReserveEvent.objects.create(
            code="reserve.firms.imported",
            object_type="firms_file",
            object_id=name[:40] or "-",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            payload=dict(result.__dict__),
            at=now,
        )
    return result


#: Detection columns in insert order, each read from a FIRMS row (``firms.Row``) by name.
_ROW_COLUMNS = (
    "satellite",
    "instrument",
    "acquired_at",
    "latitude",
    "longitude",
    "scan",
    "track",
    "brightness",
    "bright_t31",
    "frp",
    "confidence",
    "confidence_raw",
    "daynight",
    "fire_type",
    "version",
)


def _insert_detections(rows: list, source_file: str, now) -> None:
    """Insert new detections (``firms.Row``) with one ``executemany``. Why by hand:
    ``bulk_create`` builds a model instance per row, prepares every value through its field
    and, on SQLite, is held to 999 parameters per statement (~900 statements for a
    36,555-row file); here the few distinct pass times are adapted once each and the driver
    batches the rest (docs/PERFORMANCE.md)."""
    columns = [*_ROW_COLUMNS, "source_file", "imported_at"]
    table = connection.ops.quote_name(Detection._meta.db_table)
    names = ", ".join(
        connection.ops.quote_name(Detection._meta.get_field(c).column) for c in columns
    )
    marks = ", ".join(["%s"] * len(columns))
    adapt = connection.ops.adapt_datetimefield_value
    times: dict = {}
    imported = adapt(now)
    params = []
    for r in rows:
        values = [getattr(r, c) for c in _ROW_COLUMNS]
        at = r.acquired_at
        if at not in times:
            times[at] = adapt(at)
        values[2] = times[at]
        values.extend((source_file, imported))
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)


_FIELDS = ("pk", "latitude", "longitude", "acquired_at", "scan", "track", "incident_id")


def _cluster_range(first, last, now, result: ImportResult) -> None:
    window = dt.timedelta(hours=clustering.WINDOW_HOURS)
    rows = list(
        Detection.objects.filter(acquired_at__gte=first - window, acquired_at__lte=last + window)
        .order_by("pk")
        .values_list(*_FIELDS)
    )
    pk = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows], float)
    lon = np.array([r[2] for r in rows], float)
    t = np.array([r[3].timestamp() for r in rows], float)
    half = clustering.half_diagonal_km([r[4] for r in rows], [r[5] for r in rows])
    owner = [r[6] for r in rows]
    labels = clustering.cluster(lat, lon, t, half)
    statuses = dict(
        Incident.objects.filter(pk__in={o for o in owner if o}).values_list("pk", "status")
    )
    absorbing = (*OPEN_INCIDENT_STATUSES, IncidentStatus.SUPPRESSED, IncidentStatus.OUTSIDE)
    touched: set[int] = set()
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        unassigned = [i for i in members if owner[i] is None]
        if not unassigned:
            continue
        live = sorted(
            {owner[i] for i in members if owner[i] and statuses.get(owner[i]) in absorbing}
        )
        if live:
            survivor_pk = min(
                live, key=lambda p: Incident.objects.only("first_seen").get(pk=p).first_seen
            )
            for other in live:
                if other != survivor_pk:
                    _merge(other, survivor_pk, now)
                    statuses[other] = IncidentStatus.MERGED  # not a survivor for later clusters
                    result.incidents_merged += 1
            Detection.objects.filter(pk__in=[int(pk[i]) for i in unassigned]).update(
                incident_id=survivor_pk
            )
            touched.add(survivor_pk)
            result.incidents_grown += 1
            continue
        near, _ = nearest_open_incident(
            float(lat[unassigned].mean()),
            float(lon[unassigned].mean()),
            dt.datetime.fromtimestamp(t[unassigned].min(), dt.UTC),
            signals_only=True,
        )
        if near is not None:  # an incident opened by a camera or a ranger, not yet seen from space
            Detection.objects.filter(pk__in=[int(pk[i]) for i in unassigned]).update(incident=near)
            touched.add(near.pk)
            result.incidents_grown += 1
            continue
        incident = _open_incident(
            lat=float(lat[unassigned].mean()),
            lon=float(lon[unassigned].mean()),
            first_seen=dt.datetime.fromtimestamp(t[unassigned].min(), dt.UTC),
            last_seen=dt.datetime.fromtimestamp(t[unassigned].max(), dt.UTC),
            now=now,
        )
        Detection.objects.filter(pk__in=[int(pk[i]) for i in unassigned]).update(incident=incident)
        touched.add(incident.pk)
        result.incidents_opened += 1
        if incident.status == IncidentStatus.SUPPRESSED:
            result.suppressed += 1
    for incident_pk in sorted(touched):
        incident = Incident.objects.select_for_update().get(pk=incident_pk)
        _refresh(incident)
        if incident.status == IncidentStatus.OPEN and _raise_order(incident, now):
            result.orders_raised += 1


def _refresh(incident: Incident) -> None:
    """Recompute an incident's growth from its detections and signals."""
    det = list(
        incident.detections.values_list(
            "latitude", "longitude", "scan", "track", "frp", "acquired_at", "satellite"
        )
    )
    sig = incident.signals.aggregate(a=Min("observed_at"), b=Max("observed_at"))
    times = [d[5] for d in det] + [v for v in (sig["a"], sig["b"]) if v]
    if det:
        lat = np.array([d[0] for d in det])
        lon = np.array([d[1] for d in det])
        incident.latitude, incident.longitude = float(lat.mean()), float(lon.mean())
        incident.area_km2 = clustering.footprint_area_km2(
            lat, lon, [d[2] for d in det], [d[3] for d in det]
        )
        frps = [d[4] for d in det if d[4] is not None]
        incident.max_frp = max(frps) if frps else None
        incident.satellites = "、".join(sorted(Counter(d[6] for d in det)))[:80]
    if times:
        incident.first_seen, incident.last_seen = min(times), max(times)
    incident.detection_count = len(det)
    incident.signal_count = incident.signals.count()
    incident.save()


def _merge(loser_pk: int, survivor_pk: int, now) -> None:
    """Fold one incident into another (two reports of one fire): its detections and signals
    move, its open orders are answered as merged."""
    loser = Incident.objects.select_for_update().get(pk=loser_pk)
    survivor = Incident.objects.get(pk=survivor_pk)
    Detection.objects.filter(incident=loser).update(incident=survivor)
    Signal.objects.filter(incident=loser).update(incident=survivor)
    was_open = loser.is_open
    loser.status = IncidentStatus.MERGED
    loser.merged_into = survivor
    loser.save(update_fields=["status", "merged_into"])
    if was_open:
        order_services.source_done(
            _source(loser),
            f"与火情 {survivor.number} 为同一火场，已并入该火情处置。",
            order_services.system_actor(),
            now=now,
        )
    _event("reserve.incident.merged", loser, None, now, into=survivor.number)


# --- fire watch: handling ---------------------------------------------------------------------
def _incident(number: str, *, lock: bool = True) -> Incident:
    qs = Incident.objects.select_for_update() if lock else Incident.objects
    incident = qs.filter(number=number).first()
    if incident is None:
        raise not_found(f"找不到火情 {number}。", "incident_not_found")
    return incident


def _check_photo(data: bytes) -> str:
    if not data:
        raise invalid("到场核实须上传现场照片。", "photo_required")
    if len(data) > MAX_PHOTO_BYTES:
        raise invalid("照片不能超过 2 MB。", "photo_too_large")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise invalid("上传的文件不是可识别的图片（JPEG 或 PNG）。", "photo_unreadable") from None
    if fmt not in ("JPEG", "PNG"):
        raise invalid("照片须为 JPEG 或 PNG。", "photo_format")
    return f"image/{fmt.lower()}"


def confirm_on_site(actor, number: str, *, photo: bytes, note: str = "", now=None) -> Incident:
    """A ranger on the spot confirms the incident with a photo; the order gets the note."""
    _require_staff(actor)
    now = _now(now)
    content_type = _check_photo(photo)
    with transaction.atomic():
        incident = _incident(number)
        if not incident.is_open:
            raise ReserveError(
                f"火情 {number} {incident.get_status_display()}，不能再核实。",
                code="incident_closed",
            )
        IncidentPhoto.objects.create(
            incident=incident,
            image=photo,
            content_type=content_type,
            note=(note or "")[:300],
            taken_by=actor,
            at=now,
        )
        incident.status = IncidentStatus.ON_SITE
        incident.on_site_at = incident.on_site_at or now
        incident.save(update_fields=["status", "on_site_at"])
        order_services.source_note(
            _source(incident),
            f"护林员已到场核实（附现场照片）：{(note or '').strip() or '无补充说明'}",
            actor,
            now=now,
        )
        _event("reserve.incident.on_site", incident, actor, now, note=(note or "")[:300])
    return incident


def resolve_incident(
    actor, number: str, *, outcome: str, note: str = "", remember_as: str = "", now=None
) -> Incident:
    """End an incident: extinguished, false alarm or controlled burn; its order is answered.
    A false alarm with ``remember_as`` (e.g. 砖厂烟囱) becomes a remembered site that
    suppresses later incidents within its radius."""
    _require_staff(actor)
    now = _now(now)
    if outcome not in Outcome.values:
        raise invalid("请选择处置结果：已扑灭、误报或计划烧除。", "bad_outcome")
    remember_as = (remember_as or "").strip()
    if remember_as and outcome != Outcome.FALSE_ALARM:
        raise invalid("只有误报才能登记为已知误报点。", "remember_needs_false_alarm")
    with transaction.atomic():
        incident = _incident(number)
        if not incident.is_open:
            raise ReserveError(
                f"火情 {number} {incident.get_status_display()}，不能重复处置。",
                code="incident_closed",
            )
        incident.status = IncidentStatus.RESOLVED
        incident.outcome = outcome
        incident.resolved_at = now
        site = None
        if remember_as:
            radius = int(max(750, min(3000, (incident.area_km2**0.5) * 1000)))
            site = FalseAlarmSite.objects.create(
                name=remember_as[:80],
                latitude=incident.latitude,
                longitude=incident.longitude,
                radius_m=radius,
                created_by=actor,
                created_at=now,
            )
            incident.false_alarm_site = site
        incident.save(update_fields=["status", "outcome", "resolved_at", "false_alarm_site"])
        reply = f"{Outcome(outcome).label}。{(note or '').strip()}".strip()
        order_services.source_done(_source(incident), reply, actor, now=now)
        _event(
            "reserve.incident.resolved",
            incident,
            actor,
            now,
            outcome=outcome,
            note=(note or "")[:300],
            remembered=site.name if site else None,
        )
    return incident


#: Words in a unit's reply that say how an incident ended when it was answered in the console
#: instead of on the reserve's page (first match wins; default: extinguished).
_OUTCOME_WORDS = (
    (Outcome.FALSE_ALARM, ("误报", "不是火", "非火情")),
    (Outcome.CONTROLLED_BURN, ("计划烧除", "计划烧", "炼山", "报备")),
)


def outcome_from_reply(reply: str) -> str:
    for outcome, words in _OUTCOME_WORDS:
        if any(w in (reply or "") for w in words):
            return outcome
    return Outcome.EXTINGUISHED


def follow_order_event(event) -> None:
    """The subscription: an incident's order dispatched, accepted or answered (in the console
    or through ``resolve_incident``) moves the incident along. Idempotent (state checks)."""
    order = event.order
    if order.source_app != "reserve" or order.source_type != "incident":
        return
    incident = Incident.objects.select_for_update().filter(pk=int(order.source_id)).first()
    if incident is None or not incident.is_open:
        return
    if event.code == EventCode.DISPATCHED and incident.status == IncidentStatus.OPEN:
        incident.status = IncidentStatus.DISPATCHED
    elif event.code == EventCode.ACCEPTED and incident.status in (
        IncidentStatus.OPEN,
        IncidentStatus.DISPATCHED,
    ):
        incident.status = IncidentStatus.ACCEPTED
    elif event.code == EventCode.RESOLVED:
        incident.status = IncidentStatus.RESOLVED
        incident.outcome = outcome_from_reply(event.payload.get("reply", ""))
        incident.resolved_at = event.at
    else:
        return
    incident.save(update_fields=["status", "outcome", "resolved_at"])
    _event(
        f"reserve.incident.{incident.status}",
        incident,
        event.actor,
        event.at,
        order=order.number,
        order_event=event.pk,
    )


def link_order(actor, number: str, order_number: str, *, now=None) -> IncidentOrderLink:
    """Link a phone report of a fire (an order of category public safety) to the incident."""
    _require_staff(actor)
    now = _now(now)
    with transaction.atomic():
        incident = _incident(number)
        order = Order.objects.filter(number=(order_number or "").strip()).first()
        if order is None:
            raise not_found(f"找不到工单 {order_number}。", "order_not_found")
        if order.category != Category.SAFETY:
            raise ReserveError(
                "只有“公共安全”类的来电工单可以关联到火情。", code="not_a_fire_report"
            )
        if order.source_app == "reserve":
            raise ReserveError("这是火情自己的派单，无需关联。", code="own_order")
        link, created = IncidentOrderLink.objects.get_or_create(
            incident=incident, order=order, defaults={"linked_by": actor, "at": now}
        )
        if created:
            _event("reserve.incident.order_linked", incident, actor, now, order=order.number)
            if incident.is_open:
                order_services.source_note(
                    _source(incident), f"关联来电工单 {order.number}。", actor, now=now
                )
    return link


def remember_false_alarm(
    actor, *, name: str, latitude: float, longitude: float, radius_m: int = 750, now=None
) -> FalseAlarmSite:
    """Remember a place that keeps looking like a fire (a chimney, a kiln): later incidents
    within ``radius_m`` are recorded as suppressed and raise no order."""
    _require_staff(actor)
    now = _now(now)
    name = (name or "").strip()
    if not name:
        raise invalid("请填写误报点名称（如 某砖厂烟囱）。", "name_required")
    if not 100 <= int(radius_m) <= 5000:
        raise invalid("误报点半径应在 100～5000 米之间。", "bad_radius")
    with transaction.atomic():
        site = FalseAlarmSite.objects.create(
            name=name[:80],
            latitude=latitude,
            longitude=longitude,
            radius_m=int(radius_m),
            created_by=actor,
            created_at=now,
        )
        _event("reserve.false_alarm_site.created", site, actor, now, name=name[:80])
    return site


def report_position(actor, *, latitude: float, longitude: float, now=None) -> RangerPosition:
    """A ranger's terminal reports where it is (last position kept)."""
    _require_staff(actor)
    now = _now(now)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise invalid("经纬度超出范围。", "bad_position")
    with transaction.atomic():
        position, _ = RangerPosition.objects.update_or_create(
            user=actor, defaults={"latitude": latitude, "longitude": longitude, "at": now}
        )
    return position


def assign_duty(actor, *, day: dt.date, post: str, username: str, now=None) -> DutyShift:
    """Put a field-staff user on 24-hour duty (08:00 to 08:00) at a post; replaces whoever had
    that post that day."""
    _require_manager(actor)
    now = _now(now)
    post = (post or "").strip()
    if not post:
        raise invalid("请填写值班岗位。", "post_required")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise not_found(f"找不到用户 {username}。", "user_not_found")
    if not has_role(user, Role.FIELD_STAFF):
        raise ReserveError("值班人员须为现场工作人员（field_staff）角色。", code="not_field_staff")
    with transaction.atomic():
        shift, _ = DutyShift.objects.update_or_create(
            day=day,
            post=post[:40],
            defaults={"user": user, "assigned_by": actor, "assigned_at": now},
        )
        _event(
            "reserve.duty.assigned",
            shift,
            actor,
            now,
            day=day.isoformat(),
            post=post,
            user=username,
        )
    return shift
