"""The checkpoint walk: a community worker issues a household's outing card and prints it;
at the gate the card's QR code is scanned with the camera (Chromium's fake camera playing a
video made from the card's QR image), the exit is registered, a second exit the same day is
refused (the card scanned again from an image file), and with the network cut a typed card
number is checked and queued, then synced when the network is back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def write_y4m(png: bytes, path) -> None:
    """A two-frame grey Y4M video of the QR image centred on white: what Chromium's
    --use-file-for-fake-video-capture plays as the camera (it loops the file)."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - qr.width) // 2, (HEIGHT - qr.height) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(2):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@pytest.fixture
def gate_area(demo_city, make_user):
    from hotline.common.identity import id_hash
    from hotline.control import services
    from hotline.control.models import Checkpoint, OutingRule
    from hotline.control.tests.factories import TOWN, VILLAGE, id_number

    now = dt.datetime.now(dt.UTC)
    OutingRule.objects.create(
        area_id=TOWN,
        name="公馆镇出行管控",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=7),
        exemptions=["medical"],
    )
    Checkpoint.objects.create(
        code="GG-DONGMEN", name="公馆居委会东门卡口", kind="community", division_id=VILLAGE
    )
    gate = make_user("field_staff", TOWN, "gate_walk")
    homes = []
    for n in range(2):
        number = id_number(500 + n)
        home, _ = services.register_household(
            gate,
            village_code=VILLAGE,
            address=f"茂南区公馆镇公馆居委会新街{n + 1}号",
            members=[services.MemberIn(["陈伟明", "黄秀英"][n], number)],
        )
        services.record_test_results(
            gate,
            [services.TestResultIn(id_hash(number), True, now - dt.timedelta(hours=3), "lab", "")],
        )
        homes.append(home)
    services.issue_card(gate, homes[1].pk)  # the second one already has a card
    return homes


def test_issue_print_scan_exit_refuse_offline_sync(
    page, browser, live_server, gate_area, screenshot, tmp_path
):
    from hotline.control.cards import qr_png
    from hotline.control.models import Passage

    first, second = gate_area
    page.goto(f"{live_server.url}/accounts/login/?next=/control/households/{first.pk}/")
    page.get_by_label("用户名").fill("gate_walk")
    page.get_by_label("密码").fill("Pw-for-tests-42")
    page.get_by_label("密码").press("Enter")
    page.get_by_role("button", name="签发出入卡").click()
    page.get_by_text("已签发出入卡").wait_for()
    token = page.locator("#card-qr").get_attribute("data-token")
    assert token.startswith("1~H~")
    screenshot(page, "control-issue")

    # print: the card sheet is a PDF of the current cards
    href = page.locator("#print-card").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # the gate: a phone browser whose camera sees the printed card
    png = qr_png(token, scale=6)
    (tmp_path / "card.png").write_bytes(png)
    write_y4m(png, tmp_path / "card.y4m")
    phone_browser = browser.browser_type.launch(**_launch_options(tmp_path / "card.y4m"))
    try:
        phone = phone_browser.new_context(
            viewport={"width": 412, "height": 915},
            locale="zh-CN",
            permissions=["camera"],
            storage_state=page.context.storage_state(),
        )
        gate = phone.new_page()
        gate.set_default_timeout(15_000)
        gate.goto(f"{live_server.url}/checkpoint/GG-DONGMEN/")
        gate.get_by_text("名单更新于").wait_for()
        gate.get_by_role("button", name="打开摄像头扫码").click()
        verdict = gate.locator("#cp-verdict")
        gate.locator("#cp-verdict[data-reason=ok]").wait_for()
        assert "核验通过" in verdict.inner_text()
        screenshot(gate, "control-scan")  # the camera view with the verdict under it
        gate.get_by_role("button", name="关闭摄像头").click()

        gate.get_by_role("button", name="确认放行并登记").click()
        gate.locator("#cp-status[data-queue='0']").wait_for()
        gate.get_by_text("已同步").wait_for()
        assert not gate.get_by_role("button", name="确认放行并登记").is_visible()
        assert Passage.objects.filter(decision="allowed", direction="exit").count() == 1
        screenshot(gate, "control-exit")

        # the same card again (from a photo of it): a second exit today is refused
        gate.locator("#cp-file").set_input_files(str(tmp_path / "card.png"))
        gate.locator("#cp-verdict[data-reason=quota_used]").wait_for()
        assert "今日本户外出次数已用完" in verdict.inner_text()
        assert gate.locator("#cp-result.cp-red").is_visible()
        screenshot(gate, "control-refused")

        # the network drops: the typed card number is still checked, the exit queued
        gate.locator("#cp-status[data-queue='0']").wait_for()
        phone.set_offline(True)
        gate.get_by_label("或输入出入卡号").fill(second.card_no)
        gate.get_by_role("button", name="核验").click()
        gate.locator("#cp-verdict[data-reason=ok]").wait_for()
        gate.get_by_role("button", name="确认放行并登记").click()
        gate.locator("#cp-status[data-queue='1']").wait_for()
        assert "离线" in gate.locator("#cp-status").inner_text()
        assert not Passage.objects.filter(household=second).exists()
        screenshot(gate, "control-offline")

        # still offline, the page is reloaded: the service worker serves it, the queue is kept
        gate.locator("#cp[data-offline-ready='1']").wait_for()
        gate.reload()
        gate.locator("#cp-status[data-queue='1']").wait_for()
        assert gate.locator("#cp-status").inner_text().startswith("离线")
        gate.get_by_label("或输入出入卡号").fill(first.card_no)  # still decides offline
        gate.get_by_role("button", name="核验").click()
        gate.locator("#cp-verdict[data-reason=quota_used]").wait_for()
        gate.locator("#cp-status[data-queue='2']").wait_for()  # the refusal is queued too

        # back online: the queue is sent, once
        phone.set_offline(False)
        gate.locator("#cp-status[data-queue='0']").wait_for()
        synced = Passage.objects.get(household=second)
        assert synced.offline and synced.decision == "allowed" and synced.server_reason == "ok"
        gate.get_by_role("button", name="立即同步").click()
        assert Passage.objects.filter(household=second).count() == 1
        screenshot(gate, "control-sync")
    finally:
        phone_browser.close()


def _launch_options(video) -> dict:
    from tests.browser.conftest import CHROMIUM

    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    }
