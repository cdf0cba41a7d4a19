"""The day's main flow in the browser: an agent registers an urgent appeal, the town office
handles it from its inbox, the supervisor watches the board, an inquiry is answered at first
contact, and another town's handler cannot open the order."""

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"
URGENT_TEXT = (
    "我腿脚残疾坐轮椅，一个人住在公馆镇，家里停水两天了，没有水喝也做不了饭，麻烦尽快派人来看看"
)
INQUIRY_TEXT = "请问公馆镇的核酸采样点几点开门，做核酸要带什么证件？"


@pytest.fixture
def city(demo_city, make_user):
    from django.apps import apps

    if apps.is_installed("hotline.knowledge"):
        from hotline.knowledge import demo as kb_demo

        kb_demo.load(io.StringIO())
    make_user("agent", "center", "agent_b")
    make_user("supervisor", "center", "super_b")
    make_user("unit_handler", "440902101", "gongguan_b")
    make_user("unit_handler", "440902102", "xinpo_b")


def sign_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_register_handle_supervise_and_answer(browser, live_server, city, screenshot):
    handler = sign_in(browser, live_server, "gongguan_b")
    handler.goto(f"{live_server.url}/inbox/")
    expect(handler.get_by_text("暂无待办工单")).to_be_visible()

    supervisor = sign_in(browser, live_server, "super_b")
    supervisor.goto(f"{live_server.url}/board/")
    expect(supervisor.locator('[data-count="open"]')).to_have_text("0")

    # The agent registers the urgent appeal; triage explains itself as they type.
    agent = sign_in(browser, live_server, "agent_b")
    agent.get_by_role("navigation", name="主导航").get_by_role("link", name="接线登记").click()
    agent.get_by_label("来电号码").fill("13900002222")
    agent.get_by_label("诉求内容").fill(URGENT_TEXT)
    panel = agent.locator("#triage")
    expect(panel.locator("[data-urgency]")).to_have_text("紧急")
    expect(panel).to_contain_text("残障")
    expect(panel).to_contain_text("公馆镇")
    expect(panel.locator(".reasons li").first).to_be_visible()
    if agent.locator("#triage .articles").count():
        expect(panel.locator(".articles li").first).to_be_visible()
    # A water cut is a utility matter (TAXONOMY: living), whatever triage read: the agent sets
    # it, and the order goes to the town office rather than the district epidemic office.
    agent.get_by_label("诉求分类").select_option("living")
    screenshot(agent, "intake")
    agent.get_by_label("诉求内容").press("Control+Enter")
    expect(agent.locator(".messages")).to_contain_text("派往 茂南区公馆镇人民政府")
    number = re.search(r"\d{8}-\d{6}", agent.locator("h1").inner_text()).group(0)
    screenshot(agent, "order")

    # The town office sees it arrive without reloading, with the urgent cue.
    row = handler.locator(f'tr[data-order="{number}"]')
    expect(row).to_be_visible(timeout=20_000)
    expect(handler.locator("#new-urgent")).to_be_visible()
    screenshot(handler, "inbox")
    row.get_by_role("button", name="签收").click()
    expect(handler.locator(".messages")).to_contain_text("签收已完成")
    handler.locator(f'tr[data-order="{number}"]').get_by_role("link", name="办理").click()
    handler.get_by_text("答复办结", exact=True).click()
    handler.get_by_label("答复内容（办理结果）").fill("已联系供水公司抢修，并先送去两桶饮用水。")
    handler.get_by_role("button", name="确认答复办结").click()
    expect(handler.locator(".messages")).to_contain_text("答复办结已完成")
    expect(handler.locator(f'tr[data-order="{number}"]')).to_have_count(0)  # handled

    # The supervisor's board follows: one order open, now waiting for its callback.
    expect(supervisor.locator('[data-count="open"]')).to_have_text("1", timeout=20_000)
    expect(supervisor.locator('[data-count="status-resolved"]')).to_have_text("1", timeout=20_000)
    screenshot(supervisor, "board")

    # An inquiry answered at first contact, citing a knowledge-base article when one is shown.
    agent.goto(f"{live_server.url}/intake/")
    agent.get_by_label("诉求内容").fill(INQUIRY_TEXT)
    expect(agent.locator("#triage [data-urgency]")).to_have_text("一般")
    agent.get_by_text("咨询类：首呼办结").click()
    cite = agent.locator("#triage button.cite").first
    if cite.count():
        cite.click()
        expect(agent.get_by_label("引用的知识库条目")).not_to_have_value("")
    agent.get_by_label("首呼答复内容").fill("采样点每天上午 8 点开放，带身份证即可。")
    agent.get_by_role("button", name="登记并首呼办结").click()
    expect(agent.locator(".messages")).to_contain_text("已首呼办结")
    expect(agent.locator(".status")).to_have_text("已办结")

    agent.goto(f"{live_server.url}/orders/")
    expect(agent.locator("table.orders tbody tr")).to_have_count(2)
    screenshot(agent, "orders")

    # Another town's handler cannot open the order.
    other = sign_in(browser, live_server, "xinpo_b")
    response = other.goto(f"{live_server.url}/orders/{number}/")
    assert response.status == 404
    expect(other.locator("main")).to_contain_text("不在您的办理范围内")
    for page in (handler, supervisor, agent, other):  # stop the live pages' polling
        page.context.close()


