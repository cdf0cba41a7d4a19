"""Reads of the screening app: a unit's day in its ledger, prefilled report values, the
roll-up of a form by unit and district with the late ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from .choices import ReportStatus, TestResult
from .models import DailyReport, DailyStatus, Ledger, Person, ReportForm, cutoff_at, unit_of


def ledger_of(user) -> Ledger | None:
    unit_id = unit_of(user)
    if unit_id is None:
        return None
    return (
        Ledger.objects.select_related("unit", "filler__hotline_profile")
        .filter(unit_id=unit_id)
        .first()
    )


def ledger_day(ledger: Ledger, day: dt.date) -> list[tuple[Person, DailyStatus | None]]:
    """Every active person of the ledger with their status of ``day`` (None when not filled)."""
    people = list(ledger.people.filter(active=True).order_by("kind", "id"))
    rows = {
        s.person_id: s
        for s in DailyStatus.objects.filter(person__ledger=ledger, day=day).select_related(
            "filled_by__hotline_profile"
        )
    }
    return [(p, rows.get(p.pk)) for p in people]


def ledger_summary(ledger_id: int, day: dt.date) -> dict:
    """Counts of a ledger's day in one query: people, filled, on duty, negative, with
    symptoms, positive, late."""
    people = Person.objects.filter(ledger_id=ledger_id, active=True).count()
    statuses = DailyStatus.objects.filter(person__ledger_id=ledger_id, person__active=True, day=day)
    agg = statuses.aggregate(
        filled=Count("id"),
        on_duty=Count("id", filter=Q(on_duty=True)),
        negative=Count("id", filter=Q(test_result=TestResult.NEGATIVE)),
        positive=Count("id", filter=Q(test_result=TestResult.POSITIVE)),
        symptoms=Count("id", filter=Q(symptoms=True)),
        late=Count("id", filter=Q(late=True)),
    )
    return {"people": people, "missing": people - agg["filled"], **agg}


def prefill(form: ReportForm, unit_id: int, day: dt.date) -> dict:
    """Values a form's fields take from the unit's ledger (``"prefill": "ledger.<count>"``)."""
    wanted = {
        s["key"]: s["prefill"].split(".", 1)[1]
        for s in form.field_specs()
        if str(s.get("prefill", "")).startswith("ledger.")
    }
    if not wanted:
        return {}
    ledger = Ledger.objects.filter(unit_id=unit_id).first()
    if ledger is None:
        return {}
    summary = ledger_summary(ledger.pk, day)
    return {key: summary[name] for key, name in wanted.items() if name in summary}


def forms_for_unit(unit_id: int | None) -> list[ReportForm]:
    if unit_id is None:
        return []
    return list(ReportForm.objects.filter(active=True, units__id=unit_id).order_by("code"))


def forms_overseen(user) -> list[ReportForm]:
    return [
        f
        for f in ReportForm.objects.filter(active=True).select_related("approver")
        if f.can_oversee(user)
    ]


@dataclass
class UnitRow:
    unit: object
    report: DailyReport | None
    late: bool
    missing: bool


@dataclass
class DistrictRow:
    code: str
    name: str
    units: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    missing: int = 0
    late: int = 0
    rows: list[UnitRow] = field(default_factory=list)


def rollup(form: ReportForm, day: dt.date, now=None) -> list[DistrictRow]:
    """Every unit that must report on ``form`` for ``day``, grouped by district (the county of
    the unit's division; departments without one under “市直单位”): its report, whether it was
    late — submitted after the cut-off, or still missing once the cut-off has passed."""
    now = now or timezone.now()
    past_cutoff = now > cutoff_at(day, form.cutoff)
    units = list(form.units.select_related("division__parent").order_by("code"))
    reports = {
        r.unit_id: r
        for r in DailyReport.objects.filter(form=form, day=day).select_related(
            "submitted_by__hotline_profile"
        )
    }
    districts: dict[str, DistrictRow] = {}
    for unit in units:
        division = unit.division
        county = None
        if division is not None:
            county = division if division.level == "county" else division.parent
            if county is not None and county.level != "county":
                county = None
        key = county.code if county else "city"
        row = districts.setdefault(key, DistrictRow(key, county.name if county else "市直单位"))
        report = reports.get(unit.pk)
        missing = report is None
        late = (report.late if report else past_cutoff) or False
        row.units += 1
        row.missing += missing
        row.late += late
        if report is not None:
            row.submitted += report.status == ReportStatus.SUBMITTED
            row.approved += report.status == ReportStatus.APPROVED
            row.returned += report.status == ReportStatus.RETURNED
        row.rows.append(UnitRow(unit, report, late, missing))
    return sorted(districts.values(), key=lambda d: d.code)


def late_rows(districts: list[DistrictRow]) -> list[UnitRow]:
    return [r for d in districts for r in d.rows if r.late]
