"""The ``reserve.fire`` order kind: a fire incident in the reserve is a critical public-safety
report, sent to the reserve's ranger station, else to the town office of the nearest town, else
to the city forestry bureau; accepted within 15 minutes, handled within 6 hours, in normal and
surge mode alike (a fire does not wait for the epidemic)."""

from django.db import migrations

from hotline.orders.kinds import RegisterKind

CLOCKS = [
    {"mode": mode, "urgency": "critical", "accept": (15, "minutes"), "resolve": (6, "hours")}
    for mode in ("normal", "surge")
]


class Migration(migrations.Migration):
    dependencies = [
        ("reserve", "0001_initial"),
        ("orders", "0004_order_source_and_kinds"),
    ]

    operations = [
        RegisterKind(
            "reserve.fire",
            "保护区火情",
            category="safety",
            appeal_type="report",
            urgency="critical",
            epidemic_related=False,
            clocks=CLOCKS,
            rules=[
                {
                    "priority": 1,
                    "name": "保护区火情派云开山护林站",
                    "target": "unit",
                    "unit_code": "reserve-yunkai",
                },
                {"priority": 2, "name": "保护区火情派所在镇街", "target": "town_office"},
                {
                    "priority": 3,
                    "name": "保护区火情派市林业局",
                    "target": "unit",
                    "unit_code": "dept-forestry",
                },
            ],
        )
    ]
