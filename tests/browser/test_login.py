"""A person signs in, sees the start page for their role, and signs out."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_signs_in_and_out(page, live_server, demo_city, make_user, screenshot):
    make_user("agent", "center", username="agent_b")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    screenshot(page, "login")

    page.get_by_label("用户名").fill("agent_b")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")

    page.get_by_label("密码").fill("Pw-for-tests-42")
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("您好")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="工作台").is_visible()
    assert nav.get_by_role("link", name="管理后台").count() == 0
    # the agent's start page is their worklist (console.queries.home_worklist)
    assert page.locator("#my-calls").is_visible()
    screenshot(page, "home")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_api_docs_render_without_cdn(page, live_server, db):
    external = []
    page.on(
        "request",
        lambda req: external.append(req.url) if not req.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert "Hotline" in page.inner_text(".swagger-ui .info")
    assert external == []
