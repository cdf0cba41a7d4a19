"""The order kind of care requests registered by a village or town office (care.request):
urgent ones are timed like the hotline's urgent help appeals, and every one goes to the town
office of its place, which delivers it."""

from django.db import migrations

from hotline.orders.kinds import RegisterKind


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("orders", "0004_order_source_and_kinds"),
    ]

    operations = [
        RegisterKind(
            "care.request",
            "居家关爱需求",
            category="supplies",
            appeal_type="help",
            urgency="normal",
            epidemic_related=True,
            clocks=[
                {"mode": mode, "urgency": "urgent", "accept": (30, "minutes"),
                 "resolve": (2, "hours")}
                for mode in ("normal", "surge")
            ]
            + [
                {"mode": mode, "urgency": "normal", "accept": (2, "hours"),
                 "resolve": (12, "hours")}
                for mode in ("normal", "surge")
            ],
            rules=[
                {"priority": 2, "name": "居家关爱需求派所在镇街", "target": "town_office"},
            ],
        )
    ]
