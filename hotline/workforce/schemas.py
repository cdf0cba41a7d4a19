"""Request and response shapes of the workforce API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str


class OnShiftOut(Schema):
    person_id: int
    name: str
    kind: str
    pattern: str
    signed_in_at: dt.datetime
    ends_at: dt.datetime
    orders: int
    critical: int
    calls: int
    handled_seconds: int
    talk_seconds: int
    over_cap: bool


class IntervalOut(Schema):
    start: dt.datetime
    observed: int | None
    expected: float
    needed_c: int
    needed_a: int
    rostered: int
    present: int
    on: int


class StaffingOut(Schema):
    day: dt.date
    aht_seconds: int
    aht_source: str
    forecast_method: str
    service_target: float
    answer_seconds: int
    intervals: list[IntervalOut]


class ErlangIn(Schema):
    calls_per_interval: float = Field(..., ge=0, le=100_000, description="每 15 分钟来电量")
    aht_seconds: float = Field(..., ge=10, le=7200)
    patience_seconds: float = Field(120, ge=1, le=7200)
    service_target: float = Field(0.8, gt=0, lt=1)
    answer_seconds: float = Field(20, ge=0, le=3600)


class ErlangOut(Schema):
    load: float
    needed_c: int
    needed_a: int
    service_level_c: float
    wait_probability_c: float
    average_speed_of_answer_c: float
    service_level_a: float
    abandon_probability_a: float


class ShiftOut(Schema):
    id: int
    person_id: int
    pattern: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None


class CallIn(Schema):
    person_id: int
    started_at: dt.datetime
    talk_seconds: int = Field(..., ge=0, le=14400)
    wrap_seconds: int = Field(0, ge=0, le=14400)
    order_number: str = Field("", max_length=20)


class CallOut(Schema):
    id: int
    person_id: int
    started_at: dt.datetime
    talk_seconds: int
    wrap_seconds: int
    created: bool


class PersonOut(Schema):
    id: int
    name: str
    kind: str
    home_agency: str
    phone: str
    id_masked: str
    skills: list[str]
    party_member: bool
    trained: bool


class DeploymentOut(Schema):
    id: int
    batch: int
    site_kind: str
    site_name: str
    site_division: str | None
    tasks: list[str]
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    members: int


class TeamOut(Schema):
    id: int
    name: str
    home_agency: str
    leader: str | None
    members: int
    deployments: list[DeploymentOut]


class DutyIn(Schema):
    person_id: int
    source_app: str = Field(..., min_length=1, max_length=30)
    source_type: str = Field(..., min_length=1, max_length=30)
    source_id: str = Field(..., min_length=1, max_length=64)
    task: str = Field(..., min_length=1, max_length=30)
    starts_at: dt.datetime
    ends_at: dt.datetime


class DutyOut(Schema):
    id: int
    person_id: int
    person_name: str
    source_app: str
    source_type: str
    source_id: str
    task: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    released_at: dt.datetime | None
