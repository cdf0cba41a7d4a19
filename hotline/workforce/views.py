"""Pages of the workforce app: the roster calendar with sign-in and sign-out, the staffing
table (needed vs on shift), the team board, people with the Excel import, training. Views
parse input, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.accounts.services import record_data_access

from . import queries, services
from .choices import ONBOARDING_STEPS, PATTERN_CHOICES, BackgroundCheck
from .errors import WorkforceError
from .forms import (
    AttendanceForm,
    DeploymentForm,
    ImportForm,
    PeopleFilterForm,
    QuizForm,
    ShiftForm,
    TeamForm,
    WhatIfForm,
)
from .models import (
    Completion,
    Course,
    Deployment,
    Person,
    Shift,
    StaffingPolicy,
    Team,
    can_view_workforce,
    is_manager,
)


def _refuse(request, message: str, status: int = 403):
    return render(request, "workforce/refused.html", {"message": message}, status=status)


def _day(value: str | None, default: dt.date) -> dt.date:
    """The ``?day=``/``?week=`` of a page; a malformed date or one outside the days the
    platform plans for (``queries.FIRST_DAY``…``LAST_DAY``) shows the default instead."""
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if queries.FIRST_DAY <= day <= queries.LAST_DAY else default


# --- roster ---------------------------------------------------------------------------------
def _roster_context(request, form=None):
    today = timezone.localdate()
    week = _day(request.GET.get("week"), today - dt.timedelta(days=today.weekday()))
    context = queries.roster_week(week)
    now = timezone.now()
    if is_manager(request.user):
        context["today_shifts"] = (
            Shift.objects.live()
            .filter(starts_at__lte=now + services.SIGN_IN_EARLY, ends_at__gt=now)
            .select_related("person")
            .order_by("starts_at", "person__name")
        )
    context.update(
        week=week,
        prev_week=week - dt.timedelta(days=7),
        next_week=week + dt.timedelta(days=7),
        today=today,
        manager=is_manager(request.user),
        form=form or (ShiftForm() if is_manager(request.user) else None),
        mine=Shift.objects.live()
        .filter(person__user=request.user, ends_at__gt=timezone.now())
        .order_by("starts_at")[:3],
    )
    return context


@login_required
def roster(request):
    if not can_view_workforce(request.user):
        return _refuse(request, "排班表只对热线中心人员开放。")
    return render(request, "workforce/roster.html", _roster_context(request))


@login_required
@require_POST
def roster_add(request):
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以排班。")
    form = ShiftForm(request.POST)
    if form.is_valid():
        day, pattern = form.cleaned_data["day"], form.cleaned_data["pattern"]
        made, refused = 0, []
        for person in form.people():
            try:
                services.roster_shift(request.user, person, day, pattern)
            except WorkforceError as exc:
                refused.append(str(exc))
            else:
                made += 1
        if made:
            label = dict(PATTERN_CHOICES)[pattern]
            messages.success(request, f"已排班 {made} 人：{day:%m月%d日} {label}。")
            for reason in refused[:10]:
                messages.warning(request, f"未排：{reason}")
            week = day - dt.timedelta(days=day.weekday())
            return redirect(f"{reverse('workforce:roster')}?week={week}")
        form.add_error(None, "；".join(refused[:10]) or "没有可排班的人员。")
    return render(request, "workforce/roster.html", _roster_context(request, form), status=422)


@login_required
@require_POST
def shift_sign(request, pk: int, action: str):
    shift = get_object_or_404(Shift.objects.select_related("person"), pk=pk)
    verb = {"in": services.sign_in, "out": services.sign_out}.get(action)
    if verb is None:
        raise Http404("没有这个操作。")
    try:
        shift = verb(request.user, shift)
    except WorkforceError as exc:
        if request.htmx:
            return render(
                request,
                "workforce/partials/shift.html",
                {
                    "s": shift,
                    "error": str(exc),
                    "manager": is_manager(request.user),
                    "today": timezone.localdate(),
                },
                status=exc.status,
            )
        messages.error(request, str(exc))
    else:
        if request.htmx:
            return render(
                request,
                "workforce/partials/shift.html",
                {"s": shift, "manager": is_manager(request.user), "today": timezone.localdate()},
            )
        messages.success(request, f"{shift.person.name} 已{'签到' if action == 'in' else '签退'}。")
    return redirect("workforce:roster")


# --- staffing -------------------------------------------------------------------------------
def _staffing_context(request):
    now = timezone.now()
    day = _day(request.GET.get("day"), timezone.localdate(now))
    context = queries.staffing(day, now)
    context["load"] = queries.load_today(now)
    form = WhatIfForm(request.GET if "calls" in request.GET else None)
    context["whatif_form"] = form
    if form.is_bound and form.is_valid():
        context["whatif"] = queries.what_if(
            form.cleaned_data["calls"], form.cleaned_data["aht"], context["policy"]
        )
    return context


@login_required
def staffing(request):
    if not is_manager(request.user):
        return _refuse(request, "人力测算只对值班长和系统管理员开放。")
    return render(request, "workforce/staffing.html", _staffing_context(request))


@login_required
def staffing_table(request):
    if not is_manager(request.user):
        return _refuse(request, "人力测算只对值班长和系统管理员开放。")
    return render(request, "workforce/partials/staffing_table.html", _staffing_context(request))


# --- teams ----------------------------------------------------------------------------------
@login_required
def teams(request, team_form=None, status=200):
    if not can_view_workforce(request.user):
        return _refuse(request, "队伍调度只对值班长、系统管理员和现场工作人员开放。")
    day = _day(request.GET.get("day"), timezone.localdate())
    manager = is_manager(request.user)
    return render(
        request,
        "workforce/teams.html",
        {
            "board": queries.team_board(day),
            "day": day,
            "manager": manager,
            "team_form": (team_form or TeamForm()) if manager else None,
        },
        status=status,
    )


@login_required
@require_POST
def team_add(request):
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以组建队伍。")
    form = TeamForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            team = services.form_team(
                request.user,
                data["name"],
                home_agency=data["home_agency"],
                leader=data["leader"],
                members=list(data["members"]),
            )
        except WorkforceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已组建 {team.name}（{len(data['members'])} 人）。")
            return redirect("workforce:team", pk=team.pk)
    return teams(request, team_form=form, status=422)


def _team_page(request, team: Team, deploy_form=None, status=200):
    members = list(team.members.order_by("name"))
    history = queries.team_history(team)
    today = timezone.localdate()
    manager = is_manager(request.user)
    for row in history:
        d = row["deployment"]
        current = d.starts_on <= today and (d.ends_on is None or d.ends_on >= today)
        row["form"] = (
            AttendanceForm(members=row["members"], initial={"day": today})
            if manager and current
            else None
        )
    if manager and deploy_form is None:
        deploy_form = DeploymentForm(team_members=members)
    return render(
        request,
        "workforce/team_detail.html",
        {
            "team": team,
            "members": queries.people_rows(members),
            "history": history,
            "manager": manager,
            "deploy_form": deploy_form if manager else None,
        },
        status=status,
    )


@login_required
def team_detail(request, pk: int):
    if not can_view_workforce(request.user):
        return _refuse(request, "队伍调度只对值班长、系统管理员和现场工作人员开放。")
    return _team_page(request, get_object_or_404(Team.objects.select_related("leader"), pk=pk))


@login_required
@require_POST
def team_deploy(request, pk: int):
    team = get_object_or_404(Team.objects.select_related("leader"), pk=pk)
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以派出批次。")
    members = list(team.members.order_by("name"))
    form = DeploymentForm(request.POST, team_members=members)
    if form.is_valid():
        data = form.cleaned_data
        chosen = [p for p in members if str(p.pk) in set(data["members"])]
        try:
            batch = services.deploy(
                request.user,
                team,
                site_kind=data["site_kind"],
                site_name=data["site_name"],
                site_division_code=data["site_division"].strip(),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                members=chosen,
                tasks=data["tasks"],
                note=data["note"],
            )
        except WorkforceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"第{batch.batch}批 {len(chosen)} 人已派往 {batch.site_name}。"
            )
            return redirect("workforce:team", pk=team.pk)
    return _team_page(request, team, deploy_form=form, status=422)


@login_required
@require_POST
def batch_end(request, pk: int):
    deployment = get_object_or_404(Deployment, pk=pk)
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以撤回批次。")
    try:
        services.end_deployment(request.user, deployment)
    except WorkforceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"第{deployment.batch}批已撤回。")
    return redirect("workforce:team", pk=deployment.team_id)


@login_required
@require_POST
def attendance(request, pk: int):
    deployment = get_object_or_404(Deployment, pk=pk)
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以登记驻点考勤。")
    form = AttendanceForm(request.POST, members=list(deployment.members.all()))
    if form.is_valid():
        try:
            n = services.mark_attendance(
                request.user,
                deployment,
                form.cleaned_data["day"],
                [int(v) for v in form.cleaned_data["present"]],
            )
        except WorkforceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"第{deployment.batch}批 {form.cleaned_data['day']:%m月%d日} 到岗 {n} 人，已登记。",
            )
    else:
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(request, "考勤未登记：" + "；".join(problems))
    return redirect("workforce:team", pk=deployment.team_id)


# --- people ---------------------------------------------------------------------------------
@login_required
def people(request, import_form=None, result=None, status=200):
    if not is_manager(request.user):
        return _refuse(request, "人员管理只对值班长和系统管理员开放。")
    form = PeopleFilterForm(request.GET or None)
    qs = Person.objects.active()
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(Q(name__contains=data["q"]) | Q(home_agency__contains=data["q"]))
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("trained") in ("0", "1"):
            passed = Completion.objects.filter(
                person=OuterRef("pk"), course__is_basic=True, passed=True
            )
            qs = qs.filter(Exists(passed)) if data["trained"] == "1" else qs.exclude(Exists(passed))
    total = qs.count()
    rows = queries.people_rows(qs.order_by("home_agency", "name")[:300])
    return render(
        request,
        "workforce/people.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "import_form": import_form or ImportForm(),
            "result": result,
        },
        status=status,
    )


@login_required
@require_POST
def people_import(request):
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以导入人员。")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return people(request, import_form=form, status=422)
    from hotline.common.spreadsheets import first_sheet_rows

    from .errors import invalid

    rows = first_sheet_rows(
        form.cleaned_data["file"],
        lambda: invalid("无法读取该文件，请确认是 Excel（.xlsx）格式。", "bad_file"),
    )
    try:
        result = services.import_people(request.user, rows)
    except WorkforceError as exc:  # a damaged file too: its rows are read before any write
        form.add_error("file", str(exc))
        return people(request, import_form=form, status=exc.status)
    return people(request, result=result, status=200 if not result.errors else 422)


@login_required
def person_detail(request, pk: int):
    if not is_manager(request.user):
        return _refuse(request, "人员信息只对值班长和系统管理员开放。")
    person = get_object_or_404(Person, pk=pk)
    reveal = request.GET.get("reveal") == "1" and person.can_reveal_phone(request.user)
    if reveal:
        record_data_access(request.user, person, ["phone"], "workforce:person")
    return render(
        request,
        "workforce/person_detail.html",
        {
            "person": person,
            "steps": [
                {"code": code, "label": label, "done": person.onboarding.get(code)}
                for code, label in ONBOARDING_STEPS
            ],
            "checks": BackgroundCheck.choices,
            "phone": person.phone if reveal else person.masked_phone(),
            "revealed": reveal,
            "completions": person.completions.select_related("course")[:20],
            "shifts": person.shifts.live().order_by("-starts_at")[:10],
            "deployments": person.deployments.select_related("team").order_by("-starts_on"),
        },
    )


@login_required
@require_POST
def person_update(request, pk: int):
    """Tick an onboarding step or record the background check from the person's page."""
    person = get_object_or_404(Person, pk=pk)
    if not is_manager(request.user):
        return _refuse(request, "只有值班长和系统管理员可以修改人员信息。")
    try:
        if "step" in request.POST:
            services.tick_onboarding(request.user, person, request.POST["step"])
        else:
            services.set_background_check(
                request.user, person, request.POST.get("background_check", "")
            )
    except WorkforceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已更新。")
    return redirect("workforce:person", pk=person.pk)


