"""Pages of movement control: households and their cards, the printable card sheet, the
checkpoint page (phone browser; works offline once loaded), vehicle checks and health-code
appeals. Views parse input, call one service or query, render."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from hotline.accounts.roles import CENTER_ROLES, roles_of
from hotline.accounts.services import record_data_access
from hotline.common.params import as_id

from . import cards, queries, services
from .choices import REASONS, CodeColour
from .forms import AppealForm, DecisionForm, ImportForm, VehicleForm
from .models import Checkpoint, Household, Pass
from .services import ControlError


def _deny(request, message="您没有权限查看此页。"):
    return render(request, "control/denied.html", {"message": message}, status=403)


@login_required
def overview(request):
    """Households of the user's area, with their current card."""
    q = request.GET.get("q", "")
    households = list(queries.households_for(request.user, q)[:200])
    nothing = not households and not q and not queries.checkpoints_for(request.user).exists()
    if nothing and not roles_of(request.user) & CENTER_ROLES:
        return _deny(request, "出行管控页面只对村居、镇街工作人员和管理员开放。")
    return render(
        request,
        "control/overview.html",
        {
            "households": households,
            "q": q,
            "checkpoints": queries.checkpoints_for(request.user),
            "import_form": ImportForm(),
        },
    )


@login_required
def household(request, pk: int):
    h = get_object_or_404(Household.objects.select_related("village"), pk=pk)
    if not h.can_view(request.user):
        raise Http404
    card = h.passes.filter(kind="H", revoked_at__isnull=True).order_by("-issued_at").first()
    return render(
        request,
        "control/household.html",
        {
            "household": h,
            "members": h.members.all(),
            "card": card,
            "qr": cards.qr_svg_data_uri(card.token) if card else "",
            "passes": h.passes.select_related("member").order_by("-issued_at")[:20],
        },
    )


@login_required
@require_POST
def issue_card(request, pk: int):
    try:
        services.issue_card(request.user, pk)
    except ControlError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已签发出入卡，旧卡（如有）已作废。")
    return redirect("control:household", pk=pk)


@login_required
@require_POST
def issue_outing(request, pk: int, member_id: int):
    try:
        services.issue_outing_pass(request.user, member_id)
    except ControlError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已签发单次通行证（12 小时内有效）。")
    return redirect("control:household", pk=pk)


@login_required
@require_POST
def revoke(request, serial: str):
    issued = get_object_or_404(Pass, serial=serial)
    try:
        services.revoke_pass(request.user, serial, request.POST.get("reason", ""))
    except ControlError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"凭证 {serial} 已作废。")
    return redirect("control:household", pk=issued.household_id)


@login_required
def cards_pdf(request):
    """The current cards of the chosen households (``?h=1&h=2``) or of a village
    (``?village=…``), eight to an A4 page."""
    households = queries.households_for(request.user)
    if request.GET.getlist("h"):
        households = households.filter(pk__in=[as_id(x) for x in request.GET.getlist("h")])
    elif request.GET.get("village"):
        households = households.filter(village_id=request.GET["village"])
    issued = list(
        Pass.objects.filter(household__in=households, revoked_at__isnull=True)
        .select_related("household__village")
        .order_by("household__card_no", "kind")[:400]
    )
    if not issued:
        messages.error(request, "所选家庭户还没有有效的出入卡，请先签发。")
        return redirect("control:overview")
    response = HttpResponse(cards.cards_pdf(issued), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="outing-cards.pdf"'
    return response


@login_required
@require_POST
def import_households(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择 Excel 文件。")
        return redirect("control:overview")
    from .importer import read_workbook

    try:
        rows = read_workbook(form.cleaned_data["file"])
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("control:overview")
    report = services.import_households(request.user, rows)
    messages.success(request, f"导入完成：新增 {report.created} 户，更新 {report.updated} 户。")
    for _row, message in report.errors[:20]:
        messages.error(request, message)
    return redirect("control:overview")


# ---------------------------------------------------------------- checkpoint


@login_required
def checkpoint_list(request):
    points = list(queries.checkpoints_for(request.user))
    if len(points) == 1:
        return redirect("control:checkpoint", code=points[0].code)
    return render(request, "control/checkpoint_list.html", {"checkpoints": points})


def _operable(request, code: str) -> Checkpoint:
    point = Checkpoint.objects.filter(code=code).first()
    if point is None or not point.can_operate(request.user):
        raise Http404
    return point


@login_required
def checkpoint(request, code: str):
    point = _operable(request, code)
    return render(
        request,
        "control/checkpoint.html",
        {"checkpoint": point, "reasons": REASONS},
    )


def service_worker(request):
    """The checkpoint's service worker, served under /checkpoint/ so that its scope covers the
    checkpoint pages (a file under /static/ could only control /static/). No data in it."""
    response = render(request, "control/sw.js", content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/checkpoint/"
    return response


@login_required
def checkpoint_bundle(request, code: str):
    point = _operable(request, code)
    response = JsonResponse(services.checkpoint_bundle(point))
    response["Cache-Control"] = "no-store"
    return response


def _passage_in(raw: dict) -> services.PassageIn:
    at = parse_datetime(str(raw.get("at", "")))
    if at is None:
        raise services._invalid("通行时间格式有误。", "bad_time")
    member = raw.get("member")
    return services.PassageIn(
        client_id=str(raw.get("client_id", ""))[:80],
        token=str(raw.get("token", ""))[:400],
        direction=str(raw.get("direction", "")),
        at=at,
        decision=str(raw.get("decision", "")),
        reason=str(raw.get("reason", "")),
        member=int(member) if isinstance(member, int) or str(member).isdigit() else None,
        offline=bool(raw.get("offline")),
    )


@login_required
@require_POST
def checkpoint_sync(request, code: str):
    """The page's queue, sent when online: {"passages": [...]} → counts."""
    _operable(request, code)
    try:
        body = json.loads(request.body or b"{}")
        items = [_passage_in(r) for r in body.get("passages", []) if isinstance(r, dict)]
        result = services.sync_passages(request.user, code, items)
    except (ValueError, AttributeError):
        return JsonResponse(
            {"code": "bad_request", "message": "请求内容不是合法的 JSON。"}, status=400
        )
    except ControlError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc)}, status=exc.status)
    return JsonResponse(
        {"created": result.created, "duplicates": result.duplicates, "conflicts": result.conflicts}
    )


