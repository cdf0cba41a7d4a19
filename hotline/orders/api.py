"""The orders API: receive, list, read, and one endpoint per lifecycle action.

Endpoints parse input, call one service and render. Caller name, phone and address are masked
in every response; ``GET /orders/{number}?reveal=true`` shows them to the roles allowed to see
them and records the read. A unit handler sees only orders dispatched to their unit (lead or
co-handler); any other order is "not found" to them.
"""

from django.db import transaction
from django.utils import timezone
from ninja import Header, Query, Router
from ninja import Status as Reply
from pydantic import ValidationError

from hotline.common.api_errors import field_errors
from hotline.common.masking import mask_address, mask_coordinate, mask_name, mask_phone

from . import services
from .choices import Status
from .clocks import current_mode
from .errors import OrderError, not_found
from .models import PERSONAL_DATA_FIELDS, OperatingMode, Order
from .queries import filter_orders, timeline, visible_orders
from .schemas import (
    BatchOrderIn,
    CallbackIn,
    DecideExtensionIn,
    DispatchIn,
    EmptyIn,
    ErrorOut,
    ExtensionIn,
    FirstContactIn,
    LinkDuplicateIn,
    ModeIn,
    ModeOut,
    NoteIn,
    OrderBatchIn,
    OrderBatchOut,
    OrderDetailOut,
    OrderFilter,
    OrderIn,
    OrderPage,
    OrderReceivedOut,
    ReasonIn,
    ResolveIn,
)

