"""Knowledge-base articles (知识条目), their published versions, the review workflow's events,
the synonym table, citations and the search log.

An :class:`Article` holds a *working copy* (the fields of :class:`ArticleContent`) and points
at its *live version*: the last :class:`ArticleVersion` a reviewer approved. Editing a published
article changes only the working copy; search keeps serving the live version until the edit is
approved. Every write goes through ``hotline.knowledge.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from hotline.accounts.roles import CENTER_ROLES, Role, roles_of
from hotline.common.models import DomainEvent

from .choices import CONTENT_FIELDS, Audience, Category, Status, Validity

#: Roles that write and review articles (the policy team, 政策组).
POLICY_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

KEY_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,99}$"
key_validator = RegexValidator(
    KEY_PATTERN, "条目编号只能用小写字母、数字、点、横线和下划线，2 到 100 个字符。"
)


def is_policy_team(user) -> bool:
    return bool(roles_of(user) & POLICY_ROLES)


def can_read(user) -> bool:
    """Everyone signed in with a role reads published articles."""
    return bool(roles_of(user))


class ArticleContent(models.Model):
    """What an article says and when it holds."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文（Markdown）")
    tags = models.JSONField("标签", default=list, blank=True)
    #: How callers ask about this matter (常见问法), in their own words: indexed as a boosted
    #: field, so a caller's new phrasing meets one written the same way.
    questions = models.JSONField("常见问法", default=list, blank=True)
    category = models.CharField(
        "分类", max_length=12, choices=Category.choices, default=Category.OTHER
    )
    audience = models.CharField(
        "适用对象", max_length=10, choices=Audience.choices, default=Audience.AGENTS
    )
    source_issuer = models.CharField("发文单位", max_length=200, blank=True)
    source_number = models.CharField("文号", max_length=100, blank=True)
    source_date = models.DateField("发文日期", null=True, blank=True)
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_until = models.DateTimeField("失效时间", null=True, blank=True)

    class Meta:
        abstract = True

    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}

    def validity_at(self, when) -> str:
        """:class:`Validity` at ``when``; the period is [valid_from, valid_until)."""
        if self.valid_from is not None and when < self.valid_from:
            return Validity.NOT_YET
        if self.valid_until is not None and when >= self.valid_until:
            return Validity.EXPIRED
        return Validity.VALID


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Articles with a live version that are not retired (what search serves)."""
        return self.filter(live_version__isnull=False).exclude(status=Status.RETIRED)

    def valid_at(self, when) -> ArticleQuerySet:
        """Published articles whose live version holds at ``when``."""
        return self.published().filter(
            Q(live_version__valid_from__isnull=True) | Q(live_version__valid_from__lte=when),
            Q(live_version__valid_until__isnull=True) | Q(live_version__valid_until__gt=when),
        )

    def in_review(self) -> ArticleQuerySet:
        return self.filter(status=Status.IN_REVIEW)

    def visible_to(self, user) -> ArticleQuerySet:
        """The policy team sees everything; everyone else only published articles."""
        if is_policy_team(user):
            return self
        if can_read(user):
            return self.published()
        return self.none()


class Article(ArticleContent):
    """A knowledge-base article (知识条目): the working copy plus a pointer to the live version.

    ``status`` is the state of the working copy. An article is *published* (searchable) when it
    has a live version and is not retired, even while an edit of it is a draft or in review.
    """

    key = models.CharField("条目编号", max_length=100, unique=True, validators=[key_validator])
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    owner_unit = models.ForeignKey(
        "geo.HandlingUnit",
        verbose_name="负责单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    live_version = models.ForeignKey(
        "ArticleVersion",
        verbose_name="线上版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后编辑人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = "知识条目"
        verbose_name_plural = "知识条目"
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.live_version_id is not None and self.status != Status.RETIRED

    def has_unpublished_changes(self) -> bool:
        live = self.live_version
        return live is None or live.content() != self.content()

    def can_edit(self, user) -> bool:
        return is_policy_team(user) and self.status != Status.IN_REVIEW

    def can_submit(self, user) -> bool:
        return is_policy_team(user) and self.status == Status.DRAFT

    def can_review(self, user) -> bool:
        """A reviewer approves or rejects; never the person who wrote or submitted the edit."""
        return (
            is_policy_team(user)
            and self.status == Status.IN_REVIEW
            and user.pk not in {self.last_edited_by_id, self.submitted_by_id}
        )

    def can_retire(self, user) -> bool:
        return is_policy_team(user) and self.is_published


class ArticleVersion(ArticleContent):
    """One published version of an article (append-only): what was live from ``published_at``
    until the next version or the retirement."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编写人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_note = models.CharField("修改说明", max_length=500, blank=True)
    published_at = models.DateTimeField("发布时间", db_index=True)
    #: The version's words per field as search indexes them, cut when the version is written
    #: (``analysis.stored_tokens``: ``{"scheme", "words"}``). A derived copy of the immutable
    #: content: search cuts them again, and stores them again, when the scheme has changed.
    search_tokens = models.JSONField("检索分词", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "条目版本"
        verbose_name_plural = "条目版本"
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class KnowledgeEvent(DomainEvent):
    """One thing that happened in the knowledge base (append-only), with a dotted code."""

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        verbose_name = "知识库事件"
        verbose_name_plural = "知识库事件"
        ordering = ["id"]


class IndexStamp(models.Model):
    """The one row whose ``version`` every change to what search serves bumps, in the same
    transaction. Each process compares it with the version its in-memory index was built from."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField("索引版本", default=0)

    class Meta:
        verbose_name = "检索索引版本"
        verbose_name_plural = "检索索引版本"

    def __str__(self) -> str:
        return str(self.version)


class SynonymGroup(models.Model):
    """Words callers and notices use for the same thing (变回绿码 ↔ 转码). A query containing
    any term is expanded with the others."""

    terms = models.CharField(
        "同义词", max_length=500, help_text="用逗号或顿号分隔，例如：变回绿码，转码，转绿码"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "同义词组"
        verbose_name_plural = "同义词组"
        ordering = ["id"]

    def __str__(self) -> str:
        return "、".join(self.term_list())

    def term_list(self) -> list[str]:
        return split_terms(self.terms)


def split_terms(text: str) -> list[str]:
    import re

    seen: list[str] = []
    for term in re.split(r"[,，、;；\s]+", text or ""):
        term = term.strip()
        if term and term not in seen:
            seen.append(term)
    return seen


class Citation(models.Model):
    """An article an agent cited when answering a caller (closing at first contact)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    order_number = models.CharField("工单编号", max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接线员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "引用记录"
        verbose_name_plural = "引用记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M}"


class SearchLog(models.Model):
    """A query someone searched for (final queries only, not each keystroke), with whether it
    found a good answer: the policy team reads the misses to know what to write next."""

    query = models.CharField("检索词", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检索人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result_count = models.PositiveSmallIntegerField("结果数", default=0)
    top_key = models.CharField("首条结果", max_length=100, blank=True)
    found = models.BooleanField("找到答案", default=False, db_index=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "检索记录"
        verbose_name_plural = "检索记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.query


def center_user(user) -> bool:
    return bool(roles_of(user) & CENTER_ROLES)
