"""The resident portal on a 360 px phone (submit with a code, track, rate the reply) and the
supervisor's import page (upload, column mapping, bad rows, progress to done)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"
PHONE = "13902680001"
PHONE_VIEWPORT = {"width": 360, "height": 740}


@pytest.fixture
def city(demo_city, make_user):
    make_user("supervisor", "center", "super_i")
    make_user("unit_handler", "440902101", "gongguan_i")


def _code(phone: str) -> str:
    from hotline.orders.models import Notification

    note = Notification.objects.filter(recipient=phone).order_by("-pk").first()
    return re.search(r"验证码是 (\d{6})", note.text).group(1)


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"page is {width}px wide on a 360px screen"


def test_resident_submits_tracks_and_rates_on_a_phone(browser, live_server, city, screenshot):
    from hotline.orders import services as order_services
    from hotline.orders.models import Order

    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="有困难，找 12345")).to_be_visible()
    expect(page.get_by_text("本环境未接入短信网关")).to_be_visible()
    _no_horizontal_scroll(page)
    screenshot(page, "intake-portal-home")

    page.get_by_role("link", name="提交诉求").click()
    page.get_by_label("诉求分类").select_option("supplies")
    page.get_by_label("诉求内容").fill("独居老人家里米和菜都吃完了，封控三天没人送物资，请帮忙。")
    page.get_by_label("区县").select_option("440902")
    expect(page.locator("#id_town_code option", has_text="公馆镇")).to_have_count(1)
    page.get_by_label("镇街").select_option("440902101")
    expect(page.locator("#id_village_code option").nth(1)).to_be_attached()
    page.get_by_label("详细地址").fill("公馆镇圩镇新街")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(_code(PHONE))
    _no_horizontal_scroll(page)
    screenshot(page, "intake-portal-form")
    page.get_by_role("button", name="提交", exact=True).click()

    number = page.get_by_test_id("order-number").inner_text().strip()
    assert Order.objects.get(number=number).channel == "web"
    _no_horizontal_scroll(page)
    screenshot(page, "intake-portal-done")

    # The town resolves it; the resident follows it and rates the reply.
    order = Order.objects.get(number=number)
    supervisor = order.handling_unit is None or order.handling_unit.code != "440902101"
    if supervisor:
        from django.contrib.auth import get_user_model

        order = order_services.dispatch(
            get_user_model().objects.get(username="super_i"), order, unit="440902101"
        )
    from django.contrib.auth import get_user_model

    handler = get_user_model().objects.get(username="gongguan_i")
    order = order_services.accept(handler, order)
    order_services.resolve(handler, order, reply="已联系村委会，今天下午送米和菜上门。")

    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("提交时的手机号").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("status")).to_have_text("已答复待回访")
    expect(page.get_by_text("今天下午送米和菜上门")).to_be_visible()
    page.get_by_label("基本满意").check()
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(_code(PHONE))
    _no_horizontal_scroll(page)
    screenshot(page, "intake-portal-track")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("已办结")
    context.close()


def test_supervisor_imports_a_file_with_progress(browser, live_server, city, screenshot, tmp_path):
    from hotline.orders.models import Order

    good = tmp_path / "calls.csv"
    rows = [
        f"R-{i},第{i}户：小区停水一天了，物业联系不上。,1380000{i:04d},公用事业与物业,440902101"
        for i in range(1, 31)
    ]
    good.write_text("编号,诉求内容,来电号码,诉求分类,镇街代码,坐席备注\n" + "\n".join(rows) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "编号,诉求内容,镇街代码\nB-1,停水了,440902101\nB-2,,440902101\nB-3,停电了,440902999\n"
    )

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("super_i")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="批量导入").click()

    page.get_by_label("文件（.csv / .xlsx / .jsonl）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("job-status")).to_have_text("校验未通过")
    expect(page.locator(".errors-table tbody tr")).to_have_count(2)
    screenshot(page, "intake-import-invalid")
    assert not Order.objects.exists()

    page.goto(f"{live_server.url}/intake/import/")
    page.get_by_label("文件（.csv / .xlsx / .jsonl）").set_input_files(str(good))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_test_id("job-status")).to_have_text("已校验待导入")
    expect(page.get_by_text("坐席备注")).to_be_visible()  # an unused column, shown as such
    page.get_by_role("button", name="开始导入").click()
    expect(page.get_by_test_id("job-status")).to_have_text("已完成")
    expect(page.get_by_text("新建工单 30")).to_be_visible()
    screenshot(page, "intake-import-done")
    assert Order.objects.filter(channel="import").count() == 30
    context.close()
