"""Seed the default clock matrix (normal and surge) and the default routing table.

Both are data, editable in admin afterwards; re-running only fills rows that are missing.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from hotline.orders.clocks import default_policy_rows
    from hotline.orders.routing import DEFAULT_RULES

    SlaPolicy = apps.get_model("orders", "SlaPolicy")
    RoutingRule = apps.get_model("orders", "RoutingRule")
    OperatingMode = apps.get_model("orders", "OperatingMode")
    for row in default_policy_rows():
        key = {k: row.pop(k) for k in ("mode", "urgency", "appeal_type")}
        SlaPolicy.objects.get_or_create(**key, defaults=row)
    if not RoutingRule.objects.exists():
        for priority, name, match, target, unit_code in DEFAULT_RULES:
            RoutingRule.objects.create(
                priority=priority, name=name, target=str(target), unit_code=unit_code,
                **{k: (str(v) if isinstance(v, str) else v) for k, v in match.items()},
            )
    OperatingMode.objects.get_or_create(pk=1, defaults={"mode": "normal"})


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
