"""Pages of the knowledge base (Chinese, htmx): the search page that answers as the agent
types, the article page (validity banner, history, diff since yesterday), the editor and the
review queue of the policy team. Views parse input, call one service or query, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from hotline.common.params import as_id

from . import queries, search, services
from .choices import Audience, Category, Status, Validity
from .errors import KnowledgeError
from .forms import ArticleForm, NoteForm
from .markdown import render as render_markdown
from .models import Article, can_read, is_policy_team

CATEGORY_LABELS = dict(Category.choices)
VALIDITY_LABELS = dict(Validity.choices)
AUDIENCE_LABELS = dict(Audience.choices)


def _deny(request, message: str):
    return render(request, "knowledge/denied.html", {"message": message}, status=403)


def _reader_only(view):
    def wrapped(request, *args, **kwargs):
        if not can_read(request.user):
            return _deny(request, "您的账号还没有分配角色，请联系系统管理员。")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _policy_only(view):
    def wrapped(request, *args, **kwargs):
        if not is_policy_team(request.user):
            return _deny(request, "这一页只对政策组（值班长、系统管理员）开放。")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _parse_at(value: str | None):
    """The "as of" time from the form (datetime-local, local time); None means now."""
    if not value:
        return None, ""
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed but impossible, such as 2022-02-30
        parsed = None
    if parsed is None:
        return None, "时间格式有误，请用日期时间选择器选择。"
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed, ""


def _search_context(request, *, log: bool) -> dict:
    q = request.GET.get("q", "").strip()[:500]
    at, at_error = _parse_at(request.GET.get("at"))
    include_expired = request.GET.get("include_expired") == "on"
    context = {
        "q": q,
        "at_value": request.GET.get("at", ""),
        "at_error": at_error,
        "include_expired": include_expired,
        "result": None,
        "hits": [],
    }
    if q:
        result = search.search(q, at=at, limit=8, include_expired=include_expired)
        context["result"] = result
        context["hits"] = [_hit_view(h) for h in result.hits]
        if log:
            services.log_search(
                request.user,
                q,
                result_count=len(result.hits),
                top_key=result.hits[0].key if result.hits else "",
                found=result.found,
            )
    return context


def _hit_view(hit) -> dict:
    return {
        "hit": hit,
        "category_label": CATEGORY_LABELS.get(hit.category, hit.category),
        "validity_label": VALIDITY_LABELS[hit.validity],
        "audience_label": AUDIENCE_LABELS.get(hit.audience, hit.audience),
    }


@_reader_only
def search_page(request):
    """The agents' search page; a submitted query (Enter) is logged, keystrokes are not."""
    context = _search_context(request, log=bool(request.GET.get("q")))
    context["most_cited"] = queries.most_cited(queries.week_ago(), limit=8)
    context["in_page"] = True  # the form shows the time error next to its field
    return render(request, "knowledge/search.html", context)


@_reader_only
def search_results(request):
    """The result list alone, for htmx as the agent types."""
    return render(request, "knowledge/partials/results.html", _search_context(request, log=False))


@_reader_only
def suggest(request):
    """Articles for an appeal being typed (the agent console includes this partial)."""
    text = request.GET.get("text", "").strip()[:4000]
    hits = [_hit_view(h) for h in search.suggest(text).hits] if text else []
    return render(request, "knowledge/partials/suggest.html", {"hits": hits, "text": text})


def _article_or_404(request, key: str) -> Article:
    if not services.well_formed_key(key):
        raise Http404
    article = (
        Article.objects.visible_to(request.user)
        .select_related("live_version", "owner_unit", "submitted_by", "last_edited_by")
        .filter(key=key)
        .first()
    )
    if article is None:
        raise Http404
    return article


@_reader_only
def article_page(request, key: str):
    """An article as agents see it (the live version), with its validity banner and history;
    the policy team also sees the working copy and the workflow buttons."""
    article = _article_or_404(request, key)
    now = timezone.now()
    live = article.live_version
    shown = live if (live is not None and article.is_published) else article
    policy = is_policy_team(request.user)
    versions = list(article.versions.select_related("author", "approved_by").order_by("-number"))
    context = {
        "article": article,
        "shown": shown,
        "body_html": render_markdown(shown.body),
        "validity": shown.validity_at(now),
        "validity_label": VALIDITY_LABELS[shown.validity_at(now)],
        "category_label": CATEGORY_LABELS.get(shown.category, shown.category),
        "audience_label": AUDIENCE_LABELS.get(shown.audience, shown.audience),
        "versions": versions,
        "policy": policy,
        "can_edit": article.can_edit(request.user),
        "can_submit": article.can_submit(request.user),
        "can_review": article.can_review(request.user),
        "can_retire": article.can_retire(request.user),
        "pending": policy and live is not None and article.has_unpublished_changes(),
        "note_form": NoteForm(),
    }
    return render(request, "knowledge/article.html", context)


