"""Factories of the knowledge tests. Articles are made through the services (the only writers),
so a factory-made article is in the same state the workflow would leave it in."""

from __future__ import annotations

import itertools

from hotline.knowledge import services

_seq = itertools.count(1)


def article_data(**overrides) -> dict:
    n = next(_seq)
    data = {
        "title": f"测试条目{n}：核酸采样点开放时间",
        "body": f"第{n}条。采样点每天8点到21点开放，错过时段联系网格员补采。",
        "tags": ["核酸", "采样点"],
        "category": "testing",
        "audience": "public",
    }
    data.update(overrides)
    return data


def draft(author, key: str | None = None, **overrides):
    key = key or f"test-article-{next(_seq)}"
    return services.create_draft(author, key=key, data=article_data(**overrides))


def published(author, reviewer, key: str | None = None, **overrides):
    article = draft(author, key, **overrides)
    services.submit(author, article.key)
    return services.approve(reviewer, article.key)
