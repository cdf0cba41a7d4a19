"""Every write of the workforce app. Verbs, actor first, atomic, locking what they change; each
state change writes a ``WorkforceEvent``. Refusals raise ``WorkforceError`` (Chinese message,
stable code).

The API other field apps use to give duty to these people is ``assign_duty`` /
``release_duty`` here and ``queries.available_people`` / ``queries.duties_for_source``
(see docs/WORKFORCE.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.roles import Role, roles_of
from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number
from hotline.common.masking import mask_id_number
from hotline.geo.models import Division

from .choices import (
    ONBOARDING_LABELS,
    SHIFT_PATTERNS,
    BackgroundCheck,
    DeploymentStatus,
    EventCode,
    PersonKind,
    SiteKind,
    Skill,
    Task,
)
from .errors import WorkforceError, forbidden, invalid
from .models import (
    CallRecord,
    Completion,
    Course,
    Deployment,
    DeploymentAttendance,
    Duty,
    Person,
    Shift,
    StaffingPolicy,
    Team,
    WorkforceEvent,
    is_manager,
)

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
#: How early before a shift's start a person may sign in.
SIGN_IN_EARLY = dt.timedelta(hours=1)


def _now(now=None) -> dt.datetime:
    return now or timezone.now()


def _event(actor, code: str, obj, *, person=None, payload=None, now=None) -> WorkforceEvent:
    return WorkforceEvent.objects.create(
        code=code,
        actor=actor if getattr(actor, "pk", None) else None,
        person=person,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        payload=payload or {},
        at=_now(now),
    )


def _require_manager(actor) -> None:
    if not is_manager(actor):
        raise forbidden("只有值班长和系统管理员可以管理人员、排班和队伍。")


# --- the rule of the desk -----------------------------------------------------------------
def call_refusal(user) -> str | None:
    """Why ``user`` may not take calls, or None. A volunteer agent (志愿接线员) takes calls only
    after passing a basic course; agents, supervisors and admins are not held by this rule."""
    roles = roles_of(user)
    if Role.VOLUNTEER_AGENT not in roles or roles & {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}:
        return None
    passed = Completion.objects.filter(
        person__user=user, person__active=True, course__is_basic=True, passed=True
    ).exists()
    if passed:
        return None
    return "您尚未通过上岗基础培训，暂不能接听登记。请先在“我的培训”中学习材料并通过测验。"


def desk_check(user) -> tuple[str, str] | None:
    """The training rule as the orders desk check (``orders.services.add_desk_check``): it
    holds for every door a person's appeal comes through, the API and batches included."""
    refusal = call_refusal(user)
    return ("training_required", refusal) if refusal else None


def check_may_take_calls(user) -> None:
    """Raise ``WorkforceError`` (403, ``training_required``) when ``user`` may not register
    orders at the desk (see ``call_refusal``). The console's intake calls this."""
    refusal = call_refusal(user)
    if refusal:
        raise forbidden(refusal, "training_required")


# --- people --------------------------------------------------------------------------------
def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        raise invalid(f"手机号格式有误：{phone}。应为 11 位手机号或带区号的固话。", "bad_phone")
    return phone


def _clean_skills(skills: Iterable[str]) -> list[str]:
    by_label = {label: code for code, label in Skill.choices}
    out = []
    for s in skills or ():
        s = str(s).strip()
        code = s if s in Skill.values else by_label.get(s)
        if code is None:
            raise invalid(f"未知技能：{s}。可选：{'、'.join(Skill.labels)}。", "unknown_skill")
        if code not in out:
            out.append(code)
    return out


@dataclass
class PersonData:
    """One person's fields as a form, the API or an import row gives them."""

    name: str
    kind: str = PersonKind.VOLUNTEER
    home_agency: str = ""
    phone: str = ""
    id_number: str = ""
    skills: list[str] = field(default_factory=list)
    party_member: bool = False
    background_check: str = BackgroundCheck.PENDING


