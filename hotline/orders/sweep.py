"""The clock sweep: record each clock that ran out, exactly once, and escalate per policy.

Safe with several workers on one PostgreSQL: each batch is claimed with
``select_for_update(skip_locked=True)``, and the ``*_overdue_at`` marker (set in the same
transaction) keeps a later sweep from reporting the same clock again. On SQLite the lock clause
is a no-op and writers are serialised by the database, so run one worker there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .choices import CLOCKS
from .models import Order
from .services import mark_overdue


@dataclass
class SweepResult:
    overdue: dict[str, int] = field(default_factory=lambda: {c.name: 0 for c in CLOCKS})

    @property
    def total(self) -> int:
        return sum(self.overdue.values())


def sweep(now: dt.datetime | None = None, *, batch: int = 200) -> SweepResult:
    """Record every clock that has run out at ``now``; returns how many per clock."""
    now = now or timezone.now()
    result = SweepResult()
    for clock, statuses, deadline_field, _label in CLOCKS:
        while True:
            with transaction.atomic():
                claimed = list(
                    Order.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("handling_unit")
                    .filter(
                        status__in=statuses,
                        **{f"{deadline_field}__lt": now, f"{clock}_overdue_at__isnull": True},
                    )
                    .order_by(deadline_field, "pk")[:batch]
                )
                for order in claimed:
                    mark_overdue(order, clock, now)
            result.overdue[clock] += len(claimed)
            if len(claimed) < batch:
                break
    return result
