"""The reserve in the browser: a visitor books on the public page and is refused once bookings
are suspended; the gate lets an approved exception in and lists who is still inside; the
ranger opens the fire map (schematic outline, incidents, hot spots, rangers) and confirms an
incident on site with a photo."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"


def _id(serial: int) -> str:
    from hotline.common.identity import check_digit

    first = f"440902199003150{serial:02d}"
    return first + check_digit(first)


@pytest.fixture
def reserve_city(demo_city, make_user):
    from django.apps import apps

    from hotline.orders.cache import clear_all
    from hotline.reserve import demo

    migration = importlib.import_module("hotline.reserve.migrations.0002_fire_order_kind")
    migration.Migration.operations[0].code(apps, None)  # a flushed database lost the kind
    demo.ensure_station_unit()
    demo.ensure_places()
    clear_all()
    make_user("field_staff", None, "ranger_b")
    make_user("supervisor", "center", "super_r")


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


def test_booking_then_suspension(page, live_server, reserve_city, screenshot):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from hotline.reserve import services

    page.goto(f"{live_server.url}/reserve/book/")
    page.get_by_label("区域").select_option("datianding")
    page.get_by_label("入园日期").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    page.get_by_label("姓名").fill("何美玲")
    page.get_by_label("手机号").fill("13719225678")
    page.get_by_label("身份证号").fill(_id(1))
    page.get_by_label("人数").fill("2")
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator("[data-booking]")).to_be_visible()
    expect(page.get_by_label("身份证号")).to_have_value("")

    manager = get_user_model().objects.get(username="super_r")
    services.suspend(manager, starts_at=timezone.now(), reason="森林防火高火险期及疫情防控需要")
    page.get_by_label("入园日期").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("姓名").fill("王建华")
    page.get_by_label("手机号").fill("15816639012")
    page.get_by_label("身份证号").fill(_id(2))
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator(".errors")).to_contain_text("暂停预约进入")
    expect(page.locator(".notice.suspended")).to_contain_text("另行通知")
    screenshot(page, "reserve-booking")


def test_gate_lets_an_approved_exception_in(browser, live_server, reserve_city, screenshot):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from hotline.reserve import services

    manager = get_user_model().objects.get(username="super_r")
    services.suspend(manager, starts_at=timezone.now() - dt.timedelta(hours=1), reason="森林防火")
    today = timezone.localdate()
    request = services.apply_exception(
        None,
        area_code="datianding",
        kind="research",
        date_from=today,
        date_to=today,
        purpose="黑桫椤种群样方监测",
        visitor=services.VisitorIn("张卫国", "13826671122", _id(3), 2, "粤A3K721"),
    )
    services.decide_exception(manager, request.number, approve=True, reason="科研监测，限 2 人")

    page = sign_in(browser, live_server, "ranger_b")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="卡点核验").click()
    page.get_by_label("卡点").select_option("qianpai")
    page.get_by_label("预约号 / 特许申请号 / 身份证号").fill(_id(3))
    page.get_by_role("button", name="核验").click()
    permit = page.locator(f'[data-permit="{request.number}"]')
    expect(permit.locator(".verdict")).to_have_text("有效")
    permit.get_by_role("button", name="登记入园").click()
    expect(page.locator(".messages")).to_contain_text("入园 2 人")
    expect(page.locator(f'[data-inside-row="{request.number}"]')).to_be_visible()
    expect(page.locator('[data-count="inside"]')).to_have_text("1")
    page.locator(f'[data-inside-row="{request.number}"]').get_by_role("button").click()
    expect(page.locator(".revealed")).to_contain_text("13826671122")
    screenshot(page, "reserve-gate")
    page.context.close()


def test_fire_map_and_on_site_confirmation(
    browser, live_server, reserve_city, screenshot, tmp_path
):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from PIL import Image

    from hotline.reserve import services
    from hotline.reserve.models import SignalSource

    now = timezone.now()
    u = (now - dt.timedelta(hours=3)).astimezone(dt.UTC)
    firms = (
        "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
        "confidence,version,bright_ti5,frp,daynight\n"
        f"22.2861,111.1792,336.2,0.39,0.36,{u:%Y-%m-%d},{u:%H%M},N,VIIRS,n,2.0NRT,292.1,4.8,D\n"
        f"22.2868,111.1805,341.7,0.39,0.36,{u:%Y-%m-%d},{u:%H%M},N,VIIRS,h,2.0NRT,293.0,7.9,D\n"
        f"22.2450,111.2400,331.0,0.45,0.40,{u:%Y-%m-%d},{u:%H%M},N,VIIRS,n,2.0NRT,291.0,3.1,D\n"
    )
    services.import_firms(None, firms, name="browser-test.csv")
    camera = SignalSource.objects.get(code="cam-datianding-01")
    services.receive_signal(camera, services.SignalIn("b-1", now, 22.2870, 111.1800))
    ranger = get_user_model().objects.get(username="ranger_b")
    services.report_position(ranger, latitude=22.330, longitude=111.125)

    page = sign_in(browser, live_server, "ranger_b")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="火情地图").click()
    expect(page.locator("svg.reserve-map polygon.outline")).to_be_visible()
    expect(page.locator("svg.reserve-map circle.incident")).to_have_count(2)
    expect(page.locator("svg.reserve-map circle.hotspot")).to_have_count(3)
    expect(page.locator("svg.reserve-map rect.ranger")).to_have_count(1)
    expect(page.locator(".schematic")).to_contain_text("示意图")
    screenshot(page, "reserve-map")

    page.locator("[data-incident-row] a").first.click()
    expect(page.locator("h1")).to_contain_text("火情")
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 90, 30)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("现场照片（JPEG/PNG，≤ 2 MB）").set_input_files(str(photo))
    page.get_by_label("核实情况").fill("林下可燃物阴燃，明火已控制")
    page.get_by_role("button", name="提交核实").click()
    expect(page.locator(".messages")).to_contain_text("已记录到场核实")
    expect(page.locator("[data-status]")).to_have_text("已到场核实")
    expect(page.locator(".photos img")).to_be_visible()
    page.context.close()
