"""Every write of the knowledge base: the review workflow, import, synonyms, usage.

Services take the acting user first, run in one transaction, lock what they change, validate and
raise :class:`KnowledgeError` with a message a person can act on, and write a
:class:`KnowledgeEvent`. Whatever changes what search serves (publish, retire, import, synonyms)
bumps the :class:`IndexStamp` in the same transaction, so every process rebuilds its index.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .analysis import stored_tokens
from .choices import Audience, Category, EventCode, Status
from .errors import KnowledgeError, forbidden, invalid, not_found
from .models import (
    CONTENT_FIELDS,
    KEY_PATTERN,
    Article,
    ArticleVersion,
    Citation,
    IndexStamp,
    KnowledgeEvent,
    SearchLog,
    SynonymGroup,
    center_user,
    is_policy_team,
    key_validator,
    split_terms,
)

KEY_RE = re.compile(KEY_PATTERN)

MAX_TAGS = 12
MAX_BODY = 20000
MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 100


def _now(now):
    return now or timezone.now()


def _event(article, code: str, actor, now, payload: dict | None = None) -> KnowledgeEvent:
    return KnowledgeEvent.objects.create(
        article=article, code=code, actor=actor, payload=payload or {}, at=now
    )


def bump_index_stamp() -> None:
    """Tell every process that what search serves has changed (same transaction as the change).

    The stamp is random rather than a counter so that a bump in a rolled-back transaction can
    never be mistaken for a later, committed one."""
    updated = IndexStamp.objects.filter(pk=1).update(version=secrets.randbits(62))
    if not updated:
        IndexStamp.objects.get_or_create(pk=1, defaults={"version": secrets.randbits(62)})


def _require_policy(actor, what: str) -> None:
    if not is_policy_team(actor):
        raise forbidden(f"只有政策组（值班长、系统管理员）可以{what}。")


def well_formed_key(key) -> bool:
    """A key that can exist; anything else (NUL included, which PostgreSQL refuses in a query)
    is simply not found."""
    return isinstance(key, str) and KEY_RE.fullmatch(key) is not None


def _lock(key: str) -> Article:
    if not well_formed_key(key):
        raise not_found(str(key)[:100])
    article = Article.objects.select_for_update().filter(key=key).first()
    if article is None:
        raise not_found(key)
    return article


# --- content validation (shared by the API, the forms and import) ---------------------------


#: Dates outside these years are typing mistakes (and PostgreSQL rejects some of them).
YEARS = range(2000, 2100)


def _parse_text_datetime(text: str):
    try:
        parsed = parse_datetime(text)
        if parsed is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = parse_date(text)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:  # well formed but impossible, such as 2022-02-30
        return None
    return parsed


def _as_datetime(value, field: str, label: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        parsed = _parse_text_datetime(value.strip())
        if parsed is None:
            raise invalid(f"{label}格式有误，应为 2022-11-07T00:00:00+08:00 或 2022-11-07。", field)
    else:
        raise invalid(f"{label}格式有误。", field)
    if parsed.year not in YEARS:
        raise invalid(f"{label}应在 2000 年到 2099 年之间。", field)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.astimezone(dt.UTC)


def _as_date(value, field: str, label: str):
    if value in (None, ""):
        return None
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = parse_date(value.strip()[:10])
        except ValueError:
            day = None
    if day is None:
        raise invalid(f"{label}格式有误，应为 2022-11-06。", field)
    if day.year not in YEARS:
        raise invalid(f"{label}应在 2000 年到 2099 年之间。", field)
    return day


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control(text: str) -> str:
    """``text`` without control characters (PostgreSQL cannot store NUL)."""
    return _CONTROL_RE.sub("", text or "")


def _check_printable(data: dict) -> None:
    values = [(k, v) for k, v in data.items() if isinstance(v, str)]
    for name in ("tags", "questions"):
        items = data.get(name)
        if isinstance(items, list):
            values += [(name, t) for t in items if isinstance(t, str)]
    source = data.get("source")
    if isinstance(source, dict):
        values += [("source", v) for v in source.values() if isinstance(v, str)]
    for name, value in values:
        if _CONTROL_RE.search(value):
            raise invalid("内容含有不可见的控制字符，请删除后再保存。", name)


def _title(data, source):
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise invalid("请填写标题。", "title")
    if len(title.strip()) > 200:
        raise invalid("标题不能超过 200 个字。", "title")
    return title.strip()


def _body(data, source):
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise invalid("请填写正文。", "body")
    if len(body) > MAX_BODY:
        raise invalid(f"正文不能超过 {MAX_BODY} 个字。", "body")
    return body.strip()


def _tags(data, source):
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = split_terms(tags)
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise invalid("标签应为文字列表。", "tags")
    tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > 30 for t in tags):
        raise invalid(f"标签最多 {MAX_TAGS} 个，每个不超过 30 个字。", "tags")
    return tags


def _questions(data, source):
    """How callers ask (常见问法): a list, or text with one question per line."""
    questions = data.get("questions") or []
    if isinstance(questions, str):
        questions = questions.splitlines()
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise invalid("常见问法应为文字列表，每条一句。", "questions")
    questions = list(dict.fromkeys(" ".join(q.split()) for q in questions if q.strip()))
    if len(questions) > MAX_QUESTIONS or any(len(q) > MAX_QUESTION_CHARS for q in questions):
        raise invalid(
            f"常见问法最多 {MAX_QUESTIONS} 条，每条不超过 {MAX_QUESTION_CHARS} 个字。", "questions"
        )
    return questions


def _category(data, source):
    category = data.get("category") or Category.OTHER
    if category not in Category.values:
        raise invalid(f"分类“{category}”不存在，可选：{'、'.join(Category.values)}。", "category")
    return category


def _audience(data, source):
    audience = data.get("audience") or Audience.AGENTS
    if audience not in Audience.values:
        raise invalid("适用对象只能是 agents（仅接线员）或 public（可告知公众）。", "audience")
    return audience


def _text(name: str, key: str, label: str, limit: int):
    def clean(data, source):
        value = data.get(name, source.get(key, "")) or ""
        if not isinstance(value, str) or len(value) > limit:
            raise invalid(f"{label}应为不超过 {limit} 字的文字。", name)
        return value.strip()

    return clean


_CLEANERS = (
    ("title", _title),
    ("body", _body),
    ("tags", _tags),
    ("questions", _questions),
    ("category", _category),
    ("audience", _audience),
    ("source_issuer", _text("source_issuer", "issuer", "发文单位", 200)),
    ("source_number", _text("source_number", "number", "文号", 100)),
    (
        "source_date",
        lambda d, s: _as_date(d.get("source_date", s.get("date")), "source_date", "发文日期"),
    ),
    ("valid_from", lambda d, s: _as_datetime(d.get("valid_from"), "valid_from", "生效时间")),
    ("valid_until", lambda d, s: _as_datetime(d.get("valid_until"), "valid_until", "失效时间")),
)


def clean_content(data: dict) -> dict:
    """Validated content fields from ``data`` (missing optional fields take their defaults).

    ``source`` may be given as one object ``{"issuer", "number", "date"}`` (the import format).
    Every field is checked; the KnowledgeError names the first bad field and carries all of
    them in ``errors`` so a form can show each message next to its field."""
    _check_printable(data)
    source = data.get("source")
    if source is not None and not isinstance(source, dict):
        raise invalid(
            '来源应为对象：{"issuer": 发文单位, "number": 文号, "date": 日期}。', "source"
        )
    source = source or {}
    content, errors = {}, {}
    for name, cleaner in _CLEANERS:
        try:
            content[name] = cleaner(data, source)
        except KnowledgeError as exc:
            errors[exc.field or name] = str(exc)
    start, end = content.get("valid_from"), content.get("valid_until")
    if start and end and end <= start:
        errors["valid_until"] = "失效时间应晚于生效时间。"
    if errors:
        field, message = next(iter(errors.items()))
        error = invalid(message, field)
        error.errors = errors
        raise error
    return content


def clean_key(key) -> str:
    if not isinstance(key, str) or not key.strip():
        raise invalid("请填写条目编号。", "key")
    key = key.strip()
    try:
        key_validator(key)
    except ValidationError as exc:
        raise invalid(exc.messages[0], "key") from exc
    return key


def _clean_key_and_content(key, data: dict) -> tuple[str, dict]:
    """Both validated, or one KnowledgeError carrying the errors of both."""
    errors: dict[str, str] = {}
    try:
        key = clean_key(key)
    except KnowledgeError as exc:
        errors.update(exc.errors)
    try:
        content = clean_content(data)
    except KnowledgeError as exc:
        errors.update(exc.errors)
    if errors:
        field, message = next(iter(errors.items()))
        error = invalid(message, field)
        error.errors = errors
        raise error
    return key, content


def _apply(article: Article, content: dict) -> None:
    for name in CONTENT_FIELDS:
        setattr(article, name, content[name])


def _profile_unit_id(actor):
    profile = getattr(actor, "hotline_profile", None) if actor is not None else None
    return getattr(profile, "unit_id", None)


# --- the review workflow -------------------------------------------------------------------


def create_draft(actor, *, key: str, data: dict, now=None) -> Article:
    """A new article as a draft. Policy team only; the key must be new."""
    _require_policy(actor, "新建知识条目")
    now = _now(now)
    key, content = _clean_key_and_content(key, data)
    with transaction.atomic():
        if Article.objects.filter(key=key).exists():
            raise KnowledgeError(
                f"条目编号“{key}”已被使用，请换一个编号。", code="key_taken", field="key"
            )
        article = Article(
            key=key,
            status=Status.DRAFT,
            owner_unit_id=_profile_unit_id(actor),
            created_by=actor,
            last_edited_by=actor,
            created_at=now,
            updated_at=now,
        )
        _apply(article, content)
        article.save()
        _event(article, EventCode.CREATED, actor, now, {"title": article.title})
    return article


def save_draft(actor, key: str, *, data: dict, now=None) -> Article:
    """Change the working copy. A published article stays live with its current version until
    the edit is approved; an article in review must be approved or sent back first."""
    _require_policy(actor, "修改知识条目")
    now = _now(now)
    content = clean_content(data)
    with transaction.atomic():
        article = _lock(key)
        if article.status == Status.IN_REVIEW:
            raise KnowledgeError("这条内容正在审核，请等审核通过或退回后再修改。", code="in_review")
        changed = [f for f in CONTENT_FIELDS if getattr(article, f) != content[f]]
        _apply(article, content)
        article.status = Status.DRAFT
        article.last_edited_by = actor
        article.updated_at = now
        article.save()
        _event(article, EventCode.EDITED, actor, now, {"changed": changed})
    return article


def submit(actor, key: str, *, now=None) -> Article:
    """Send a draft to review. There must be something to publish."""
    _require_policy(actor, "提交审核")
    now = _now(now)
    with transaction.atomic():
        article = _lock(key)
        if article.status != Status.DRAFT:
            raise KnowledgeError("只有草稿可以提交审核。", code="not_draft")
        if not article.has_unpublished_changes():
            raise KnowledgeError(
                "草稿与线上版本相同，没有需要审核的改动。", code="nothing_to_review"
            )
        article.status = Status.IN_REVIEW
        article.submitted_by = actor
        article.review_note = ""
        article.updated_at = now
        article.save()
        _event(article, EventCode.SUBMITTED, actor, now)
    return article


def approve(actor, key: str, *, note: str = "", now=None) -> Article:
    """Approve the article in review and publish it as a new version (a reviewer other than
    the author and the submitter). Search in every process sees it at once."""
    _require_policy(actor, "审核发布")
    now = _now(now)
    with transaction.atomic():
        article = _lock(key)
        if article.status != Status.IN_REVIEW:
            raise KnowledgeError("这条内容不在待审核状态。", code="not_in_review")
        if actor.pk in {article.last_edited_by_id, article.submitted_by_id}:
            raise forbidden("不能审核自己编写或提交的内容，请另一位政策组成员审核。", "own_article")
        version = _publish(
            article, author=article.last_edited_by, approved_by=actor, note=note, now=now
        )
        _event(
            article,
            EventCode.PUBLISHED,
            actor,
            now,
            {"version": version.number, "note": note[:500]},
        )
    return article


def _publish(article: Article, *, author, approved_by, note: str, now) -> ArticleVersion:
    number = (
        article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = ArticleVersion(
        article=article,
        number=number,
        author=author,
        approved_by=approved_by,
        change_note=(note or "")[:500],
        published_at=now,
    )
    _apply(version, article.content())
    version.search_tokens = stored_tokens(
        version.title, version.tags, version.questions, version.body
    )
    version.save()
    article.live_version = version
    article.status = Status.PUBLISHED
    article.review_note = ""
    article.updated_at = now
    article.save()
    bump_index_stamp()
    return version


def reject(actor, key: str, *, note: str, now=None) -> Article:
    """Send the article in review back to draft with a note saying what to fix."""
    _require_policy(actor, "审核")
    now = _now(now)
    note = (note or "").strip()
    if not note:
        raise invalid("退回时请写明需要修改的地方。", "note")
    with transaction.atomic():
        article = _lock(key)
        if article.status != Status.IN_REVIEW:
            raise KnowledgeError("这条内容不在待审核状态。", code="not_in_review")
        if actor.pk in {article.last_edited_by_id, article.submitted_by_id}:
            raise forbidden("不能审核自己编写或提交的内容，请另一位政策组成员审核。", "own_article")
        article.status = Status.DRAFT
        article.review_note = note[:500]
        article.updated_at = now
        article.save()
        _event(article, EventCode.REJECTED, actor, now, {"note": note[:500]})
    return article


def retire(actor, key: str, *, reason: str = "", now=None) -> Article:
    """Take a published article out of search (a policy ended or was replaced)."""
    _require_policy(actor, "停用知识条目")
    now = _now(now)
    with transaction.atomic():
        article = _lock(key)
        if article.status == Status.RETIRED:
            raise KnowledgeError("这条内容已经停用。", code="already_retired")
        if article.live_version_id is None:
            raise KnowledgeError("这条内容还没有发布，无需停用。", code="not_published")
        version = article.live_version.number
        article.status = Status.RETIRED
        # No live version any more: publishing it again goes through review (or an import).
        article.live_version = None
        article.updated_at = now
        article.save()
        bump_index_stamp()
        _event(
            article,
            EventCode.RETIRED,
            actor,
            now,
            {"reason": (reason or "")[:500], "version": version},
        )
    return article


# --- import and export ---------------------------------------------------------------------

#: One import line: the key, the content (the notice's source as one object) and the status.
IMPORT_FIELDS = {
    "key",
    "source",
    "status",
    *(f for f in CONTENT_FIELDS if not f.startswith("source_")),
}


def clean_import_row(row) -> tuple[str, dict, str]:
    """(key, content, status) of one import line, or a KnowledgeError saying what is wrong."""
    if not isinstance(row, dict):
        raise invalid("每行应为一个 JSON 对象。")
    unknown = sorted(set(row) - IMPORT_FIELDS)
    if unknown:
        raise invalid(f"不认识的字段：{', '.join(unknown)}。", unknown[0])
    key = clean_key(row.get("key"))
    content = clean_content(row)
    status = row.get("status") or Status.PUBLISHED
    if status not in Status.values:
        raise invalid(f"状态只能是 {', '.join(Status.values)}。", "status")
    return key, content, status


def import_articles(actor, rows: Iterable[tuple[str, dict, str]], *, now=None) -> dict:
    """Upsert cleaned rows by key in one transaction (the caller validated every row first).

    ``published`` rows whose content equals the live version change nothing (a second import
    of the same file is a no-op); otherwise a published row becomes a new version. Import is
    the bulk path of the policy team or an operator at the console, so it needs no reviewer.
    """
    if actor is not None:
        _require_policy(actor, "导入知识条目")
    now = _now(now)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for key, content, status in rows:
            article = Article.objects.select_for_update().filter(key=key).first()
            created = article is None
            if created:
                article = Article(
                    key=key, created_by=actor, created_at=now, owner_unit_id=_profile_unit_id(actor)
                )
            elif (
                article.status == status
                and article.content() == content
                and (status != Status.PUBLISHED or not article.has_unpublished_changes())
            ):
                counts["unchanged"] += 1
                continue
            was_live = not created and article.is_published
            _apply(article, content)
            article.last_edited_by = actor
            article.updated_at = now
            article.status = status
            if status == Status.RETIRED:
                article.live_version = None
            article.save()
            if status == Status.PUBLISHED:
                if article.has_unpublished_changes():
                    _publish(article, author=actor, approved_by=actor, note="批量导入", now=now)
                else:
                    bump_index_stamp()  # the working copy is the live version again
            elif was_live and status == Status.RETIRED:
                bump_index_stamp()
            counts["created" if created else "updated"] += 1
            _event(article, EventCode.IMPORTED, actor, now, {"status": status})
    return counts


def export_row(article: Article) -> dict:
    """One article in the import format. A published article exports its live version (what
    agents see; a pending edit is not exported); any other its working copy and status."""
    source = article.live_version if article.is_published else article
    status = Status.PUBLISHED if article.is_published else article.status

    def iso(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "key": article.key,
        "title": source.title,
        "body": source.body,
        "tags": list(source.tags),
        "questions": list(source.questions),
        "category": source.category,
        "audience": source.audience,
        "valid_from": iso(source.valid_from),
        "valid_until": iso(source.valid_until),
        "source": {
            "issuer": source.source_issuer,
            "number": source.source_number,
            "date": source.source_date.isoformat() if source.source_date else None,
        },
        "status": status,
    }


# --- synonyms ------------------------------------------------------------------------------


def save_synonym_group(
    actor, group: SynonymGroup | None, *, terms: str, note: str = "", active: bool = True, now=None
) -> SynonymGroup:
    """Create or change a synonym group (from admin); search picks it up at once."""
    _require_policy(actor, "维护同义词")
    now = _now(now)
    term_list = split_terms(terms)
    if len(term_list) < 2:
        raise invalid("一组同义词至少要有两个词。", "terms")
    with transaction.atomic():
        if group is None or group.pk is None:
            group = SynonymGroup()
        else:
            group = SynonymGroup.objects.select_for_update().get(pk=group.pk)
        group.terms = "，".join(term_list)
        group.note = note
        group.active = active
        group.save()
        bump_index_stamp()
        _event(None, EventCode.SYNONYMS_CHANGED, actor, now, {"terms": term_list, "active": active})
    return group


def delete_synonym_group(actor, group: SynonymGroup, *, now=None) -> None:
    _require_policy(actor, "维护同义词")
    now = _now(now)
    with transaction.atomic():
        terms = group.term_list()
        SynonymGroup.objects.filter(pk=group.pk).delete()
        bump_index_stamp()
        _event(None, EventCode.SYNONYMS_CHANGED, actor, now, {"deleted": terms})


# --- usage ---------------------------------------------------------------------------------


def record_citation(article_key: str, actor, order_number: str = "", *, now=None) -> Citation:
    """Record that ``actor`` answered a caller with this article (e.g. closing work order
    ``order_number`` at first contact). Called by orders inside its own transaction.

    Raises 404 for an unknown key and 409 for an article that is not published."""
    if actor is not None and not center_user(actor):
        raise forbidden("只有热线中心的接线人员可以引用知识条目答复来电。")
    now = _now(now)
    article_key = (article_key or "").strip()
    if not well_formed_key(article_key):
        raise not_found(strip_control(article_key)[:100])
    with transaction.atomic():
        article = Article.objects.filter(key=article_key).first()
        if article is None:
            raise not_found(article_key)
        if not article.is_published:
            raise KnowledgeError("这条内容未发布或已停用，不能用来答复来电。", code="not_published")
        return Citation.objects.create(
            article=article, order_number=strip_control(order_number)[:20], actor=actor, at=now
        )


def log_search(
    actor, query: str, *, result_count: int, top_key: str, found: bool, now=None
) -> SearchLog | None:
    """Remember a final query (not each keystroke) and whether it found an answer."""
    text = strip_control(query).strip()[:200]
    if not text:
        return None
    user = actor if getattr(actor, "is_authenticated", False) else None
    return SearchLog.objects.create(
        query=text,
        actor=user,
        result_count=result_count,
        top_key=top_key[:100],
        found=found,
        at=_now(now),
    )
