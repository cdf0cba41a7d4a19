"""Request and response shapes of the stats API (django-ninja / pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

TableCode = Literal[
    "hours", "channels", "categories", "towns", "pipeline", "overdue", "units", "districts"
]  # fmt: skip


class ErrorOut(Schema):
    code: str
    message: str


class PeriodIn(Schema):
    start: dt.date | None = Field(None, description="开始日期（含），默认今天")
    end: dt.date | None = Field(None, description="结束日期（含），默认与开始日期相同")


class ReportIn(Schema):
    day: dt.date | None = Field(None, description="日报日期，默认今天")
    cutoff: int = Field(
        24, ge=1, le=24, description="截止时间（时）：统计当天 0 时至该时受理的工单"
    )


class VolumeOut(Schema):
    label: str
    count: int
    last_year: int | None


class ChannelOut(Schema):
    code: str
    name: str
    count: int
    share: float | None


class CategoryOut(Schema):
    code: str
    name: str
    count: int
    epidemic: int
    epidemic_share: float | None


class TownOut(Schema):
    code: str
    name: str
    count: int


class HeatCellOut(Schema):
    count: int
    level: int


class HeatRowOut(Schema):
    name: str
    cells: list[HeatCellOut]


class HeatOut(Schema):
    columns: list[str]
    rows: list[HeatRowOut]


class StepOut(Schema):
    step: str
    name: str
    count: int
    median_minutes: float | None


class OverdueOut(Schema):
    unit: str
    orders: int
    open: int


class BoardOut(Schema):
    scope: str
    start: str
    end: str
    by_hour: bool
    total: int
    epidemic: int
    last_year_total: int | None
    yoy: float | None = Field(description="同比（%），去年同日；无去年数据为 null")
    last_year_epidemic: int | None
    epidemic_yoy: float | None
    phone: int
    online: int
    volume: list[VolumeOut]
    channels: list[ChannelOut]
    categories: list[CategoryOut]
    towns: list[TownOut]
    heat: HeatOut
    pipeline: list[StepOut]
    overdue: list[OverdueOut]


class LeagueRowOut(Schema):
    name: str
    rank: int | None = None
    unit_id: int | None = None
    code: str | None = None
    dispatches: int
    accept_due: int
    accept_on_time: int
    resolve_due: int
    resolve_on_time: int
    resolves: int
    returns: int
    reopens: int
    rated: int
    satisfied: int
    overdue: int
    accept_rate: float | None = Field(description="按时签收率（%）")
    resolve_rate: float | None = Field(description="按时办结率（%）")
    satisfaction_rate: float | None = Field(description="满意率（%）")
    return_rate: float | None = Field(description="回退率（%）")
    reopen_rate: float | None = Field(description="重办率（%）")
    median_accept_minutes: float | None
    median_resolve_minutes: float | None
    received: int | None = None
    first_contact: int | None = None
    first_contact_rate: float | None = Field(None, description="首呼解决率（%）")


class LeagueOut(Schema):
    scope: str
    start: str
    end: str
    units: list[LeagueRowOut]
    districts: list[LeagueRowOut]
    total: LeagueRowOut


class UrgentOut(Schema):
    urgency: str
    name: str
    received: int
    accepted: int
    resolved: int
    median_minutes_to_help: float | None


class ReportOut(Schema):
    day: str
    cutoff_hour: int
    figures: BoardOut
    urgent: list[UrgentOut]
    overdue_orders: int
    league: LeagueOut


class TableOut(Schema):
    title: str
    headers: list[str]
    rows: list[list[str | int | float | None]]


class HistoryIn(Schema):
    csv: str = Field(
        min_length=1,
        max_length=5_000_000,
        description="CSV 文本：表头 date,count（可选 hour,channel,epidemic），如 2021-11-05,2530",
    )
    source: str = Field("", max_length=200)


class HistoryOut(Schema):
    rows: int
    days: int
    first: str
    last: str
    total: int
    source: str


class HistoryRowOut(Schema):
    day: dt.date
    hour: int | None
    channel: str
    epidemic: bool | None
    count: int
