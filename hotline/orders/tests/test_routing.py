"""Routing rules as data: which unit an order goes to."""

import pytest

from hotline.orders.cache import clear_all
from hotline.orders.models import RoutingRule
from hotline.orders.routing import choose_unit


def route(**kw):
    base = {"category": "supplies", "urgency": "normal", "epidemic_related": True}
    base.update(kw)
    return choose_unit(**base)


@pytest.mark.parametrize(
    "kw,unit",
    [
        (
            {"urgency": "critical", "district_code": "440902", "town_code": "440902101"},
            "440902-epi",
        ),
        ({"urgency": "urgent", "town_code": "440902101"}, "440902-epi"),
        ({"town_code": "440902101"}, "440902101"),
        ({"district_code": "440904"}, "440904-gov"),
        (
            {"category": "market", "town_code": "440902101", "epidemic_related": False},
            "dept-market",
        ),
        ({"category": "study_work", "epidemic_related": False}, "dept-hrss"),
        ({"category": "living", "town_code": "440902101", "epidemic_related": False}, "440902101"),
        ({"category": "living", "epidemic_related": False}, "dept-water"),
        ({"category": "health_code", "district_code": "440902"}, "440902-epi"),
        ({"category": "health_code"}, "dept-health"),
        ({"category": "medical"}, "dept-health"),
        ({"category": "travel"}, "dept-transport"),
        # A critical appeal with no known place cannot reach an epidemic office; it falls to
        # the matter-bound department.
        ({"category": "medical", "urgency": "critical"}, "dept-health"),
    ],
)
def test_default_rules(demo_city, kw, unit):
    decision = route(**kw)
    assert decision.unit is not None, decision
    assert decision.unit.code == unit
    assert decision.rule


def test_nothing_known_goes_to_the_center_queue(demo_city):
    decision = route(category="other", epidemic_related=False)
    assert decision.unit is None
    assert "人工派单" in decision.reason


def test_rules_are_editable_data(demo_city):
    RoutingRule.objects.create(
        priority=1,
        name="物资统一派卫健局",
        category="supplies",
        target="unit",
        unit_code="dept-health",
    )
    clear_all()  # other processes see the edit within RULES_TTL
    assert route(town_code="440902101").unit.code == "dept-health"


def test_inactive_rule_and_inactive_unit_are_skipped(demo_city):
    from hotline.geo.models import HandlingUnit

    RoutingRule.objects.filter(target="district_epidemic_office").update(active=False)
    clear_all()
    assert route(urgency="urgent", town_code="440902101").unit.code == "440902101"
    HandlingUnit.objects.filter(code="440902101").update(active=False)
    clear_all()
    assert route(urgency="urgent", town_code="440902101").unit.code == "440902-gov"


def test_rule_for_unit_needs_a_code(db):
    from django.core.exceptions import ValidationError

    rule = RoutingRule(priority=5, name="x", target="unit")
    with pytest.raises(ValidationError):
        rule.clean()
