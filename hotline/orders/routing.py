"""Routing: which handling unit gets an order, from rules kept as data (``RoutingRule``).

Rules are tried by priority; the first that matches the order's category, urgency and epidemic
flag *and* whose target resolves to an active unit wins. A target that needs a place the order
does not have (a town office without a town) simply does not resolve, and the next rule is tried.
No rule → the center's manual-dispatch queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.geo.models import HandlingUnit

from .cache import TtlCache
from .choices import Category, RoutingTarget, Urgency
from .models import RoutingRule

#: Seconds an admin edit of the rules or of a unit may take to reach every process.
RULES_TTL = 5.0
rules_cache = TtlCache(lambda: list(RoutingRule.objects.filter(active=True)), RULES_TTL)
units_cache = TtlCache(
    lambda: {u.code: u for u in HandlingUnit.objects.active().select_related(None)}, RULES_TTL
)


@dataclass(frozen=True)
class RoutingDecision:
    unit: HandlingUnit | None
    rule: str
    reason: str


def _target_code(rule: RoutingRule, district_code: str | None, town_code: str | None):
    match rule.target:
        case RoutingTarget.UNIT:
            return rule.unit_code or None
        case RoutingTarget.DISTRICT_EPIDEMIC_OFFICE:
            return f"{district_code}-epi" if district_code else None
        case RoutingTarget.DISTRICT_GOVERNMENT:
            return f"{district_code}-gov" if district_code else None
        case RoutingTarget.TOWN_OFFICE:
            return town_code or None
    return None


def choose_unit(
    *,
    category: str,
    urgency: str,
    epidemic_related: bool,
    district_code: str | None = None,
    town_code: str | None = None,
    kind: str = "",
    rules=None,
) -> RoutingDecision:
    """Pick the lead handling unit for an order; ``unit`` None means manual dispatch. A rule
    with a ``kind`` matches only orders of that registered kind (see orders.kinds)."""
    if town_code and not district_code:
        district_code = town_code[:6]
    rules = list(rules if rules is not None else rules_cache.get())
    candidates: list[tuple[RoutingRule, str]] = []
    for rule in rules:
        if rule.kind and rule.kind != kind:
            continue
        if rule.category and rule.category != category:
            continue
        if rule.urgency and rule.urgency != urgency:
            continue
        if rule.epidemic_related is not None and rule.epidemic_related != epidemic_related:
            continue
        if rule.target == RoutingTarget.CENTER_QUEUE:
            candidates.append((rule, ""))
            break
        code = _target_code(rule, district_code, town_code)
        if code:
            candidates.append((rule, code))
    units = units_cache.get()
    for rule, code in candidates:
        if not code:
            return RoutingDecision(None, rule.name, "规则指定由热线中心人工派单")
        if code in units:
            return RoutingDecision(units[code], rule.name, f"按规则“{rule.name}”派往{units[code]}")
    return RoutingDecision(None, "", "无匹配的派单规则或地点不明，转热线中心人工派单")


#: The default rule table (data migration); (priority, name, match, target, unit code).
DEFAULT_RULES = [
    (
        10,
        "危急涉疫诉求派区县疫情防控办",
        {"urgency": Urgency.CRITICAL, "epidemic_related": True},
        RoutingTarget.DISTRICT_EPIDEMIC_OFFICE,
        "",
    ),
    (
        11,
        "紧急涉疫诉求派区县疫情防控办",
        {"urgency": Urgency.URGENT, "epidemic_related": True},
        RoutingTarget.DISTRICT_EPIDEMIC_OFFICE,
        "",
    ),
    (20, "市场价格派市场监管局", {"category": Category.MARKET}, RoutingTarget.UNIT, "dept-market"),
    (30, "学业就业派人社局", {"category": Category.STUDY_WORK}, RoutingTarget.UNIT, "dept-hrss"),
    (40, "公用事业与物业派所在镇街", {"category": Category.LIVING}, RoutingTarget.TOWN_OFFICE, ""),
    (
        41,
        "公用事业与物业（镇街不明）派供水公司",
        {"category": Category.LIVING},
        RoutingTarget.UNIT,
        "dept-water",
    ),
    (
        50,
        "健康码派区县疫情防控办",
        {"category": Category.HEALTH_CODE},
        RoutingTarget.DISTRICT_EPIDEMIC_OFFICE,
        "",
    ),
    (
        51,
        "健康码（区县不明）派卫健局",
        {"category": Category.HEALTH_CODE},
        RoutingTarget.UNIT,
        "dept-health",
    ),
    (60, "属地事项派所在镇街", {}, RoutingTarget.TOWN_OFFICE, ""),
    (70, "只知区县的派区县政府（兜底）", {}, RoutingTarget.DISTRICT_GOVERNMENT, ""),
    (
        80,
        "就医用药（地点不明）派卫健局",
        {"category": Category.MEDICAL},
        RoutingTarget.UNIT,
        "dept-health",
    ),
    (
        81,
        "出行通行（地点不明）派交通运输局",
        {"category": Category.TRAVEL},
        RoutingTarget.UNIT,
        "dept-transport",
    ),
    (99, "其余转热线中心人工派单", {}, RoutingTarget.CENTER_QUEUE, ""),
]
