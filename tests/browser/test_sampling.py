"""A sampling round in the browser: a swabber registers people on a phone (the swab lands in
the open 10-in-1 tube without a page load), the district office watches coverage and hourly
progress, imports a town's registration file and the lab's file with a positive pool and a
bad row, and the recall orders appear; the town office sees the not-yet-sampled list in full,
the swabber only addresses."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"


@pytest.fixture
def scene(demo_city, make_user):
    from django.apps import apps as django_apps
    from django.utils import timezone

    from hotline.orders.cache import clear_all
    from hotline.sampling import services
    from hotline.sampling.tests.factories import id_number, make_residents, make_round, make_site

    # A transactional test flushes migration data: register the recall kind again.
    migration = importlib.import_module("hotline.sampling.migrations.0002_recall_kind")
    migration.Migration.operations[0].code(django_apps, None)
    clear_all()
    boss = make_user("unit_handler", "440902-epi", "maonan_epi_b")
    make_user("unit_handler", "440902101", "gongguan_b")
    swabber = make_user("field_staff", None, "swabber_b")
    now = timezone.now()
    rnd = make_round(boss, now=now, risk={"440902101202": "high", "440902101001": "medium"})
    site = make_site(boss, rnd, staff=[swabber])
    make_residents(boss, 40, home_every=6)
    for i in range(20):  # the morning so far, hour by hour
        services.register_sample(
            swabber, site, id_number(i), now=now - dt.timedelta(minutes=55 - 2 * i)
        )
    return {"round": rnd, "site": site, "id_number": id_number}


def sign_in(browser, live_server, username, *, phone=False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 768}
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_round_from_swab_to_recall(browser, live_server, scene, screenshot):
    rnd, site, id_number = scene["round"], scene["site"], scene["id_number"]

    # 1. The swabber on a phone: type an ID number, the swab joins the open tube in place.
    phone = sign_in(browser, live_server, "swabber_b", phone=True)
    phone.goto(f"{live_server.url}/sampling/sites/{site.pk}/")
    for seq in (20, 21):
        box = phone.get_by_label("扫居民码或输入身份证号")
        box.fill(id_number(seq))
        box.press("Enter")
        expect(phone.locator(".sp-ok")).to_contain_text(id_number(seq)[-4:])
    assert phone.url == f"{live_server.url}/sampling/sites/{site.pk}/"
    expect(phone.locator(".sp-tube .count")).to_have_text("2/10")
    phone.get_by_label("扫居民码或输入身份证号").fill("123456")
    phone.get_by_role("button", name="登记").click()
    expect(phone.locator(".sp-err")).to_contain_text("居民码无法识别")
    screenshot(phone, "sampling-register")
    phone.get_by_role("button", name="提前封管").click()
    expect(phone.locator(".messages")).to_contain_text("已封管")

    # the swabber's view of the village: addresses to visit, names masked
    phone.goto(f"{live_server.url}/sampling/rounds/{rnd.pk}/v/440902101201/?list=door")
    expect(phone.locator("#missing")).to_contain_text("巷")
    assert "陈一" not in phone.locator("#missing").inner_text()
    phone.context.close()

    # 2. The district office: coverage per grid and progress by the hour.
    page = sign_in(browser, live_server, "maonan_epi_b")
    page.goto(f"{live_server.url}/sampling/")
    page.get_by_role("link", name=rnd.name).click()
    row = page.locator("#coverage tr", has_text="河之口村委会")
    expect(row).to_contain_text("55.0%")  # 22 of 40 registered residents
    expect(page.locator(".sp-hours li").first).to_be_visible()
    screenshot(page, "sampling-round")

    # 2b. A town's registration file (its sites' records kept offline), imported by the office:
    #     ten people, a mistyped ID number, someone swabbed already.
    from django.utils import timezone

    local = timezone.localtime()
    lines = [
        f"F1,{id_number(seq)},{site.pk},{local - dt.timedelta(minutes=40 - seq):%Y-%m-%d %H:%M},"
        + ("上门" if seq % 6 == 0 else "现场")
        for seq in range(22, 32)
    ]
    lines += [
        f"F2,440902195001010001,{site.pk},{local:%Y-%m-%d %H:%M},现场",
        f"F2,{id_number(0)},{site.pk},{local:%Y-%m-%d %H:%M},现场",
    ]
    page.get_by_role("link", name="导入采样登记").click()
    page.get_by_label("采样登记文件").set_input_files(
        files=[
            {
                "name": "公馆镇采样登记.csv",
                "mimeType": "text/csv",
                "buffer": ("管号,身份证号,采样点编号,采样时间,方式\n" + "\n".join(lines)).encode(),
            }
        ]
    )
    page.get_by_role("button", name="导入").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("共 12 行，登记 10 人，封管 1 支，2 行未导入")
    expect(report).to_contain_text("第 12 行")  # the mistyped ID number
    expect(report).to_contain_text("本轮已采样")
    expect(page.get_by_text("公馆镇采样登记.csv · maonan_epi_b · 登记 10/12 行")).to_be_visible()
    screenshot(page, "sampling-samples")
    page.get_by_role("link", name=rnd.name).click()
    expect(row).to_contain_text("80.0%")  # 32 of 40 registered residents

    # 3. The lab's file: one positive pool, one unknown tube.
    from hotline.sampling.models import Tube

    pooled = Tube.objects.filter(round=rnd, status="closed").order_by("pk")
    positive, negative = pooled[0], pooled[1]
    csv_text = (
        "管号,结果,时间\n"
        f"{positive.barcode},阳性,2022-11-05 20:30\n"
        f"{negative.barcode},阴性,2022-11-05 20:30\n"
        "NO-SUCH-TUBE,阴性,2022-11-05 20:30\n"
    )
    page.get_by_role("link", name="导入检测结果").click()
    page.get_by_label("检测结果文件").set_input_files(
        files=[{"name": "lab.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="导入").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("导入 2 管")
    expect(report).to_contain_text("第 3 行")
    expect(report).to_contain_text("本轮没有管号 NO-SUCH-TUBE")
    screenshot(page, "sampling-results")

    page.get_by_role("link", name=rnd.name).click()
    expect(page.get_by_role("heading", name="待复核召回（10）")).to_be_visible()
    page.context.close()

    # 4. The town office: the list in full, to phone the people not yet swabbed.
    town = sign_in(browser, live_server, "gongguan_b")
    town.goto(f"{live_server.url}/sampling/rounds/{rnd.pk}/v/440902101201/")
    expect(town.locator("#missing")).to_contain_text("138000000")
    expect(town.get_by_role("heading", name="召回（10）")).to_be_visible()
    screenshot(town, "sampling-village")
    town.context.close()
