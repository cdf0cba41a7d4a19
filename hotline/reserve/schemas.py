"""Request and response shapes of the reserve and fire-watch API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from hotline.orders.schemas import Text, Time

ExceptionKindCode = Literal["research", "resident", "ranger_family", "emergency"]
OutcomeCode = Literal["extinguished", "false_alarm", "controlled_burn"]


class ErrorOut(Schema):
    code: str
    message: str


class VisitorFields(Schema):
    name: Text = Field(..., min_length=1, max_length=40, description="姓名")
    phone: Text = Field(..., min_length=1, max_length=20, description="手机号（接收短信）")
    id_number: Text = Field(
        ..., min_length=1, max_length=24, description="身份证号（只存散列与遮蔽形式）"
    )
    party_size: int = Field(..., ge=1, le=10, description="人数")
    plate: Text = Field("", max_length=12, description="车牌号（可空）")


class BookingIn(VisitorFields):
    area: Text = Field(..., max_length=30, description="区域代码")
    visit_date: dt.date


class BookingOut(Schema):
    number: str
    area: str
    visit_date: dt.date
    status: str
    status_label: str
    name: str
    phone: str
    id_number: str
    party_size: int


class AreaOut(Schema):
    code: str
    name: str
    daily_capacity: int
    booked: int
    left: int
    open: bool
    message: str


class ExceptionIn(VisitorFields):
    area: Text = Field(..., max_length=30)
    kind: ExceptionKindCode
    date_from: dt.date
    date_to: dt.date
    purpose: Text = Field(..., min_length=1, max_length=300)


class ExceptionOut(Schema):
    number: str
    kind: str
    area: str
    date_from: dt.date
    date_to: dt.date
    status: str
    status_label: str
    decision_reason: str
    name: str
    phone: str
    id_number: str
    party_size: int


class DecisionIn(Schema):
    approve: bool
    reason: Text = Field(..., min_length=1, max_length=300)


class SuspensionIn(Schema):
    starts_at: Time
    ends_at: Time | None = None
    reason: Text = Field(..., min_length=1, max_length=200)
    effect: Literal["cancel", "hold"] = "cancel"
    area: Text | None = Field(None, max_length=30, description="空 = 全保护区")


class EndSuspensionIn(Schema):
    ends_at: Time


class SuspensionOut(Schema):
    id: int
    area: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    reason: str
    effect: str
    bookings_affected: int


class GateOut(Schema):
    number: str
    type: Literal["booking", "exception"]
    valid: bool
    reason: str
    name: str
    id_number: str
    party_size: int
    inside: int


class PassageIn(Schema):
    entrance: Text = Field(..., max_length=30)
    number: Text = Field(..., max_length=24)
    direction: Literal["in", "out"]
    people: int = Field(..., ge=1, le=10)


class PassageOut(Schema):
    id: int
    direction: str
    people: int
    at: dt.datetime
    inside: int


class InsideOut(Schema):
    number: str
    type: str
    area: str
    name: str
    phone: str
    inside: int
    entered_at: dt.datetime


class PositionIn(Schema):
    latitude: float = Field(..., ge=-90, le=90)
    longitude: float = Field(..., ge=-180, le=180)


class SignalIn(Schema):
    id: Text = Field(..., min_length=1, max_length=64, description="信号在信号源内的唯一编号")
    observed_at: Time
    latitude: float = Field(..., ge=-90, le=90)
    longitude: float = Field(..., ge=-180, le=180)
    payload: dict[str, Any] = Field(default_factory=dict)


class SignalOut(Schema):
    signal: str
    source: str
    kind: str
    incident: str
    incident_status: str
    opened: bool


class IncidentOut(Schema):
    number: str
    status: str
    status_label: str
    latitude: float
    longitude: float
    town_code: str
    in_watch_area: bool
    first_seen: dt.datetime
    last_seen: dt.datetime
    area_km2: float
    max_frp: float | None
    detection_count: int
    signal_count: int
    satellites: str
    outcome: str
    order: str | None


class ResolveIn(Schema):
    outcome: OutcomeCode
    note: Text = Field("", max_length=300)
    remember_as: Text = Field("", max_length=80, description="误报时登记为已知误报点的名称")


class LinkIn(Schema):
    order: Text = Field(..., max_length=20, description="来电工单编号")