@_reader_only
def article_diff(request, key: str):
    """What changed: since yesterday by default, between two versions with ?from=&to=, or the
    pending working copy against the live version with ?pending=1 (policy team)."""
    article = _article_or_404(request, key)
    live = article.live_version
    title = ""
    if request.GET.get("pending") and is_policy_team(request.user):
        old, new = live, article
        title = "待发布的修改（与线上版本相比）"
    elif request.GET.get("from") and request.GET.get("to"):
        numbers = as_id(request.GET["from"]), as_id(request.GET["to"])
        if not all(numbers):
            raise Http404
        found = {v.number: v for v in article.versions.filter(number__in=numbers)}
        if numbers[1] not in found:
            raise Http404
        old, new = found.get(numbers[0]), found[numbers[1]]
        title = f"第 {numbers[0]} 版 → 第 {numbers[1]} 版"
    else:
        since = timezone.now() - dt.timedelta(days=1)
        old, new = queries.version_at(article, since), live
        title = "与昨天此时相比"
        if new is None:
            raise Http404
    diff = queries.diff_versions(old, new)
    return render(
        request,
        "knowledge/partials/diff.html",
        {"diff": diff, "title": title, "old": old, "new": new},
    )


def _form_initial(article: Article) -> dict:
    data = article.content()
    data["tags"] = "，".join(article.tags)
    data["questions"] = "\n".join(article.questions)
    for name in ("valid_from", "valid_until"):
        if data[name]:
            data[name] = timezone.localtime(data[name]).strftime("%Y-%m-%dT%H:%M")
    return data


@_policy_only
def editor(request, key: str | None = None):
    """Create a draft or edit the working copy; errors appear next to their field."""
    article = _article_or_404(request, key) if key else None
    if article is not None and not article.can_edit(request.user):
        messages.error(request, "这条内容正在审核，请等审核通过或退回后再修改。")
        return redirect("kb:article", key=article.key)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                if article is None:
                    saved = services.create_draft(
                        request.user, key=form.cleaned_data["key"], data=form.content()
                    )
                else:
                    saved = services.save_draft(request.user, article.key, data=form.content())
            except KnowledgeError as exc:
                for field, message in (exc.errors or {None: str(exc)}).items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "已保存草稿。确认无误后请提交审核。")
                return redirect("kb:article", key=saved.key)
    else:
        form = ArticleForm(
            initial=_form_initial(article)
            if article
            else {
                "audience": Audience.AGENTS,
                "category": Category.OTHER,
            }
        )
    if article is not None:
        form.fields["key"].disabled = True
        form.fields["key"].initial = article.key
    return render(request, "knowledge/editor.html", {"form": form, "article": article})


ACTIONS = {
    "submit": (lambda u, k, note: services.submit(u, k), "已提交审核，等待另一位政策组成员审核。"),
    "approve": (
        lambda u, k, note: services.approve(u, k, note=note),
        "已审核通过并发布，所有接线员立即可以检索到。",
    ),
    "reject": (lambda u, k, note: services.reject(u, k, note=note), "已退回修改。"),
    "retire": (
        lambda u, k, note: services.retire(u, k, reason=note),
        "已停用，不再出现在检索结果中。",
    ),
}


@require_POST
@_policy_only
def article_action(request, key: str, action: str):
    """One workflow step from a button; the outcome is shown as a message on the next page."""
    if action not in ACTIONS:
        raise Http404
    call, done = ACTIONS[action]
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        call(request.user, key, note)
    except KnowledgeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    target = request.POST.get("next")
    if target == "review":
        return redirect("kb:review")
    return redirect("kb:article", key=key)


@_policy_only
def review_queue(request):
    """Articles waiting for review, drafts, and what agents searched but did not find."""
    since = queries.week_ago()
    context = {
        "queue": [
            {"article": a, "can_review": a.can_review(request.user)} for a in queries.review_queue()
        ],
        "drafts": queries.drafts().select_related("last_edited_by")[:50],
        "not_found": queries.not_found(since),
        "most_cited": queries.most_cited(since),
        "note_form": NoteForm(),
        "user_id": request.user.pk,
        "status_labels": dict(Status.choices),
    }
    return render(request, "knowledge/review.html", context)