def _build_person(data: PersonData, now) -> Person:
    """Validate ``data`` and return an unsaved Person (no database read)."""
    name = (data.name or "").strip()
    if not name or len(name) > 64:
        raise invalid("姓名必填，且不超过 64 个字。", "bad_name")
    if data.kind not in PersonKind.values:
        raise invalid(f"未知人员类别：{data.kind}。", "unknown_kind")
    if data.background_check not in BackgroundCheck.values:
        raise invalid(f"未知背景审查结果：{data.background_check}。", "bad_background_check")
    number = normalize_id_number(data.id_number)
    if number and not is_valid_id_number(number):
        raise invalid("身份证号码有误（位数、出生日期或校验位不对）。", "bad_id_number")
    skills = _clean_skills(data.skills)
    return Person(
        name=name,
        kind=data.kind,
        home_agency=(data.home_agency or "").strip()[:100],
        phone=_clean_phone(data.phone),
        id_hash=id_hash(number) if number else "",
        id_masked=mask_id_number(number) if number else "",
        skills=skills,
        skills_text="|" + "|".join(skills) + "|" if skills else "",
        party_member=bool(data.party_member),
        background_check=data.background_check,
        created_at=now,
    )


@transaction.atomic
def add_person(actor, data: PersonData, *, user=None, now=None) -> Person:
    """Register a person. Refused for a manager-less actor, bad fields, or an ID number that is
    already registered."""
    _require_manager(actor)
    now = _now(now)
    person = _build_person(data, now)
    if person.id_hash and Person.objects.filter(id_hash=person.id_hash).exists():
        raise WorkforceError("该身份证号的人员已登记。", "duplicate_person")
    person.user = user
    person.save()
    _event(
        actor,
        EventCode.PERSON_ADDED,
        person,
        person=person,
        payload={"kind": person.kind, "home_agency": person.home_agency},
        now=now,
    )
    return person


@transaction.atomic
def tick_onboarding(actor, person: Person, step: str, *, now=None) -> Person:
    """Mark an onboarding step done (idempotent)."""
    _require_manager(actor)
    if step not in ONBOARDING_LABELS:
        raise invalid(f"未知入职事项：{step}。", "unknown_step")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if step not in person.onboarding:
        now = _now(now)
        person.onboarding = {**person.onboarding, step: now.isoformat()}
        person.save(update_fields=["onboarding"])
        _event(
            actor, EventCode.ONBOARDING_STEP, person, person=person, payload={"step": step}, now=now
        )
    return person


@transaction.atomic
def set_background_check(actor, person: Person, result: str, *, now=None) -> Person:
    """Record the background check's result."""
    _require_manager(actor)
    if result not in BackgroundCheck.values:
        raise invalid(f"未知背景审查结果：{result}。", "bad_background_check")
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.background_check = result
    person.save(update_fields=["background_check"])
    _event(
        actor,
        EventCode.PERSON_UPDATED,
        person,
        person=person,
        payload={"background_check": result},
        now=now,
    )
    return person


# --- training ------------------------------------------------------------------------------
def score_answers(course: Course, answers: list) -> int:
    """The percentage of questions answered right (rounded down)."""
    questions = course.questions or []
    if not questions:
        return 100
    right = sum(
        1
        for i, q in enumerate(questions)
        if i < len(answers) and answers[i] is not None and int(answers[i]) == q["answer"]
    )
    return right * 100 // len(questions)


@transaction.atomic
def attempt_course(actor, person: Person, course: Course, answers: list, *, now=None):
    """Record one attempt at ``course``'s quiz by ``person``: scored, passed at the pass mark.
    The person takes it themself; a manager may record it for them (a paper quiz)."""
    if not (is_manager(actor) or (person.user_id and person.user_id == actor.pk)):
        raise forbidden("只能本人参加测验，或由值班长代为登记。")
    if not course.active:
        raise WorkforceError("该课程已停用。", "course_inactive")
    questions = course.questions or []
    if len(answers) != len(questions):
        raise invalid(f"请回答全部 {len(questions)} 道题。", "incomplete_answers")
    try:
        clean = [int(a) for a in answers]
    except (TypeError, ValueError) as exc:
        raise invalid("答案应为选项序号。", "bad_answer") from exc
    for i, a in enumerate(clean):
        if not 0 <= a < len(questions[i]["options"]):
            raise invalid(f"第 {i + 1} 题的答案不是有效选项。", "bad_answer")
    now = _now(now)
    score = score_answers(course, clean)
    completion = Completion.objects.create(
        person=person,
        course=course,
        score=score,
        passed=score >= course.pass_mark,
        answers=clean,
        at=now,
    )
    _event(
        actor,
        EventCode.COURSE_ATTEMPT,
        completion,
        person=person,
        payload={"course": course.code, "score": score, "passed": completion.passed},
        now=now,
    )
    return completion


