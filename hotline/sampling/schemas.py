"""Shapes of the sampling API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; a client sending one gets a 422, not a 500.
    if "\x00" in value:
        raise ValueError("NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class ErrorOut(Schema):
    code: str
    message: str


class SampleIn(Schema):
    tube: Text = Field(max_length=32, description="采样管条码")
    person: Text = Field(max_length=40, description="身份证号或居民码")
    site: int = Field(description="采样点编号")
    sampled_at: dt.datetime
    mode: Text = Field("site", description="site 采样点 / door 上门")


class SamplesIn(Schema):
    rows: list[SampleIn] = Field(max_length=10_000)


class ResultIn(Schema):
    tube: Text = Field(max_length=32)
    result: Text = Field(max_length=10, description="阴性/阳性/无效 或 negative/positive/invalid")
    at: dt.datetime


class ResultsIn(Schema):
    file_name: Text = Field("", max_length=200)
    rows: list[ResultIn] = Field(max_length=10_000)


class RowError(Schema):
    row: int
    code: str
    message: str


class ImportOut(Schema):
    rows: int
    created: int
    tubes_closed: int = 0
    errors: list[RowError]


class CoverageOut(Schema):
    village_code: str
    village_name: str
    risk_level: str
    registered: int
    sampled: int
    on_site: int
    door: int
    visitors: int
    missing: int
    percent: float