# --- training -------------------------------------------------------------------------------
def _person_of(user) -> Person | None:
    return Person.objects.filter(user=user).first()


@login_required
def training(request):
    person = _person_of(request.user)
    courses = list(Course.objects.filter(active=True))
    passed = set()
    if person:
        passed = set(
            Completion.objects.filter(person=person, passed=True).values_list(
                "course_id", flat=True
            )
        )
    return render(
        request,
        "workforce/training.html",
        {
            "person": person,
            "courses": [{"course": c, "passed": c.pk in passed} for c in courses],
            "refusal": services.call_refusal(request.user),
        },
    )


@login_required
def course(request, code: str):
    course = get_object_or_404(Course, code=code, active=True)
    person = _person_of(request.user)
    form = QuizForm(request.POST or None, course=course)
    result = None
    status = 200
    if request.method == "POST":
        if person is None:
            return _refuse(request, "您的账号未登记为人员，请联系值班长。")
        if form.is_valid():
            try:
                result = services.attempt_course(request.user, person, course, form.answers())
            except WorkforceError as exc:
                form.add_error(None, str(exc))
                status = exc.status
        else:
            status = 422
    articles = course.articles.all().order_by("key")
    return render(
        request,
        "workforce/course.html",
        {
            "course": course,
            "form": form,
            "result": result,
            "articles": articles,
            "policy": StaffingPolicy.current(),
        },
        status=status,
    )
