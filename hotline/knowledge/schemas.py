"""Request and response shapes of the knowledge API (django-ninja / pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator


def _printable(value: str) -> str:
    # PostgreSQL cannot store NUL; other control characters are never part of an article.
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValueError("含有不可见的控制字符")
    return value


Text = Annotated[str, AfterValidator(_printable)]
CategoryCode = Literal[
    "medical", "supplies", "health_code", "testing", "control", "travel", "market", "living",
    "study_work", "safety", "other",
]  # fmt: skip
AudienceCode = Literal["agents", "public"]
StatusCode = Literal["draft", "in_review", "published", "retired"]


class ErrorOut(Schema):
    code: str
    message: str


class SearchFilter(Schema):
    q: Text = Field(min_length=1, max_length=500, description="检索词（来电人的原话即可）")
    at: dt.datetime | None = Field(None, description="按这个时间点判断有效期，默认现在")
    limit: int = Field(5, ge=1, le=50)
    audience: AudienceCode = Field("agents", description="public 只返回可告知公众的条目")
    include_expired: bool = Field(False, description="同时返回已过期、尚未生效的条目（带标注）")


class SuggestFilter(Schema):
    text: Text = Field(min_length=1, max_length=4000, description="正在录入的诉求内容")
    at: dt.datetime | None = None
    limit: int = Field(3, ge=1, le=10)
    audience: AudienceCode = "agents"


class HitOut(Schema):
    key: str
    title: str
    score: float
    category: str
    audience: str
    validity: str
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    matched: list[str]
    snippet: str
    snippet_html: str


class SearchOut(Schema):
    query: str
    expansions: list[str]
    found: bool
    #: True when the best article shares no word with the query: treat it as nothing found.
    no_match: bool = False
    results: list[HitOut]


class ArticleIn(Schema):
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=20000)
    tags: list[Text] = Field(default_factory=list, max_length=12)
    questions: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20, description="常见问法：来电人通常怎么问，每条一句"
    )
    category: CategoryCode = "other"
    audience: AudienceCode = "agents"
    source_issuer: Text = Field("", max_length=200)
    source_number: Text = Field("", max_length=100)
    source_date: dt.date | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


class ArticleCreateIn(ArticleIn):
    key: str = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]+$")


class NoteIn(Schema):
    note: Text = Field("", max_length=500)


class CitationIn(Schema):
    article_key: Text = Field(min_length=1, max_length=100)
    order_number: Text = Field("", max_length=20)


class VersionOut(Schema):
    number: int
    title: str
    published_at: dt.datetime
    author: str | None
    approved_by: str | None
    change_note: str


class ArticleOut(Schema):
    key: str
    status: str
    status_label: str
    published: bool
    validity: str | None
    title: str
    body: str
    tags: list[str]
    questions: list[str]
    category: str
    audience: str
    source_issuer: str
    source_number: str
    source_date: dt.date | None
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    live_version: int | None
    review_note: str
    versions: list[VersionOut]


class ArticleListItem(Schema):
    key: str
    title: str
    status: str
    category: str
    live_version: int | None
    updated_at: dt.datetime


class UsageRow(Schema):
    key: str
    title: str
    count: int


class MissRow(Schema):
    query: str
    count: int
    last_at: dt.datetime


class UsageOut(Schema):
    since: dt.datetime
    most_cited: list[UsageRow]
    not_found: list[MissRow]