def _person(id_number, code_word, temperature, pass_word, role):
    colours = {"绿": CodeColour.GREEN, "黄": CodeColour.YELLOW, "红": CodeColour.RED}
    return services.PersonIn(
        role=role,
        id_number=id_number,
        code=colours.get(code_word, code_word),
        has_pass=pass_word in ("有", "是", True),
        temperature=float(temperature),
    )


@login_required
def vehicle(request, code: str):
    point = _operable(request, code)
    result = None
    if request.method == "POST":
        form = VehicleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                people = [
                    _person(
                        d["driver_id"],
                        d["driver_code"],
                        d["driver_temperature"],
                        d["driver_pass"],
                        "driver",
                    )
                ]
                for line in (d["passengers"] or "").splitlines():
                    parts = line.split()
                    if not parts:
                        continue
                    if len(parts) != 4:
                        raise services._invalid(f"乘客行“{line}”应有 4 项。", "bad_passenger")
                    people.append(_person(*parts, "passenger"))
                result, _ = services.record_vehicle_check(
                    request.user, code, client_id=d["client_id"], plate=d["plate"], people=people
                )
            except ValueError:
                form.add_error(None, "体温应为数字，如 36.5。")
            except ControlError as exc:
                form.add_error(None, str(exc))
            else:
                form = VehicleForm(initial={"client_id": uuid.uuid4().hex})
    else:
        form = VehicleForm(initial={"client_id": uuid.uuid4().hex})
    recent = point.vehicle_checks.order_by("-at")[:10]
    return render(
        request,
        "control/vehicle.html",
        {"checkpoint": point, "form": form, "result": result, "recent": recent},
    )


# ---------------------------------------------------------------- appeals


@login_required
def appeals(request):
    rows = queries.appeals_for(request.user).order_by("-filed_at")[:100]
    form = None
    if roles_of(request.user) & CENTER_ROLES:
        form = AppealForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                appeal = services.file_health_code_appeal(
                    request.user,
                    id_number=d["id_number"],
                    name=d["name"],
                    phone=d["phone"],
                    colour=d["colour"],
                    reason=d["reason"],
                    needed_by=d["needed_by"],
                    town_code=d["town_code"] or "",
                )
            except ControlError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "申诉已登记并派往健康码核定单位。")
                return redirect("control:appeal", pk=appeal.pk)
    return render(request, "control/appeals.html", {"appeals": rows, "form": form})


@login_required
def appeal(request, pk: int):
    item = get_object_or_404(queries.appeals_for(request.user), pk=pk)
    can = services.can_decide(request.user, item)
    form = DecisionForm(request.POST or None) if can else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.decide_health_code_appeal(
                request.user, item.pk, form.cleaned_data["decision"], form.cleaned_data["note"]
            )
        except ControlError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已核定，结果已通过短信告知申诉人。")
            return redirect("control:appeal", pk=pk)
    from hotline.orders.queries import orders_for_source

    orders = orders_for_source(services.Source("control", "hcappeal", str(item.pk)))
    show_phone = can and request.GET.get("show") == "phone"
    if show_phone:
        record_data_access(request.user, item, ["phone"], "control:appeal")
    return render(
        request,
        "control/appeal.html",
        {
            "appeal": item,
            "form": form,
            "orders": orders,
            "show_phone": show_phone,
            "can_decide": can,
            "today": timezone.localdate() + dt.timedelta(days=0),
        },
    )