def test_order_list_renders_with_an_order_that_names_no_place(browser, live_server, city):
    """Issue #21 as it was found: an appeal naming no place, then the list under every filter."""
    agent = sign_in(browser, live_server, "agent_b")
    agent.goto(f"{live_server.url}/intake/")
    agent.get_by_label("来电号码").fill("13900003333")
    agent.get_by_label("诉求内容").fill("我想问问抗原试剂现在哪里能买到，价格是多少，谢谢。")
    expect(agent.locator("#triage [data-urgency]")).to_have_text("一般")
    agent.get_by_role("button", name=re.compile("登记并派单")).click()
    number = re.search(r"\d{8}-\d{6}", agent.locator("h1").inner_text()).group(0)
    expect(agent.locator("main")).to_contain_text("未识别")

    supervisor = sign_in(browser, live_server, "super_b")
    for query in ("", "?urgency=critical", "?urgency=normal"):
        response = supervisor.goto(f"{live_server.url}/orders/{query}")
        assert response.status == 200
        expect(supervisor.locator("main")).not_to_contain_text("!!INVALID")
    supervisor.goto(f"{live_server.url}/orders/?urgency=normal")
    row = supervisor.locator("table.orders tbody tr", has_text=number)
    expect(row).to_contain_text("—")
    for page in (agent, supervisor):
        page.context.close()


CALLS = [
    # (text, category, urgency, vulnerable)
    ("公馆镇某小区封控第五天，独居老人家里胰岛素用完了，人已经有点迷糊", "medical", "critical",
     ["elderly", "sick"]),
    ("公馆镇圩镇菜市场关了，家里三口人只剩两天的米，想问哪里能买到菜", "supplies", "urgent", []),
    ("新坡镇核酸采样点排队三个小时还没轮到，能不能多开几个窗口", "testing", "normal", []),
    ("公馆镇我家楼下的垃圾站三天没人清运，味道很大", "living", "normal", []),
    ("孕妇32周要去市妇幼产检，小区不让出，请问怎么办通行手续", "travel", "urgent", ["pregnant"]),
    ("公馆镇我们小区停水两天了，家里有卧床的老人，急需送水", "living", "urgent",
     ["elderly", "disabled"]),
    ("公馆镇圩镇大道的路灯坏了一排，晚上出门很黑", "living", "normal", []),
]  # fmt: skip


def _fill_the_day(city_users):
    """Orders of a busy morning, registered by agent_b: a critical order past its accept clock
    (the alarm), one left for dispatch by hand, one resolved and waiting for the callback, and
    for the 公馆镇 office one overdue and one due in three hours."""
    import datetime as dt

    from django.utils import timezone

    from hotline.orders import services
    from hotline.orders.models import Order

    agent, handler = city_users["agent_b"], city_users["gongguan_b"]
    orders = []
    for i, (text, category, urgency, vulnerable) in enumerate(CALLS):
        town = "440902102" if "新坡镇" in text else "440902101"
        orders.append(
            services.receive(
                agent, channel="phone", description=text, caller_phone=f"1390000{i:04d}",
                caller_name="陈女士", appeal_type="help", category=category, urgency=urgency,
                vulnerable=vulnerable, town_code=town, route=False,
            ).order
        )  # fmt: skip
        # Dispatched by hand, as the rules would (a transactional test's flush removes the
        # routing rules the migrations load); the fifth is left for the supervisor.
        if i != 4:
            unit = {"living": town, "testing": town}.get(category, "440902-epi")
            services.dispatch(city_users["super_b"], orders[-1], unit=unit)
    now = timezone.now()
    # The critical call came in 40 minutes ago and nobody has accepted it: the board's alarm.
    Order.objects.filter(pk=orders[0].pk).update(
        received_at=now - dt.timedelta(minutes=40),
        accept_deadline=now - dt.timedelta(minutes=25),
    )
    # The rubbish station was cleared: resolved, waiting for the center's callback.
    services.accept(handler, orders[3])
    services.resolve(handler, orders[3], reply="已安排环卫车清运，并增加每日巡查。")
    # The town office: the water cut not accepted in time, the streetlights due in 3 hours.
    Order.objects.filter(pk=orders[5].pk).update(accept_deadline=now - dt.timedelta(minutes=10))
    services.accept(handler, orders[6])
    Order.objects.filter(pk=orders[6].pk).update(resolve_deadline=now + dt.timedelta(hours=3))
    return orders


