"""The stats pages in the browser: the supervisor's city board (ECharts drawn from the page's
data, redrawn after a refresh, a date range), the league table, the daily report with its
Excel and PDF (the PDF's pages rendered to PNG for the docs), and a unit handler who sees only
their own unit's figures."""

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def surge(demo_city, make_user):
    """A week of the surge in bulk, last year's counts, the rollups rebuilt (stats demo)."""
    from hotline.stats import demo

    make_user("supervisor", "center", "super_s")
    make_user("unit_handler", "440902101", "gongguan_s")
    demo.load(io.StringIO())


def sign_in(browser, live_server, username):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_board_league_and_report(browser, live_server, surge, screenshot, tmp_path):
    from django.utils import timezone

    from hotline.stats.services import local_zone

    page = sign_in(browser, live_server, "super_s")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计看板").click()
    expect(page.locator("h1")).to_contain_text("统计看板 · 全市")
    for name in ("volume", "channels", "categories", "pipeline", "overdue"):
        expect(page.locator(f'[data-chart="{name}"][data-drawn="1"] canvas')).to_have_count(1)
    assert int(page.locator('[data-figure="total"]').inner_text()) > 0
    expect(page.locator(".heat td.heat-6").first).to_be_visible()  # the busiest town×category
    screenshot(page, "stats-board")

    # A refresh of the panels (what htmx does every 30 s) redraws the charts.
    page.evaluate(
        "htmx.ajax('GET', document.getElementById('stats-panels').getAttribute('hx-get'),"
        " '#stats-panels')"
    )
    expect(page.locator('[data-chart="volume"][data-drawn="1"] canvas')).to_have_count(1)

    # The last seven days: one bar per day against last year's same weekday.
    today = timezone.now().astimezone(local_zone()).date()
    page.get_by_label("开始日期").fill(str(today - dt.timedelta(days=6)))
    page.get_by_label("结束日期").fill(str(today))
    page.get_by_role("button", name="查看").click()
    volume = page.locator("section", has=page.locator('[data-chart="volume"]'))
    volume.locator("summary").click()
    expect(volume.locator("thead th").first).to_have_text("日期")
    expect(volume.locator("tbody tr")).to_have_count(7)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="考核排名").click()
    expect(page.locator("#league-units tbody tr").first).to_be_visible()
    expect(page.locator('[data-rate="first-contact"]')).to_contain_text("%")
    screenshot(page, "stats-league")

    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="日报", exact=True).click()
    expect(page.locator("h1")).to_contain_text("12345 热线日报")
    expect(page.locator("#report-totals")).to_contain_text("同比")
    screenshot(page, "stats-report")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="下载 Excel").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="下载 PDF（打印）").click()
    path = tmp_path / "report.pdf"
    pdf.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        for old in SCREENSHOTS.glob("stats-report-pdf-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", str(path), str(SCREENSHOTS / "stats-report-pdf")],
            check=True,
        )
        assert list(SCREENSHOTS.glob("stats-report-pdf-*.png"))


def test_a_unit_sees_its_own_figures_only(browser, live_server, surge):
    page = sign_in(browser, live_server, "gongguan_s")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="日报", exact=True)).to_have_count(0)
    nav.get_by_role("link", name="统计看板").click()
    expect(page.locator("h1")).to_contain_text("茂南区公馆镇人民政府")
    page.goto(f"{live_server.url}/stats/report/")
    expect(page.locator(".notice")).to_contain_text("日报只有值班长")
