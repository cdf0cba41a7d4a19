"""The workforce pages in the browser, on the demo data: the supervisor signs in from the
roster calendar, reads needed-vs-on-shift and runs the Erlang calculator, records a batch's
attendance, brings the batch back and sends a new one, and sees who is on shift on the board;
a volunteer who has not passed the basic course is kept from the intake until they pass."""

import io

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"


@pytest.fixture
def city(demo_city, make_user):
    from hotline.accounts import demo as accounts_demo
    from hotline.knowledge import demo as kb_demo
    from hotline.workforce import demo
    from hotline.workforce.models import Person

    accounts_demo.load(io.StringIO())
    kb_demo.load(io.StringIO())
    demo.load(io.StringIO())
    boss = make_user("supervisor", "center", "super_w")
    Person.objects.create(user=boss, name="值班长 王", kind="staff", created_at=boss.date_joined)
    newcomer = make_user("volunteer_agent", "center", "newcomer_w")
    Person.objects.create(
        user=newcomer,
        name="新志愿者 林",
        kind="volunteer",
        home_agency="中国电信茂名分公司",
        created_at=newcomer.date_joined,
    )


def sign_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_roster_staffing_teams_and_the_training_rule(browser, live_server, city, screenshot):
    from hotline.workforce.models import Shift
    from hotline.workforce.services import roster_shift

    boss = sign_in(browser, live_server, "super_w")
    nav = boss.get_by_role("navigation", name="主导航")

    # Roster calendar: put the supervisor on a shift today and sign in from the page (htmx).
    nav.get_by_role("link", name="排班表").click()
    expect(boss.get_by_role("table", name="排班日历")).to_be_visible()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    me = get_user_model().objects.get(username="super_w").workforce_person
    now = timezone.localtime()
    pattern = "d12" if 8 <= now.hour < 20 else "n12"
    day = now.date() if now.hour >= 8 else now.date() - timezone.timedelta(days=1)
    shift = roster_shift(get_user_model().objects.get(username="supervisor"), me, day, pattern)
    boss.reload()
    mine = boss.locator(f"#shift-{shift.pk}").first
    mine.get_by_role("button", name="签到").click()
    signed = boss.locator(f"#shift-{shift.pk}").first
    expect(signed.get_by_role("button", name="签退")).to_be_visible()
    assert Shift.objects.get(pk=shift.pk).signed_in_at is not None
    screenshot(boss, "workforce-roster")

    # Staffing: needed vs on shift per interval, and the calculator at surge scale.
    nav.get_by_role("link", name="人力测算").click()
    expect(boss.get_by_role("table", name="分时段人力")).to_be_visible()
    boss.get_by_label("每15分钟来电量").fill("600")
    boss.get_by_label("平均处理时长（秒）").fill("300")
    boss.get_by_role("button", name="计算").click()
    expect(boss.locator("[data-whatif] [data-need-c]")).to_have_text("210")
    expect(boss.locator("[data-whatif] [data-need-a]")).to_have_text("187")
    expect(boss.get_by_text("今日坐席负荷")).to_be_visible()
    screenshot(boss, "workforce-staffing")

    # Team board: the lawyers' three batches and the squad at 艾屋村; record attendance.
    nav.get_by_role("link", name="队伍调度").click()
    expect(boss.get_by_text("第3批 → 西粤社区（9个住宅小区）")).to_be_visible()
    expect(boss.get_by_text("第1批 → 公馆镇艾屋村")).to_be_visible()
    screenshot(boss, "workforce-teams")
    boss.get_by_role("link", name="市司法局志愿者突击队").click()
    form = boss.locator("form.wf-attendance").first
    boxes = form.get_by_role("checkbox")
    expect(boxes).to_have_count(8)
    for i in range(7):
        boxes.nth(i).check()
    form.get_by_role("button", name="登记考勤").click()
    expect(boss.locator(".messages")).to_contain_text("到岗 7 人")
    # Bring the squad back from the village and send four of them to a checkpoint.
    boss.get_by_role("button", name="撤回本批次").click()
    expect(boss.locator(".messages")).to_contain_text("第1批已撤回")
    deploy = boss.locator("#deploy")
    deploy.get_by_label("驻点类型").select_option(label="交通卡点")
    deploy.get_by_label("驻点名称").fill("公馆镇圩镇交通卡点")
    deploy.get_by_label("区划代码（可选）").fill("440902101")
    deploy.get_by_label("卡点值守").check()
    people = deploy.get_by_role("group", name="人员").get_by_role("checkbox")
    for i in range(4):
        people.nth(i).check()
    deploy.get_by_role("button", name="派出").click()
    expect(boss.locator(".messages")).to_contain_text("第2批 4 人已派往 公馆镇圩镇交通卡点")

    # The board lists who is on shift now (the supervisor just signed in).
    boss.goto(f"{live_server.url}/board/")
    expect(boss.locator("#on-shift")).to_contain_text("值班长 王")
    expect(boss.locator(".staffing-now")).to_be_visible()

    # A volunteer without the basic course cannot open the intake until they pass.
    newcomer = sign_in(browser, live_server, "newcomer_w")
    newcomer.goto(f"{live_server.url}/intake/")
    expect(newcomer.get_by_role("alert")).to_contain_text("尚未通过上岗基础培训")
    newcomer.get_by_role("navigation", name="主导航").get_by_role("link", name="我的培训").click()
    newcomer.get_by_role("link", name="热线接听上岗基础课").click()
    reading = newcomer.get_by_role("link", name="涉及老幼病残孕和生命安全的诉求立即上报")
    expect(reading).to_be_visible()
    for label in (
        "立即上报并按紧急诉求派往属地疫情防控办",
        "一键转接 120/119 或三方通话，并同时登记工单",
        "无需完整号码：来电人在线时直接询问核实",
        "知识库中当前有效的条目（注意生效和失效时间）",
        "登记工单转交承办单位答复，并告知来电人办理时限",
    ):
        newcomer.get_by_label(label).check()
    newcomer.get_by_role("button", name="提交答卷").click()
    expect(newcomer.locator('[data-result="passed"]')).to_contain_text("100 分")
    newcomer.goto(f"{live_server.url}/intake/")
    expect(newcomer.get_by_label("诉求内容")).to_be_visible()
