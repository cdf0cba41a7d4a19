"""Every write of the care app. Each service takes the acting user first, runs in one
transaction, locks what it changes, checks the actor with the models' ``can_*`` predicates,
writes a ``CareEvent`` and raises ``CareError`` otherwise.

The order side goes through the seam only (docs/ARCHITECTURE.md): a request made from an
order is attached to it with ``attach_source``; a community request creates its order with
``receive`` (kind ``care.request``); every step is a ``source_note`` and the last handover a
``source_done``; ``follow_order_event`` reacts to what happens to the order.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.accounts.roles import Role, has_role
from hotline.accounts.services import record_data_access
from hotline.common.params import as_id
from hotline.geo.models import Division, HandlingUnit
from hotline.orders import services as orders
from hotline.orders.choices import EventCode as OrderCode
from hotline.orders.choices import Status as OrderStatus
from hotline.orders.errors import OrderError
from hotline.orders.models import Order, is_center
from hotline.orders.outbox import queue_message

from . import photos
from .choices import (
    OPEN_REQUEST_STATUSES,
    OPEN_TASK_STATUSES,
    EventCode,
    Need,
    Origin,
    RequestStatus,
    TaskStatus,
)
from .errors import CareError, forbidden, invalid, not_found
from .models import (
    PERSONAL_FIELDS,
    CareEvent,
    CareRequest,
    CareTask,
    HandoverPhoto,
    StockItem,
    StockMovement,
    TaskSupply,
    is_volunteer,
    member_unit_id,
)

KIND = "care.request"
#: How long a delivery may take from the household's call (urgent) or from the task's creation.
URGENT_LIMIT = dt.timedelta(hours=2)
NORMAL_LIMIT = dt.timedelta(hours=12)
#: Needs that are urgent whatever the caller said (TAXONOMY: out of medicine or formula,
#: dialysis blocked).
URGENT_NEEDS = frozenset({Need.MEDICINE, Need.FORMULA, Need.DIALYSIS})


def source_of(request: CareRequest) -> orders.Source:
    return orders.Source("care", "request", str(request.pk))


def _now(now):
    return now or timezone.now()


def _event(code, actor, now, *, request=None, task=None, **payload) -> CareEvent:
    return CareEvent.objects.create(
        code=code, actor=actor, at=now, request=request, task=task, payload=payload
    )


def _note(request: CareRequest, actor, text: str, now) -> None:
    """A step of the field work on the request's order timeline (none for a request without
    an order, e.g. when its order was already closed)."""
    if request.order_id is not None:
        orders.source_note(source_of(request), text, actor, now=now)


def _name(user) -> str:
    profile = getattr(user, "hotline_profile", None)
    return (profile.display_name if profile else "") or user.get_username()


def _volunteer_label(user) -> str:
    name = _name(user)
    return name if name.startswith("志愿者") else f"志愿者 {name}"


def _town_office(town: Division) -> HandlingUnit:
    unit = HandlingUnit.objects.active().filter(code=town.code).first()
    if unit is None:
        raise invalid(f"{town.name}没有启用的镇街承办单位，无法安排配送。", "no_town_office")
    return unit


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _tell_household(request: CareRequest, now) -> None:
    if request.household_phone:
        queue_message(
            request.household_phone,
            f"【12345】您的{request.get_need_display()}需求已登记，由{request.unit.name}安排配送。"
            f"工作人员上门交接时请告知确认码 {request.confirmation_code}。",
            event_code=EventCode.REQUEST_CREATED,
            order=request.order,
            now=now,
        )


def _lock_request(actor, request_id) -> CareRequest:
    request = (
        CareRequest.objects.select_for_update(of=("self",))
        .select_related("unit", "order")
        .filter(pk=as_id(request_id))
        .first()
    )
    if request is None or not request.can_view(actor):
        raise not_found()
    return request


def _lock_task(actor, task_id) -> CareTask:
    task = (
        CareTask.objects.select_for_update(of=("self",))
        .select_related("request__unit", "assignee")
        .filter(pk=as_id(task_id))
        .first()
    )
    if task is None or not task.request.can_view(actor):
        raise not_found()
    return task


def _require_open(request: CareRequest) -> None:
    if not request.is_open:
        raise CareError(
            f"关爱需求 #{request.pk} 已{request.get_status_display()}，不能再修改。",
            "request_closed",
        )


def _new_task(actor, request, items, supplies, now) -> CareTask:
    items = (items or "").strip() or request.get_need_display()
    # The first delivery is timed from the household's call, a later one from its creation.
    first = not request.tasks.exists()
    limit = URGENT_LIMIT if request.urgent else NORMAL_LIMIT
    task = CareTask.objects.create(
        request=request,
        items=items[:300],
        due_at=(request.received_at if first else now) + limit,
        created_at=now,
    )
    for item_id, quantity in (supplies or {}).items():
        if int(quantity) <= 0:
            raise invalid("物资数量须为正整数。", "bad_quantity")
        item = StockItem.objects.filter(pk=item_id, unit_id=request.unit_id).first()
        if item is None:
            raise invalid("所选物资不属于本单位。", "unknown_item")
        TaskSupply.objects.create(task=task, item=item, quantity=int(quantity))
    _event(EventCode.TASK_CREATED, actor, now, request=request, task=task, items=task.items)
    return task


# --- creating requests -------------------------------------------------------------------
def create_from_order(
    actor,
    order_number: str,
    *,
    need: str,
    items: str = "",
    address: str = "",
    village_code: str = "",
    urgent: bool | None = None,
    now=None,
) -> CareRequest:
    """Turn an open help appeal (an order) into a care request of the town office of its
    place, with a first delivery task: the center or the order's lead unit may. The order is
    attached to the request (``Source("care", "request", id)``) and says so on its timeline;
    the household gets its confirmation code by message."""
    now = _now(now)
    if need not in Need.values:
        raise invalid(f"未知需求类型：{need}。", "unknown_need")
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("town", "village")
            .filter(number=(order_number or "").strip())
            .first()
        )
        if order is None or not order.can_view(actor):
            raise not_found(f"找不到工单 {order_number}，或不在您的办理范围内。")
        if not (is_center(actor) or order.is_lead_handler(actor)):
            raise forbidden("只有热线中心或工单的主办单位可以把工单转为关爱需求。", "not_allowed")
        if order.source_app:
            existing = CareRequest.objects.filter(order=order).first()
            if existing is not None:
                raise CareError(
                    f"工单 {order.number} 已转为关爱需求 #{existing.pk}。", "already_linked"
                )
            raise CareError(
                f"工单 {order.number} 已关联其他业务，不能转为关爱需求。", "source_taken"
            )
        if order.status in (OrderStatus.RESOLVED, OrderStatus.CLOSED):
            raise CareError(
                f"工单 {order.number} 已{order.get_status_display()}，不能再转为关爱需求。",
                "order_closed",
            )
        if order.town is None:
            raise invalid("工单没有镇街地点，请先在工单上补充地点或改派后再转。", "town_required")
        village = order.village
        if village_code:
            village = Division.objects.filter(
                code=village_code, level="village", parent_id=order.town_id
            ).first()
            if village is None:
                raise invalid("所选村居不属于工单所在镇街。", "unknown_village")
        address = (address or "").strip() or order.address
        if not address:
            raise invalid("请填写配送地址（门牌号）。", "address_required")
        request = CareRequest.objects.create(
            origin=Origin.ORDER,
            order=order,
            unit=_town_office(order.town),
            town=order.town,
            village=village,
            need=need,
            description=order.description[:2000],
            urgent=order.urgency != "normal" if urgent is None else urgent,
            vulnerable=list(order.vulnerable or []),
            household_name=order.caller_name,
            household_phone=order.caller_phone,
            address=address[:255],
            confirmation_code=_code(),
            received_at=order.received_at,
            created_by=actor,
            created_at=now,
        )
        if need in URGENT_NEEDS and not request.urgent:
            request.urgent = True
            request.save(update_fields=["urgent"])
        try:
            orders.attach_source(
                source_of(request),
                order,
                actor,
                text=f"转为居家关爱需求 #{request.pk}（{request.get_need_display()}），"
                f"由{request.unit.name}安排配送",
                now=now,
            )
        except OrderError as exc:
            raise CareError(str(exc), exc.code, exc.status) from exc
        _event(
            EventCode.REQUEST_CREATED,
            actor,
            now,
            request=request,
            origin=Origin.ORDER,
            order=order.number,
        )
        _new_task(actor, request, items, None, now)
        _tell_household(request, now)
    return request


def create_from_community(
    actor,
    *,
    town_code: str,
    need: str,
    description: str,
    address: str,
    household_name: str = "",
    household_phone: str = "",
    village_code: str = "",
    urgent: bool = False,
    vulnerable: Iterable[str] = (),
    items: str = "",
    supplies: dict | None = None,
    now=None,
) -> CareRequest:
    """A village or town office registers a household's need (社区登记): the request, its first
    task, and — through the seam — a work order of kind ``care.request`` so the hotline sees and
    times it like any other appeal. Only the town's own office (or a supervisor) may."""
    now = _now(now)
    if need not in Need.values:
        raise invalid(f"未知需求类型：{need}。", "unknown_need")
    description = (description or "").strip()
    address = (address or "").strip()
    if not description:
        raise invalid("请写明需求内容。", "description_required")
    if not address:
        raise invalid("请填写配送地址（门牌号）。", "address_required")
    town = Division.objects.filter(code=town_code, level="town").first()
    if town is None:
        raise invalid(f"镇街代码 {town_code} 不存在。", "unknown_town")
    village = None
    if village_code:
        village = Division.objects.filter(
            code=village_code, level="village", parent_id=town.code
        ).first()
        if village is None:
            raise invalid("所选村居不属于该镇街。", "unknown_village")
    unit = _town_office(town)
    if not (member_unit_id(actor) == unit.pk and has_role(actor, Role.UNIT_HANDLER)) and not (
        has_role(actor, Role.SUPERVISOR, Role.ADMIN)
    ):
        raise forbidden(f"只有{unit.name}的经办人可以登记本镇街的关爱需求。", "not_allowed")
    urgent = bool(urgent) or need in URGENT_NEEDS
    with transaction.atomic():
        request = CareRequest.objects.create(
            origin=Origin.COMMUNITY,
            unit=unit,
            town=town,
            village=village,
            need=need,
            description=description[:2000],
            urgent=urgent,
            vulnerable=sorted(set(vulnerable)),
            household_name=(household_name or "").strip()[:64],
            household_phone=(household_phone or "").strip()[:32],
            address=address[:255],
            confirmation_code=_code(),
            received_at=now,
            created_by=actor,
            created_at=now,
        )
        try:
            received = orders.receive(
                actor,
                orders.Appeal(
                    channel="system",
                    description=f"【社区登记·居家关爱】{description}",
                    caller_name=request.household_name,
                    caller_phone=request.household_phone,
                    address=request.address,
                    urgency="urgent" if urgent else "normal",
                    category="medical" if need in (Need.MEDICINE, Need.DIALYSIS) else "supplies",
                    vulnerable=request.vulnerable,
                    town_code=town.code,
                    village_code=village.code if village else None,
                    kind=KIND,
                    source=source_of(request),
                    idempotency_key=f"care-request-{request.pk}",
                ),
                now=now,
            )
        except OrderError as exc:
            raise CareError(str(exc), exc.code, exc.status) from exc
        request.order = received.order
        request.save(update_fields=["order"])
        _event(
            EventCode.REQUEST_CREATED,
            actor,
            now,
            request=request,
            origin=Origin.COMMUNITY,
            order=received.order.number,
        )
        _new_task(actor, request, items, supplies, now)
        _tell_household(request, now)
    return request


