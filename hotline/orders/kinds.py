"""Order kinds a field app registers (``sampling.recall``, ``reserve.fire``): data, not code.

An app declares its kind in one of its own migrations::

    from hotline.orders.kinds import RegisterKind

    class Migration(migrations.Migration):
        dependencies = [("orders", "0004_order_source_and_kinds")]
        operations = [
            RegisterKind(
                "sampling.recall", "混管阳性召回",
                category="testing", appeal_type="help", urgency="urgent",
                clocks=[{"mode": "normal", "urgency": "urgent",
                         "accept": (30, "minutes"), "resolve": (12, "hours")}],
                rules=[{"priority": 5, "name": "召回派所在镇街", "target": "town_office"}],
            )
        ]

That writes an ``OrderKind`` row (label and the default classification of its orders),
``SlaPolicy`` rows whose ``kind`` is the code (tried before the kind-less rows by
``clocks.limits_for``) and ``RoutingRule`` rows limited to the kind (matched with every other
rule by priority, so give them small numbers). Reversing the migration removes exactly those
rows. Nothing in ``orders`` names an app's kind: the receive service reads the table.
"""

from __future__ import annotations

from django.db import migrations

from .cache import TtlCache
from .choices import AppealType, Category, LimitUnit, RoutingTarget, SlaMode, Urgency

KINDS_TTL = 5.0


def _load_kinds() -> dict:
    from .models import OrderKind

    return {k.code: k for k in OrderKind.objects.all()}


kinds_cache = TtlCache(_load_kinds, KINDS_TTL)


def get(code: str):
    """The registered ``OrderKind`` of ``code``, or None."""
    return kinds_cache.get().get(code)


def _limit(value, what: str) -> tuple[int, str]:
    amount, unit = value
    if unit == "hours":
        amount, unit = amount * 60, LimitUnit.MINUTES
    if unit not in LimitUnit.values or int(amount) <= 0:
        raise ValueError(f"{what}: bad limit {value!r} (minutes, hours or workdays, > 0)")
    return int(amount), str(unit)


class RegisterKind(migrations.RunPython):
    """Register an order kind with its clocks and routing rules (reversible)."""

    def __init__(
        self,
        code: str,
        label: str,
        *,
        category: str,
        appeal_type: str = AppealType.HELP,
        urgency: str = Urgency.NORMAL,
        epidemic_related: bool | None = None,
        clocks: list[dict] = (),
        rules: list[dict] = (),
    ):
        app, _, rest = code.partition(".")
        if not app or not rest:
            raise ValueError(f"kind code {code!r} must be '<app>.<name>'")
        if category not in Category.values:
            raise ValueError(f"{code}: unknown category {category!r} (TAXONOMY codes)")
        if appeal_type not in AppealType.values or urgency not in Urgency.values:
            raise ValueError(f"{code}: unknown appeal type or urgency")
        self.kind = {
            "code": code,
            "label": label,
            "app": app,
            "category": category,
            "appeal_type": appeal_type,
            "urgency": urgency,
            "epidemic_related": epidemic_related,
        }
        self.clocks = []
        for clock in clocks:
            if clock["mode"] not in SlaMode.values or clock["urgency"] not in Urgency.values:
                raise ValueError(f"{code}: bad clock {clock!r}")
            accept = _limit(clock["accept"], f"{code} accept")
            resolve = _limit(clock["resolve"], f"{code} resolve")
            self.clocks.append(
                {
                    "mode": clock["mode"],
                    "urgency": clock["urgency"],
                    "appeal_type": clock.get("appeal_type", ""),
                    "accept_amount": accept[0],
                    "accept_unit": accept[1],
                    "resolve_amount": resolve[0],
                    "resolve_unit": resolve[1],
                }
            )
        self.rules = []
        for rule in rules:
            if rule["target"] not in RoutingTarget.values:
                raise ValueError(f"{code}: unknown routing target {rule['target']!r}")
            self.rules.append(
                {
                    "priority": int(rule["priority"]),
                    "name": rule["name"],
                    "target": rule["target"],
                    "unit_code": rule.get("unit_code", ""),
                    "category": rule.get("category", ""),
                    "urgency": rule.get("urgency", ""),
                    "epidemic_related": rule.get("epidemic_related"),
                }
            )
        super().__init__(self._forward, self._backward)

    def describe(self) -> str:
        return f"Register order kind {self.kind['code']}"

    def _forward(self, apps, schema_editor):
        code = self.kind["code"]
        OrderKind = apps.get_model("orders", "OrderKind")
        OrderKind.objects.update_or_create(
            code=code, defaults={k: v for k, v in self.kind.items() if k != "code"}
        )
        SlaPolicy = apps.get_model("orders", "SlaPolicy")
        for clock in self.clocks:
            key = {k: clock[k] for k in ("mode", "urgency", "appeal_type")}
            SlaPolicy.objects.update_or_create(
                kind=code, **key, defaults={k: v for k, v in clock.items() if k not in key}
            )
        RoutingRule = apps.get_model("orders", "RoutingRule")
        for rule in self.rules:
            RoutingRule.objects.update_or_create(
                kind=code,
                name=rule["name"],
                defaults={k: v for k, v in rule.items() if k != "name"},
            )

    def _backward(self, apps, schema_editor):
        code = self.kind["code"]
        apps.get_model("orders", "RoutingRule").objects.filter(kind=code).delete()
        apps.get_model("orders", "SlaPolicy").objects.filter(kind=code).delete()
        apps.get_model("orders", "OrderKind").objects.filter(code=code).delete()
