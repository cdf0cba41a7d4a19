"""Roles: Django groups with a stable code each. One English name per Chinese term."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "接线员"
    VOLUNTEER_AGENT = "volunteer_agent", "志愿接线员"
    SUPERVISOR = "supervisor", "值班长"
    UNIT_HANDLER = "unit_handler", "承办单位经办人"
    ADMIN = "admin", "系统管理员"
    #: Field staff of the operations around the hotline (checkpoints, sampling, deliveries,
    #: the reserve's gates and rangers); what each may do is decided by its app.
    FIELD_STAFF = "field_staff", "现场工作人员"


ROLE_CODES = frozenset(Role.values)

#: Roles that answer calls at the hotline center.
CENTER_ROLES = frozenset({Role.AGENT, Role.VOLUNTEER_AGENT, Role.SUPERVISOR, Role.ADMIN})


def roles_of(user) -> set[str]:
    """The role codes of a user (group names), cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_hotline_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & ROLE_CODES
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._hotline_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))