# --- tasks --------------------------------------------------------------------------------
def add_task(actor, request_id, *, items: str, supplies: dict | None = None, now=None) -> CareTask:
    """Another delivery for an open request (a second run, a retry after a failed one)."""
    now = _now(now)
    with transaction.atomic():
        request = _lock_request(actor, request_id)
        if not request.can_manage(actor):
            raise forbidden("只有负责的镇街可以安排配送任务。", "not_allowed")
        _require_open(request)
        task = _new_task(actor, request, items, supplies, now)
        _note(request, actor, f"新建配送任务 #{task.pk}：{task.items}", now)
    return task


def _volunteer(unit_id: int, volunteer):
    User = get_user_model()
    user = (
        volunteer
        if isinstance(volunteer, User)
        else User.objects.filter(pk=as_id(volunteer)).first()
    )
    if user is None or not user.is_active or not is_volunteer(user):
        raise invalid("所选人员不是在岗志愿者（现场工作人员）。", "not_a_volunteer")
    if member_unit_id(user) != unit_id:
        raise invalid("只能分派给本镇街的志愿者。", "volunteer_of_other_unit")
    return user


def assign_task(actor, task_id, *, volunteer=None, by_office: bool = False, now=None) -> CareTask:
    """Give an open task to a volunteer of the town (a field_staff user of its unit) or to the
    town office itself (``by_office``); reassigning before the handover is allowed."""
    now = _now(now)
    if (volunteer is None) == (not by_office):
        raise invalid("请选择一名志愿者，或选择由镇街自行配送。", "assignee_required")
    with transaction.atomic():
        task = _lock_task(actor, task_id)
        request = task.request
        if not request.can_manage(actor):
            raise forbidden("只有负责的镇街可以分派配送任务。", "not_allowed")
        if not task.is_open:
            raise CareError(f"任务 #{task.pk} 已{task.get_status_display()}。", "task_closed")
        user = _volunteer(request.unit_id, volunteer) if volunteer is not None else None
        if user is not None and task.assignee_id != user.pk:
            # A task given on its own joins the end of the volunteer's current route.
            last = (
                CareTask.objects.filter(assignee=user, status__in=OPEN_TASK_STATUSES)
                .exclude(pk=task.pk)
                .aggregate(last=Max("route_position"))["last"]
            )
            task.route_position = (last or 0) + 1
        elif user is None:
            task.route_position = None
        task.assignee = user
        task.by_office = user is None
        if task.status == TaskStatus.PENDING:
            task.status = TaskStatus.ASSIGNED
        task.assigned_at = now
        task.save()
        who = _volunteer_label(user) if user else f"{request.unit.name}（自行配送）"
        _event(
            EventCode.TASK_ASSIGNED,
            actor,
            now,
            request=request,
            task=task,
            assignee=user.username if user else "",
            by_office=task.by_office,
        )
        if request.status == RequestStatus.OPEN:
            request.status = RequestStatus.IN_PROGRESS
            request.save(update_fields=["status"])
        _note(request, actor, f"配送任务 #{task.pk}（{task.items}）分派给{who}", now)
    return task


