"""The care API (a django-ninja Router added to /api/v1/ by hotline.config.api).

Household data is masked unless the role needs it; an unmasked answer is recorded like a
reveal on the page. Endpoints parse input, call one service, render.
"""

from __future__ import annotations

from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from hotline.accounts.services import record_data_access
from hotline.common.params import as_id

from . import queries, services
from .errors import CareError, not_found
from .models import PERSONAL_FIELDS, CareRequest, HandoverPhoto
from .photos import MAX_BYTES
from .schemas import AssignIn, CommunityIn, ErrorOut, FromOrderIn, ReasonIn, RequestOut, RouteIn

router = Router(tags=["居家关爱"])
#: The optional multipart photo of a handover.
PHOTO_FILE = File(None)
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def request_json(
    care: CareRequest, user, *, via: str, photos: set[int] | None = None, unmask: bool = True
) -> dict:
    reveal = unmask and care.can_reveal(user)
    household = (
        {f: getattr(care, f) for f in PERSONAL_FIELDS} if reveal else queries.masked_household(care)
    )
    if reveal:
        record_data_access(user, care, PERSONAL_FIELDS, via)
    if photos is None:
        photos = set(
            HandoverPhoto.objects.filter(task__request=care).values_list("task_id", flat=True)
        )
    return {
        "id": care.pk,
        "origin": care.origin,
        "order": care.order.number if care.order_id else None,
        "unit": care.unit.code,
        "town": care.town_id,
        "village": care.village_id,
        "need": care.need,
        "need_label": care.get_need_display(),
        "description": care.description,
        "urgent": care.urgent,
        "vulnerable": list(care.vulnerable or []),
        **household,
        "masked": not reveal,
        "status": care.status,
        "received_at": care.received_at,
        "done_at": care.done_at,
        "minutes_to_help": care.minutes_to_help,
        "tasks": [
            {
                "id": t.pk,
                "items": t.items,
                "status": t.status,
                "status_label": t.get_status_display(),
                "assignee": t.assignee.username if t.assignee_id else None,
                "by_office": t.by_office,
                "due_at": t.due_at,
                "finished_at": t.finished_at,
                "route_position": t.route_position,
                "code_confirmed": t.code_confirmed,
                "has_photo": t.pk in photos,
            }
            for t in care.tasks.all()
        ],
    }


def _one(user, pk: int) -> CareRequest:
    care = queries.requests_for(user).filter(pk=as_id(pk)).first()
    if care is None:
        raise not_found()
    return care


@router.get("/care/requests", response=list[RequestOut])
def list_requests(
    request, status: str = Query("open", max_length=12), limit: int = Query(50, ge=1, le=200)
):
    """Requests you may see (the center all, a town office its own), masked for display: an
    unmasked list would be a bulk read of residents' data."""
    rows = list(queries.requests_for(request.user, status=status)[:limit])
    photos = set(
        HandoverPhoto.objects.filter(task__request__in=rows).values_list("task_id", flat=True)
    )
    out = []
    for care in rows:
        out.append(request_json(care, request.user, via="", photos=photos, unmask=False))
    return out


@router.get("/care/requests/{int:pk}", response={200: RequestOut, **ERRORS})
def get_request(request, pk: int):
    """One request; unmasked (and recorded) for the roles that deliver or call back."""
    return request_json(_one(request.user, pk), request.user, via="api_request")


@router.post("/care/requests/from-order", response={201: RequestOut, **ERRORS})
def from_order(request, body: FromOrderIn):
    care = services.create_from_order(
        request.user,
        body.order,
        need=body.need,
        items=body.items,
        address=body.address,
        village_code=body.village_code,
    )
    return HttpStatus(
        201, request_json(_one(request.user, care.pk), request.user, via="api_create")
    )


@router.post("/care/requests", response={201: RequestOut, **ERRORS})
def community(request, body: CommunityIn):
    care = services.create_from_community(request.user, **body.dict())
    return HttpStatus(
        201, request_json(_one(request.user, care.pk), request.user, via="api_create")
    )


@router.post("/care/requests/{int:pk}/cancel", response={200: RequestOut, **ERRORS})
def cancel(request, pk: int, body: ReasonIn):
    services.cancel_request(request.user, pk, reason=body.reason)
    return request_json(_one(request.user, pk), request.user, via="api_request")


def _task_answer(request, task):
    return request_json(_one(request.user, task.request_id), request.user, via="api_request")


@router.post("/care/tasks/{int:pk}/assign", response={200: RequestOut, **ERRORS})
def assign(request, pk: int, body: AssignIn):
    task = services.assign_task(
        request.user, pk, volunteer=body.volunteer, by_office=body.by_office
    )
    return _task_answer(request, task)


@router.post("/care/tasks/{int:pk}/start", response={200: RequestOut, **ERRORS})
def start(request, pk: int):
    return _task_answer(request, services.start_task(request.user, pk))


@router.post("/care/tasks/{int:pk}/deliver", response={200: RequestOut, **ERRORS})
def deliver(
    request,
    pk: int,
    code: str = Form("", max_length=6),
    note: str = Form("", max_length=500),
    photo: UploadedFile | None = PHOTO_FILE,
):
    """Hand over with the resident's code and/or a photo (multipart, ≤ 5 MB)."""
    data = None
    if photo is not None:
        if photo.size and photo.size > MAX_BYTES:
            raise CareError("照片不能超过 5 MB，请压缩后再上传。", "photo_too_large", 422)
        data = photo.read()
    task = services.deliver_task(request.user, pk, code=code, photo=data, note=note)
    return _task_answer(request, task)


@router.post("/care/tasks/{int:pk}/fail", response={200: RequestOut, **ERRORS})
def fail(request, pk: int, body: ReasonIn):
    return _task_answer(request, services.fail_task(request.user, pk, reason=body.reason))


@router.post("/care/routes", response={200: list[int], **ERRORS})
def route(request, body: RouteIn):
    """Plan a volunteer's route; answers the task ids in route order."""
    return [t.pk for t in services.plan_route(request.user, body.volunteer, body.tasks)]
