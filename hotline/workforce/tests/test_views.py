"""The workforce pages as each role sees them, and the two console changes (the intake's
training rule and the board's "on shift now")."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import DataAccess
from hotline.orders.models import Order
from hotline.workforce import services
from hotline.workforce.models import DeploymentAttendance, Person, Shift, Team

from .factories import CourseFactory, PersonFactory, passed, shift_now, valid_id

pytestmark = pytest.mark.django_db

INTAKE = {
    "channel": "phone",
    "caller_phone": "13800001111",
    "description": "公馆镇圩镇路灯坏了一个星期，晚上很黑，希望尽快修。",
    "appeal_type": "help",
    "category": "living",
    "urgency": "normal",
    "town_code": "440902101",
}


# --- the console: intake and board ----------------------------------------------------------
def test_untrained_volunteer_cannot_register_an_order_until_they_pass(client, staff):
    client.force_login(staff.people.volunteer)
    r = client.get(reverse("console:intake"))
    assert r.status_code == 403 and "上岗基础培训" in r.content.decode()
    r = client.post(reverse("console:intake"), INTAKE)
    assert r.status_code == 403 and Order.objects.count() == 0
    # The volunteer takes the basic course's quiz in the browser and passes.
    course = CourseFactory(code="basic")
    r = client.post(reverse("workforce:course", args=["basic"]), {"q0": "0", "q1": "1"})
    assert r.status_code == 200 and 'data-result="failed"' in r.content.decode()
    assert client.get(reverse("console:intake")).status_code == 403
    r = client.post(reverse("workforce:course", args=[course.code]), {"q0": "1", "q1": "0"})
    assert 'data-result="passed"' in r.content.decode()
    assert client.get(reverse("console:intake")).status_code == 200
    r = client.post(reverse("console:intake"), INTAKE)
    assert r.status_code == 302 and Order.objects.filter(client=staff.people.volunteer).exists()


def test_agents_are_not_held_by_the_training_rule(client, people):
    client.force_login(people.agent)
    assert client.get(reverse("console:intake")).status_code == 200


def test_board_shows_who_is_on_shift_now(client, staff, django_assert_max_num_queries):
    shift_now(staff.agent)
    shift_now(staff.volunteer, signed_in=False)
    client.force_login(staff.people.supervisor)
    # the console board (see its own bound) plus the workforce panel, a fixed number
    with django_assert_max_num_queries(26):
        r = client.get(reverse("console:board-panels"))
    html = r.content.decode()
    assert "当前在岗（1 人）" in html and "陈晓" in html and "黄立" not in html
    assert "data-needed=" in html and 'data-on="1"' in html


# --- roster ---------------------------------------------------------------------------------
def test_roster_calendar_add_shift_and_sign_in(client, staff, django_assert_max_num_queries):
    client.force_login(staff.people.supervisor)
    today = timezone.localdate()
    r = client.post(
        reverse("workforce:roster-add"),
        {"person": staff.agent.pk, "day": today.isoformat(), "pattern": "d12"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("workforce:roster-add"),
        {"person": staff.agent.pk, "day": today.isoformat(), "pattern": "a8"},
    )
    assert r.status_code == 422 and "重叠" in r.content.decode()
    for _ in range(10):
        services.roster_shift(staff.people.supervisor, PersonFactory(user=None), today, "n12")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("workforce:roster"))
    html = r.content.decode()
    assert r.status_code == 200 and "排班日历" in html and "陈晓" in html
    shift = Shift.objects.get(person=staff.agent)
    url = reverse("workforce:shift-sign", args=[shift.pk, "in"])
    if timezone.now() < shift.starts_at - services.SIGN_IN_EARLY:
        r = client.post(url, HTTP_HX_REQUEST="true")
        assert r.status_code == 409 and "签到时间" in r.content.decode()
        return
    r = client.post(url, HTTP_HX_REQUEST="true")
    assert r.status_code in (200, 409)
    if r.status_code == 200:
        assert "签退" in r.content.decode()
        shift.refresh_from_db()
        assert shift.signed_in_at is not None


def test_agent_signs_themself_in_but_not_others(client, staff):
    mine = shift_now(staff.agent, signed_in=False)
    theirs = shift_now(staff.volunteer, signed_in=False)
    client.force_login(staff.people.agent)
    r = client.post(reverse("workforce:shift-sign", args=[theirs.pk, "in"]))
    assert r.status_code == 302
    theirs.refresh_from_db()
    assert theirs.signed_in_at is None
    client.post(reverse("workforce:shift-sign", args=[mine.pk, "in"]))
    mine.refresh_from_db()
    assert mine.signed_in_at is not None
    assert (
        client.post(reverse("workforce:shift-sign", args=[mine.pk, "sideways"])).status_code == 404
    )
    r = client.post(reverse("workforce:roster-add"), {})
    assert r.status_code == 403


# --- staffing -------------------------------------------------------------------------------
def test_staffing_page_and_calculator(client, staff, django_assert_max_num_queries):
    shift_now(staff.agent)
    client.force_login(staff.people.supervisor)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("workforce:staffing"), {"calls": "50", "aht": "180"})
    html = r.content.decode()
    assert r.status_code == 200 and "各时段需要与在岗" in html
    assert "data-need-c>14<" in html  # 10 erlangs at 80/20
    assert "今日坐席负荷" in html and "陈晓" in html
    r = client.get(reverse("workforce:staffing"), {"calls": "-5", "aht": "x"})
    assert r.status_code == 200 and "data-whatif" not in r.content.decode()
    assert client.get(reverse("workforce:staffing-table")).status_code == 200
    # a day the platform does not plan for shows today's table (never a 500)
    for day in ("0001-01-01", "9999-12-31", "not-a-day"):
        assert client.get(reverse("workforce:staffing"), {"day": day}).status_code == 200
        assert client.get(reverse("workforce:roster"), {"week": day}).status_code == 200
        assert client.get(reverse("workforce:teams"), {"day": day}).status_code == 200
    client.force_login(staff.people.agent)
    assert client.get(reverse("workforce:staffing")).status_code == 403


# --- teams ----------------------------------------------------------------------------------
def test_team_board_history_and_attendance(client, people, django_assert_max_num_queries):
    members = [PersonFactory(kind="lawyer", home_agency="茂名市律师协会") for _ in range(5)]
    team = services.form_team(
        people.supervisor, "茂名律师志愿服务队", leader=members[0], members=members
    )
    batch = services.deploy(
        people.supervisor,
        team,
        site_kind="compound",
        site_name="西粤社区（9个住宅小区）",
        site_division_code="440902003010",
        starts_on=timezone.localdate(),
        members=members[:3],
        tasks=["gate_duty"],
    )
    client.force_login(people.supervisor)
    with django_assert_max_num_queries(10):
        r = client.get(reverse("workforce:teams"))
    html = r.content.decode()
    assert "茂名律师志愿服务队" in html and "第1批 → 西粤社区（9个住宅小区）" in html
    with django_assert_max_num_queries(14):
        r = client.get(reverse("workforce:team", args=[team.pk]))
    assert "登记考勤" in r.content.decode() and "小区门岗值守" in r.content.decode()
    today = timezone.localdate().isoformat()
    r = client.post(
        reverse("workforce:attendance", args=[batch.pk]),
        {"day": today, "present": [members[0].pk, members[1].pk]},
    )
    assert r.status_code == 302
    assert DeploymentAttendance.objects.filter(deployment=batch, present=True).count() == 2
    r = client.post(
        reverse("workforce:attendance", args=[batch.pk]),
        {"day": today, "present": [members[4].pk]},
        follow=True,
    )
    assert "考勤未登记" in r.content.decode()
    client.force_login(people.agent)
    r = client.post(reverse("workforce:attendance", args=[batch.pk]), {"day": today})
    assert r.status_code == 403
    html = client.get(reverse("workforce:team", args=[team.pk])).content.decode()
    assert "wf-attendance" not in html and members[0].phone not in html  # masked for agents
    client.force_login(people.gongguan)
    assert client.get(reverse("workforce:teams")).status_code == 403


# --- people, import, reveal ------------------------------------------------------------------
def _xlsx(rows) -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("people.xlsx", buf.getvalue())


def test_import_page_reports_rows(client, people):
    client.force_login(people.supervisor)
    upload = _xlsx(
        [
            ("姓名", "类别", "派出单位", "手机号", "身份证号", "技能", "党员"),
            ("李一", "志愿者", "茂名市教育局", "13900000101", valid_id(101), "粤语", "是"),
            ("李二", "志愿者", "茂名市教育局", "bad", "", "", ""),
        ]
    )
    r = client.post(reverse("workforce:people-import"), {"file": upload})
    html = r.content.decode()
    assert r.status_code == 422 and 'data-created="1"' in html and "手机号格式有误" in html
    assert Person.objects.filter(name="李一").exists()
    r = client.post(
        reverse("workforce:people-import"), {"file": SimpleUploadedFile("x.xlsx", b"not excel")}
    )
    assert r.status_code == 422 and "无法读取" in r.content.decode()
    from hotline.common.testing import workbook_damaged_after_its_header

    damaged = workbook_damaged_after_its_header(["姓名", "手机号"])  # opens, breaks in row 2
    r = client.post(
        reverse("workforce:people-import"), {"file": SimpleUploadedFile("d.xlsx", damaged)}
    )
    assert r.status_code == 422 and "无法读取" in r.content.decode()
    r = client.post(
        reverse("workforce:people-import"), {"file": SimpleUploadedFile("x.csv", b"a,b")}
    )
    assert r.status_code == 422 and ".xlsx" in r.content.decode()
    client.force_login(people.agent)
    assert client.post(reverse("workforce:people-import"), {}).status_code == 403


def test_people_list_filters_and_person_reveal_is_recorded(
    client, staff, django_assert_max_num_queries
):
    passed(staff.volunteer)
    for _ in range(20):
        PersonFactory()
    client.force_login(staff.people.supervisor)
    with django_assert_max_num_queries(10):
        r = client.get(reverse("workforce:people"), {"trained": "1"})
    html = r.content.decode()
    assert "黄立" in html and "陈晓" not in html
    assert staff.volunteer.phone not in html and staff.volunteer.masked_phone() in html
    person = staff.volunteer
    r = client.get(reverse("workforce:person", args=[person.pk]))
    assert person.phone not in r.content.decode() and person.masked_phone() in r.content.decode()
    assert DataAccess.objects.count() == 0
    r = client.get(reverse("workforce:person", args=[person.pk]), {"reveal": "1"})
    assert person.phone in r.content.decode()
    access = DataAccess.objects.get()
    assert access.user == staff.people.supervisor and access.fields == ["phone"]
    client.force_login(staff.people.agent)
    assert client.get(reverse("workforce:people")).status_code == 403
    assert client.get(reverse("workforce:person", args=[person.pk])).status_code == 403


def test_training_page_says_whether_one_may_take_calls(client, staff):
    CourseFactory(code="basic", title="热线接听上岗基础课")
    client.force_login(staff.people.volunteer)
    html = client.get(reverse("workforce:training")).content.decode()
    assert "上岗基础培训" in html and "热线接听上岗基础课" in html
    r = client.post(reverse("workforce:course", args=["basic"]), {"q0": "1"})
    assert r.status_code == 422 and "请作答此题" in r.content.decode()
    assert client.get(reverse("workforce:course", args=["nope"])).status_code == 404


def test_navigation_by_role(client, people):
    client.force_login(people.supervisor)
    html = client.get("/").content.decode()
    assert "人力测算" in html and "队伍调度" in html and "排班表" in html
    client.force_login(people.volunteer)
    html = client.get("/").content.decode()
    assert "我的培训" in html and "人力测算" not in html


def test_sign_in_outside_window_is_explained(client, staff):
    start = timezone.now() + dt.timedelta(hours=5)
    shift = Shift.objects.create(
        person=staff.agent, pattern="d12", starts_at=start, ends_at=start + dt.timedelta(hours=12)
    )
    client.force_login(staff.people.agent)
    r = client.post(reverse("workforce:shift-sign", args=[shift.pk, "in"]), follow=True)
    assert "签到时间" in r.content.decode()


def test_form_a_team_send_a_batch_and_bring_it_back(client, people):
    lawyers = [PersonFactory(kind="lawyer", home_agency="茂名市律师协会") for _ in range(4)]
    client.force_login(people.supervisor)
    r = client.post(
        reverse("workforce:team-add"),
        {"name": "律师队", "members": [lawyers[0].pk], "leader": lawyers[1].pk},
    )
    assert r.status_code == 422 and "队长须是队员之一" in r.content.decode()
    # an id past a 64-bit integer overflowed SQLite in Django's pk__in check (a 500)
    r = client.post(reverse("workforce:team-add"), {"name": "律师队", "members": ["9" * 30]})
    assert r.status_code == 422 and "有效" in r.content.decode()
    r = client.post(
        reverse("workforce:team-add"),
        {
            "name": "律师队",
            "home_agency": "市律师协会",
            "leader": lawyers[0].pk,
            "members": [p.pk for p in lawyers],
        },
    )
    assert r.status_code == 302
    team = Team.objects.get(name="律师队")
    assert team.members.count() == 4 and team.leader == lawyers[0]
    page = client.get(reverse("workforce:team", args=[team.pk])).content.decode()
    assert "派出新批次" in page
    today = timezone.localdate().isoformat()
    batch = {
        "site_kind": "village",
        "site_name": "公馆镇艾屋村",
        "site_division": "440902101216",
        "tasks": ["sampling_registration", "door_to_door"],
        "starts_on": today,
        "members": [lawyers[0].pk, lawyers[1].pk],
    }
    r = client.post(reverse("workforce:team-deploy", args=[team.pk]), batch)
    assert r.status_code == 302
    deployment = team.deployments.get()
    assert deployment.batch == 1 and deployment.site_division_id == "440902101216"
    r = client.post(reverse("workforce:team-deploy", args=[team.pk]), batch)
    assert r.status_code == 422 and "已随其他批次派出" in r.content.decode()
    r = client.post(reverse("workforce:team-deploy", args=[team.pk]), {**batch, "tasks": []})
    assert r.status_code == 422 and "请至少选择一项任务" in r.content.decode()
    r = client.post(reverse("workforce:batch-end", args=[deployment.pk]))
    deployment.refresh_from_db()
    assert r.status_code == 302 and deployment.status == "ended"
    client.force_login(people.agent)
    assert client.post(reverse("workforce:team-deploy", args=[team.pk]), batch).status_code == 403
    assert client.post(reverse("workforce:team-add"), {}).status_code == 403
    assert client.post(reverse("workforce:batch-end", args=[deployment.pk])).status_code == 403


def test_onboarding_and_background_check_from_the_person_page(client, people):
    person = PersonFactory()
    client.force_login(people.supervisor)
    html = client.get(reverse("workforce:person", args=[person.pk])).content.decode()
    assert "签署保密承诺书" in html and "背景审查结果" in html
    client.post(reverse("workforce:person-update", args=[person.pk]), {"step": "agreement"})
    client.post(
        reverse("workforce:person-update", args=[person.pk]), {"background_check": "passed"}
    )
    r = client.post(
        reverse("workforce:person-update", args=[person.pk]),
        {"background_check": "maybe"},
        follow=True,
    )
    assert "未知背景审查结果" in r.content.decode()
    person.refresh_from_db()
    assert "agreement" in person.onboarding and person.background_check == "passed"
    client.force_login(people.agent)
    r = client.post(reverse("workforce:person-update", args=[person.pk]), {"step": "account"})
    assert r.status_code == 403


def test_roster_a_whole_agency_at_once(client, people, make_user):
    for i in range(3):
        user = make_user("volunteer_agent", "center", f"edu{i}")
        PersonFactory(user=user, home_agency="茂名市教育局")
    client.force_login(people.supervisor)
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    r = client.post(
        reverse("workforce:roster-add"),
        {"agency": "茂名市教育局", "day": day, "pattern": "a8"},
        follow=True,
    )
    assert "已排班 3 人" in r.content.decode()
    r = client.post(
        reverse("workforce:roster-add"), {"agency": "茂名市教育局", "day": day, "pattern": "a8"}
    )
    assert r.status_code == 422 and "重叠" in r.content.decode()
    r = client.post(reverse("workforce:roster-add"), {"day": day, "pattern": "a8"})
    assert r.status_code == 422 and "请选择人员" in r.content.decode()
    assert Shift.objects.filter(person__home_agency="茂名市教育局").count() == 3