def start_task(actor, task_id, *, now=None) -> CareTask:
    """The volunteer sets off with the goods (配送中)."""
    now = _now(now)
    with transaction.atomic():
        task = _lock_task(actor, task_id)
        if not task.can_work(actor):
            raise forbidden("只有该任务的志愿者或负责镇街可以操作。", "not_assignee")
        if task.status != TaskStatus.ASSIGNED:
            raise CareError(
                f"任务 #{task.pk} 当前“{task.get_status_display()}”，不能出发。", "invalid_state"
            )
        task.status = TaskStatus.ON_THE_WAY
        task.started_at = now
        task.save(update_fields=["status", "started_at"])
        _event(EventCode.TASK_STARTED, actor, now, request=task.request, task=task)
        _note(task.request, actor, f"配送任务 #{task.pk} 已出发：{task.items}", now)
    return task


def deliver_task(
    actor, task_id, *, code: str = "", photo: bytes | None = None, note: str = "", now=None
) -> CareTask:
    """Hand the goods over (送达交接) with proof: the resident's confirmation code, a photo
    (≤ 5 MB, re-encoded without metadata), or both. Supplies of the task leave stock. When no
    task of the request is left open, the request is done and its order is answered through
    ``source_done`` with the time to help."""
    now = _now(now)
    code = (code or "").strip()
    if not code and not photo:
        raise invalid("请输入居民的确认码或上传交接照片。", "proof_required")
    clean = photos.clean_photo(photo) if photo else None
    with transaction.atomic():
        task = _lock_task(actor, task_id)
        request = task.request
        if not task.can_work(actor):
            raise forbidden("只有该任务的志愿者或负责镇街可以确认送达。", "not_assignee")
        if task.status not in (TaskStatus.ASSIGNED, TaskStatus.ON_THE_WAY):
            raise CareError(
                f"任务 #{task.pk} 当前“{task.get_status_display()}”，不能确认送达。",
                "invalid_state",
            )
        if code and not secrets.compare_digest(code, request.confirmation_code):
            raise invalid("确认码不正确，请与居民核对（6 位数字）。", "wrong_code")
        if clean is not None:
            HandoverPhoto.objects.create(
                task=task,
                image=clean.data,
                width=clean.width,
                height=clean.height,
                uploaded_by=actor,
                uploaded_at=now,
            )
        for supply in task.supplies.select_related("item"):
            _move_stock(actor, supply.item_id, -supply.quantity, f"配送任务 #{task.pk}", now, task)
        task.status = TaskStatus.DELIVERED
        task.finished_at = now
        task.started_at = task.started_at or now
        task.code_confirmed = bool(code)
        task.note = (note or "").strip()[:500]
        task.save()
        proof = "、".join(p for p in ("确认码" if code else "", "照片" if clean else "") if p)
        _event(EventCode.TASK_DELIVERED, actor, now, request=request, task=task, proof=proof)
        _note(request, actor, f"配送任务 #{task.pk} 已送达（凭{proof}）：{task.items}", now)
        _finish_if_done(actor, request, now)
    return task


