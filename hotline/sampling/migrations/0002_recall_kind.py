"""The order kind of a pooled-positive recall: urgent, routed to the village's town office."""

from django.db import migrations

from hotline.orders.kinds import RegisterKind

CLOCK = {"accept": (30, "minutes"), "resolve": (12, "hours")}


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0001_initial"),
        ("orders", "0004_order_source_and_kinds"),
    ]

    operations = [
        RegisterKind(
            "sampling.recall",
            "混管阳性召回",
            category="testing",
            appeal_type="help",
            urgency="urgent",
            epidemic_related=True,
            clocks=[
                {"mode": "normal", "urgency": "urgent", **CLOCK},
                {"mode": "surge", "urgency": "urgent", **CLOCK},
            ],
            rules=[{"priority": 3, "name": "混管召回派所在镇街", "target": "town_office"}],
        )
    ]
