"""An agent types a caller's question into the knowledge-base search and sees the answer
appear as they type, then opens the article."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_finds_an_answer_as_they_type(page, live_server, make_user, screenshot):
    from hotline.accounts.services import ensure_groups
    from hotline.knowledge.evaluation import DEMO_ARTICLES
    from hotline.knowledge.importer import import_file

    ensure_groups()
    make_user("volunteer_agent", username="volunteer_kb")
    import_file(DEMO_ARTICLES)

    page.goto(f"{live_server.url}/accounts/login/?next=/kb/")
    page.get_by_label("用户名").fill("volunteer_kb")
    page.get_by_label("密码").fill("Pw-for-tests-42")
    page.get_by_label("密码").press("Enter")
    page.wait_for_url(f"{live_server.url}/kb/")

    box = page.get_by_label("来电人问什么？直接输入原话")
    box.press_sequentially("我想了解一下怎么才能变回绿码", delay=30)
    first = page.locator("#kb-results .kb-hit").first
    first.wait_for()
    assert "黄码怎样转回绿码" in first.inner_text()
    assert page.locator("#kb-results mark").count() > 0
    assert page.url == f"{live_server.url}/kb/"  # answered in place, no page load
    screenshot(page, "kb-search")

    first.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/kb/a/yellow-code-to-green/")
    assert page.get_by_role("heading", level=1).inner_text() == "黄码怎样转回绿码"
    assert "有效" in page.inner_text(".kb-banner")
    page.get_by_role("button", name="看看昨天以来改了什么").click()
    page.locator("#kb-diff .kb-diff").wait_for()
    screenshot(page, "kb-article")
