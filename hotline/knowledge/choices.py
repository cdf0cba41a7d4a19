"""Choices of the knowledge app. Categories are the shared taxonomy (TAXONOMY.md), the same
codes as work orders."""

from django.db import models

from hotline.orders.choices import Category

__all__ = ["Audience", "Category", "EventCode", "Status", "Validity"]


class Status(models.TextChoices):
    """Workflow state of an article's working copy (the live version may be older)."""

    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class Audience(models.TextChoices):
    AGENTS = "agents", "仅供接线员"
    PUBLIC = "public", "可告知公众"


class Validity(models.TextChoices):
    """Where a time falls in an article's validity period."""

    VALID = "valid", "有效"
    NOT_YET = "not_yet", "尚未生效"
    EXPIRED = "expired", "已过期"


class EventCode(models.TextChoices):
    CREATED = "knowledge.article.created", "新建草稿"
    EDITED = "knowledge.article.edited", "修改草稿"
    SUBMITTED = "knowledge.article.submitted", "提交审核"
    REJECTED = "knowledge.article.rejected", "退回修改"
    PUBLISHED = "knowledge.article.published", "审核通过并发布"
    RETIRED = "knowledge.article.retired", "停用"
    IMPORTED = "knowledge.article.imported", "批量导入"
    SYNONYMS_CHANGED = "knowledge.synonyms.changed", "同义词变更"


#: The content fields shared by the working copy and each version (the import/export format).
CONTENT_FIELDS = (
    "title",
    "body",
    "tags",
    "questions",
    "category",
    "audience",
    "source_issuer",
    "source_number",
    "source_date",
    "valid_from",
    "valid_until",
)
