"""Read helpers of the knowledge app that several layers reuse."""

from __future__ import annotations

import datetime as dt
import difflib

from django.db.models import Count, Max
from django.utils import timezone

from .choices import Audience, Category, Status
from .models import Article, ArticleVersion, Citation, SearchLog

DIFF_FIELDS = (
    ("title", "标题"),
    ("tags", "标签"),
    ("questions", "常见问法"),
    ("category", "分类"),
    ("audience", "适用对象"),
    ("source_issuer", "发文单位"),
    ("source_number", "文号"),
    ("source_date", "发文日期"),
    ("valid_from", "生效时间"),
    ("valid_until", "失效时间"),
)


def version_at(article: Article, when: dt.datetime) -> ArticleVersion | None:
    """The version that was live at ``when`` (None before the first publication)."""
    return article.versions.filter(published_at__lte=when).order_by("-number").first()


def _show(value, name: str = "") -> str:
    if value is None or value == "":
        return "—"
    if name == "category":
        return str(dict(Category.choices).get(value, value))
    if name == "audience":
        return str(dict(Audience.choices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return "、".join(value) or "—"
    return str(value)


def diff_versions(old, new) -> dict:
    """What changed from ``old`` to ``new`` (versions or working copies): changed metadata
    fields, and the body as segments ``(op, text)`` with op in equal/insert/delete — a
    character-level diff, which reads right for Chinese."""
    fields = []
    for name, label in DIFF_FIELDS:
        before = getattr(old, name) if old is not None else None
        after = getattr(new, name)
        if before != after:
            fields.append(
                {"label": label, "before": _show(before, name), "after": _show(after, name)}
            )
    old_body = old.body if old is not None else ""
    matcher = difflib.SequenceMatcher(None, old_body, new.body, autojunk=False)
    segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", new.body[j1:j2]))
        else:
            if i2 > i1:
                segments.append(("delete", old_body[i1:i2]))
            if j2 > j1:
                segments.append(("insert", new.body[j1:j2]))
    changed = bool(fields) or any(op != "equal" for op, _ in segments)
    return {"fields": fields, "segments": segments, "changed": changed}


def most_cited(since: dt.datetime, limit: int = 10) -> list[dict]:
    rows = (
        Citation.objects.filter(at__gte=since)
        .values("article__key", "article__title")
        .annotate(count=Count("id"))
        .order_by("-count", "article__key")[:limit]
    )
    return [
        {"key": r["article__key"], "title": r["article__title"], "count": r["count"]} for r in rows
    ]


def not_found(since: dt.datetime, limit: int = 20) -> list[dict]:
    """Queries that found no good answer since ``since``, most frequent first."""
    rows = (
        SearchLog.objects.filter(at__gte=since, found=False)
        .values("query")
        .annotate(count=Count("id"), last_at=Max("at"))
        .order_by("-count", "-last_at")[:limit]
    )
    return list(rows)


def week_ago(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=7)


def review_queue():
    return (
        Article.objects.in_review()
        .select_related("submitted_by", "last_edited_by", "live_version")
        .order_by("updated_at")
    )


def drafts():
    return Article.objects.filter(status=Status.DRAFT).order_by("-updated_at")
