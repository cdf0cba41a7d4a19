"""In a real browser: no page breaks the Content-Security-Policy, a reveal asks for a reason,
an admin turns on the second factor and reads the audit log."""

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Pw-for-tests-42"


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_reveal_with_reason_then_audit_and_second_factor(
    page, live_server, demo_city, make_user, screenshot
):
    from hotline.orders.tests.factories import receive

    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    agent = make_user("agent", "center", username="agent_t")
    make_user("admin", None, username="admin_t")
    order = receive(agent, address="茂南区公馆镇某某村3巷12号")

    _sign_in(page, live_server, "agent_t")
    page.goto(f"{live_server.url}/intake/")
    page.get_by_label("诉求内容").fill("家里老人高血压药吃完了，小区封控出不去")
    page.wait_for_selector("#triage [data-urgency]")
    page.goto(f"{live_server.url}/orders/{order.number}/")
    caller = page.locator("#caller")
    # The browser itself asks for a reason of four characters or more before anything is sent.
    caller.get_by_role("button", name="显示完整信息").click()
    caller.get_by_label("查看理由").fill("看")
    caller.get_by_role("button", name="显示完整信息").click()
    assert "3巷12号" not in caller.inner_text()
    caller.get_by_label("查看理由").fill("回拨核实地址")
    caller.get_by_role("button", name="显示完整信息").click()
    page.wait_for_selector("#caller >> text=本次查看已记录")
    assert "3巷12号" in caller.inner_text()
    page.get_by_role("button", name="退出").click()

    _sign_in(page, live_server, "admin_t")
    page.get_by_role("link", name="启用两步验证").click()
    secret = page.locator(".secret").inner_text().strip()
    screenshot(page, "otp-enrol")
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="启用").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "两步验证已启用" in page.inner_text(".messages")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    table = page.locator("table.audit")
    assert "回拨核实地址" in table.inner_text()
    assert "启用两步验证" in table.inner_text() and "登录成功" in table.inner_text()
    screenshot(page, "audit")
    page.get_by_label("动作").select_option("reveal")
    page.get_by_role("button", name="筛选").click()
    assert "登录成功" not in page.locator("table.audit").inner_text()
    assert violations == []
