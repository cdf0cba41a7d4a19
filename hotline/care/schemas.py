"""Request and response shapes of the care API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str


class TaskOut(Schema):
    id: int
    items: str
    status: str
    status_label: str
    assignee: str | None
    by_office: bool
    due_at: dt.datetime
    finished_at: dt.datetime | None
    route_position: int | None
    code_confirmed: bool
    has_photo: bool


class RequestOut(Schema):
    id: int
    origin: str
    order: str | None
    unit: str
    town: str
    village: str | None
    need: str
    need_label: str
    description: str
    urgent: bool
    vulnerable: list[str]
    household_name: str
    household_phone: str
    address: str
    masked: bool
    status: str
    received_at: dt.datetime
    done_at: dt.datetime | None
    minutes_to_help: int | None
    tasks: list[TaskOut]


class FromOrderIn(Schema):
    order: str = Field(min_length=1, max_length=20)
    need: str = Field(max_length=12)
    items: str = Field("", max_length=300)
    address: str = Field("", max_length=255)
    village_code: str = Field("", max_length=12)


class CommunityIn(Schema):
    town_code: str = Field(min_length=9, max_length=9)
    village_code: str = Field("", max_length=12)
    need: str = Field(max_length=12)
    description: str = Field(min_length=1, max_length=2000)
    address: str = Field(min_length=1, max_length=255)
    household_name: str = Field("", max_length=64)
    household_phone: str = Field("", max_length=32)
    urgent: bool = False
    vulnerable: list[str] = Field(default_factory=list, max_length=5)
    items: str = Field("", max_length=300)


class AssignIn(Schema):
    volunteer: int | None = None
    by_office: bool = False


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class RouteIn(Schema):
    volunteer: int
    tasks: list[int] = Field(min_length=1, max_length=200)