def test_ctrl_enter_twice_registers_one_order_and_home_pages_show_the_work(
    browser, live_server, city, screenshot
):
    """Issue 22: a quick double Ctrl+Enter on the intake page makes exactly one order; then the
    day's home pages (agent, unit handler) and the board with its alarm, for the README."""
    from django.contrib.auth import get_user_model

    from hotline.orders.models import Order

    agent = sign_in(browser, live_server, "agent_b")
    agent.goto(f"{live_server.url}/intake/")
    agent.get_by_label("来电号码").fill("13900004444")
    agent.get_by_label("诉求内容").fill(URGENT_TEXT)
    expect(agent.locator("#triage [data-urgency]")).to_have_text("紧急")
    agent.get_by_label("诉求内容").focus()
    sent = agent.evaluate(
        "() => Object.fromEntries(new FormData(document.getElementById('intake-form')))"
    )
    agent.keyboard.press("Control+Enter")
    agent.keyboard.press("Control+Enter")
    expect(agent.locator(".messages")).to_contain_text("已登记")
    number = re.search(r"\d{8}-\d{6}", agent.locator("h1").inner_text()).group(0)
    assert Order.objects.filter(caller_phone="13900004444").count() == 1
    # The same form sent again behind the page's back (a resent POST): the server finds the
    # order by the form's submission key instead of making a second one.
    resent = agent.request.post(f"{live_server.url}/intake/", form={**sent, "register": "1"})
    assert resent.ok and f"/orders/{number}/" in resent.url
    assert Order.objects.filter(caller_phone="13900004444").count() == 1

    users = {u.username: u for u in get_user_model().objects.all()}
    orders = _fill_the_day(users)

    agent.goto(f"{live_server.url}/")
    calls = agent.locator("#my-calls")
    expect(calls.locator("tr[data-order]")).to_have_count(len(CALLS) + 1)
    expect(agent.locator("#callbacks-due")).to_contain_text(orders[3].number)
    expect(agent.locator("#waiting-dispatch")).to_contain_text(orders[4].number)
    screenshot(agent, "home-agent")

    handler = sign_in(browser, live_server, "gongguan_b")
    due = handler.locator("#due-soon")
    rows = due.locator("tr[data-order]")
    expect(rows.first).to_have_attribute("data-order", orders[5].number)  # overdue first
    expect(rows.nth(1)).to_have_attribute("data-order", orders[6].number)
    expect(handler.get_by_role("link", name="打开待办工单")).to_be_visible()
    screenshot(handler, "home-unit")

    supervisor = sign_in(browser, live_server, "super_b")
    expect(supervisor.locator('[data-count="alarm"]')).to_have_text("1")
    supervisor.goto(f"{live_server.url}/board/")
    expect(supervisor.locator("#critical-alarm")).to_contain_text(orders[0].number)
    expect(supervisor.locator('[data-count="open"]')).to_have_text(str(len(CALLS) + 1))
    screenshot(supervisor, "board")

    # The list's town picker: typing a name narrows the options and picks the match.
    supervisor.goto(f"{live_server.url}/orders/")
    supervisor.get_by_placeholder("输入镇街名称筛选").fill("新坡")
    expect(supervisor.locator("select#id_town")).to_have_value("440902102")
    supervisor.get_by_role("button", name="筛选").click()
    expect(supervisor.locator("table.orders tbody tr")).to_have_count(1)
    expect(supervisor.locator("table.orders tbody")).to_contain_text(orders[2].number)
    for page in (agent, handler, supervisor):
        page.context.close()