def fail_task(actor, task_id, *, reason: str, now=None) -> CareTask:
    """The delivery could not be made (nobody home, wrong address): the request stays open for
    the town office to plan another task."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("请说明未能送达的原因。", "reason_required")
    with transaction.atomic():
        task = _lock_task(actor, task_id)
        if not task.can_work(actor):
            raise forbidden("只有该任务的志愿者或负责镇街可以操作。", "not_assignee")
        if not task.is_open:
            raise CareError(f"任务 #{task.pk} 已{task.get_status_display()}。", "task_closed")
        task.status = TaskStatus.FAILED
        task.finished_at = now
        task.note = reason[:500]
        task.save()
        _event(EventCode.TASK_FAILED, actor, now, request=task.request, task=task, reason=reason)
        _note(task.request, actor, f"配送任务 #{task.pk} 未能送达：{reason}", now)
    return task


def _finish_if_done(actor, request: CareRequest, now) -> None:
    tasks = list(request.tasks.all())
    if any(t.status in OPEN_TASK_STATUSES for t in tasks):
        return
    delivered = [t for t in tasks if t.status == TaskStatus.DELIVERED]
    if not delivered:
        return
    request.status = RequestStatus.DONE
    request.done_at = max(t.finished_at for t in delivered)
    request.save(update_fields=["status", "done_at"])
    minutes = request.minutes_to_help
    _event(EventCode.REQUEST_DONE, actor, now, request=request, minutes_to_help=minutes)
    if request.order_id is not None:
        items = "；".join(t.items for t in delivered)
        reply = (
            f"{request.unit.name}已于{timezone.localtime(request.done_at):%m月%d日%H:%M}"
            f"将{items}送到居民家中（从求助到送达 {minutes} 分钟）。"
        )
        orders.source_done(source_of(request), reply, actor, now=now)


def cancel_request(actor, request_id, *, reason: str, now=None) -> CareRequest:
    """Cancel a request that is no longer needed (the family brought food, the household moved
    to a hospital); its open tasks are cancelled. The order itself is answered by its unit."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("请说明取消原因。", "reason_required")
    with transaction.atomic():
        request = _lock_request(actor, request_id)
        if not request.can_manage(actor):
            raise forbidden("只有负责的镇街可以取消关爱需求。", "not_allowed")
        _require_open(request)
        _cancel(actor, request, reason, now)
        _note(request, actor, f"居家关爱需求 #{request.pk} 已取消：{reason}", now)
    return request