# --- roster and attendance ------------------------------------------------------------------
def shift_bounds(day: dt.date, pattern: str) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of a ``pattern`` shift on the local ``day``."""
    spec = SHIFT_PATTERNS.get(pattern)
    if spec is None:
        raise invalid(f"未知班次：{pattern}。", "unknown_pattern")
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, spec.start, tz)
    return start, start + dt.timedelta(hours=spec.hours)


@transaction.atomic
def roster_shift(actor, person: Person, day: dt.date, pattern: str, *, now=None) -> Shift:
    """Put ``person`` on the roster for a shift. Refused for someone not in the register or a
    shift that overlaps one they already have."""
    _require_manager(actor)
    start, end = shift_bounds(day, pattern)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.active:
        raise WorkforceError(f"{person.name} 已不在册，不能排班。", "person_inactive")
    clash = Shift.objects.filter(person=person).overlapping(start, end).first()
    if clash:
        raise WorkforceError(
            f"{person.name} 在 {timezone.localtime(clash.starts_at):%m月%d日 %H:%M} 已有"
            f"“{clash.get_pattern_display()}”，与该班次重叠。",
            "shift_overlap",
        )
    try:
        with transaction.atomic():
            shift = Shift.objects.create(
                person=person, pattern=pattern, starts_at=start, ends_at=end
            )
    except IntegrityError as exc:  # a cancelled shift at the same start
        raise WorkforceError(
            "该人员同一时间已有（已取消的）排班，请在原班次上调整。", "shift_overlap"
        ) from exc
    _event(
        actor,
        EventCode.SHIFT_ROSTERED,
        shift,
        person=person,
        payload={"pattern": pattern, "starts_at": start.isoformat()},
        now=now,
    )
    return shift


@transaction.atomic
def cancel_shift(actor, shift: Shift, *, now=None) -> Shift:
    """Take a shift off the roster (refused once the person has signed in)."""
    _require_manager(actor)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.signed_in_at:
        raise WorkforceError("已签到的班次不能取消，请签退。", "shift_started")
    if shift.cancelled_at is None:
        shift.cancelled_at = _now(now)
        shift.save(update_fields=["cancelled_at"])
        _event(actor, EventCode.SHIFT_CANCELLED, shift, person=shift.person, now=now)
    return shift


@transaction.atomic
def sign_in(actor, shift: Shift, *, now=None) -> Shift:
    """Sign in for a shift: from an hour before its start until its end, once."""
    now = _now(now)
    shift = Shift.objects.select_for_update().select_related("person").get(pk=shift.pk)
    if not shift.can_sign(actor):
        raise forbidden("只能本人签到，或由值班长代为签到。")
    if shift.cancelled_at:
        raise WorkforceError("该班次已取消。", "shift_cancelled")
    if shift.signed_in_at:
        raise WorkforceError(
            f"已于 {timezone.localtime(shift.signed_in_at):%H:%M} 签到。", "already_signed_in"
        )
    if now < shift.starts_at - SIGN_IN_EARLY or now >= shift.ends_at:
        raise WorkforceError("不在该班次的签到时间内（开班前 1 小时至下班）。", "outside_shift")
    shift.signed_in_at = now
    shift.save(update_fields=["signed_in_at"])
    _event(actor, EventCode.SIGNED_IN, shift, person=shift.person, now=now)
    return shift


@transaction.atomic
def sign_out(actor, shift: Shift, *, now=None) -> Shift:
    """Sign out of a shift one has signed in to."""
    now = _now(now)
    shift = Shift.objects.select_for_update().select_related("person").get(pk=shift.pk)
    if not shift.can_sign(actor):
        raise forbidden("只能本人签退，或由值班长代为签退。")
    if not shift.signed_in_at:
        raise WorkforceError("尚未签到，不能签退。", "not_signed_in")
    if shift.signed_out_at:
        raise WorkforceError("已签退。", "already_signed_out")
    shift.signed_out_at = max(now, shift.signed_in_at)
    shift.save(update_fields=["signed_out_at"])
    _event(actor, EventCode.SIGNED_OUT, shift, person=shift.person, now=now)
    return shift


@transaction.atomic
def record_call(
    actor,
    person: Person,
    *,
    started_at,
    talk_seconds: int,
    wrap_seconds: int = 0,
    order_number: str = "",
) -> tuple[CallRecord, bool]:
    """Record a handled call (from the telephony system or by a manager). Idempotent on
    (person, started_at): a replay returns the stored record and False."""
    if not (is_manager(actor) or (person.user_id and person.user_id == actor.pk)):
        raise forbidden("只能记录本人的通话，或由值班长、话务系统记录。")
    if talk_seconds < 0 or wrap_seconds < 0 or talk_seconds + wrap_seconds > 4 * 3600:
        raise invalid("通话与话后处理时长应在 0 秒到 4 小时之间。", "bad_duration")
    existing = CallRecord.objects.filter(person=person, started_at=started_at).first()
    if existing:
        return existing, False
    call = CallRecord.objects.create(
        person=person,
        started_at=started_at,
        talk_seconds=talk_seconds,
        wrap_seconds=wrap_seconds,
        order_number=order_number[:20],
    )
    _event(
        actor,
        EventCode.CALL_RECORDED,
        call,
        person=person,
        payload={"talk": talk_seconds, "wrap": wrap_seconds},
        now=started_at,
    )
    return call, True


POLICY_FIELDS = (
    "service_target",
    "answer_seconds",
    "default_aht_seconds",
    "patience_seconds",
    "daily_call_cap",
    "daily_hours_cap",
    "history_weeks",
    "aht_window_hours",
)


@transaction.atomic
def set_policy(actor, *, now=None, **values) -> StaffingPolicy:
    """Change the staffing parameters (service level, default handle time, patience, caps)."""
    _require_manager(actor)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise invalid(f"未知参数：{'、'.join(sorted(unknown))}。", "unknown_field")
    policy = StaffingPolicy.objects.select_for_update().filter(pk=1).first() or StaffingPolicy(pk=1)
    for name, value in values.items():
        setattr(policy, name, value)
    from django.core.exceptions import ValidationError

    try:
        policy.full_clean()
    except ValidationError as exc:
        raise invalid("；".join(exc.messages), "bad_policy") from exc
    policy.updated_at = _now(now)
    policy.save()
    _event(actor, EventCode.POLICY_CHANGED, policy, payload={k: values[k] for k in values}, now=now)
    return policy


# --- teams and deployments ------------------------------------------------------------------
@transaction.atomic
def form_team(
    actor,
    name: str,
    *,
    home_agency: str = "",
    leader: Person | None = None,
    members: Iterable[Person] = (),
    now=None,
) -> Team:
    """Form a field team; the leader is one of its members."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise invalid("队伍名称必填。", "bad_name")
    if Team.objects.filter(name=name).exists():
        raise WorkforceError(f"已有同名队伍：{name}。", "duplicate_team")
    team = Team.objects.create(
        name=name, home_agency=home_agency, leader=leader, created_at=_now(now)
    )
    people = list(members)
    if leader is not None and leader not in people:
        people.append(leader)
    team.members.add(*people)
    _event(
        actor, EventCode.TEAM_FORMED, team, person=leader, payload={"members": len(people)}, now=now
    )
    return team


