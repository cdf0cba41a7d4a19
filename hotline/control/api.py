"""The control API (a django-ninja Router added to /api/v1/ by hotline.config.api).

- ``POST /control/test-results``: the test-result feed (the sampling app, a lab's system);
  admins and field staff; idempotent, answers how many were new.
- ``GET /control/test-results/{id_hash}/validity``: only whether a valid negative exists.
- ``GET /control/checkpoints/{code}/bundle`` and ``POST …/passages``: what the checkpoint page
  caches, and its queued passages (idempotent by client id).
- ``POST /control/appeals/{id}/decision``: the code authority's decision.
"""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from hotline.accounts.roles import Role, roles_of

from . import services
from .models import Checkpoint
from .schemas import (
    AppealOut,
    DecisionIn,
    ErrorOut,
    PassagesIn,
    RecordedOut,
    SyncOut,
    TestResultsIn,
    ValidityOut,
)
from .services import _HEX, ControlError

router = Router(tags=["出行管控"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
FEED_ROLES = frozenset({Role.ADMIN, Role.FIELD_STAFF})


def _require(request, roles) -> None:
    if not roles_of(request.user) & roles:
        raise ControlError("您的角色不能调用此接口。", code="forbidden", status=403)


@router.post("/control/test-results", response={200: RecordedOut, **ERRORS})
def post_test_results(request, body: TestResultsIn):
    _require(request, FEED_ROLES)
    results = [services.TestResultIn(**r.dict()) for r in body.results]
    new = services.record_test_results(request.user, results)
    return {"sent": len(results), "new": new}


@router.get("/control/test-results/{id_hash}/validity", response={200: ValidityOut, **ERRORS})
def get_validity(request, id_hash: str, hours: int = 24):
    _require(request, FEED_ROLES | {Role.UNIT_HANDLER})
    if not _HEX.fullmatch(id_hash.lower()) or not 1 <= hours <= 168:
        raise ControlError("id_hash 应为 64 位，hours 为 1～168。", code="bad_request", status=422)
    return {"valid": services.has_valid_test(id_hash.lower(), hours=hours), "hours": hours}


def _checkpoint(request, code: str) -> Checkpoint:
    point = Checkpoint.objects.filter(code=code).first()
    if point is None or not point.can_operate(request.user):
        raise Http404
    return point


@router.get("/control/checkpoints/{code}/bundle", response={200: dict, **ERRORS})
def get_bundle(request, code: str):
    return services.checkpoint_bundle(_checkpoint(request, code))


@router.post("/control/checkpoints/{code}/passages", response={200: SyncOut, **ERRORS})
def post_passages(request, code: str, body: PassagesIn):
    _checkpoint(request, code)
    items = [services.PassageIn(**p.dict()) for p in body.passages]
    result = services.sync_passages(request.user, code, items)
    return {
        "created": result.created,
        "duplicates": result.duplicates,
        "conflicts": result.conflicts,
    }


@router.post("/control/appeals/{appeal_id}/decision", response={200: AppealOut, **ERRORS})
def post_decision(request, appeal_id: int, body: DecisionIn):
    appeal = services.decide_health_code_appeal(request.user, appeal_id, body.decision, body.note)
    return {
        "id": appeal.pk,
        "id_masked": appeal.id_masked,
        "colour": appeal.colour,
        "status": appeal.status,
        "decision": appeal.decision,
        "evidence": appeal.evidence,
    }
