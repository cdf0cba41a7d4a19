"""The two kinds of order movement control makes (docs/CONTROL.md):

- ``control.health_code_appeal``: a resident's health-code appeal, routed to the code
  authority (unit ``dept-healthcode``, created by this app's demo data; where it does not exist
  the district epidemic-control office of the resident's district takes it, else the center);
  urgent clocks because appeals are about tomorrow's exam or hospital visit.
- ``control.overdue_return``: a household member out longer than the rule allows, for the
  community to check on; routed to the town office of the village (routing has no village
  target; the town office passes it to its village committee).
"""

from django.db import migrations

from hotline.orders.kinds import RegisterKind


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0001_initial"),
        ("orders", "0004_order_source_and_kinds"),
    ]

    operations = [
        RegisterKind(
            "control.health_code_appeal",
            "健康码申诉",
            category="health_code",
            appeal_type="help",
            urgency="urgent",
            epidemic_related=True,
            clocks=[
                {"mode": "normal", "urgency": "urgent", "accept": (1, "hours"), "resolve": (24, "hours")},
                {"mode": "surge", "urgency": "urgent", "accept": (2, "hours"), "resolve": (24, "hours")},
            ],
            rules=[
                {
                    "priority": 1,
                    "name": "健康码申诉派健康码核定专班",
                    "target": "unit",
                    "unit_code": "dept-healthcode",
                },
                {
                    "priority": 2,
                    "name": "健康码申诉（无专班）派区县疫情防控办",
                    "target": "district_epidemic_office",
                },
            ],
        ),
        RegisterKind(
            "control.overdue_return",
            "外出超时未归",
            category="control",
            appeal_type="help",
            urgency="normal",
            epidemic_related=True,
            clocks=[
                {"mode": "normal", "urgency": "normal", "accept": (1, "hours"), "resolve": (12, "hours")},
                {"mode": "surge", "urgency": "normal", "accept": (2, "hours"), "resolve": (24, "hours")},
            ],
            rules=[
                {"priority": 3, "name": "超时未归派所在镇街（转村居）", "target": "town_office"},
            ],
        ),
    ]