@transaction.atomic
def deploy(
    actor,
    team: Team,
    *,
    site_kind: str,
    site_name: str,
    starts_on: dt.date,
    members: Iterable[Person],
    tasks: Iterable[str],
    site_division_code: str = "",
    ends_on: dt.date | None = None,
    note: str = "",
    now=None,
) -> Deployment:
    """Send a batch of a team's members to a site. The batch number is the team's next one.
    Refused when a member is not in the team or is already out with another batch then."""
    _require_manager(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if site_kind not in SiteKind.values:
        raise invalid(f"未知驻点类型：{site_kind}。", "unknown_site_kind")
    tasks = list(dict.fromkeys(tasks))
    if not tasks or set(tasks) - set(Task.values):
        raise invalid("请选择有效的任务。", "bad_tasks")
    if not (site_name or "").strip():
        raise invalid("驻点名称必填。", "bad_site")
    if ends_on and ends_on < starts_on:
        raise invalid("撤回日期不能早于出发日期。", "bad_dates")
    division = None
    if site_division_code:
        division = Division.objects.filter(code=site_division_code).first()
        if division is None:
            raise invalid(f"区划代码不存在：{site_division_code}。", "unknown_division")
    people = list(members)
    if not people:
        raise invalid("一个批次至少要有一名人员。", "no_members")
    team_ids = set(team.members.values_list("pk", flat=True))
    outsiders = [p.name for p in people if p.pk not in team_ids]
    if outsiders:
        raise invalid(f"不是本队队员：{'、'.join(outsiders)}。", "not_in_team")
    end = ends_on or dt.date.max
    busy = (
        Deployment.objects.filter(members__in=people, starts_on__lte=end)
        .exclude(ends_on__lt=starts_on)
        .exclude(status=DeploymentStatus.ENDED)
        .values_list("members__name", flat=True)
        .distinct()
    )
    busy = sorted(set(busy) & {p.name for p in people})
    if busy:
        raise WorkforceError(f"以下人员在该时段已随其他批次派出：{'、'.join(busy)}。", "busy")
    now = _now(now)
    batch = (team.deployments.order_by("-batch").values_list("batch", flat=True).first() or 0) + 1
    today = timezone.localdate(now)
    deployment = Deployment.objects.create(
        team=team,
        batch=batch,
        site_kind=site_kind,
        site_division=division,
        site_name=site_name.strip(),
        tasks=tasks,
        starts_on=starts_on,
        ends_on=ends_on,
        status=DeploymentStatus.ACTIVE if starts_on <= today else DeploymentStatus.PLANNED,
        note=note,
    )
    deployment.members.add(*people)
    _event(
        actor,
        EventCode.DEPLOYED,
        deployment,
        payload={
            "team": team.name,
            "batch": batch,
            "site": deployment.site_name,
            "members": len(people),
            "tasks": tasks,
        },
        now=now,
    )
    return deployment


@transaction.atomic
def end_deployment(actor, deployment: Deployment, *, on: dt.date | None = None, now=None):
    """Bring a batch back (its people are free for other batches and duties after ``on``)."""
    _require_manager(actor)
    deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if deployment.status == DeploymentStatus.ENDED:
        raise WorkforceError("该批次已撤回。", "deployment_ended")
    now = _now(now)
    on = on or timezone.localdate(now)
    if on < deployment.starts_on:
        raise invalid("撤回日期不能早于出发日期。", "bad_dates")
    deployment.status = DeploymentStatus.ENDED
    deployment.ends_on = on
    deployment.save(update_fields=["status", "ends_on"])
    _event(actor, EventCode.DEPLOYMENT_ENDED, deployment, payload={"on": on.isoformat()}, now=now)
    return deployment


@transaction.atomic
def mark_attendance(
    actor, deployment: Deployment, day: dt.date, present: Iterable[int], *, now=None
) -> int:
    """Record who of a batch was at the site on ``day`` (the others absent); a second call for
    the same day replaces the first. Returns how many were present."""
    _require_manager(actor)
    deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if day < deployment.starts_on or (deployment.ends_on and day > deployment.ends_on):
        raise invalid("该日期不在批次的驻点期内。", "outside_deployment")
    if day > timezone.localdate(_now(now)):
        raise invalid("不能登记未来日期的考勤。", "future_day")
    members = list(deployment.members.values_list("pk", flat=True))
    present = set(present)
    if present - set(members):
        raise invalid("考勤名单中有不属于该批次的人员。", "not_in_batch")
    DeploymentAttendance.objects.filter(deployment=deployment, day=day).delete()
    DeploymentAttendance.objects.bulk_create(
        DeploymentAttendance(deployment=deployment, person_id=pk, day=day, present=pk in present)
        for pk in members
    )
    _event(
        actor,
        EventCode.ATTENDANCE,
        deployment,
        payload={"day": day.isoformat(), "present": len(present), "members": len(members)},
        now=now,
    )
    return len(present)


# --- duties given by other apps -------------------------------------------------------------
@transaction.atomic
def assign_duty(
    actor,
    person: Person,
    *,
    source_app: str,
    source_type: str,
    source_id: str,
    task: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    deployment: Deployment | None = None,
    now=None,
) -> Duty:
    """Give ``person`` a duty for another app's object (a checkpoint shift, a sampling desk, a
    delivery round). Like the order seam, any active user may call it: the calling app has
    checked its own permission. Idempotent on (person, source, starts_at); refused for someone
    not in the register or already on another duty then."""
    if not getattr(actor, "is_active", False):
        raise forbidden("无效的操作人。")
    for name, value, limit in (
        ("source_app", source_app, 30),
        ("source_type", source_type, 30),
        ("source_id", source_id, 64),
        ("task", task, 30),
    ):
        if not value or len(str(value)) > limit:
            raise invalid(f"{name} 须为 1～{limit} 个字符。", "bad_source")
    if ends_at <= starts_at:
        raise invalid("勤务结束时间须晚于开始时间。", "bad_dates")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.active:
        raise WorkforceError(f"{person.name} 已不在册。", "person_inactive")
    same = (
        Duty.objects.current()
        .filter(
            person=person,
            source_app=source_app,
            source_type=source_type,
            source_id=str(source_id),
            starts_at=starts_at,
        )
        .first()
    )
    if same:
        return same
    clash = (
        Duty.objects.current()
        .filter(person=person, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .first()
    )
    if clash:
        raise WorkforceError(
            f"{person.name} 在该时段已有勤务（{clash.source_app}·{clash.task}）。", "duty_overlap"
        )
    duty = Duty.objects.create(
        person=person,
        deployment=deployment,
        source_app=source_app,
        source_type=source_type,
        source_id=str(source_id),
        task=task,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    _event(
        actor,
        EventCode.DUTY_ASSIGNED,
        duty,
        person=person,
        payload={"source": f"{source_app}.{source_type}:{source_id}", "task": task},
        now=now,
    )
    return duty


@transaction.atomic
def release_duty(actor, duty: Duty, *, now=None) -> Duty:
    """End a duty early (idempotent)."""
    if not getattr(actor, "is_active", False):
        raise forbidden("无效的操作人。")
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if duty.released_at is None:
        duty.released_at = _now(now)
        duty.save(update_fields=["released_at"])
        _event(actor, EventCode.DUTY_RELEASED, duty, person=duty.person, now=now)
    return duty


# --- import ------------------------------------------------------------------------------
#: Column headings of the people spreadsheet (first row), in Chinese as people write them.
IMPORT_COLUMNS = {
    "姓名": "name",
    "类别": "kind",
    "派出单位": "home_agency",
    "手机号": "phone",
    "身份证号": "id_number",
    "技能": "skills",
    "党员": "party_member",
}
_KIND_BY_LABEL = {label: code for code, label in PersonKind.choices}


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _row_data(values: dict) -> PersonData:
    kind = str(values.get("kind") or "志愿者").strip()
    skills = re.split(r"[、，,/\s]+", str(values.get("skills") or "").strip())
    party = str(values.get("party_member") or "").strip()
    return PersonData(
        name=str(values.get("name") or ""),
        kind=_KIND_BY_LABEL.get(kind, kind),
        home_agency=str(values.get("home_agency") or ""),
        phone=str(values.get("phone") or "").split(".")[0],
        id_number=str(values.get("id_number") or ""),
        skills=[s for s in skills if s],
        party_member=party in ("是", "党员", "1", "True", "true", "Y", "y"),
    )


def import_people(
    actor, rows: Iterable[tuple], *, progress: Callable[[int], None] | None = None, now=None
) -> ImportResult:
    """Import people from spreadsheet rows (the first row is the heading, see IMPORT_COLUMNS).
    Valid rows are written together (bulk insert); each bad row is reported with its number
    and reason and nothing of it is written. ``progress(n)`` is called after each row."""
    _require_manager(actor)
    now = _now(now)
    result = ImportResult()
    rows = iter(rows)
    heading = next(rows, None)
    if heading is None:
        raise invalid("表格是空的。", "empty_file")
    columns = {i: IMPORT_COLUMNS.get(str(h or "").strip()) for i, h in enumerate(heading)}
    if "name" not in columns.values():
        raise invalid(
            f"第 1 行须为表头，至少包含“姓名”。可用列：{'、'.join(IMPORT_COLUMNS)}。",
            "bad_heading",
        )
    people: list[Person] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if progress:
            progress(1)
        if row is None or all(v in (None, "") for v in row):
            continue
        result.rows += 1
        values = {columns[i]: v for i, v in enumerate(row) if columns.get(i)}
        try:
            person = _build_person(_row_data(values), now)
        except WorkforceError as exc:
            result.errors.append((number, str(exc)))
            continue
        key = person.id_hash or (f"phone:{person.phone}" if person.phone else "")
        if key and key in seen:
            result.errors.append((number, f"与第 {seen[key]} 行重复。"))
            continue
        if key:
            seen[key] = number
        people.append((number, person))
    hashes = {p.id_hash for _, p in people if p.id_hash}
    known = set(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", flat=True))
    fresh = []
    for number, person in people:
        if person.id_hash in known:
            result.errors.append((number, "该身份证号的人员已登记。"))
        else:
            fresh.append(person)
    result.errors.sort()
    with transaction.atomic():
        created = Person.objects.bulk_create(fresh, batch_size=500)
        result.created = len(created)
        if created:
            _event(
                actor,
                EventCode.IMPORTED,
                created[0],
                payload={"created": len(created), "errors": len(result.errors)},
                now=now,
            )
    return result
