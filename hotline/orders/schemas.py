"""Request and response shapes of the orders API (django-ninja / pydantic v2)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel

from hotline.common.schemas import InputSchema

#: Control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _printable(value: str) -> str:
    # NUL and other control characters cannot be stored in PostgreSQL text and are never part
    # of an appeal: refuse them as a field error rather than fail in the database.
    if _CONTROL.search(value):
        raise ValueError("含有不可见的控制字符")
    return value


Text = Annotated[str, AfterValidator(_printable)]


def _sane_time(value: dt.datetime) -> dt.datetime:
    # PostgreSQL refuses offsets beyond ±15:59 and far-off years; a naive time is Maoming time.
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    offset = value.utcoffset() or dt.timedelta()
    if abs(offset) > dt.timedelta(hours=14):
        raise ValueError("时区偏移超出范围（应在 ±14:00 之内）")
    if not 2000 <= value.year <= 2100:
        raise ValueError("时间超出范围（应在 2000–2100 年之间）")
    return value.astimezone(dt.UTC)


Time = Annotated[dt.datetime, AfterValidator(_sane_time)]

ChannelCode = Literal["phone", "web", "wechat", "app", "sms", "email", "open311", "import", "agent"]
AppealTypeCode = Literal["inquiry", "help", "complaint", "report", "suggestion", "praise"]
CategoryCode = Literal[
    "medical", "supplies", "health_code", "testing", "control", "travel", "market", "living",
    "study_work", "safety", "other",
]  # fmt: skip
UrgencyCode = Literal["critical", "urgent", "normal"]
VulnerableCode = Literal["elderly", "child", "sick", "disabled", "pregnant"]
StatusCode = Literal["received", "dispatched", "accepted", "resolved", "closed"]
SatisfactionCode = Literal["satisfied", "basically_satisfied", "dissatisfied"]
DivisionCode = Annotated[str, Field(pattern=r"^[0-9]{6,12}$")]
UnitCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


class OrderIn(InputSchema):
    channel: ChannelCode
    description: Text = Field(min_length=1, max_length=4000)
    caller_name: Text = Field(max_length=64)
    caller_phone: str = Field(max_length=32, pattern=r"^[0-9+\- ]*$")
    address: Text = Field(max_length=255)
    title: Text = Field("", max_length=200)
    appeal_type: AppealTypeCode | None = None
    category: CategoryCode | None = None
    urgency: UrgencyCode | None = None
    vulnerable: list[VulnerableCode] | None = Field(None, max_length=5)
    epidemic_related: bool | None = None
    district_code: DivisionCode | None = None
    town_code: DivisionCode | None = None
    village_code: DivisionCode | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "channel": "phone",
                    "description": "我是公馆镇的残疾人，一个人在家，家里没有吃的了，封控出不去。",
                    "caller_name": "张三",
                    "caller_phone": "13812341234",
                    "address": "茂南区公馆镇某村",
                    "appeal_type": "help",
                    "category": "supplies",
                    "urgency": "urgent",
                    "vulnerable": ["disabled"],
                    "district_code": "440902",
                    "town_code": "440902101",
                }
            ]
        }
    }


class BatchOrderIn(OrderIn):
    """One item of a batch: an appeal with its own idempotency key."""

    idempotency_key: str = Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")


#: Most appeals one batch request may carry.
BATCH_MAX = 500


class OrderBatchIn(InputSchema):
    # Items are validated one by one in the endpoint, so that one bad item is reported in its
    # own result instead of refusing the whole batch.
    items: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX)


# Plain pydantic too (see below): a batch answer has 500 items.
class BatchItemOut(BaseModel):
    index: int
    status: int
    code: str
    message: str = ""
    number: str | None = None
    errors: list[dict[str, Any]] | None = None


class OrderBatchOut(BaseModel):
    created: int
    replayed: int
    failed: int
    items: list[BatchItemOut]


# The answer of a receive and the unit it names are plain pydantic models, not ninja Schemas:
# a Schema wraps every value it validates in a DjangoGetter (to read ORM objects), a Python
# call per field that cost about 30 µs per answer; these are always built from dicts.
class UnitRef(BaseModel):
    code: str
    name: str
    kind: str


class EventOut(Schema):
    code: str
    at: dt.datetime
    actor: str | None
    unit: str | None
    payload: dict[str, Any]


class ExtensionOut(Schema):
    until: dt.datetime
    reason: str
    requested_at: dt.datetime


class OrderOut(Schema):
    number: str
    channel: str
    appeal_type: str
    category: str
    urgency: str
    vulnerable: list[str]
    epidemic_related: bool
    status: str
    status_label: str
    title: str
    description: str
    caller_name: str
    caller_phone: str
    personal_data_masked: bool
    address: str
    district_code: str | None
    town_code: str | None
    village_code: str | None
    latitude: float | None
    longitude: float | None
    handling_unit: UnitRef | None
    co_units: list[UnitRef]
    sla_mode: str
    accept_deadline: dt.datetime | None
    resolve_deadline: dt.datetime | None
    callback_due: dt.datetime | None
    overdue: bool
    received_at: dt.datetime
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    return_count: int
    reopen_count: int
    extension: ExtensionOut | None
    reply: str
    article_key: str
    satisfaction: str
    callback_note: str
    duplicate_of: str | None


class OrderReceivedOut(BaseModel):
    """The answer to ``POST /orders``: the new (or replayed) order's number, status,
    classification, handling unit and deadlines. No appeal text, caller data or timeline —
    ``GET /orders/{number}`` has them."""

    number: str
    status: str
    status_label: str
    channel: str
    appeal_type: str
    category: str
    urgency: str
    vulnerable: list[str]
    epidemic_related: bool
    title: str
    district_code: str | None
    town_code: str | None
    village_code: str | None
    handling_unit: UnitRef | None
    sla_mode: str
    accept_deadline: dt.datetime | None
    resolve_deadline: dt.datetime | None
    received_at: dt.datetime
    dispatched_at: dt.datetime | None


class OrderDetailOut(OrderOut):
    events: list[EventOut]


class OrderPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrderOut]


class OrderFilter(Schema):
    status: StatusCode | None = None
    unit: UnitCode | None = None
    urgency: UrgencyCode | None = None
    category: CategoryCode | None = None
    district: DivisionCode | None = None
    town: DivisionCode | None = None
    overdue: bool | None = None
    created_from: Time | None = None
    created_to: Time | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class DispatchIn(Schema):
    unit: UnitCode
    co_units: list[UnitCode] = Field(default_factory=list, max_length=10)

    model_config = {
        "json_schema_extra": {"examples": [{"unit": "440902101", "co_units": ["dept-health"]}]}
    }


class EmptyIn(Schema):
    pass


class ReasonIn(Schema):
    reason: Text = Field(min_length=1, max_length=500)

    model_config = {
        "json_schema_extra": {"examples": [{"reason": "诉求地点不在本镇辖区，应由新坡镇办理。"}]}
    }


class ExtensionIn(Schema):
    until: Time
    reason: Text = Field(min_length=1, max_length=500)

    model_config = {
        "json_schema_extra": {
            "examples": [{"until": "2022-11-30T18:00:00+08:00", "reason": "需协调供货商和社区。"}]
        }
    }


class DecideExtensionIn(Schema):
    approve: bool
    note: Text = Field("", max_length=500)

    model_config = {
        "json_schema_extra": {"examples": [{"approve": True, "note": "同意延期至 11 月 30 日。"}]}
    }


class NoteIn(Schema):
    text: Text = Field(min_length=1, max_length=2000)

    model_config = {"json_schema_extra": {"examples": [{"text": "已电话联系来电人，情绪稳定。"}]}}


class ResolveIn(Schema):
    reply: Text = Field(min_length=1, max_length=4000)

    model_config = {
        "json_schema_extra": {"examples": [{"reply": "社区已于 17:02 将米、油和蔬菜送到家门口。"}]}
    }


class CallbackIn(Schema):
    satisfaction: SatisfactionCode
    note: Text = Field("", max_length=1000)

    model_config = {
        "json_schema_extra": {
            "examples": [{"satisfaction": "satisfied", "note": "来电人表示已收到物资。"}]
        }
    }


class FirstContactIn(Schema):
    answer: Text = Field(min_length=1, max_length=4000)
    article_key: Text = Field("", max_length=100)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "answer": "最近的核酸采样点在镇政府广场，8:00–20:00 开放。",
                    "article_key": "kb-testing-sites",
                }
            ]
        }
    }


class LinkDuplicateIn(Schema):
    of: Text = Field(min_length=1, max_length=20)

    model_config = {"json_schema_extra": {"examples": [{"of": "20221105-000123"}]}}


class ModeIn(Schema):
    mode: Literal["normal", "surge"]

    model_config = {"json_schema_extra": {"examples": [{"mode": "surge"}]}}


class ModeOut(Schema):
    mode: str
    changed_at: dt.datetime | None
    changed_by: str | None


class ErrorOut(Schema):
    code: str
    message: str
