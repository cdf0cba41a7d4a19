"""The sampling API (a django-ninja Router added to /api/v1/ by hotline.config.api):
registrations in batch from collection devices, lab results, coverage."""

from __future__ import annotations

from ninja import Router

from . import queries, services
from .errors import forbidden, not_found
from .models import Round
from .schemas import CoverageOut, ErrorOut, ImportOut, ResultsIn, SamplesIn

router = Router(tags=["核酸采样"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _round(request, pk: int) -> Round:
    round_ = Round.objects.select_related("area").filter(pk=pk).first()
    if round_ is None or not round_.can_view(request.user):
        raise not_found("找不到这一轮采样。", "round_not_found")
    return round_


def _coverage(c) -> dict:
    return {
        **{
            k: getattr(c, k)
            for k in (
                "village_code",
                "village_name",
                "risk_level",
                "registered",
                "sampled",
                "on_site",
                "door",
                "visitors",
            )
        },
        "missing": c.missing,
        "percent": c.percent,
    }


@router.post("/sampling/rounds/{pk}/samples", response={200: ImportOut, **ERRORS})
def import_samples(request, pk: int, body: SamplesIn):
    """Registrations in batch (a device's offline queue): good rows kept, each bad row listed
    with its number (1-based), code and message."""
    round_ = _round(request, pk)
    rows = [services.SampleRow(r.tube, r.person, r.site, r.sampled_at, r.mode) for r in body.rows]
    report = services.import_samples(request.user, round_, rows)
    return {
        "rows": report.rows,
        "created": report.created,
        "tubes_closed": report.tubes_closed,
        "errors": report.errors,
    }


@router.post("/sampling/rounds/{pk}/results", response={200: ImportOut, **ERRORS})
def import_results(request, pk: int, body: ResultsIn):
    """A lab's results (tube, result, time); positive pools start recalls and their orders."""
    round_ = _round(request, pk)
    rows = [services.ResultRow(r.tube, r.result, r.at) for r in body.rows]
    lab = services.import_results(request.user, round_, rows, file_name=body.file_name)
    return {"rows": lab.rows, "created": lab.applied, "errors": lab.errors}


@router.get("/sampling/rounds/{pk}/coverage", response={200: list[CoverageOut], **ERRORS})
def round_coverage(request, pk: int):
    """Coverage of every grid of the round (managers)."""
    round_ = _round(request, pk)
    if not round_.can_manage(request.user):
        raise forbidden("只有本轮组织者可以查看全部网格。")
    return [_coverage(c) for c in queries.round_coverage(round_)]


@router.get("/sampling/rounds/{pk}/coverage/{code}", response={200: CoverageOut, **ERRORS})
def village_coverage(request, pk: int, code: str):
    """Coverage of one village (its town office, its grid's staff, managers)."""
    round_ = _round(request, pk)
    grid = round_.grids.filter(village_id=code).first() if code.isdigit() else None
    if grid is None or not grid.can_view(request.user):
        raise not_found("本轮没有这个网格。", "grid_not_found")
    return _coverage(queries.village_coverage(round_, code))
