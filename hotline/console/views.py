"""The pages people work in all day: agent intake, order page, unit inbox, supervisor board,
order lists with export. Views parse input, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.roles import Role, has_role
from hotline.common.redirects import local_target
from hotline.orders import services
from hotline.orders.errors import OrderError
from hotline.orders.models import PERSONAL_DATA_FIELDS, Order, handler_unit_id, is_center
from hotline.orders.queries import visible_orders

from . import queries
from .actions import ALL as ACTIONS
from .actions import available_actions
from .export import export_response
from .forms import BoardScopeForm, IntakeForm, OrderFilterForm

SERVICES = {
    "dispatch": services.dispatch,
    "accept": services.accept,
    "return": services.return_to_center,
    "request-extension": services.request_extension,
    "decide-extension": services.decide_extension,
    "resolve": services.resolve,
    "callback": services.record_callback,
    "close-first-contact": services.close_at_first_contact,
    "link-duplicate": services.link_duplicate,
    "escalate": services.escalate,
    "note": services.add_note,
}


def _refuse(request, message: str, status: int = 403):
    return render(request, "console/refused.html", {"message": message}, status=status)


def _order_or_404(user, number: str) -> Order:
    order = visible_orders(user).filter(number=number).first()
    if order is None:
        raise Http404("工单不存在，或不在您的办理范围内。")
    return order


# --- order page ------------------------------------------------------------------------------
@login_required
@require_GET
def order_detail(request, number: str):
    order = _order_or_404(request.user, number)
    return _render_order(request, order)


def _render_order(request, order: Order, failed_action: str = "", failed_form=None, status=200):
    actions = []
    for action in available_actions(order, request.user):
        form = failed_form if action.code == failed_action else action.form_class()
        actions.append({"action": action, "form": form, "open": action.code == failed_action})
    context = {
        "order": order,
        "caller": queries.masked_caller(order),
        "can_reveal": order.can_reveal_personal_data(request.user),
        "clocks": queries.clocks(order, timezone.now()),
        "events": queries.timeline_rows(order),
        "actions": actions,
        "next": request.GET.get("next", ""),
    }
    return render(request, "console/order_detail.html", context, status=status)


@login_required
@require_POST
def order_action(request, number: str, action: str):
    order = _order_or_404(request.user, number)
    if action not in ACTIONS:
        raise Http404("没有这个操作。")
    # The shown action of that code (its label may differ by state: 派单 / 改派).
    spec = next((a for a in available_actions(order, request.user) if a.code == action), None)
    if spec is None:
        label = ACTIONS[action].label
        return _refuse(request, f"您现在不能对工单 {order.number} 执行“{label}”。")
    form = spec.form_class(request.POST)
    if not form.is_valid():
        return _render_order(request, order, action, form, status=422)
    kwargs = form.service_kwargs() if hasattr(form, "service_kwargs") else {}
    try:
        SERVICES[action](request.user, order, **kwargs)
    except OrderError as exc:
        form.add_error(None, str(exc))
        return _render_order(request, order, action, form, status=exc.status)
    messages.success(request, f"工单 {order.number}：{spec.label}已完成。")
    target = local_target(request, request.POST.get("next"))
    if target:
        return redirect(target)
    if visible_orders(request.user).filter(number=order.number).exists():
        return redirect("console:order", number=order.number)
    return redirect("console:inbox" if handler_unit_id(request.user) else "home")


@login_required
@require_POST
def reveal_caller(request, number: str):
    """Show the caller's full name, phone and address to a role that may, recording the read
    and the reason typed for it."""
    order = _order_or_404(request.user, number)
    try:
        services.record_personal_data_read(
            request.user, order, fields=list(PERSONAL_DATA_FIELDS), via="order_page",
            reason=request.POST.get("reason", "")[:300], request=request,
        )  # fmt: skip
    except OrderError as exc:
        return render(
            request, "console/partials/caller.html",
            {"order": order, "caller": queries.masked_caller(order), "error": str(exc),
             "can_reveal": exc.code == "reveal_reason_required"},
            status=exc.status,
        )  # fmt: skip
    caller = {
        "name": order.caller_name or "—",
        "phone": order.caller_phone or "—",
        "address": order.address,
    }
    return render(
        request,
        "console/partials/caller.html",
        {"order": order, "caller": caller, "revealed": True},
    )


# --- unit inbox ------------------------------------------------------------------------------
def _inbox_context(request):
    unit_id = handler_unit_id(request.user)
    rows = queries.inbox_rows(unit_id, timezone.now())
    return {
        "rows": rows,
        "urgent_ids": ",".join(str(r["order"].pk) for r in rows if r["order"].urgency != "normal"),
        "unit": request.user.hotline_profile.unit,
    }


@login_required
def inbox(request):
    if handler_unit_id(request.user) is None:
        return _refuse(request, "工作台只对承办单位经办人开放。热线中心人员请使用工单列表。")
    return render(request, "console/inbox.html", _inbox_context(request))


@login_required
def inbox_rows(request):
    if handler_unit_id(request.user) is None:
        return _refuse(request, "工作台只对承办单位经办人开放。")
    return render(request, "console/partials/inbox_rows.html", _inbox_context(request))


# --- supervisor board ------------------------------------------------------------------------
def _board_allowed(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def _board_context(request) -> dict:
    """The board for the view chosen in the query string: all orders, one unit's or one
    town's (unknown codes are ignored and said so)."""
    form = BoardScopeForm(request.GET or None)
    unit = town = None
    if form.is_bound and form.is_valid():
        unit, town = form.cleaned_data["unit"] or None, form.cleaned_data["town"] or None
    context = queries.board(timezone.now(), unit_code=unit, town_code=town)
    context["scope_form"] = form
    context["scope_params"] = request.GET.urlencode()
    return context


