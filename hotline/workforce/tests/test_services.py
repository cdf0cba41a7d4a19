"""Every rule and refusal of the workforce services, and the reads built on them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from hotline.workforce import queries, services
from hotline.workforce.errors import WorkforceError
from hotline.workforce.models import (
    CallRecord,
    Deployment,
    DeploymentAttendance,
    Person,
    Shift,
    StaffingPolicy,
    WorkforceEvent,
)
from hotline.workforce.services import PersonData

from .factories import CourseFactory, PersonFactory, passed, shift_now, valid_id

pytestmark = pytest.mark.django_db


def codes(**filters):
    return list(WorkforceEvent.objects.filter(**filters).values_list("code", flat=True))


# --- the training rule at the desk -----------------------------------------------------------
def test_volunteer_takes_calls_only_after_passing_the_basic_course(staff):
    volunteer = staff.people.volunteer
    assert services.call_refusal(volunteer) is not None
    with pytest.raises(WorkforceError) as err:
        services.check_may_take_calls(volunteer)
    assert err.value.code == "training_required" and err.value.status == 403
    other = CourseFactory(is_basic=False)
    passed(staff.volunteer, other)  # a course that is not the basic one does not count
    assert services.call_refusal(volunteer) is not None
    basic = CourseFactory()
    done = services.attempt_course(volunteer, staff.volunteer, basic, [0, 0])  # 50 < 80
    assert not done.passed and done.score == 50
    assert services.call_refusal(volunteer) is not None
    done = services.attempt_course(volunteer, staff.volunteer, basic, [1, 0])
    assert done.passed and done.score == 100
    assert services.call_refusal(volunteer) is None
    services.check_may_take_calls(volunteer)
    assert codes(person=staff.volunteer).count("workforce.course.attempted") == 2


def test_the_training_rule_holds_at_every_door_of_the_orders(staff, token_client):
    """Not only the console's page: the API, single and batch, refuses an untrained volunteer
    agent, and lets them in once they have passed."""
    from hotline.orders.errors import OrderError
    from hotline.orders.models import Order
    from hotline.orders.services import receive

    volunteer = staff.people.volunteer
    text = "公馆镇圩镇路灯坏了一个星期，晚上很黑。"
    with pytest.raises(OrderError) as err:
        receive(volunteer, channel="phone", description=text)
    assert err.value.code == "training_required" and err.value.status == 403
    api = token_client(volunteer)
    body = {"channel": "phone", "description": text, "caller_name": "", "caller_phone": "",
            "address": ""}  # fmt: skip
    r = api.post("/api/v1/orders", body, content_type="application/json",
                 headers={"Idempotency-Key": "t-1"})  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "training_required"
    r = api.post("/api/v1/orders/batch", {"items": [{**body, "idempotency_key": "t-2"}]},
                 content_type="application/json")  # fmt: skip
    assert r.json()["items"][0]["status"] == 403
    assert Order.objects.count() == 0
    services.attempt_course(volunteer, staff.volunteer, CourseFactory(), [1, 0])
    assert receive(volunteer, channel="phone", description=text).created


def test_volunteer_without_a_person_record_is_refused_and_agents_never_are(people):
    assert services.call_refusal(people.volunteer) is not None
    assert services.call_refusal(people.agent) is None
    assert services.call_refusal(people.supervisor) is None


def test_inactive_person_loses_the_right_to_take_calls(staff):
    passed(staff.volunteer)
    Person.objects.filter(pk=staff.volunteer.pk).update(active=False)
    assert services.call_refusal(staff.people.volunteer) is not None


def test_quiz_refusals(staff):
    course = CourseFactory()
    with pytest.raises(WorkforceError) as err:
        services.attempt_course(staff.people.agent, staff.volunteer, course, [1, 0])
    assert err.value.code == "forbidden"
    with pytest.raises(WorkforceError) as err:
        services.attempt_course(staff.people.volunteer, staff.volunteer, course, [1])
    assert err.value.code == "incomplete_answers"
    with pytest.raises(WorkforceError) as err:
        services.attempt_course(staff.people.volunteer, staff.volunteer, course, [5, 0])
    assert err.value.code == "bad_answer"
    course.active = False
    course.save()
    with pytest.raises(WorkforceError) as err:
        services.attempt_course(staff.people.volunteer, staff.volunteer, course, [1, 0])
    assert err.value.code == "course_inactive"
    # a supervisor may record a paper quiz for someone
    course.active = True
    course.save()
    assert services.attempt_course(staff.people.supervisor, staff.volunteer, course, [1, 0]).passed


# --- people ----------------------------------------------------------------------------------
def test_add_person_hashes_and_masks_the_id_number(people):
    number = valid_id(7)
    person = services.add_person(
        people.supervisor,
        PersonData(name="吴敏", phone="13912345678", id_number=number, skills=["粤语", "legal"]),
    )
    assert person.id_masked == number[:6] + "********" + number[-4:]
    assert person.id_hash and number not in person.id_hash
    assert person.skills == ["cantonese", "legal"]
    assert list(Person.objects.with_skill("legal")) == [person]
    assert codes(person=person) == ["workforce.person.added"]
    with pytest.raises(WorkforceError) as err:
        services.add_person(people.supervisor, PersonData(name="另一人", id_number=number))
    assert err.value.code == "duplicate_person"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (PersonData(name=""), "bad_name"),
        (PersonData(name="甲", phone="12345"), "bad_phone"),
        (PersonData(name="甲", id_number="440902199001011235"), "bad_id_number"),
        (PersonData(name="甲", skills=["飞行"]), "unknown_skill"),
        (PersonData(name="甲", kind="alien"), "unknown_kind"),
    ],
)
def test_add_person_refuses_bad_fields(people, data, code):
    with pytest.raises(WorkforceError) as err:
        services.add_person(people.supervisor, data)
    assert err.value.code == code and err.value.status == 422


def test_only_managers_add_people(people):
    with pytest.raises(WorkforceError) as err:
        services.add_person(people.agent, PersonData(name="甲"))
    assert err.value.status == 403


def test_onboarding_and_background_check(people):
    person = PersonFactory()
    services.tick_onboarding(people.supervisor, person, "agreement")
    services.tick_onboarding(people.supervisor, person, "agreement")  # idempotent
    person.refresh_from_db()
    assert list(person.onboarding) == ["agreement"]
    with pytest.raises(WorkforceError):
        services.tick_onboarding(people.supervisor, person, "tea")
    services.set_background_check(people.supervisor, person, "passed")
    person.refresh_from_db()
    assert person.background_check == "passed"
    assert codes(person=person) == [
        "workforce.person.onboarding_step",
        "workforce.person.updated",
    ]


# --- import ----------------------------------------------------------------------------------
HEADING = ("姓名", "类别", "派出单位", "手机号", "身份证号", "技能", "党员")


def test_import_reports_each_bad_row_and_writes_the_good_ones(people):
    existing = services.add_person(
        people.supervisor, PersonData(name="旧人", id_number=valid_id(1))
    )
    rows = [
        HEADING,
        ("张一", "志愿者", "茂名市教育局", "13900000001", valid_id(2), "粤语、普通话", "是"),
        ("张二", "志愿者", "茂名市教育局", "139000", valid_id(3), "", ""),  # bad phone
        ("张三", "志愿者", "中国电信茂名分公司", 13900000003.0, valid_id(2), "", ""),  # dup row 2
        ("张四", "律师志愿者", "茂名市律师协会", "13900000004", valid_id(1), "法律", ""),  # known
        (None, None, None, None, None, None, None),  # blank line: skipped
        ("", "志愿者", "", "", "", "", ""),  # no name
        ("张五", "外星人", "", "", "", "", ""),  # bad kind
        ("张六", "律师志愿者", "茂名市律师协会", "13900000006", "", "法律", "否"),
    ]
    ticks = []
    result = services.import_people(people.supervisor, rows, progress=ticks.append)
    assert result.created == 2 and result.rows == 7
    assert [n for n, _ in result.errors] == [3, 4, 5, 7, 8]
    assert "手机号" in dict(result.errors)[3] and "第 2 行" in dict(result.errors)[4]
    assert "已登记" in dict(result.errors)[5]
    assert len(ticks) == 8
    one = Person.objects.get(name="张一")
    assert one.party_member and one.skills == ["cantonese", "mandarin"]
    assert Person.objects.get(name="张六").kind == "lawyer"
    assert Person.objects.exclude(pk=existing.pk).count() == 2
    assert codes(code="workforce.people.imported") == ["workforce.people.imported"]


def test_import_needs_a_heading(people):
    with pytest.raises(WorkforceError) as err:
        services.import_people(people.supervisor, [("a", "b")])
    assert err.value.code == "bad_heading"
    with pytest.raises(WorkforceError) as err:
        services.import_people(people.supervisor, [])
    assert err.value.code == "empty_file"


def test_import_command_reads_an_excel_file(people, tmp_path):
    from django.core.management import call_command
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADING)
    sheet.append(
        ("王一", "志愿者", "茂名市政务服务数据管理局", "13900000011", valid_id(11), "粤语", "是")
    )
    sheet.append(("王二", "志愿者", "茂名市政务服务数据管理局", "bad", "", "", ""))
    path = tmp_path / "people.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command(
        "import_people", str(path), "--user", "supervisor", stdout=out, stderr=io.StringIO()
    )
    text = out.getvalue()
    assert "导入 1 人" in text and "第 3 行" in text
    assert Person.objects.filter(name="王一").exists()


def test_import_command_refuses_a_damaged_workbook_cleanly(people, tmp_path):
    from django.core.management import CommandError, call_command

    from hotline.common.testing import workbook_damaged_after_its_header

    path = tmp_path / "people.xlsx"
    path.write_bytes(workbook_damaged_after_its_header(list(HEADING)))  # opens, breaks in row 2
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_people", str(path), "--user", "supervisor", stderr=io.StringIO())
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    with pytest.raises(CommandError, match="无法读取"):
        call_command(
            "import_people", str(tmp_path / "notes.xlsx"), "--user", "supervisor",
            stderr=io.StringIO(),
        )  # fmt: skip
    assert not Person.objects.exists()


# --- roster and attendance --------------------------------------------------------------------
def test_roster_refuses_overlaps_and_people_off_the_register(staff):
    boss = staff.people.supervisor
    day = timezone.localdate() + dt.timedelta(days=1)
    shift = services.roster_shift(boss, staff.agent, day, "d12")
    assert timezone.localtime(shift.starts_at).hour == 8
    assert shift.ends_at - shift.starts_at == dt.timedelta(hours=12)
    with pytest.raises(WorkforceError) as err:
        services.roster_shift(boss, staff.agent, day, "a8")  # 08–16 inside 08–20
    assert err.value.code == "shift_overlap"
    services.roster_shift(boss, staff.agent, day, "n12")  # 20:00 the same day: no overlap
    with pytest.raises(WorkforceError) as err:
        services.roster_shift(boss, staff.agent, day, "zz")
    assert err.value.code == "unknown_pattern"
    with pytest.raises(WorkforceError) as err:
        services.roster_shift(staff.people.agent, staff.agent, day, "d12")
    assert err.value.status == 403
    Person.objects.filter(pk=staff.volunteer.pk).update(active=False)
    with pytest.raises(WorkforceError) as err:
        services.roster_shift(boss, staff.volunteer, day, "d12")
    assert err.value.code == "person_inactive"
    services.cancel_shift(boss, shift)
    assert Shift.objects.live().filter(person=staff.agent).count() == 1


def test_sign_in_and_out_windows_and_who_may(staff):
    boss, me = staff.people.supervisor, staff.people.agent
    day = timezone.localdate()
    shift = services.roster_shift(boss, staff.agent, day, "d12")
    early = shift.starts_at - dt.timedelta(hours=2)
    with pytest.raises(WorkforceError) as err:
        services.sign_in(me, shift, now=early)
    assert err.value.code == "outside_shift"
    with pytest.raises(WorkforceError) as err:
        services.sign_in(staff.people.volunteer, shift, now=shift.starts_at)
    assert err.value.status == 403
    with pytest.raises(WorkforceError) as err:
        services.sign_out(me, shift, now=shift.starts_at)
    assert err.value.code == "not_signed_in"
    services.sign_in(me, shift, now=shift.starts_at - dt.timedelta(minutes=10))
    with pytest.raises(WorkforceError) as err:
        services.sign_in(me, shift, now=shift.starts_at)
    assert err.value.code == "already_signed_in"
    with pytest.raises(WorkforceError) as err:
        services.cancel_shift(boss, shift)
    assert err.value.code == "shift_started"
    services.sign_out(boss, shift, now=shift.ends_at)  # a supervisor may sign someone out
    with pytest.raises(WorkforceError) as err:
        services.sign_out(me, shift, now=shift.ends_at)
    assert err.value.code == "already_signed_out"
    assert codes(person=staff.agent) == [
        "workforce.shift.rostered",
        "workforce.shift.signed_in",
        "workforce.shift.signed_out",
    ]


def test_on_shift_now_lists_signed_in_people_with_their_load(staff, django_assert_max_num_queries):
    from hotline.orders import services as orders

    now = timezone.now()
    shift_now(staff.agent, now=now)
    shift_now(staff.volunteer, now=now, signed_in=False)
    gone = shift_now(staff.supervisor, now=now)
    Shift.objects.filter(pk=gone.pk).update(signed_out_at=now - dt.timedelta(minutes=5))
    for i in range(3):
        orders.receive(
            staff.people.agent,
            channel="phone",
            description=f"公馆镇路灯坏了第{i}盏，请修理。",
            appeal_type="help",
            category="living",
            urgency="critical" if i == 0 else "normal",
            vulnerable=[],
            town_code="440902101",
        )
    for i in range(4):
        services.record_call(
            staff.people.agent,
            staff.agent,
            started_at=now - dt.timedelta(minutes=10 * i + 1),
            talk_seconds=120,
            wrap_seconds=30,
        )
    now = timezone.now()
    with django_assert_max_num_queries(4):
        rows = queries.on_shift_now(now)
    assert [r["name"] for r in rows] == ["陈晓"]
    row = rows[0]
    assert (row["orders"], row["critical"], row["calls"]) == (3, 1, 4)
    assert row["handled_seconds"] == 600 and row["talk_seconds"] == 480
    assert not row["over_cap"]
    services.set_policy(staff.people.supervisor, daily_call_cap=3)
    assert queries.on_shift_now(now)[0]["over_cap"]
    load = {r["person"].name: r for r in queries.load_today(now)}
    # signed in an hour ago, counted from local midnight: less than an hour just after it
    today = (now - queries.local_midnight(timezone.localdate(now))).total_seconds() / 3600
    assert load["陈晓"]["over_calls"]
    assert load["陈晓"]["hours"] == pytest.approx(min(1.0, today), abs=0.1)
    assert "黄立" in load and load["黄立"]["hours"] == 0


def test_record_call_is_idempotent_and_checked(staff):
    at = timezone.now() - dt.timedelta(minutes=3)
    call, created = services.record_call(
        staff.people.agent, staff.agent, started_at=at, talk_seconds=200
    )
    again, created_again = services.record_call(
        staff.people.agent, staff.agent, started_at=at, talk_seconds=200
    )
    assert created and not created_again and again.pk == call.pk
    with pytest.raises(WorkforceError) as err:
        services.record_call(staff.people.volunteer, staff.agent, started_at=at, talk_seconds=1)
    assert err.value.status == 403
    with pytest.raises(WorkforceError) as err:
        services.record_call(staff.people.agent, staff.agent, started_at=at, talk_seconds=-1)
    assert err.value.code == "bad_duration"


def test_policy_is_validated(people):
    with pytest.raises(WorkforceError) as err:
        services.set_policy(people.supervisor, service_target=1.5)
    assert err.value.code == "bad_policy"
    with pytest.raises(WorkforceError) as err:
        services.set_policy(people.supervisor, colour="red")
    assert err.value.code == "unknown_field"
    services.set_policy(people.supervisor, default_aht_seconds=240)
    assert StaffingPolicy.current().default_aht_seconds == 240


# --- arrivals, forecast, staffing --------------------------------------------------------------
def _orders_at(actor, times):
    """Receive one order per time and move its received event there (test setup only)."""
    from hotline.orders import services as orders
    from hotline.orders.models import OrderEvent

    for i, when in enumerate(times):
        order = orders.receive(
            actor,
            channel="phone",
            description=f"咨询核酸采样点开放时间，第{i}次来电。",
            appeal_type="inquiry",
            category="testing",
            urgency="normal",
            vulnerable=[],
            town_code="440902101",
        ).order
        OrderEvent.objects.filter(order=order, code="orders.order.received").update(at=when)


def test_arrivals_count_received_events_per_fifteen_minutes(people):
    day = timezone.localdate() - dt.timedelta(days=1)
    base = queries.local_midnight(day)
    _orders_at(people.agent, [base + dt.timedelta(hours=9, minutes=m) for m in (0, 5, 14, 15, 59)])
    counts = queries.arrivals(day)
    assert len(counts) == 96
    assert counts[36] == 3 and counts[37] == 1 and counts[39] == 1 and sum(counts) == 5


def test_forecast_follows_the_weekday_shape_at_todays_level(people):
    now = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0)
    day = now.date()
    last_week = queries.local_midnight(day - dt.timedelta(weeks=1))
    # Last week's same weekday: 2 orders at 09:00, 6 at 11:00 (a quarter, then three quarters).
    _orders_at(
        people.agent,
        [last_week + dt.timedelta(hours=9)] * 2 + [last_week + dt.timedelta(hours=11)] * 6,
    )
    today = queries.local_midnight(day)
    _orders_at(people.agent, [today + dt.timedelta(hours=9, minutes=1)] * 4)  # twice the level
    fc = queries.forecast(day, now, weeks=4)
    assert fc.method == "weekday_shape" and fc.reference_days == [day - dt.timedelta(weeks=1)]
    assert fc.day_total == pytest.approx(16)  # 4 so far ÷ a quarter of the day's share
    assert fc.counts[36] == 4  # the past is what happened
    assert fc.counts[44] == pytest.approx(12)  # 11:00 gets three quarters of 16
    assert sum(fc.counts[45:]) == pytest.approx(0)


def test_forecast_without_history_carries_the_last_hour(people):
    now = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0)
    today = queries.local_midnight(now.date())
    _orders_at(people.agent, [today + dt.timedelta(hours=9, minutes=m) for m in range(0, 60, 5)])
    fc = queries.forecast(now.date(), now)
    assert fc.method == "recent_rate"
    assert fc.counts[40] == pytest.approx(3) and fc.counts[95] == pytest.approx(3)


def test_average_handle_time_from_calls_or_the_default(staff):
    policy = StaffingPolicy.current()
    now = timezone.now()
    assert queries.average_handle_time(now, policy) == (300.0, "default", 0)
    CallRecord.objects.bulk_create(
        CallRecord(
            person=staff.agent,
            started_at=now - dt.timedelta(minutes=i + 1),
            talk_seconds=200,
            wrap_seconds=40,
        )
        for i in range(20)
    )
    assert queries.average_handle_time(now, policy) == (240.0, "calls", 20)


def test_staffing_table_puts_needed_against_on_shift(staff, django_assert_max_num_queries):
    now = timezone.localtime(timezone.now()).replace(hour=10, minute=7, second=0, microsecond=0)
    today = queries.local_midnight(now.date())
    _orders_at(
        staff.people.agent, [today + dt.timedelta(hours=9, minutes=m) for m in range(0, 60, 2)]
    )
    shift_now(staff.agent, now=now)
    with django_assert_max_num_queries(12):
        table = queries.staffing(now.date(), now)
    rows = table["rows"]
    assert len(rows) == 96 and table["current"]["index"] == 40
    assert rows[36]["observed"] == 8 and rows[36]["past"]
    assert rows[40]["current"] and rows[40]["on"] == 1
    # 7.5 calls per 15 min at 300 s: 2.5 erlangs → 5 agents by Erlang C at 80/20
    assert rows[41]["expected"] == 7.5 and rows[41]["needed_c"] == 5
    assert rows[41]["needed_a"] <= rows[41]["needed_c"]
    assert rows[40]["short"] == rows[40]["needed_c"] - 1
    board = queries.board_panel(now)
    assert board["staffing_now"]["on"] == 1 and board["staffing_now"]["needed_c"] >= 1


def test_roster_week_groups_shifts_by_day_and_pattern(staff):
    boss = staff.people.supervisor
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    services.roster_shift(boss, staff.agent, monday, "d12")
    services.roster_shift(boss, staff.volunteer, monday + dt.timedelta(days=2), "c8")
    week = queries.roster_week(monday)
    patterns = [r["pattern"].code for r in week["rows"]]
    assert patterns == ["d12", "c8"]
    assert [s.person.name for s in week["rows"][0]["cells"][0]["shifts"]] == ["陈晓"]
    assert [s.person.name for s in week["rows"][1]["cells"][2]["shifts"]] == ["黄立"]


# --- teams, batches, attendance -----------------------------------------------------------------
@pytest.fixture
def team(people):
    members = [PersonFactory(kind="lawyer", home_agency="茂名市律师协会") for _ in range(6)]
    return services.form_team(
        people.supervisor, "律师队", home_agency="市律师协会", leader=members[0], members=members
    )


def test_batches_number_themselves_and_refuse_outsiders_and_double_booking(people, team):
    boss = people.supervisor
    today = timezone.localdate()
    members = list(team.members.order_by("pk"))
    first = services.deploy(
        boss,
        team,
        site_kind="compound",
        site_name="西粤社区（9个住宅小区）",
        site_division_code="440902003010",
        starts_on=today,
        members=members[:3],
        tasks=["door_to_door", "gate_duty"],
    )
    second = services.deploy(
        boss,
        team,
        site_kind="village",
        site_name="公馆镇艾屋村",
        site_division_code="440902101216",
        starts_on=today,
        members=members[3:],
        tasks=["sampling_registration"],
    )
    assert (first.batch, second.batch) == (1, 2) and first.status == "active"
    outsider = PersonFactory()
    with pytest.raises(WorkforceError) as err:
        services.deploy(
            boss,
            team,
            site_kind="village",
            site_name="x",
            starts_on=today,
            members=[outsider],
            tasks=["supplies"],
        )
    assert err.value.code == "not_in_team"
    with pytest.raises(WorkforceError) as err:
        services.deploy(
            boss,
            team,
            site_kind="village",
            site_name="x",
            starts_on=today,
            members=[members[0]],
            tasks=["supplies"],
        )
    assert err.value.code == "busy"
    for bad, code in (
        ({"tasks": []}, "bad_tasks"),
        ({"site_kind": "moon"}, "unknown_site_kind"),
        ({"site_division_code": "999"}, "unknown_division"),
        ({"ends_on": today - dt.timedelta(days=1)}, "bad_dates"),
        ({"members": []}, "no_members"),
    ):
        kwargs = {
            "site_kind": "village",
            "site_name": "x",
            "starts_on": today,
            "members": [members[0]],
            "tasks": ["supplies"],
            **bad,
        }
        with pytest.raises(WorkforceError) as err:
            services.deploy(boss, team, **kwargs)
        assert err.value.code == code
    services.end_deployment(boss, first, on=today)
    with pytest.raises(WorkforceError):
        services.end_deployment(boss, first)
    third = services.deploy(
        boss,
        team,
        site_kind="checkpoint",
        site_name="站前路卡点",
        starts_on=today + dt.timedelta(days=1),
        members=[members[0]],
        tasks=["checkpoint_duty"],
    )
    assert third.batch == 3 and third.status == "planned"
    assert [p.name for p in queries.people_at_site("440902101", today)] == sorted(
        p.name for p in members[3:]
    )


def test_attendance_per_day_replaces_and_refuses_outside_days(people, team):
    boss = people.supervisor
    today = timezone.localdate()
    members = list(team.members.order_by("pk"))
    batch = services.deploy(
        boss,
        team,
        site_kind="village",
        site_name="艾屋村",
        starts_on=today - dt.timedelta(days=1),
        members=members[:4],
        tasks=["sampling_registration"],
    )
    assert services.mark_attendance(boss, batch, today, [members[0].pk, members[1].pk]) == 2
    assert services.mark_attendance(boss, batch, today, [members[0].pk]) == 1
    rows = DeploymentAttendance.objects.filter(deployment=batch, day=today)
    assert rows.count() == 4 and rows.filter(present=True).count() == 1
    for day, present, code in (
        (today - dt.timedelta(days=5), [], "outside_deployment"),
        (today + dt.timedelta(days=1), [], "future_day"),
        (today, [members[5].pk], "not_in_batch"),
    ):
        with pytest.raises(WorkforceError) as err:
            services.mark_attendance(boss, batch, day, present)
        assert err.value.code == code
    with pytest.raises(WorkforceError) as err:
        services.mark_attendance(people.agent, batch, today, [])
    assert err.value.status == 403
    board = queries.team_board(today)
    out = next(t for t in board if t["team"].pk == team.pk)["out"]
    assert out[0]["present"] == 1
    history = queries.team_history(team)
    assert history[0]["deployment"].present == 1 and history[0]["deployment"].days == 1


def test_team_names_are_unique(people, team):
    with pytest.raises(WorkforceError) as err:
        services.form_team(people.supervisor, "律师队")
    assert err.value.code == "duplicate_team"


# --- duties for other apps ------------------------------------------------------------------------
def test_duty_api_for_other_apps(people, team):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    end = start + dt.timedelta(hours=8)
    members = list(team.members.order_by("pk"))
    free = queries.available_people(start, end, team=team)
    assert len(free) == 6
    duty = services.assign_duty(
        people.agent,
        members[0],
        source_app="control",
        source_type="checkpoint",
        source_id="17",
        task="checkpoint_duty",
        starts_at=start,
        ends_at=end,
    )
    again = services.assign_duty(
        people.agent,
        members[0],
        source_app="control",
        source_type="checkpoint",
        source_id="17",
        task="checkpoint_duty",
        starts_at=start,
        ends_at=end,
    )
    assert again.pk == duty.pk
    with pytest.raises(WorkforceError) as err:
        services.assign_duty(
            people.agent,
            members[0],
            source_app="sampling",
            source_type="site",
            source_id="3",
            task="sampling_registration",
            starts_at=start + dt.timedelta(hours=2),
            ends_at=end + dt.timedelta(hours=2),
        )
    assert err.value.code == "duty_overlap"
    with pytest.raises(WorkforceError) as err:
        services.assign_duty(
            people.agent,
            members[1],
            source_app="",
            source_type="x",
            source_id="1",
            task="t",
            starts_at=start,
            ends_at=end,
        )
    assert err.value.code == "bad_source"
    with pytest.raises(WorkforceError) as err:
        services.assign_duty(
            people.agent,
            members[1],
            source_app="a",
            source_type="x",
            source_id="1",
            task="t",
            starts_at=end,
            ends_at=start,
        )
    assert err.value.code == "bad_dates"
    assert [p.pk for p in queries.available_people(start, end, team=team)] == [
        p.pk for p in sorted(members[1:], key=lambda p: (p.name, p.pk))
    ]
    assert [d.pk for d in queries.duties_for_source("control", "checkpoint", "17")] == [duty.pk]
    assert [d.pk for d in queries.duties_of(members[0], start, end)] == [duty.pk]
    services.release_duty(people.agent, duty)
    assert queries.duties_for_source("control", "checkpoint", 17) == []
    assert codes(person=members[0], code__startswith="workforce.duty") == [
        "workforce.duty.assigned",
        "workforce.duty.released",
    ]
    assert len(queries.available_people(start, end, skill="legal")) == 0


def test_available_people_excludes_those_on_a_desk_shift(staff):
    now = timezone.now()
    shift_now(staff.agent, now=now)
    free = queries.available_people(now, now + dt.timedelta(hours=1))
    assert staff.agent not in free and staff.volunteer in free


# --- demo -----------------------------------------------------------------------------------
def test_demo_is_complete_fast_to_rerun_and_idempotent(demo_city):
    from hotline.accounts import demo as accounts_demo
    from hotline.knowledge import demo as kb_demo
    from hotline.workforce import demo

    accounts_demo.load(io.StringIO())
    kb_demo.load(io.StringIO())
    demo.load(io.StringIO())
    volunteers = Person.objects.filter(kind="volunteer").exclude(user__username="volunteer")
    assert volunteers.count() == 140
    assert set(volunteers.values_list("home_agency", flat=True)) == {
        "茂名市政务服务数据管理局",
        "茂名市教育局",
        "中国电信茂名分公司",
    }
    lawyers = Deployment.objects.filter(team__name="茂名律师志愿服务队").order_by("batch")
    assert [d.members.count() for d in lawyers] == [22, 21, 21]
    squad = Deployment.objects.get(team__name="市司法局志愿者突击队")
    assert squad.site_division_id == "440902101216" and squad.members.count() == 8
    untrained = [p for p in volunteers if services.call_refusal(p.user)]
    assert len(untrained) == 8
    assert services.call_refusal(people_user("volunteer")) is None
    counts = (Person.objects.count(), Shift.objects.count(), CallRecord.objects.count())
    demo.load(io.StringIO())
    assert (Person.objects.count(), Shift.objects.count(), CallRecord.objects.count()) == counts


def people_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
