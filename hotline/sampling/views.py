"""Pages of the sampling app (Chinese, htmx): rounds, the round's coverage page with hourly
progress, a village's not-yet-sampled and door-to-door lists, the registration page a swabber
uses on a phone, the registration file import and the lab results import. Views parse input,
call one service or query, render."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from hotline.accounts.roles import Role, has_role
from hotline.accounts.services import record_data_access

from . import importer, queries, services
from .choices import Mode, RiskLevel
from .errors import SamplingError, invalid
from .forms import RegisterForm, ResultsForm, RoundForm, SamplesForm, SiteForm
from .models import MANAGER_ROLES, Grid, Round, SamplingEvent, Site, Tube


def _deny(request, message: str, status: int = 403):
    return render(request, "sampling/denied.html", {"message": message}, status=status)


def _round_for(request, pk: int, *, manage: bool = False):
    round_ = Round.objects.select_related("area").filter(pk=pk).first()
    if round_ is None or not round_.can_view(request.user):
        return None
    if manage and not round_.can_manage(request.user):
        return None
    return round_


def _qr(text: str) -> str:
    # segno writes a plain <svg> (no style attribute), safe to inline under the CSP.
    return mark_safe(segno.make(text, error="m").svg_inline(scale=3))


@login_required
def rounds(request):
    """Rounds the user may see; for field staff, their sites; for managers, a new-round form."""
    user = request.user
    can_create = has_role(user, *MANAGER_ROLES) or (
        getattr(getattr(getattr(user, "hotline_profile", None), "unit", None), "code", "").endswith(
            ("-epi", "-gov")
        )
    )
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(
                user,
                name=form.cleaned_data["name"],
                area_code=form.cleaned_data["area"].strip(),
                starts_at=form.cleaned_data["starts_at"],
                deadline=form.cleaned_data["deadline"],
            )
        except SamplingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已创建采样轮次“{round_.name}”。")
            return redirect("sampling:round", pk=round_.pk)
    my_sites = (
        Site.objects.filter(staff=user)
        .select_related("round", "grid__village")
        .order_by("-round__starts_at", "name")[:50]
    )
    return render(
        request,
        "sampling/rounds.html",
        {
            "rounds": queries.visible_rounds(user),
            "my_sites": my_sites,
            "form": form,
            "can_create": can_create,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def round_page(request, pk: int):
    """The round's page: tubes, hourly progress, coverage per grid, sites, open recalls."""
    round_ = _round_for(request, pk)
    if round_ is None:
        return _deny(request, "找不到这一轮采样，或您无权查看。", 404)
    manage = round_.can_manage(request.user)
    if request.method == "POST" and not manage:
        return _deny(request, "只有本轮组织者可以添加采样点。")
    coverage = queries.round_coverage(round_)
    if not manage:  # a town office sees its own town's grids
        town = getattr(getattr(request.user.hotline_profile, "unit", None), "code", "")
        coverage = [c for c in coverage if c.village_code.startswith(town)] if town else []
    coverage.sort(
        key=lambda c: (-(c.registered > 0 or c.sampled > 0 or c.visitors > 0), c.village_code)
    )
    progress = queries.hourly_progress(round_)
    site_form = SiteForm(request.POST or None)
    if request.method == "POST" and site_form.is_valid():
        data = site_form.cleaned_data
        names = [n.strip() for n in data["staff"].replace("，", ",").split(",") if n.strip()]
        users = list(get_user_model().objects.filter(username__in=names))
        try:
            if len(users) != len(set(names)):
                raise SamplingError("有采样人员用户名不存在，请核对。", code="unknown_user")
            services.add_site(
                request.user,
                round_,
                village_code=data["village"].strip(),
                name=data["name"],
                address=data["address"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                staff=users,
            )
        except SamplingError as exc:
            site_form.add_error(None, str(exc))
        else:
            messages.success(request, f"已添加采样点“{data['name']}”。")
            return redirect("sampling:round", pk=round_.pk)
    sites = (
        Site.objects.filter(round=round_)
        .select_related("grid__village")
        .prefetch_related("staff")
        .order_by("grid__village_id", "name")
    )
    return render(
        request,
        "sampling/round.html",
        {
            "round": round_,
            "manage": manage,
            "coverage": coverage,
            "total": queries.totals(coverage),
            "progress": progress,
            "dorfman": queries.dorfman_check(round_),
            "progress_total": progress[-1]["total"] if progress else 0,
            "tubes": queries.tube_summary(round_),
            "sites": sites,
            "recalls": queries.recalls(round_, open_only=True)[:50],
            "imports": round_.imports.select_related("imported_by")[:5],
            "site_form": site_form,
            "risk_levels": RiskLevel.choices,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def round_action(request, pk: int, action: str):
    """A manager's action on the round: set grids' risk level, or end the round."""
    round_ = _round_for(request, pk, manage=True)
    if round_ is None:
        return _deny(request, "只有本轮组织者可以这样做。")
    try:
        if action == "risk":
            codes = [
                c.strip() for c in request.POST.get("villages", "").replace("，", ",").split(",")
            ]
            codes = [c for c in codes if c]
            if not codes:
                raise SamplingError("请填写村居代码。", code="villages_required", status=422)
            changed = services.set_risk(request.user, round_, codes, request.POST.get("level", ""))
            messages.success(request, f"已调整 {changed} 个网格的风险等级（已开的管不变）。")
        elif action == "close":
            services.close_round(request.user, round_)
            messages.success(request, "本轮采样已结束。")
        else:
            return _deny(request, "未知操作。", 404)
    except SamplingError as exc:
        messages.error(request, str(exc))
    return redirect("sampling:round", pk=round_.pk)


@login_required
def village_page(request, pk: int, code: str):
    """One village: coverage, not yet sampled (masked per role), door-to-door, recalls."""
    grid = (
        Grid.objects.filter(round_id=pk, village_id=code)
        .select_related("round__area", "village")
        .first()
    )
    if grid is None or not grid.can_view(request.user):
        return _deny(request, "找不到这个网格，或您无权查看。", 404)
    round_ = grid.round
    view = grid.contact_view(request.user)
    door_only = request.GET.get("list") == "door"
    missing = queries.not_sampled(round_, code, view, door_only=door_only)
    if view != "masked" and missing:
        fields = ["name", "phone", "address"] if view == "full" else ["address"]
        record_data_access(request.user, grid, fields, "sampling:village")
    return render(
        request,
        "sampling/village.html",
        {
            "round": round_,
            "grid": grid,
            "cov": queries.village_coverage(round_, code),
            "missing": missing,
            "door_only": door_only,
            "view": view,
            "recalls": queries.recalls(round_, village_code=code),
        },
    )


def _register_context(request, site, form, registered=None, error=""):
    tube = services.current_tube(request.user, site)
    return {
        "site": site,
        "form": form,
        "tube": tube,
        "tube_qr": _qr(tube.barcode) if tube else "",
        "registered": registered,
        "error": error,
        "recent": site.tubes.filter(opened_by=request.user).order_by("-opened_at", "-pk")[:5],
        "modes": Mode.choices,
    }


@login_required
def register(request, pk: int):
    """The swabber's page (phone first): scan or type, the swab goes into the open tube."""
    site = Site.objects.select_related("round", "grid__village").filter(pk=pk).first()
    if site is None or not site.can_register(request.user):
        return _deny(request, "您不在这个采样点的采样人员名单中。", 403)
    form = RegisterForm(request.POST or None, initial={"mode": request.GET.get("mode", "site")})
    registered, error, status = None, "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registered = services.register_sample(
                    request.user,
                    site,
                    form.cleaned_data["person"],
                    mode=form.cleaned_data["mode"],
                    barcode=form.cleaned_data["barcode"],
                )
            except SamplingError as exc:
                error, status = str(exc), exc.status
            else:
                form = RegisterForm(initial={"mode": form.cleaned_data["mode"]})
        else:
            error, status = "请扫描居民码或输入身份证号。", 422
    context = _register_context(request, site, form, registered, error)
    if request.htmx:  # htmx swaps only 2xx answers: the error is in the partial
        return render(request, "sampling/partials/register.html", context)
    return render(request, "sampling/register.html", context, status=status)


@login_required
@require_POST
def close_tube(request, pk: int):
    tube = get_object_or_404(Tube.objects.select_related("site"), pk=pk)
    site = tube.site
    if site is None:
        return _deny(request, "找不到这支管。", 404)
    try:
        services.close_tube(request.user, tube)
    except SamplingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已封管 {tube.barcode}。")
    return redirect("sampling:register", pk=site.pk)


@login_required
def results(request, pk: int):
    """Import a lab's results file; the import's refused rows are listed one by one."""
    round_ = _round_for(request, pk, manage=True)
    if round_ is None:
        return _deny(request, "只有本轮组织者可以导入检测结果。", 403)
    form = ResultsForm(request.POST or None, request.FILES or None)
    lab, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = importer.read_results(upload.name, upload.read())
                lab = services.import_results(request.user, round_, rows, file_name=upload.name)
            except SamplingError as exc:
                form.add_error("file", str(exc))
                status = exc.status
        else:
            status = 422
    return render(
        request,
        "sampling/results.html",
        {
            "round": round_,
            "form": form,
            "lab": lab,
            "imports": round_.imports.select_related("imported_by")[:10],
        },
        status=status,
    )


@login_required
def samples_template(request, pk: int):
    """An empty registration file to fill in: the header row only (the page says what goes in
    each column). UTF-8 with a byte order mark, so that Excel shows the Chinese header."""
    if _round_for(request, pk) is None:
        return _deny(request, "找不到这一轮采样，或您无权查看。", 404)
    header = ",".join(options[0] for options in importer.SAMPLE_HEADERS.values())
    body = "\ufeff" + header + "," + importer.SAMPLE_OPTIONAL["mode"][0] + "\r\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'采样登记模板-{pk}.csv')}"
    )
    return response


@login_required
def samples(request, pk: int):
    """Import a registration file (a town's or a device's export of swabs taken): read and
    imported batch by batch while the request waits; refused rows listed with their line."""
    round_ = _round_for(request, pk)
    if round_ is None:
        return _deny(request, "找不到这一轮采样，或您无权查看。", 404)
    manage = round_.can_manage(request.user)
    if not manage and not has_role(request.user, Role.FIELD_STAFF):
        return _deny(request, "只有采样人员或本轮组织者可以导入采样登记。")
    form = SamplesForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > importer.MAX_BYTES:
                    raise invalid(
                        "文件过大（网页导入最大 20 MB）：请分成几个文件，或由管理员用命令 "
                        "hotline sampling_samples 导入。",
                        "file_too_large",
                    )
                report = importer.import_sample_file(request.user, round_, upload.name, upload.file)
            except SamplingError as exc:
                form.add_error("file", str(exc))
                status = exc.status
        else:
            status = 422
    sites = Site.objects.filter(round=round_).select_related("grid__village")
    if not manage:
        sites = sites.filter(staff=request.user)
    return render(
        request,
        "sampling/samples.html",
        {
            "round": round_,
            "manage": manage,
            "form": form,
            "report": report,
            "sites": sites.order_by("grid__village_id", "name")[:200],
            "imports": SamplingEvent.objects.filter(
                round=round_, code="sampling.samples.imported"
            ).select_related("actor")[:10],
        },
        status=status,
    )
