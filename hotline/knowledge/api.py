"""The knowledge API: search, suggest, articles with their versions, workflow actions by POST,
citations and usage.

Everyone signed in with a role searches and reads published articles; drafts, the review
workflow and usage figures belong to the policy team (supervisors and admins). Endpoints parse
input, call one service or query, and render.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status as HttpStatus

from . import queries, search, services
from .choices import Status
from .errors import forbidden, not_found
from .models import CONTENT_FIELDS, Article, can_read, is_policy_team
from .schemas import (
    ArticleCreateIn,
    ArticleIn,
    ArticleListItem,
    ArticleOut,
    CitationIn,
    ErrorOut,
    NoteIn,
    SearchFilter,
    SearchOut,
    StatusCode,
    SuggestFilter,
    UsageOut,
)

router = Router(tags=["knowledge"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
STATUS_LABELS = dict(Status.choices)


def _reader(request):
    if not can_read(request.user):
        raise forbidden("您的账号没有分配角色，不能查看知识库。")
    return request.user


def _policy(request):
    if not is_policy_team(request.user):
        raise forbidden("只有政策组（值班长、系统管理员）可以查看这些内容。")
    return request.user


def result_json(result: search.SearchResult) -> dict:
    return {
        "query": result.query.text,
        "expansions": result.query.expansions,
        "found": result.found,
        "no_match": result.no_match,
        "results": [
            {
                "key": h.key,
                "title": h.title,
                "score": h.score,
                "category": h.category,
                "audience": h.audience,
                "validity": h.validity,
                "valid_from": h.valid_from,
                "valid_until": h.valid_until,
                "matched": h.matched,
                "snippet": h.snippet,
                "snippet_html": h.snippet_html,
            }
            for h in result.hits
        ],
    }


def article_json(article: Article, *, show_working_copy: bool) -> dict:
    """The live version of a published article (or, for the policy team, the working copy)."""
    live = article.live_version
    source = article if (show_working_copy or live is None) else live
    now = timezone.now()
    return {
        "key": article.key,
        "status": article.status,
        "status_label": STATUS_LABELS[article.status],
        "published": article.is_published,
        "validity": live.validity_at(now) if live is not None else None,
        **{f: getattr(source, f) for f in CONTENT_FIELDS},
        "live_version": live.number if live is not None else None,
        "review_note": article.review_note if show_working_copy else "",
        "versions": [
            {
                "number": v.number,
                "title": v.title,
                "published_at": v.published_at,
                "author": v.author.username if v.author else None,
                "approved_by": v.approved_by.username if v.approved_by else None,
                "change_note": v.change_note,
            }
            for v in article.versions.select_related("author", "approved_by").order_by("number")
        ],
    }


@router.get("/kb/search", response={200: SearchOut, **ERRORS})
def kb_search(request, filters: Query[SearchFilter]):
    """Search published articles valid at ``at`` (default now); the query is logged so the
    policy team sees what was searched but not found."""
    user = _reader(request)
    result = search.search(
        filters.q,
        at=filters.at,
        audience=filters.audience,
        limit=filters.limit,
        include_expired=filters.include_expired,
    )
    services.log_search(
        user,
        filters.q,
        result_count=len(result.hits),
        top_key=result.hits[0].key if result.hits else "",
        found=result.found,
    )
    return result_json(result)


@router.get("/kb/suggest", response={200: SearchOut, **ERRORS})
def kb_suggest(request, filters: Query[SuggestFilter]):
    """Articles for the appeal text being typed, with the matched words highlighted."""
    _reader(request)
    return result_json(
        search.suggest(filters.text, at=filters.at, audience=filters.audience, limit=filters.limit)
    )


@router.get("/kb/articles", response={200: list[ArticleListItem], **ERRORS})
def kb_articles(request, status: StatusCode | None = None):
    """Articles the user may see (everyone: published; the policy team: all), by key."""
    user = _reader(request)
    qs = Article.objects.visible_to(user).select_related("live_version")
    if status:
        qs = qs.filter(status=status)
    return [
        {
            "key": a.key,
            "title": a.title,
            "status": a.status,
            "category": a.category,
            "live_version": a.live_version.number if a.live_version else None,
            "updated_at": a.updated_at,
        }
        for a in qs.order_by("key")[:500]
    ]


def _visible(request, key: str) -> Article:
    user = _reader(request)
    if not services.well_formed_key(key):
        raise not_found(services.strip_control(key)[:100])
    article = (
        Article.objects.visible_to(user).select_related("live_version").filter(key=key).first()
    )
    if article is None:
        raise not_found(key)
    return article


@router.get("/kb/articles/{key}", response={200: ArticleOut, **ERRORS})
def kb_article(request, key: str, working_copy: bool = False):
    """An article with its version history. ``working_copy=true`` (policy team) shows the
    draft being edited instead of the live version."""
    article = _visible(request, key)
    return article_json(article, show_working_copy=working_copy and is_policy_team(request.user))


@router.post("/kb/articles", response={201: ArticleOut, **ERRORS})
def kb_create(request, body: ArticleCreateIn):
    """Create a draft (policy team)."""
    data = body.dict(exclude={"key"})
    article = services.create_draft(request.user, key=body.key, data=data)
    return HttpStatus(201, article_json(article, show_working_copy=True))


@router.put("/kb/articles/{key}", response={200: ArticleOut, **ERRORS})
def kb_edit(request, key: str, body: ArticleIn):
    """Change the working copy (policy team); a published article stays live until approved."""
    article = services.save_draft(request.user, key, data=body.dict())
    return article_json(article, show_working_copy=True)


def _action(name: str, call):
    def endpoint(request, key: str, body: NoteIn):
        article = call(request.user, key, body.note)
        return article_json(article, show_working_copy=True)

    endpoint.__name__ = f"kb_{name}"
    return endpoint


router.post("/kb/articles/{key}/submit", response={200: ArticleOut, **ERRORS})(
    _action("submit", lambda u, k, note: services.submit(u, k))
)
router.post("/kb/articles/{key}/approve", response={200: ArticleOut, **ERRORS})(
    _action("approve", lambda u, k, note: services.approve(u, k, note=note))
)
router.post("/kb/articles/{key}/reject", response={200: ArticleOut, **ERRORS})(
    _action("reject", lambda u, k, note: services.reject(u, k, note=note))
)
router.post("/kb/articles/{key}/retire", response={200: ArticleOut, **ERRORS})(
    _action("retire", lambda u, k, note: services.retire(u, k, reason=note))
)


@router.post("/kb/citations", response={201: dict, **ERRORS})
def kb_cite(request, body: CitationIn):
    """Record that the caller was answered with this article."""
    citation = services.record_citation(body.article_key, request.user, body.order_number)
    body = {
        "article_key": citation.article.key,
        "order_number": citation.order_number,
        "at": citation.at,
    }
    return HttpStatus(201, body)


@router.get("/kb/usage", response={200: UsageOut, **ERRORS})
def kb_usage(request):
    """Most cited articles this week and queries that found nothing (policy team)."""
    _policy(request)
    since = queries.week_ago()
    return {
        "since": since,
        "most_cited": queries.most_cited(since),
        "not_found": queries.not_found(since),
    }
