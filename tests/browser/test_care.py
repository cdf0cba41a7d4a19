"""Home-quarantine care and the screening ledger in the browser: an agent turns a help appeal
into a care request, the town office assigns it, the volunteer hands it over with the
resident's code from their route, and the order is answered; a unit fills its ledger and daily
report and the district office approves it in the roll-up."""

import importlib
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"
DEMO_PASSWORD = "hotline-demo"


@pytest.fixture
def city(demo_city, make_user):
    from django.apps import apps as django_apps

    from hotline.care import demo as care_demo
    from hotline.orders.cache import clear_all
    from hotline.screening import demo as screening_demo

    # A transactional test's flush also empties the rows migrations wrote: register the care
    # order kind again, as its migration does.
    migration = importlib.import_module("hotline.care.migrations.0002_register_care_kind")
    for operation in migration.Migration.operations:
        operation.code(django_apps, None)
    clear_all()
    make_user("agent", "center", "agent")
    make_user("supervisor", "center", "supervisor")
    make_user("unit_handler", "440902101", "gongguan")
    make_user("unit_handler", "440902-epi", "maonan_epi")
    make_user("unit_handler", "440902102", "xinpo")
    care_demo.load(io.StringIO())
    screening_demo.load(io.StringIO())


def sign_in(browser, live_server, username, password=PASSWORD):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/**")
    return page


def test_help_appeal_to_handover_and_answered_order(browser, live_server, city, screenshot):
    from django.contrib.auth import get_user_model

    from hotline.care.models import CareRequest
    from hotline.care.tests.factories import help_order

    agent_user = get_user_model().objects.get(username="agent")
    order = help_order(agent_user, text="我是残疾人，一个人在家，封控后家里没有吃的了，出不了门。")

    agent = sign_in(browser, live_server, "agent")
    agent.get_by_role("navigation", name="主导航").get_by_role("link", name="居家关爱").click()
    expect(agent.locator(f'tr[data-candidate="{order.number}"]')).to_be_visible()
    agent.get_by_label("工单编号").fill(order.number)
    agent.get_by_label("需求", exact=True).select_option("groceries")
    agent.get_by_label("配送内容").fill("大米、面条、青菜")
    agent.get_by_role("button", name="转为关爱需求").click()
    expect(agent.locator(".messages")).to_contain_text("确认码已发给居民")
    care = CareRequest.objects.get(order=order)

    town = sign_in(browser, live_server, "gongguan")
    town.goto(f"{live_server.url}/care/{care.pk}/")
    task = town.locator("[data-task]").first
    task.get_by_label("志愿者").select_option(label="志愿者 林志强")
    task.get_by_role("button", name="分派").click()
    expect(town.locator(".messages")).to_contain_text("任务已分派")

    volunteer = sign_in(browser, live_server, "gg_vol1", DEMO_PASSWORD)
    volunteer.goto(f"{live_server.url}/care/route/")
    stop = volunteer.locator(f'[data-task="{care.tasks.get().pk}"]')
    expect(stop).to_contain_text("艾屋村三巷12号")  # the full address, for the delivery
    screenshot(volunteer, "care-route")
    stop.get_by_role("button", name="出发配送").click()
    expect(volunteer.locator(".messages")).to_contain_text("已出发")
    stop = volunteer.locator(f'[data-task="{care.tasks.get().pk}"]')
    stop.get_by_label("确认码").fill("000000" if care.confirmation_code != "000000" else "111111")
    stop.get_by_role("button", name="确认送达").click()
    expect(volunteer.locator(".errors")).to_contain_text("确认码不正确")
    volunteer.goto(f"{live_server.url}/care/route/")
    stop = volunteer.locator(f'[data-task="{care.tasks.get().pk}"]')
    stop.get_by_label("确认码").fill(care.confirmation_code)
    stop.get_by_role("button", name="确认送达").click()
    expect(volunteer.locator(".messages")).to_contain_text("已确认送达")

    town.reload()
    expect(town.locator("[data-status]")).to_have_attribute("data-status", "done")
    town.get_by_role("button", name="显示完整信息").click()
    expect(town.locator("#household")).to_contain_text("13800001111")
    screenshot(town, "care-request")
    town.goto(f"{live_server.url}/care/?status=all")
    expect(town.locator(f'tr[data-request="{care.pk}"]')).to_contain_text("已送达")
    screenshot(town, "care-requests")

    # The order was answered through the seam, with every step on its timeline.
    agent.goto(f"{live_server.url}/orders/{order.number}/")
    expect(agent.locator(".status")).to_have_text(re.compile("已答复待回访"))
    expect(agent.locator(".timeline")).to_contain_text("已送达（凭确认码）")

    # Another town's handler cannot open the request.
    other = sign_in(browser, live_server, "xinpo")
    response = other.goto(f"{live_server.url}/care/{care.pk}/")
    assert response.status == 404


def test_ledger_report_and_district_rollup(browser, live_server, city, screenshot):
    town = sign_in(browser, live_server, "gongguan")
    town.get_by_role("navigation", name="主导航").get_by_role("link", name="排查台账").click()
    expect(town.locator('[data-count="people"]')).to_have_text("6")
    first = town.locator("tr[data-person]").first
    first.get_by_label("核酸结果").select_option("negative")
    town.get_by_role("button", name="保存当日状态").click()
    expect(town.locator(".messages")).to_contain_text("已保存")
    screenshot(town, "screening-ledger")
    town.locator('[data-form="town-daily"] a').click()
    town.get_by_label("封控户数").fill("36")
    town.get_by_label("居家关爱配送（户次）").fill("12")
    town.get_by_label("当日采样人数").fill("2180")
    town.get_by_role("button", name="提交日报").click()
    expect(town.locator("[data-report-status]")).to_have_attribute(
        "data-report-status", "submitted"
    )

    district = sign_in(browser, live_server, "maonan_epi")
    district.get_by_role("navigation", name="主导航").get_by_role("link", name="日报汇总").click()
    expect(district.locator('[data-district="440902"]')).to_be_visible()
    row = district.locator('tr[data-unit="440902101"]')
    row.get_by_role("button", name="通过").click()
    expect(district.locator(".messages")).to_contain_text("已审核通过")
    screenshot(district, "screening-review")