def _cancel(actor, request: CareRequest, reason: str, now) -> None:
    for task in request.tasks.select_for_update().filter(status__in=OPEN_TASK_STATUSES):
        task.status = TaskStatus.CANCELLED
        task.finished_at = now
        task.save(update_fields=["status", "finished_at"])
        _event(EventCode.TASK_CANCELLED, actor, now, request=request, task=task, reason=reason)
    request.status = RequestStatus.CANCELLED
    request.cancel_reason = reason[:300]
    request.save(update_fields=["status", "cancel_reason"])
    _event(EventCode.REQUEST_CANCELLED, actor, now, request=request, reason=reason)


# --- routes -------------------------------------------------------------------------------
def plan_route(actor, volunteer, task_ids: Iterable[int], *, now=None) -> list[CareTask]:
    """Give a batch of open tasks of one town to one volunteer as a route (配送路线): ordered
    by village, then by address, so the volunteer works through one village before the next.
    The tasks' previous route positions are replaced."""
    now = _now(now)
    ids = sorted({as_id(i) for i in task_ids})
    if 0 in ids:
        raise not_found("有配送任务不存在或不在您的范围内。")
    if not ids:
        raise invalid("请至少选择一个配送任务。", "tasks_required")
    with transaction.atomic():
        tasks = list(
            CareTask.objects.select_for_update(of=("self",))
            .select_related("request__village", "request__unit")
            .filter(pk__in=ids)
        )
        if len(tasks) != len(ids) or any(not t.request.can_view(actor) for t in tasks):
            raise not_found("有配送任务不存在或不在您的范围内。")
        units = {t.request.unit_id for t in tasks}
        if len(units) != 1 or not tasks[0].request.can_manage(actor):
            raise forbidden("一条路线只能包含本镇街的任务，由镇街安排。", "not_allowed")
        if any(not t.is_open or t.status == TaskStatus.ON_THE_WAY for t in tasks):
            raise CareError("只能把待分派或已分派（未出发）的任务排进路线。", "invalid_state")
        user = _volunteer(units.pop(), volunteer)
        tasks.sort(key=lambda t: (t.request.village_id or "", t.request.address, t.pk))
        for position, task in enumerate(tasks, start=1):
            changed = task.assignee_id != user.pk
            task.assignee, task.by_office = user, False
            task.status = TaskStatus.ASSIGNED
            task.assigned_at = now if changed or task.assigned_at is None else task.assigned_at
            task.route_position = position
            task.save()
            if changed:
                _event(
                    EventCode.TASK_ASSIGNED,
                    actor,
                    now,
                    request=task.request,
                    task=task,
                    assignee=user.username,
                    by_office=False,
                )
                _note(
                    task.request,
                    actor,
                    f"配送任务 #{task.pk} 排入{_volunteer_label(user)}的路线（第 {position} 站）",
                    now,
                )
            if task.request.status == RequestStatus.OPEN:
                task.request.status = RequestStatus.IN_PROGRESS
                task.request.save(update_fields=["status"])
        _event(
            EventCode.ROUTE_PLANNED,
            actor,
            now,
            volunteer=user.username,
            tasks=[t.pk for t in tasks],
        )
    return tasks


