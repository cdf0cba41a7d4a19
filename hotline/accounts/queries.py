"""Reads of the accounts app: the audit log with its filters."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry


def audit_entries(filters: dict) -> QuerySet[AuditEntry]:
    """Audit entries matching the cleaned filters of ``AuditFilterForm``, newest first."""
    qs = AuditEntry.objects.all()
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("who"):
        qs = qs.filter(actor_name__iexact=filters["who"].strip())
    if filters.get("target"):
        qs = qs.filter(target__icontains=filters["target"].strip())
    tz = timezone.get_current_timezone()
    if filters.get("since"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["since"], dt.time.min, tzinfo=tz))
    if filters.get("until"):
        end = dt.datetime.combine(filters["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(at__lt=end)
    return qs.order_by("-at", "-id")
