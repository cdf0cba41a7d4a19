"""Pages of the care app: the requests board, a request with its tasks, the community form,
the volunteer's route, route planning and the stock. Views parse input, call one service,
render; a refusal is shown on the page with its status (403/404/409/422), never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.roles import Role, has_role
from hotline.accounts.services import record_data_access
from hotline.common.params import as_id
from hotline.orders.models import handler_unit_id, is_center

from . import queries, services
from .choices import RequestStatus, TaskStatus
from .errors import CareError
from .forms import (
    AssignForm,
    CommunityForm,
    DeliverForm,
    FromOrderForm,
    ReasonForm,
    RouteForm,
    StockForm,
    TaskForm,
)
from .models import PERSONAL_FIELDS, CareRequest, CareTask, HandoverPhoto


def _refuse(request, message: str, status: int):
    return render(request, "care/refused.html", {"message": message}, status=status)


def _visible_request(user, pk) -> CareRequest:
    care = CareRequest.objects.select_related("unit", "town", "village", "order").filter(
        pk=as_id(pk)
    )
    found = care.first()
    if found is None or not found.can_view(user):
        raise Http404("找不到该关爱需求，或不在您的范围内。")
    return found


def _may_use_board(user) -> bool:
    return is_center(user) or handler_unit_id(user) is not None


# --- the board ----------------------------------------------------------------------------
@login_required
@require_GET
def request_list(request):
    user = request.user
    if not _may_use_board(user):
        if has_role(user, Role.FIELD_STAFF):
            return redirect("care:route")
        return _refuse(request, "您的角色不能查看居家关爱需求。", 403)
    status = request.GET.get("status", "open")
    rows = list(queries.requests_for(user, status=status)[:200])
    now = timezone.now()
    for row in rows:
        row.masked = queries.masked_household(row)
        row.overdue = any(t.is_overdue(now) for t in row.tasks.all())
    context = {
        "rows": rows,
        "status": status,
        "statuses": [("open", "未完成"), *RequestStatus.choices, ("all", "全部")],
        "candidates": queries.convertible_orders(user),
        "from_order": FromOrderForm(),
        "summary": queries.time_to_help(queries.requests_for(user)),
        "is_town": handler_unit_id(user) is not None,
    }
    return render(request, "care/request_list.html", context)


@login_required
@require_POST
def from_order(request):
    form = FromOrderForm(request.POST)
    if not form.is_valid():
        return _refuse(request, "请填写工单编号并选择需求类型。", 422)
    data = form.cleaned_data
    try:
        care = services.create_from_order(
            request.user,
            data["order"],
            need=data["need"],
            items=data["items"],
            address=data["address"],
        )
    except CareError as exc:
        return _refuse(request, str(exc), exc.status)
    messages.success(request, f"已转为关爱需求 #{care.pk}，确认码已发给居民。")
    return redirect("care:request", pk=care.pk)


@login_required
def community_new(request):
    user = request.user
    unit_id = handler_unit_id(user)
    town = None
    if unit_id is not None:
        from hotline.geo.models import HandlingUnit

        town = HandlingUnit.objects.filter(pk=unit_id, kind="town_office").first()
    if town is None:
        return _refuse(request, "只有镇街经办人可以登记社区关爱需求。", 403)
    form = CommunityForm(request.POST or None, town_code=town.code)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                care = services.create_from_community(
                    user,
                    town_code=town.code,
                    village_code=d["village"],
                    need=d["need"],
                    description=d["description"],
                    address=d["address"],
                    household_name=d["household_name"],
                    household_phone=d["household_phone"],
                    urgent=d["urgent"],
                    vulnerable=d["vulnerable"],
                    items=d["items"],
                )
            except CareError as exc:
                form.add_error(None, str(exc))
                status = exc.status
            else:
                messages.success(
                    request, f"已登记关爱需求 #{care.pk}，并生成工单 {care.order.number}。"
                )
                return redirect("care:request", pk=care.pk)
        else:
            status = 422
    return render(request, "care/community_form.html", {"form": form, "town": town}, status=status)


# --- one request ----------------------------------------------------------------------------
def _detail_context(request, care: CareRequest) -> dict:
    user = request.user
    now = timezone.now()
    volunteers = list(queries.volunteers_of(care.unit_id))
    tasks = list(care.tasks.select_related("assignee__hotline_profile").order_by("id"))
    photo_ids = set(HandoverPhoto.objects.filter(task__in=tasks).values_list("task_id", flat=True))
    manage = care.can_manage(user)
    rows = []
    for task in tasks:
        work = task.is_open and task.can_work(user)
        rows.append(
            {
                "task": task,
                "overdue": task.is_overdue(now),
                "has_photo": task.pk in photo_ids,
                "assign": manage and task.is_open and task.status != TaskStatus.ON_THE_WAY,
                "start": work and task.status == TaskStatus.ASSIGNED,
                "deliver": work and task.status in (TaskStatus.ASSIGNED, TaskStatus.ON_THE_WAY),
                "fail": work and task.status != TaskStatus.PENDING,
            }
        )
    return {
        "care": care,
        "household": queries.masked_household(care),
        "can_reveal": care.can_reveal(user),
        "can_manage": manage and care.is_open,
        "tasks": rows,
        "assign_form": AssignForm(volunteers=volunteers),
        "task_form": TaskForm(),
        "deliver_form": DeliverForm(),
        "reason_form": ReasonForm(),
        "history": queries.history(care),
        "show_code": manage,
    }


@login_required
@require_GET
def request_detail(request, pk: int):
    care = _visible_request(request.user, pk)
    return render(request, "care/request_detail.html", _detail_context(request, care))


def _after(request, care, exc: CareError | None, done: str):
    if exc is None:
        messages.success(request, done)
        return redirect("care:request", pk=care.pk)
    context = _detail_context(request, care)
    context["error"] = str(exc)
    return render(request, "care/request_detail.html", context, status=exc.status)


@login_required
@require_POST
def reveal(request, pk: int):
    care = _visible_request(request.user, pk)
    try:
        data = services.reveal_household(request.user, care.pk, via="care_request_page")
    except CareError as exc:
        return HttpResponse(str(exc), status=exc.status)
    return render(request, "care/partials/household.html", {"household": data, "revealed": True})


@login_required
@require_POST
def add_task(request, pk: int):
    care = _visible_request(request.user, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _after(request, care, CareError("请填写配送内容。", "items_required", 422), "")
    try:
        services.add_task(request.user, care.pk, items=form.cleaned_data["items"])
    except CareError as exc:
        return _after(request, care, exc, "")
    return _after(request, care, None, "已新建配送任务。")


@login_required
@require_POST
def cancel(request, pk: int):
    care = _visible_request(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_request(request.user, care.pk, reason=reason)
    except CareError as exc:
        return _after(request, care, exc, "")
    return _after(request, care, None, "关爱需求已取消。")


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    task = CareTask.objects.select_related("request").filter(pk=as_id(pk)).first()
    if task is None or not task.request.can_view(request.user):
        raise Http404("找不到该配送任务。")
    care = task.request
    user = request.user
    try:
        if action == "assign":
            form = AssignForm(request.POST, volunteers=queries.volunteers_of(care.unit_id))
            form.is_valid()
            d = form.cleaned_data
            services.assign_task(
                user,
                task.pk,
                volunteer=int(d["volunteer"]) if d.get("volunteer") else None,
                by_office=bool(d.get("by_office")),
            )
            done = "任务已分派。"
        elif action == "start":
            services.start_task(user, task.pk)
            done = "已出发配送。"
        elif action == "deliver":
            form = DeliverForm(request.POST, request.FILES)
            if not form.is_valid():
                errors = "；".join(e for errs in form.errors.values() for e in errs)
                raise CareError(errors or "请检查填写内容。", "invalid", 422)
            photo = form.cleaned_data.get("photo")
            services.deliver_task(
                user,
                task.pk,
                code=form.cleaned_data["code"],
                photo=photo.read() if photo else None,
                note=form.cleaned_data["note"],
            )
            done = "已确认送达。"
        elif action == "fail":
            form = ReasonForm(request.POST)
            services.fail_task(user, task.pk, reason=form.data.get("reason", ""))
            done = "已记录未能送达。"
        else:
            raise Http404("没有这个操作。")
    except CareError as exc:
        if request.POST.get("next") == "route":
            return _refuse(request, str(exc), exc.status)
        return _after(request, care, exc, "")
    if request.POST.get("next") == "route":
        messages.success(request, done)
        return redirect("care:route")
    return _after(request, care, None, done)


@login_required
@require_GET
def task_photo(request, pk: int):
    photo = HandoverPhoto.objects.select_related("task__request").filter(task_id=as_id(pk)).first()
    if photo is None or not photo.task.request.can_view(request.user):
        raise Http404("没有交接照片。")
    response = HttpResponse(bytes(photo.image), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- routes -------------------------------------------------------------------------------
@login_required
@require_GET
def my_route(request):
    """A volunteer's deliveries in route order. The volunteer needs each household's address
    and phone to deliver: they are shown in full and each shown request is recorded."""
    user = request.user
    if not has_role(user, Role.FIELD_STAFF):
        return _refuse(request, "只有志愿者（现场工作人员）有配送路线。", 403)
    tasks = queries.route_of(user)
    now = timezone.now()
    seen = set()
    for task in tasks:
        if task.request_id not in seen:
            record_data_access(user, task.request, PERSONAL_FIELDS, "care_route", now=now)
            seen.add(task.request_id)
        task.overdue = task.is_overdue(now)
    return render(request, "care/route.html", {"tasks": tasks, "deliver_form": DeliverForm()})


@login_required
def plan(request):
    unit_id = handler_unit_id(request.user)
    if unit_id is None:
        return _refuse(request, "只有镇街经办人可以排定配送路线。", 403)
    volunteers = list(queries.volunteers_of(unit_id))
    tasks = queries.plannable_tasks(unit_id)
    form = RouteForm(request.POST or None, volunteers=volunteers, tasks=tasks)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                routed = services.plan_route(
                    request.user, int(form.cleaned_data["volunteer"]), form.cleaned_data["tasks"]
                )
            except CareError as exc:
                form.add_error(None, str(exc))
                status = exc.status
            else:
                messages.success(request, f"已排定 {len(routed)} 个配送任务的路线。")
                return redirect("care:plan")
        else:
            status = 422
    return render(
        request,
        "care/plan.html",
        {"form": form, "tasks": tasks, "volunteers": volunteers},
        status=status,
    )


# --- stock ----------------------------------------------------------------------------------
@login_required
def stock(request):
    unit_id = handler_unit_id(request.user)
    if unit_id is None:
        return _refuse(request, "只有镇街经办人可以管理本单位物资。", 403)
    form = StockForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.receive_stock(
                    request.user,
                    name=d["name"],
                    quantity=d["quantity"],
                    measure=d["measure"],
                    reason=d["reason"] or "入库",
                )
            except CareError as exc:
                form.add_error(None, str(exc))
                status = exc.status
            else:
                messages.success(request, f"{d['name']} 已入库 {d['quantity']}{d['measure']}。")
                return redirect("care:stock")
        else:
            status = 422
    from .models import StockMovement

    movements = StockMovement.objects.filter(item__unit_id=unit_id).select_related(
        "item", "actor__hotline_profile"
    )[:50]
    return render(
        request,
        "care/stock.html",
        {"items": queries.stock_of(unit_id), "movements": movements, "form": form},
        status=status,
    )
