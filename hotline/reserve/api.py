"""The reserve API (a django-ninja Router added to /api/v1/ by hotline.config.api).

Public (no token, like the booking page): ``GET /reserve/availability``, ``POST
/reserve/bookings``, ``POST /reserve/exceptions``. Reserve staff (token or session):
exception decisions, suspensions, gate checks and passages, people inside, positions,
incidents. Fire signals (``POST /fire/signals``) are authenticated by their signature, not a
token: ``X-Source: <code>`` and ``X-Signature: sha256=<HMAC-SHA256 of the raw body under the
source's secret>`` (see docs/FIRE.md). Personal data is masked in every response.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from ninja import Header, Query, Router
from ninja import Status as Reply
from pydantic import ValidationError

from hotline.common.api_errors import field_errors
from hotline.common.masking import mask_name, mask_phone

from . import queries, services
from .errors import forbidden, invalid, not_found
from .models import Booking, ExceptionRequest, Incident, SignalSource, is_reserve_staff
from .schemas import (
    AreaOut,
    BookingIn,
    BookingOut,
    DecisionIn,
    EndSuspensionIn,
    ErrorOut,
    ExceptionIn,
    ExceptionOut,
    GateOut,
    IncidentOut,
    InsideOut,
    LinkIn,
    PassageIn,
    PassageOut,
    PositionIn,
    ResolveIn,
    SignalIn,
    SignalOut,
    SuspensionIn,
    SuspensionOut,
    Text,
)

router = Router(tags=["自然保护区"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _staff(request) -> None:
    if not is_reserve_staff(request.auth):
        raise forbidden("仅保护区工作人员可以使用此接口。")


def _visitor(data) -> services.VisitorIn:
    return services.VisitorIn(
        name=data.name,
        phone=data.phone,
        id_number=data.id_number,
        party_size=data.party_size,
        plate=data.plate,
    )


def booking_out(b: Booking) -> dict:
    return {
        "number": b.number,
        "area": b.area.code,
        "visit_date": b.visit_date,
        "status": b.status,
        "status_label": b.get_status_display(),
        "name": mask_name(b.name),
        "phone": mask_phone(b.phone),
        "id_number": b.id_masked,
        "party_size": b.party_size,
    }


def exception_out(e: ExceptionRequest) -> dict:
    return {
        "number": e.number,
        "kind": e.kind,
        "area": e.area.code,
        "date_from": e.date_from,
        "date_to": e.date_to,
        "status": e.status,
        "status_label": e.get_status_display(),
        "decision_reason": e.decision_reason,
        "name": mask_name(e.name),
        "phone": mask_phone(e.phone),
        "id_number": e.id_masked,
        "party_size": e.party_size,
    }


# --- bookings -------------------------------------------------------------------------------
@router.get("/reserve/availability", response={200: list[AreaOut], **ERRORS}, auth=None)
def availability(request, date: dt.date = Query(...)):  # noqa: B008
    """各区域某日的容量、已约人数与是否暂停预约（公开）。"""
    return queries.availability(date, timezone.now())


@router.post("/reserve/bookings", response={201: BookingOut, **ERRORS}, auth=None)
def create_booking(request, data: BookingIn):
    """游客预约入园（公开）：暂停期间、当日已满、重复预约均被拒绝。"""
    booking = services.book(
        None,
        area_code=data.area,
        visit_date=data.visit_date,
        visitor=_visitor(data),
        channel="api",
    )
    return Reply(201, booking_out(booking))


@router.post("/reserve/exceptions", response={201: ExceptionOut, **ERRORS}, auth=None)
def create_exception(request, data: ExceptionIn):
    """申请暂停期间特许进入（科研、居民、护林员家属、应急；公开）。"""
    request_ = services.apply_exception(
        None,
        area_code=data.area,
        kind=data.kind,
        date_from=data.date_from,
        date_to=data.date_to,
        purpose=data.purpose,
        visitor=_visitor(data),
    )
    return Reply(201, exception_out(request_))


@router.post("/reserve/exceptions/{number}/decision", response={200: ExceptionOut, **ERRORS})
def decide_exception(request, number: Text, data: DecisionIn):
    """批准或不批准特许进入申请（须填写意见，短信告知申请人）。"""
    decided = services.decide_exception(
        request.auth, number, approve=data.approve, reason=data.reason
    )
    return exception_out(decided)


def suspension_out(s, affected: int) -> dict:
    return {
        "id": s.pk,
        "area": s.area.code if s.area_id else None,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "reason": s.reason,
        "effect": s.effect,
        "bookings_affected": affected,
    }


@router.post("/reserve/suspensions", response={201: SuspensionOut, **ERRORS})
def create_suspension(request, data: SuspensionIn):
    """暂停预约（可不设结束时间 = 另行通知）；已有预约取消或保留待定，并短信告知。"""
    suspension, affected = services.suspend(
        request.auth,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        reason=data.reason,
        effect=data.effect,
        area_code=data.area or None,
    )
    return Reply(201, suspension_out(suspension, affected))


@router.post("/reserve/suspensions/{suspension_id}/end", response={200: SuspensionOut, **ERRORS})
def end_suspension(request, suspension_id: int, data: EndSuspensionIn):
    """设定暂停的结束时间；不再受暂停影响的待定预约恢复有效。"""
    suspension, restored = services.end_suspension(
        request.auth, suspension_id, ends_at=data.ends_at
    )
    return suspension_out(suspension, restored)


def gate_out(r: services.GateResult) -> dict:
    p = r.permit
    return {
        "number": p.number,
        "type": "booking" if r.booking else "exception",
        "valid": r.valid,
        "reason": r.reason,
        "name": mask_name(p.name),
        "id_number": p.id_masked,
        "party_size": p.party_size,
        "inside": r.inside,
    }


@router.get("/reserve/gate/check", response={200: list[GateOut], **ERRORS})
def gate_check(request, entrance: Text, q: Text):
    """卡点核验：按预约号、特许申请号或身份证号查今日有效凭证。"""
    results = services.gate_check(request.auth, entrance_code=entrance, query=q)
    return [gate_out(r) for r in results]


@router.post("/reserve/gate/passages", response={201: PassageOut, **ERRORS})
def register_passage(request, data: PassageIn):
    """登记入园或出园人数。"""
    passage = services.register_passage(
        request.auth,
        entrance_code=data.entrance,
        number=data.number,
        direction=data.direction,
        people=data.people,
    )
    inside = services.inside_count(booking=passage.booking, exception=passage.exception)
    return Reply(
        201,
        {
            "id": passage.pk,
            "direction": passage.direction,
            "people": passage.people,
            "at": passage.at,
            "inside": inside,
        },
    )


@router.get("/reserve/inside", response={200: list[InsideOut], **ERRORS})
def inside(request):
    """尚在保护区内的人员（夜间须逐一联系）。"""
    _staff(request)
    return [
        {
            "number": x.permit.number,
            "type": x.type,
            "area": x.permit.area.code,
            "name": mask_name(x.permit.name),
            "phone": mask_phone(x.permit.phone),
            "inside": x.inside,
            "entered_at": x.entered_at,
        }
        for x in queries.people_inside()
    ]


@router.post("/reserve/positions", response={204: None, **ERRORS})
def report_position(request, data: PositionIn):
    """护林员终端上报当前位置。"""
    services.report_position(request.auth, latitude=data.latitude, longitude=data.longitude)
    return Reply(204, None)


# --- fire watch -----------------------------------------------------------------------------
@router.post("/fire/signals", response={200: SignalOut, 201: SignalOut, **ERRORS}, auth=None)
def receive_signal(
    request,
    x_source: str = Header(..., alias="X-Source"),
    x_signature: str = Header(..., alias="X-Signature"),
):
    """火情信号（视频监控、智能哨卫、防火码卡点、护林员终端、群众报告）：按签名验证，
    匹配到附近正在处置的火情或新建火情并派单。"""
    source = SignalSource.objects.filter(code=x_source.strip()[:40]).first()
    body = request.body
    if source is None or not services.verify_signature(source, body, x_signature):
        raise forbidden("信号签名无效或信号源未登记。", "bad_signature")
    try:
        data = SignalIn.model_validate(json.loads(body or b"null"))
    except (ValueError, ValidationError) as exc:
        errors = field_errors(exc.errors()) if isinstance(exc, ValidationError) else []
        message = "；".join(f"{e['field']}：{e['message']}" for e in errors) or "不是合法的 JSON"
        raise invalid(f"信号内容有误：{message}", "bad_signal") from None
    signal, created = services.receive_signal(
        source,
        services.SignalIn(
            external_id=data.id,
            observed_at=data.observed_at,
            latitude=data.latitude,
            longitude=data.longitude,
            payload=data.payload,
        ),
    )
    incident = signal.incident
    out = {
        "signal": signal.external_id,
        "source": source.code,
        "kind": signal.kind,
        "incident": incident.number,
        "incident_status": incident.status,
        "opened": signal.opened_incident,
    }
    return Reply(201 if created else 200, out)


def incident_out(i: Incident, order: str | None) -> dict:
    return {
        "number": i.number,
        "status": i.status,
        "status_label": i.get_status_display(),
        "latitude": i.latitude,
        "longitude": i.longitude,
        "town_code": i.town_code,
        "in_watch_area": i.in_watch_area,
        "first_seen": i.first_seen,
        "last_seen": i.last_seen,
        "area_km2": i.area_km2,
        "max_frp": i.max_frp,
        "detection_count": i.detection_count,
        "signal_count": i.signal_count,
        "satellites": i.satellites,
        "outcome": i.outcome,
        "order": order,
    }


@router.get("/fire/incidents", response={200: list[IncidentOut], **ERRORS})
def incidents(request, status: Text | None = None):
    """火情列表（最近的在前，最多 200 条）。"""
    _staff(request)
    return [incident_out(i, i.order_number) for i in queries.incident_list(status)]


def _one(number: Text) -> Incident:
    incident = Incident.objects.filter(number=number).first()
    if incident is None:
        raise not_found(f"找不到火情 {number}。", "incident_not_found")
    return incident


@router.get("/fire/incidents/{number}", response={200: IncidentOut, **ERRORS})
def incident(request, number: Text):
    """一个火情。"""
    _staff(request)
    i = _one(number)
    return incident_out(i, queries.order_numbers([i]).get(i.pk))


@router.post("/fire/incidents/{number}/resolve", response={200: IncidentOut, **ERRORS})
def resolve(request, number: Text, data: ResolveIn):
    """处置完毕：已扑灭、误报（可登记为已知误报点）或计划烧除；工单同时答复。"""
    i = services.resolve_incident(
        request.auth, number, outcome=data.outcome, note=data.note, remember_as=data.remember_as
    )
    return incident_out(i, queries.order_numbers([i]).get(i.pk))


@router.post("/fire/incidents/{number}/links", response={201: IncidentOut, **ERRORS})
def link(request, number: Text, data: LinkIn):
    """把群众来电报告火情的工单（公共安全类）关联到火情。"""
    services.link_order(request.auth, number, data.order)
    i = _one(number)
    return Reply(201, incident_out(i, queries.order_numbers([i]).get(i.pk)))
