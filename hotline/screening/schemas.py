"""Request and response shapes of the screening API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str


class StatusIn(Schema):
    test_result: str = Field(max_length=12)
    test_date: dt.date | None = None
    symptoms: bool = False
    symptom_note: str = Field("", max_length=200)
    location: str = Field(max_length=100)
    on_duty: bool = True


class LedgerIn(Schema):
    rows: dict[int, StatusIn] = Field(min_length=1, max_length=2000)


class LedgerRowOut(Schema):
    person: int
    name: str
    kind: str
    post: str
    phone: str
    test_result: str | None
    symptoms: bool | None
    location: str | None
    on_duty: bool | None
    late: bool | None


class LedgerOut(Schema):
    unit: str
    day: dt.date
    cutoff: dt.time
    filler: str | None
    summary: dict[str, int]
    rows: list[LedgerRowOut]


class ReportIn(Schema):
    values: dict[str, str | int | bool | None] = Field(default_factory=dict, max_length=100)


class ReportOut(Schema):
    id: int
    form: str
    unit: str
    day: dt.date
    status: str
    late: bool
    values: dict
    submitted_at: dt.datetime
    return_reason: str


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class UnitRowOut(Schema):
    unit: str
    name: str
    status: str
    late: bool


class DistrictOut(Schema):
    code: str
    name: str
    units: int
    submitted: int
    approved: int
    returned: int
    missing: int
    late: int
    rows: list[UnitRowOut]
