"""Factories of the screening tests: ledgers, people and forms made through the services
(forms are data an administrator enters, so they are created directly)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hotline.geo.models import HandlingUnit
from hotline.screening import services
from hotline.screening.models import ReportForm

DAY = dt.date(2022, 11, 6)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def ledger_with(handler, names=("何志明", "邓永生", "黄国强")):
    kinds = ["staff", "ranger", "contractor"]
    people = [
        services.add_person(handler, name=n, kind=kinds[i % 3], phone="13912345678", post="值班室")
        for i, n in enumerate(names)
    ]
    return people


def row(**overrides) -> dict:
    values = {"test_result": "negative", "location": "值班室", "on_duty": True}
    values.update(overrides)
    return values


def town_form(units=("440902101", "440902102"), approver="440902-epi", code="town-daily"):
    form = ReportForm.objects.create(
        code=code,
        title="镇街疫情防控一日一报告",
        cutoff=dt.time(17, 0),
        approver=HandlingUnit.objects.get(code=approver),
        fields=[
            {
                "key": "staff_on_duty",
                "label": "在岗人数",
                "type": "int",
                "prefill": "ledger.on_duty",
            },
            {"key": "sealed", "label": "封控户数", "type": "int"},
            {"key": "fire", "label": "发现火情", "type": "choice", "choices": ["无", "有"]},
            {"key": "night_watch", "label": "夜间值守", "type": "bool"},
            {"key": "notes", "label": "其他情况", "type": "text", "required": False},
        ],
    )
    form.units.set(HandlingUnit.objects.filter(code__in=units))
    return form


GOOD = {"staff_on_duty": "3", "sealed": "12", "fire": "无", "night_watch": "1"}