router = Router(tags=["orders"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
STATUS_LABELS = dict(Status.choices)


def _local(value):
    return timezone.localtime(value) if value else None


def _unit(unit):
    return {"code": unit.code, "name": unit.name, "kind": unit.kind} if unit else None


def order_json(order: Order, *, now, reveal: bool = False, events=None) -> dict:
    """The JSON of an order; personal data masked unless ``reveal``."""
    data = {
        "number": order.number,
        "channel": order.channel,
        "appeal_type": order.appeal_type,
        "category": order.category,
        "urgency": order.urgency,
        "vulnerable": order.vulnerable,
        "epidemic_related": order.epidemic_related,
        "status": order.status,
        "status_label": STATUS_LABELS[order.status],
        "title": order.title,
        "description": order.description,
        "caller_name": order.caller_name if reveal else mask_name(order.caller_name),
        "caller_phone": order.caller_phone if reveal else mask_phone(order.caller_phone),
        "personal_data_masked": not reveal,
        "address": order.address if reveal else mask_address(order.address),
        "district_code": order.district_id,
        "town_code": order.town_id,
        "village_code": order.village_id,
        "latitude": order.latitude if reveal else mask_coordinate(order.latitude),
        "longitude": order.longitude if reveal else mask_coordinate(order.longitude),
        "handling_unit": _unit(order.handling_unit),
        "co_units": [_unit(u) for u in order.co_units.all()],
        "sla_mode": order.sla_mode,
        "accept_deadline": _local(order.accept_deadline),
        "resolve_deadline": _local(order.resolve_deadline),
        "callback_due": _local(order.callback_due),
        "overdue": order.is_overdue(now),
        "received_at": _local(order.received_at),
        "dispatched_at": _local(order.dispatched_at),
        "accepted_at": _local(order.accepted_at),
        "resolved_at": _local(order.resolved_at),
        "closed_at": _local(order.closed_at),
        "escalated_at": _local(order.escalated_at),
        "return_count": order.return_count,
        "reopen_count": order.reopen_count,
        "extension": (
            {
                "until": _local(order.extension_until),
                "reason": order.extension_reason,
                "requested_at": _local(order.extension_requested_at),
            }
            if order.extension_pending
            else None
        ),
        "reply": order.reply,
        "article_key": order.article_key,
        "satisfaction": order.satisfaction,
        "callback_note": order.callback_note,
        "duplicate_of": order.duplicate_of.number if order.duplicate_of_id else None,
    }
    if events is not None:
        data["events"] = [
            {
                "code": e.code,
                "at": _local(e.at),
                "actor": e.actor.get_username() if e.actor_id else None,
                "unit": e.unit.code if e.unit_id else None,
                "payload": e.payload,
            }
            for e in events
        ]
    return data


def received_json(order: Order) -> dict:
    """The answer to a receive (201, or 200 for a replayed key): what a client needs to follow
    the order up — its number, status, classification, unit and clocks. Not the appeal's text
    or the caller's data (the client has just sent them) and not the timeline: a client that
    wants them reads ``GET /orders/{number}``. Rendering less is most of what makes the
    answer cheap (docs/PERFORMANCE.md, "Orders: receive over HTTP")."""
    return {
        "number": order.number,
        "status": order.status,
        "status_label": STATUS_LABELS[order.status],
        "channel": order.channel,
        "appeal_type": order.appeal_type,
        "category": order.category,
        "urgency": order.urgency,
        "vulnerable": order.vulnerable,
        "epidemic_related": order.epidemic_related,
        "title": order.title,
        "district_code": order.district_id,
        "town_code": order.town_id,
        "village_code": order.village_id,
        "handling_unit": _unit(order.handling_unit),
        "sla_mode": order.sla_mode,
        "accept_deadline": _local(order.accept_deadline),
        "resolve_deadline": _local(order.resolve_deadline),
        "received_at": _local(order.received_at),
        "dispatched_at": _local(order.dispatched_at),
    }


def _detail(request, number: str, *, reveal: bool = False, reason: str = "") -> dict:
    order = visible_orders(request.user).filter(number=number).first()
    if order is None:
        raise not_found(number)
    if reveal:
        services.record_personal_data_read(
            request.user,
            order,
            fields=list(PERSONAL_DATA_FIELDS),
            via="api:order_detail",
            reason=reason,
            request=request,
        )
    return order_json(order, now=timezone.now(), reveal=reveal, events=timeline(order))


def _token_client(request) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


@router.post(
    "/orders",
    response={200: OrderReceivedOut, 201: OrderReceivedOut, 400: ErrorOut, **ERRORS},
    summary="受理工单（receive）",
)
def receive_order(
    request,
    payload: OrderIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=100, pattern=r"^[\x21-\x7e]+$"
    ),
):
    """Receive an appeal. Token clients must send `Idempotency-Key`: a retry with the same key
    and body returns the same order (200); the same key with another body is a 409.

    The answer is the order's summary — number, status, classification, handling unit and
    deadlines — without the appeal's text, the caller's data or the event timeline; read
    `GET /orders/{number}` for those."""
    if not idempotency_key and _token_client(request):
        raise OrderError(
            "接口客户端必须在请求头 Idempotency-Key 中提供幂等键（每条诉求一个，重试时不变）。",
            code="idempotency_key_required",
            status=400,
        )
    result = services.receive(request.user, **payload.dict(), idempotency_key=idempotency_key or "")
    return Reply(201 if result.created else 200, received_json(result.order))


@router.post(
    "/orders/batch",
    response={200: OrderBatchOut, 413: ErrorOut, **ERRORS},
    summary="批量受理工单（receive_batch）",
)
def receive_orders(request, payload: OrderBatchIn):
    """Receive up to 500 appeals, each with its own `idempotency_key`. Every item gets its own
    result — 201 created, 200 the same order again (a retried key), 409 key reused for another
    appeal, 422 invalid (with field errors) — and one bad item never refuses the others."""
    results: list[dict | None] = [None] * len(payload.items)
    appeals, positions = [], []
    for index, raw in enumerate(payload.items):
        try:
            item = BatchOrderIn.model_validate(raw)
        except ValidationError as exc:
            results[index] = {
                "index": index,
                "status": 422,
                "code": "validation_error",
                "message": "该条诉求的参数有误，请按提示修改。",
                "errors": field_errors(exc.errors()),
            }
            continue
        appeals.append(services.Appeal(**item.dict()))
        positions.append(index)
    for done in services.receive_batch(request.user, appeals):
        index = positions[done.index]
        results[index] = {
            "index": index,
            "status": done.status,
            "code": done.code,
            "message": done.message,
            "number": done.order.number if done.order else None,
        }
    statuses = [r["status"] for r in results]
    return {
        "created": statuses.count(201),
        "replayed": statuses.count(200),
        "failed": sum(1 for st in statuses if st >= 400),
        "items": results,
    }


@router.get("/orders", response={200: OrderPage, **ERRORS}, summary="工单列表")
def list_orders(request, filters: Query[OrderFilter]):
    """Orders the user may see, newest first, filtered and paginated (count is of that set)."""
    now = timezone.now()
    qs = filter_orders(visible_orders(request.user), filters, now)
    count = qs.count()
    page = qs.order_by("-received_at", "-id")[filters.offset : filters.offset + filters.limit]
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [order_json(o, now=now) for o in page],
    }


