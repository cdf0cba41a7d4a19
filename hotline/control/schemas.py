"""Request and response shapes of the control API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str


class TestResultSchema(Schema):
    id_hash: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")
    negative: bool
    sampled_at: dt.datetime
    source: str = Field(min_length=1, max_length=40)
    reference: str = Field(default="", max_length=64)


class TestResultsIn(Schema):
    results: list[TestResultSchema] = Field(max_length=10_000)


class RecordedOut(Schema):
    sent: int
    new: int


class ValidityOut(Schema):
    valid: bool
    hours: int


class PassageSchema(Schema):
    client_id: str = Field(min_length=1, max_length=64)
    token: str = Field(max_length=400)
    direction: str = Field(pattern=r"^(exit|return)$")
    at: dt.datetime
    decision: str = Field(pattern=r"^(allowed|refused)$")
    reason: str = Field(max_length=32)
    member: int | None = None
    offline: bool = False


class PassagesIn(Schema):
    passages: list[PassageSchema] = Field(max_length=20_000)


class SyncOut(Schema):
    created: int
    duplicates: int
    conflicts: int


class DecisionIn(Schema):
    decision: str = Field(pattern=r"^(turn_green|keep)$")
    note: str = Field(min_length=1, max_length=500)


class AppealOut(Schema):
    id: int
    id_masked: str
    colour: str
    status: str
    decision: str
    evidence: list[dict]