@login_required
def board(request):
    if not _board_allowed(request.user):
        return _refuse(request, "值班长看板只对值班长和系统管理员开放。")
    return render(request, "console/board.html", _board_context(request))


@login_required
def board_panels(request):
    if not _board_allowed(request.user):
        return _refuse(request, "值班长看板只对值班长和系统管理员开放。")
    return render(request, "console/partials/board_panels.html", _board_context(request))


@login_required
@require_POST
def board_mode(request):
    """Switch the clock mode from the board: the supervisor confirms and gives a reason."""
    mode = request.POST.get("mode", "")
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "切换时限模式须填写原因（例如：疫情封控，来电量激增）。")
        return redirect("console:board")
    try:
        services.set_mode(request.user, mode, reason=reason)
    except OrderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "时限模式已切换；已有工单的时限不变，新工单按新模式计时。")
    return redirect("console:board")


# --- lists and export ------------------------------------------------------------------------
@login_required
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    qs = visible_orders(request.user)
    if form.is_bound:
        # A filter that cannot be read (an unknown unit or town, a bad date) lists nothing
        # beside its error, rather than every order as if it had been applied.
        if form.is_valid():
            qs = queries.apply_filters(qs, form.cleaned_data, timezone.now())
        else:
            qs = qs.none()
    qs = qs.order_by("-received_at", "-id")
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and (not form.is_bound or form.is_valid()):
        return export_response(qs, export)
    # Each row shows its town or district (Order.place_label): fetched in the same query.
    page = queries.list_page(
        qs.select_related("town", "district"),
        request.GET.get("page"),
        count_in_order=form.is_bound
        and form.is_valid()
        and queries.count_in_list_order(form.cleaned_data, all_units=is_center(request.user)),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/order_list.html",
        {"form": form, "page": page, "rows": queries.list_rows(page.object_list, timezone.now()),
         "query": query.urlencode()},
    )  # fmt: skip


# --- agent intake ----------------------------------------------------------------------------
def _intake_allowed(user) -> bool:
    return is_center(user)


def _call_refusal(user) -> str | None:
    """Why the user may not take calls yet (the workforce app's training rule), or None."""
    from django.apps import apps

    if not apps.is_installed("hotline.workforce"):
        return None
    from hotline.workforce.services import call_refusal

    return call_refusal(user)