# --- stock --------------------------------------------------------------------------------
def _move_stock(actor, item_id, delta: int, reason: str, now, task=None) -> StockItem:
    item = StockItem.objects.select_for_update().get(pk=item_id)
    if item.quantity + delta < 0:
        raise CareError(
            f"{item.name}库存不足（现有 {item.quantity}{item.measure}，需要 {-delta}）。",
            "stock_short",
        )
    item.quantity += delta
    item.save(update_fields=["quantity"])
    StockMovement.objects.create(
        item=item, delta=delta, balance=item.quantity, reason=reason, task=task, actor=actor, at=now
    )
    code = EventCode.STOCK_RECEIVED if delta > 0 else EventCode.STOCK_ISSUED
    _event(code, actor, now, task=task, item=item.name, delta=delta, balance=item.quantity)
    return item


def receive_stock(
    actor, *, name: str, quantity: int, measure: str = "份", reason: str = "入库", now=None
) -> StockItem:
    """Supplies arrive at the town office (入库): the item is created on first use."""
    now = _now(now)
    unit_id = member_unit_id(actor) if has_role(actor, Role.UNIT_HANDLER) else None
    if unit_id is None:
        raise forbidden("只有镇街经办人可以登记本单位的物资。", "not_allowed")
    name = (name or "").strip()
    if not name:
        raise invalid("请填写物资名称。", "name_required")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity <= 0:
        raise invalid("入库数量须为正整数。", "bad_quantity")
    with transaction.atomic():
        item, _ = StockItem.objects.get_or_create(
            unit_id=unit_id, name=name[:60], defaults={"measure": (measure or "份")[:10]}
        )
        return _move_stock(actor, item.pk, quantity, (reason or "入库")[:200], now)


