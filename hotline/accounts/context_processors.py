"""Navigation by role, for the base layout.

Each entry: (label, url name, roles that see it; empty = everyone signed in). Later apps add
their pages as ``nav_items`` on their AppConfig (same shape), listed after these.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .roles import Role, roles_of

NAV_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("工作台", "home", frozenset()),
    ("接线登记", "console:intake", frozenset({Role.AGENT, Role.VOLUNTEER_AGENT, Role.SUPERVISOR})),
    ("待办工单", "console:inbox", frozenset({Role.UNIT_HANDLER})),
    ("值班长看板", "console:board", frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("工单列表", "console:orders", frozenset()),
    (
        "知识库",
        "kb:search",
        frozenset({Role.AGENT, Role.VOLUNTEER_AGENT, Role.SUPERVISOR, Role.ADMIN}),
    ),
    ("知识库审核", "kb:review", frozenset({Role.SUPERVISOR, Role.ADMIN})),
    ("接口文档", "api:openapi-view", frozenset({Role.ADMIN, Role.SUPERVISOR})),
    ("管理后台", "admin:index", frozenset({Role.ADMIN})),
]


def all_nav_items() -> list[tuple[str, str, frozenset[str]]]:
    """NAV_ITEMS, then each installed app's ``nav_items`` in INSTALLED_APPS order."""
    items = list(NAV_ITEMS)
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", ()))
    return items


def navigation(request):
    # Outside production the pages say so, and the login page names the demo password.
    demo_mode = not settings.PRODUCTION
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": [], "demo_mode": demo_mode}
    roles = roles_of(user)
    items = []
    for label, url_name, allowed in all_nav_items():
        if allowed and not (allowed & roles):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return {
        "nav_items": items,
        "user_roles": [Role(r).label for r in sorted(roles)],
        "demo_mode": demo_mode,
    }