@login_required
def intake(request):
    if not _intake_allowed(request.user):
        return _refuse(request, "接线登记只对热线中心的接线员、值班长开放。")
    refusal = _call_refusal(request.user)
    if refusal:
        return _refuse(request, refusal)
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first_contact = "first_contact" in request.POST
        if first_contact and not form.cleaned_data["answer"].strip():
            form.add_error("answer", "首呼办结须填写答复内容。")
        else:
            try:
                with transaction.atomic():
                    received = services.receive(
                        request.user, **form.receive_kwargs(), route=not first_contact
                    )
                    order = received.order
                    if first_contact and received.created:
                        services.close_at_first_contact(
                            request.user, order, answer=form.cleaned_data["answer"],
                            article_key=form.cleaned_data["article_key"],
                        )  # fmt: skip
            except OrderError as exc:
                form.add_error(None, str(exc))
            else:
                order.refresh_from_db()
                if not received.created:
                    messages.info(
                        request, f"这张表单已登记为工单 {order.number}，重复提交未再生成工单。"
                    )
                elif first_contact:
                    messages.success(request, f"工单 {order.number} 已首呼办结。")
                elif order.handling_unit:
                    messages.success(
                        request, f"工单 {order.number} 已登记并派往 {order.handling_unit.name}。"
                    )
                else:
                    messages.success(request, f"工单 {order.number} 已登记，等待人工派单。")
                return redirect(reverse("console:order", args=[order.number]))
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "console/intake.html", {"form": form}, status=status)


def _preview_fields(data) -> dict:
    """The intake form's other fields as the live panel's preview reads them: what the agent
    chose overrides triage, as it will when the order is registered. Values outside the
    choices are left out (the form will explain them on submit)."""
    form = IntakeForm()
    fields = {"address": data.get("address", "").strip()[:255]}
    for name in ("appeal_type", "category", "urgency", "town_code"):
        value = data.get(name, "")
        if value and value in dict(form.fields[name].choices):
            fields[name] = value
    if data.get("vulnerable_set"):
        allowed = dict(form.fields["vulnerable"].choices)
        fields["vulnerable"] = [v for v in data.getlist("vulnerable") if v in allowed]
    return fields


@login_required
@require_POST
def intake_assess(request):
    """The live triage panel beside the text the agent is typing (htmx)."""
    if not _intake_allowed(request.user):
        return _refuse(request, "接线登记只对热线中心人员开放。")
    text = request.POST.get("description", "")[:4000]
    phone = request.POST.get("caller_phone", "").strip()[:32]
    context = queries.live_triage(
        text, phone, timezone.now(), actor=request.user, fields=_preview_fields(request.POST)
    )
    return render(request, "console/partials/triage.html", context)


@login_required
@require_POST
def urge(request, number: str):
    """A repeat call: the words being typed go onto the open order (催办) instead of a new
    order; the order is raised if the new words read more pressing (the agent's chosen
    urgency, else triage's), never lowered."""
    if not _intake_allowed(request.user):
        return _refuse(request, "催办只对热线中心人员开放。")
    order = _order_or_404(request.user, number)
    text = request.POST.get("description", "").strip()
    urgency = request.POST.get("urgency", "") or None
    if urgency is None and text:
        from hotline.triage import assess

        urgency = assess(text).urgency
    try:
        order = services.urge(request.user, order, text=text, urgency=urgency)
    except OrderError as exc:
        messages.error(request, str(exc))
        return redirect("console:intake")
    messages.success(
        request,
        f"已追加到工单 {order.number} 并催办（当前紧急程度：{order.get_urgency_display()}），"
        "未新建工单。",
    )
    return redirect("console:order", number=order.number)


@login_required
@require_GET
def caller_history(request):
    """This number's recent orders (repeat callers are common)."""
    if not _intake_allowed(request.user):
        return _refuse(request, "接线登记只对热线中心人员开放。")
    phone = request.GET.get("caller_phone", "").strip()[:32]
    since = timezone.now() - dt.timedelta(days=30)
    orders, total = [], 0
    if len(phone) >= 5:
        recent = Order.objects.filter(caller_phone=phone, received_at__gte=since)
        total = recent.count()
        orders = list(recent.select_related("handling_unit").order_by("-received_at")[:8])
        services.record_caller_lookup(request.user, orders)
    # A volunteer agent sees how many orders the number made and where they stand, not what
    # they said (the titles may name people and places): enough to spot a repeat caller.
    full = not has_role(request.user, Role.VOLUNTEER_AGENT) or has_role(
        request.user, Role.AGENT, Role.SUPERVISOR, Role.ADMIN
    )
    return render(
        request,
        "console/partials/caller_history.html",
        {"orders": orders, "total": total, "phone": phone, "full": full},
    )
