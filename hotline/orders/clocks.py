"""SLA clocks: which limits apply to an order, and when each clock runs out.

Limits are data (``SlaPolicy`` rows, editable in admin); ``DEFAULT_LIMITS`` only backs a row
that is missing, so a clock can always be computed. Working-day limits end at the close of
business of the N-th working day after the start (hotline.common.workdays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotline.common.workdays import workday_deadline

from .cache import TtlCache
from .choices import AppealType, LimitUnit, SlaMode, Urgency
from .models import OperatingMode, SlaPolicy

#: Seconds an admin edit of the matrix or the mode may take to reach every process.
POLICY_TTL = 5.0

M, W = LimitUnit.MINUTES, LimitUnit.WORKDAYS


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # LimitUnit

    def deadline(self, start: dt.datetime) -> dt.datetime:
        if self.unit == LimitUnit.MINUTES:
            return start + dt.timedelta(minutes=self.amount)
        return workday_deadline(start, self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {LimitUnit(self.unit).label}"


@dataclass(frozen=True)
class Limits:
    accept: Limit
    resolve: Limit


def _normal_by_type(resolve_days: dict[str, int]) -> dict[tuple[str, str], Limits]:
    return {
        (Urgency.NORMAL, t): Limits(Limit(1, W), Limit(days, W)) for t, days in resolve_days.items()
    }


#: (mode, urgency, appeal_type or "") → limits. Normal mode follows the Guangdong 12345 rules
#: (inquiry 2, help/suggestion 10, complaint/report 15 working days) and the triage taxonomy's
#: clocks; surge mode tightens acceptance so that a flood of appeals still moves the same day.
DEFAULT_LIMITS: dict[str, dict[tuple[str, str], Limits]] = {
    SlaMode.NORMAL: {
        (Urgency.CRITICAL, ""): Limits(Limit(15, M), Limit(120, M)),
        (Urgency.URGENT, ""): Limits(Limit(30, M), Limit(120, M)),
        **_normal_by_type(
            {
                AppealType.INQUIRY: 2,
                AppealType.HELP: 10,
                AppealType.SUGGESTION: 10,
                AppealType.COMPLAINT: 15,
                AppealType.REPORT: 15,
                AppealType.PRAISE: 2,
            }
        ),
    },
    SlaMode.SURGE: {
        (Urgency.CRITICAL, ""): Limits(Limit(10, M), Limit(120, M)),
        (Urgency.URGENT, ""): Limits(Limit(15, M), Limit(120, M)),
        **{
            (Urgency.NORMAL, t): Limits(Limit(240, M), Limit(days, W))
            for t, days in {
                AppealType.INQUIRY: 1,
                AppealType.HELP: 3,
                AppealType.SUGGESTION: 10,
                AppealType.COMPLAINT: 10,
                AppealType.REPORT: 10,
                AppealType.PRAISE: 2,
            }.items()
        },
    },
}


def _load_mode() -> str:
    row = OperatingMode.objects.filter(pk=1).only("mode").first()
    return row.mode if row else SlaMode.NORMAL


def _load_policy() -> dict[tuple[str, str, str, str], Limits]:
    return {
        (r.mode, r.urgency, r.appeal_type, r.kind): Limits(
            Limit(r.accept_amount, r.accept_unit), Limit(r.resolve_amount, r.resolve_unit)
        )
        for r in SlaPolicy.objects.all()
    }


mode_cache = TtlCache(_load_mode, POLICY_TTL)
policy_cache = TtlCache(_load_policy, POLICY_TTL)


def current_mode() -> str:
    """The mode new orders are timed in (normal unless a supervisor switched to surge)."""
    return mode_cache.get()


def limits_for(urgency: str, appeal_type: str, mode: str, kind: str = "") -> Limits:
    """The limits of the most specific policy row: the order kind's own rows first (exact type,
    then any type), then the kind-less rows (exact type, then any type)."""
    table = policy_cache.get()
    for k in (kind, "") if kind else ("",):
        found = table.get((mode, urgency, appeal_type, k)) or table.get((mode, urgency, "", k))
        if found is not None:
            return found
    table = DEFAULT_LIMITS.get(mode, DEFAULT_LIMITS[SlaMode.NORMAL])
    found = table.get((urgency, appeal_type)) or table.get((urgency, ""))
    return found or Limits(Limit(1, W), Limit(15, W))


def callback_due(resolved_at: dt.datetime) -> dt.datetime:
    """Callback the working day after the unit reports done, by close of business."""
    return workday_deadline(resolved_at, 1)


def return_window_end(dispatched_at: dt.datetime) -> dt.datetime:
    """A unit may return an order until close of business of the working day after dispatch."""
    return workday_deadline(dispatched_at, 1)


def default_policy_rows() -> list[dict]:
    """The default matrix as rows for SlaPolicy (used by the data migration and tests)."""
    return [
        {
            "mode": mode,
            "urgency": urgency,
            "appeal_type": appeal_type,
            "accept_amount": limits.accept.amount,
            "accept_unit": str(limits.accept.unit),
            "resolve_amount": limits.resolve.amount,
            "resolve_unit": str(limits.resolve.unit),
        }
        for mode, table in DEFAULT_LIMITS.items()
        for (urgency, appeal_type), limits in table.items()
    ]
