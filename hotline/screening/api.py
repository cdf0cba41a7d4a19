"""The screening API (a django-ninja Router added to /api/v1/ by hotline.config.api): a unit's
own ledger and reports; the approver's decisions and roll-up. Phones are masked."""

from __future__ import annotations

import datetime as dt

from ninja import Router

from hotline.common.masking import mask_phone

from . import queries, services
from .errors import forbidden, not_found
from .models import DailyReport
from .schemas import DistrictOut, ErrorOut, LedgerIn, LedgerOut, ReasonIn, ReportIn, ReportOut

router = Router(tags=["筛查台账与日报"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def report_json(report: DailyReport) -> dict:
    return {
        "id": report.pk,
        "form": report.form.code,
        "unit": report.unit.code,
        "day": report.day,
        "status": report.status,
        "late": report.late,
        "values": report.values,
        "submitted_at": report.submitted_at,
        "return_reason": report.return_reason,
    }


@router.get("/screening/ledger/{day}", response={200: LedgerOut, **ERRORS})
def get_ledger(request, day: dt.date):
    """Your unit's ledger on ``day`` (names of its own people; phones masked)."""
    ledger = queries.ledger_of(request.user)
    if ledger is None:
        raise not_found("本单位还没有排查台账。")
    rows = []
    for person, status in queries.ledger_day(ledger, day):
        rows.append(
            {
                "person": person.pk,
                "name": person.name,
                "kind": person.kind,
                "post": person.post,
                "phone": mask_phone(person.phone),
                "test_result": status.test_result if status else None,
                "symptoms": status.symptoms if status else None,
                "location": status.location if status else None,
                "on_duty": status.on_duty if status else None,
                "late": status.late if status else None,
            }
        )
    return {
        "unit": ledger.unit.code,
        "day": day,
        "cutoff": ledger.cutoff,
        "filler": ledger.filler.username if ledger.filler_id else None,
        "summary": queries.ledger_summary(ledger.pk, day),
        "rows": rows,
    }


@router.put("/screening/ledger/{day}", response={200: LedgerOut, **ERRORS})
def fill_ledger(request, day: dt.date, body: LedgerIn):
    """Write the day's rows (all or none); late after the cut-off."""
    services.fill_ledger(request.user, day, {k: v.dict() for k, v in body.rows.items()})
    return get_ledger(request, day)


@router.post("/screening/forms/{code}/{day}", response={200: ReportOut, **ERRORS})
def submit(request, code: str, day: dt.date, body: ReportIn):
    report = services.submit_report(request.user, code, day, body.values)
    return report_json(DailyReport.objects.select_related("form", "unit").get(pk=report.pk))


@router.post("/screening/reports/{int:pk}/approve", response={200: ReportOut, **ERRORS})
def approve(request, pk: int):
    report = services.approve_report(request.user, pk)
    return report_json(DailyReport.objects.select_related("form", "unit").get(pk=report.pk))


@router.post("/screening/reports/{int:pk}/return", response={200: ReportOut, **ERRORS})
def send_back(request, pk: int, body: ReasonIn):
    report = services.return_report(request.user, pk, reason=body.reason)
    return report_json(DailyReport.objects.select_related("form", "unit").get(pk=report.pk))


@router.get("/screening/rollup/{code}/{day}", response={200: list[DistrictOut], **ERRORS})
def rollup(request, code: str, day: dt.date):
    """A form's day by district, with every unit's status and whether it is late."""
    form = next((f for f in queries.forms_overseen(request.user) if f.code == code), None)
    if form is None:
        raise forbidden("您所在单位不审核这张日报。")
    return [
        {
            **{
                k: getattr(d, k)
                for k in (
                    "code",
                    "name",
                    "units",
                    "submitted",
                    "approved",
                    "returned",
                    "missing",
                    "late",
                )
            },
            "rows": [
                {
                    "unit": r.unit.code,
                    "name": r.unit.name,
                    "status": r.report.status if r.report else "missing",
                    "late": r.late,
                }
                for r in d.rows
            ],
        }
        for d in queries.rollup(form, day)
    ]