@router.get("/orders/{number}", response={200: OrderDetailOut, **ERRORS}, summary="工单详情")
def get_order(request, number: str, reveal: bool = False, reason: str = Query("", max_length=300)):
    """An order with its event timeline. `reveal=true` shows the caller's full name and phone
    to agents, supervisors, admins and the lead unit's handlers, and records the read; it needs
    a `reason` (at least 4 characters), kept in the audit log."""
    return _detail(request, number, reveal=reveal, reason=reason)


def _action(name: str, summary: str, schema, call):
    """Register `POST /orders/{number}/actions/<name>` calling ``call(user, number, body)``."""

    def endpoint(request, number: str, payload: schema):  # type: ignore[valid-type]
        # Render the order the service returns: after a return the unit no longer sees it.
        order = call(request.user, number, payload)
        return order_json(order, now=timezone.now(), events=timeline(order))

    endpoint.__name__ = f"action_{name.replace('-', '_')}"
    endpoint.__doc__ = summary
    router.post(
        f"/orders/{{number}}/actions/{name}",
        response={200: OrderDetailOut, **ERRORS},
        summary=summary,
        operation_id=f"orders_action_{name.replace('-', '_')}",
    )(endpoint)


_action(
    "dispatch",
    "派单（dispatch）：主办单位与协办单位",
    DispatchIn,
    lambda u, n, b: services.dispatch(u, n, unit=b.unit, co_units=b.co_units),
)
_action("accept", "签收（accept）", EmptyIn, lambda u, n, b: services.accept(u, n))
_action(
    "return",
    "退单（return）：须说明理由，派单后 1 个工作日内",
    ReasonIn,
    lambda u, n, b: services.return_to_center(u, n, reason=b.reason),
)
_action(
    "request-extension",
    "申请延期（request extension）",
    ExtensionIn,
    lambda u, n, b: services.request_extension(u, n, until=b.until, reason=b.reason),
)
_action(
    "decide-extension",
    "审批延期（decide extension）",
    DecideExtensionIn,
    lambda u, n, b: services.decide_extension(u, n, approve=b.approve, note=b.note),
)
_action("note", "备注（note）", NoteIn, lambda u, n, b: services.add_note(u, n, text=b.text))
_action(
    "escalate",
    "督办（escalate）",
    ReasonIn,
    lambda u, n, b: services.escalate(u, n, reason=b.reason),
)
_action(
    "resolve", "答复（resolve）", ResolveIn, lambda u, n, b: services.resolve(u, n, reply=b.reply)
)
_action(
    "callback",
    "回访（callback）：不满意则重办",
    CallbackIn,
    lambda u, n, b: services.record_callback(u, n, satisfaction=b.satisfaction, note=b.note),
)
_action(
    "close-first-contact",
    "首呼办结（close at first contact）",
    FirstContactIn,
    lambda u, n, b: services.close_at_first_contact(
        u, n, answer=b.answer, article_key=b.article_key
    ),
)
_action(
    "link-duplicate",
    "合并重复件（link duplicate）",
    LinkDuplicateIn,
    lambda u, n, b: services.link_duplicate(u, n, of=b.of),
)


def _mode_json() -> dict:
    row = OperatingMode.objects.select_related("changed_by").filter(pk=1).first()
    return {
        "mode": row.mode if row else current_mode(),
        "changed_at": _local(row.changed_at) if row else None,
        "changed_by": row.changed_by.get_username() if row and row.changed_by_id else None,
    }


@router.get("/sla/mode", response={200: ModeOut, **ERRORS}, summary="当前时限模式")
def get_mode(request):
    """The clock matrix new orders get: `normal` or `surge`."""
    return _mode_json()


@router.post("/sla/mode", response={200: ModeOut, **ERRORS}, summary="切换时限模式（值班长）")
def switch_mode(request, payload: ModeIn):
    """Switch the matrix for new orders; existing clocks are not rewritten."""
    with transaction.atomic():
        services.set_mode(request.user, payload.mode)
    return _mode_json()
