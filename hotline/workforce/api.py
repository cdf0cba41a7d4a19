"""The workforce API (a django-ninja Router added to /api/v1/ by hotline.config.api): who is on
shift, the staffing table and an Erlang calculator, sign-in and sign-out, call records from
the telephony system, people (masked), teams with their batches, and duties for other apps.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from . import erlang, queries, services
from .errors import forbidden, invalid
from .models import Duty, Person, Shift, can_view_workforce, is_manager
from .schemas import (
    CallIn,
    CallOut,
    DutyIn,
    DutyOut,
    ErlangIn,
    ErlangOut,
    ErrorOut,
    OnShiftOut,
    PersonOut,
    ShiftOut,
    StaffingOut,
    TeamOut,
)

router = Router(tags=["人员与排班"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _manager(request):
    if not is_manager(request.user):
        raise forbidden("只有值班长和系统管理员可以查看或修改这些内容。")


def _viewer(request):
    if not can_view_workforce(request.user):
        raise forbidden("您的角色不能查看人员与排班。")


@router.get(
    "/workforce/on-shift",
    response={200: list[OnShiftOut], **ERRORS},
    summary="当前在岗人员及今日负荷",
)
def on_shift(request):
    _manager(request)
    return [{**row, "person_id": row["person"].pk} for row in queries.on_shift_now(timezone.now())]


class DayQuery(Schema):
    # Bounded: the forecast reads weeks back and the table a day ahead (date.min/max overflow).
    day: dt.date | None = Field(
        None,
        ge=queries.FIRST_DAY,
        le=queries.LAST_DAY,
        description=f"日期，{queries.FIRST_DAY} 至 {queries.LAST_DAY}，默认今天",
    )


@router.get(
    "/workforce/staffing",
    response={200: StaffingOut, **ERRORS},
    summary="分时段来量、预测与所需人数（Erlang C / A）",
)
def staffing(request, q: Query[DayQuery]):
    _manager(request)
    now = timezone.now()
    data = queries.staffing(q.day or timezone.localdate(now), now)
    return {
        "day": data["day"],
        "aht_seconds": data["aht"],
        "aht_source": data["aht_source"],
        "forecast_method": data["forecast"].method,
        "service_target": data["policy"].service_target,
        "answer_seconds": data["policy"].answer_seconds,
        "intervals": data["rows"],
    }


@router.post(
    "/workforce/erlang", response={200: ErlangOut, **ERRORS}, summary="Erlang C / Erlang A 测算"
)
def erlang_calc(request, payload: ErlangIn):
    _viewer(request)
    rate = payload.calls_per_interval / (queries.INTERVAL_MINUTES * 60)
    aht, t = payload.aht_seconds, payload.answer_seconds
    if rate * aht > erlang.MAX_AGENTS * 0.9:
        raise invalid(f"负荷过大（超过 {erlang.MAX_AGENTS} 名坐席的测算范围）。", "load_too_large")
    need_c = erlang.agents_erlang_c(rate, aht, payload.service_target, t)
    need_a = erlang.agents_erlang_a(rate, aht, payload.patience_seconds, payload.service_target, t)
    c = erlang.erlang_c_figures(max(need_c, 1), rate, aht, t)
    a = erlang.erlang_a_figures(need_a, rate, aht, payload.patience_seconds, t)
    return {
        "load": rate * aht,
        "needed_c": need_c,
        "needed_a": need_a,
        "service_level_c": c.service_level,
        "wait_probability_c": c.wait_probability,
        "average_speed_of_answer_c": c.average_speed_of_answer,
        "service_level_a": a.service_level,
        "abandon_probability_a": a.abandon_probability,
    }


def _shift_json(s: Shift) -> dict:
    return {
        "id": s.pk,
        "person_id": s.person_id,
        "pattern": s.pattern,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "signed_in_at": s.signed_in_at,
        "signed_out_at": s.signed_out_at,
    }


@router.post(
    "/workforce/shifts/{shift_id}/sign-in", response={200: ShiftOut, **ERRORS}, summary="签到"
)
def sign_in(request, shift_id: int):
    return _shift_json(services.sign_in(request.user, get_object_or_404(Shift, pk=shift_id)))


@router.post(
    "/workforce/shifts/{shift_id}/sign-out", response={200: ShiftOut, **ERRORS}, summary="签退"
)
def sign_out(request, shift_id: int):
    return _shift_json(services.sign_out(request.user, get_object_or_404(Shift, pk=shift_id)))


@router.post(
    "/workforce/calls",
    response={200: CallOut, 201: CallOut, **ERRORS},
    summary="记录一通话务（话务系统对接）",
)
def record_call(request, payload: CallIn):
    person = get_object_or_404(Person, pk=payload.person_id)
    call, created = services.record_call(
        request.user,
        person,
        started_at=payload.started_at,
        talk_seconds=payload.talk_seconds,
        wrap_seconds=payload.wrap_seconds,
        order_number=payload.order_number,
    )
    body = {
        "id": call.pk,
        "person_id": person.pk,
        "started_at": call.started_at,
        "talk_seconds": call.talk_seconds,
        "wrap_seconds": call.wrap_seconds,
        "created": created,
    }
    return HttpStatus(201 if created else 200, body)


class PeopleQuery(Schema):
    kind: str | None = None
    agency: str | None = None
    limit: int = Field(200, ge=1, le=500)
    # bounded: an offset past PostgreSQL's bigint was a 500 (found by the schemathesis run)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get(
    "/workforce/people",
    response={200: list[PersonOut], **ERRORS},
    summary="人员列表（手机号脱敏）",
)
def list_people(request, q: Query[PeopleQuery]):
    _manager(request)
    qs = Person.objects.active().order_by("id")
    if q.kind:
        qs = qs.filter(kind=q.kind)
    if q.agency:
        qs = qs.filter(home_agency=q.agency)
    rows = queries.people_rows(qs[q.offset : q.offset + q.limit])
    return [
        {
            "id": r["person"].pk,
            "name": r["person"].name,
            "kind": r["person"].kind,
            "home_agency": r["person"].home_agency,
            "phone": r["phone"],
            "id_masked": r["person"].id_masked,
            "skills": r["person"].skills,
            "party_member": r["person"].party_member,
            "trained": r["trained"],
        }
        for r in rows
    ]


@router.get(
    "/workforce/teams", response={200: list[TeamOut], **ERRORS}, summary="队伍及当日派出批次"
)
def list_teams(request, q: Query[DayQuery]):
    _viewer(request)
    day = q.day or timezone.localdate()
    return [
        {
            "id": t["team"].pk,
            "name": t["team"].name,
            "home_agency": t["team"].home_agency,
            "leader": t["team"].leader.name if t["team"].leader else None,
            "members": t["team"].n_members,
            "deployments": [
                {
                    "id": o["deployment"].pk,
                    "batch": o["deployment"].batch,
                    "site_kind": o["deployment"].site_kind,
                    "site_name": o["deployment"].site_name,
                    "site_division": o["deployment"].site_division_id,
                    "tasks": o["deployment"].tasks,
                    "starts_on": o["deployment"].starts_on,
                    "ends_on": o["deployment"].ends_on,
                    "status": o["deployment"].status,
                    "members": o["deployment"].n,
                }
                for o in t["out"]
            ],
        }
        for t in queries.team_board(day)
    ]


def _duty_json(d: Duty) -> dict:
    return {
        "id": d.pk,
        "person_id": d.person_id,
        "person_name": d.person.name,
        "source_app": d.source_app,
        "source_type": d.source_type,
        "source_id": d.source_id,
        "task": d.task,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "released_at": d.released_at,
    }


@router.post(
    "/workforce/duties",
    response={201: DutyOut, **ERRORS},
    summary="分派勤务（供卡点、采样、关爱等应用调用）",
)
def assign_duty(request, payload: DutyIn):
    _manager(request)
    person = get_object_or_404(Person, pk=payload.person_id)
    duty = services.assign_duty(
        request.user,
        person,
        source_app=payload.source_app,
        source_type=payload.source_type,
        source_id=payload.source_id,
        task=payload.task,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return HttpStatus(201, _duty_json(duty))


@router.post(
    "/workforce/duties/{duty_id}/release", response={200: DutyOut, **ERRORS}, summary="解除勤务"
)
def release_duty(request, duty_id: int):
    _manager(request)
    duty = get_object_or_404(Duty.objects.select_related("person"), pk=duty_id)
    return _duty_json(services.release_duty(request.user, duty))