# --- personal data ------------------------------------------------------------------------
def reveal_household(actor, request_id, *, via: str, now=None) -> dict:
    """The household's full name, phone and address for a role that needs them; the read is
    recorded (accounts.DataAccess)."""
    request = CareRequest.objects.filter(pk=as_id(request_id)).first()
    if request is None or not request.can_view(actor):
        raise not_found()
    if not request.can_reveal(actor):
        raise forbidden("您的角色无权查看居民的完整信息。", "reveal_forbidden")
    record_data_access(actor, request, PERSONAL_FIELDS, via, now=now)
    return {f: getattr(request, f) for f in PERSONAL_FIELDS}


# --- following the order ------------------------------------------------------------------
def follow_order_event(event) -> None:
    """React to an event of a care request's order (idempotent: an event at or before the
    last one followed changes nothing). Merged into another order or closed while deliveries
    were still open → the request is cancelled; reopened after a dissatisfied callback → the
    request opens again with a new task; closed after the handover → noted."""
    order = event.order
    if order.source_app != "care" or order.source_type != "request":
        return
    with transaction.atomic():
        request = (
            CareRequest.objects.select_for_update()
            .select_related("unit")
            .filter(pk=int(order.source_id))
            .first()
        )
        if request is None or event.id <= request.order_event_seen:
            return
        now = event.at
        if event.code == OrderCode.DUPLICATE_LINKED and request.is_open:
            _cancel(None, request, f"工单已合并到 {event.payload.get('of', '原工单')}", now)
        elif event.code == OrderCode.CLOSED:
            if request.is_open:
                _cancel(None, request, "工单已在热线办结", now)
            else:
                _event(EventCode.ORDER_CLOSED, None, now, request=request, order=order.number)
        elif event.code == OrderCode.REOPENED and request.status == RequestStatus.DONE:
            request.status = RequestStatus.OPEN
            request.done_at = None
            request.save(update_fields=["status", "done_at"])
            _event(EventCode.REQUEST_REOPENED, None, now, request=request, order=order.number)
            _new_task(None, request, "回访不满意，重新配送", None, now)
        request.order_event_seen = event.id
        request.save(update_fields=["order_event_seen"])


__all__ = [
    "KIND",
    "OPEN_REQUEST_STATUSES",
    "add_task",
    "assign_task",
    "cancel_request",
    "create_from_community",
    "create_from_order",
    "deliver_task",
    "fail_task",
    "follow_order_event",
    "plan_route",
    "receive_stock",
    "reveal_household",
    "source_of",
    "start_task",
]
