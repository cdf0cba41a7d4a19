import pytest
from django.urls import reverse

from hotline.knowledge import services
from hotline.knowledge.choices import Status
from hotline.knowledge.models import Article, SearchLog

from .factories import article_data, draft, published

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-for-tests-42"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_search_page_and_as_you_type_results(client, people, demo_articles):
    login(client, people.volunteer)
    page = client.get(reverse("kb:search"))
    assert page.status_code == 200
    assert "来电人问什么" in page.content.decode()
    partial = client.get(reverse("kb:results"), {"q": "做核酸要交钱吗"}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "要不要钱" in html and "<mark>" in html
    assert "<html" not in html
    assert not SearchLog.objects.exists()  # keystrokes are not logged
    client.get(reverse("kb:search"), {"q": "做核酸要交钱吗"})
    assert SearchLog.objects.count() == 1


def test_search_page_bad_time_shows_message_next_to_field(client, people):
    login(client, people.agent)
    html = client.get(reverse("kb:search"), {"q": "核酸", "at": "不是时间"}).content.decode()
    assert "时间格式有误" in html
    impossible = client.get(reverse("kb:results"), {"q": "核酸", "at": "2022-02-30T10:00"})
    assert impossible.status_code == 200 and "时间格式有误" in impossible.content.decode()


def test_article_page_banner_and_diff(client, people, demo_articles):
    login(client, people.agent)
    html = client.get(reverse("kb:article", args=["control-period-first"])).content.decode()
    assert "已过期" in html and "茂南区首轮社会面管控措施" in html
    diff = client.get(reverse("kb:diff", args=["control-period-first"])).content.decode()
    assert "与昨天此时相比" in diff and "之前没有版本" in diff
    assert client.get(reverse("kb:article", args=["no-such"])).status_code == 404


def test_version_diff_between_versions(client, people):
    article = published(people.author, people.reviewer, body="采样点每天8点开放。")
    services.save_draft(people.author, article.key, data=article_data(body="采样点每天7点开放。"))
    services.submit(people.author, article.key)
    services.approve(people.reviewer, article.key)
    login(client, people.agent)
    html = client.get(reverse("kb:diff", args=[article.key]), {"from": 1, "to": 2}).content
    html = html.decode()
    assert "<del>8</del>" in html and "<ins>7</ins>" in html


def test_agents_cannot_open_the_editor_or_review_queue(client, people):
    login(client, people.agent)
    assert client.get(reverse("kb:review")).status_code == 403
    assert client.get(reverse("kb:new")).status_code == 403
    r = client.post(reverse("kb:action", args=["x", "retire"]))
    assert r.status_code == 403


def test_editor_shows_errors_next_to_fields_and_saves(client, people):
    login(client, people.author)
    bad = client.post(
        reverse("kb:new"),
        {
            "key": "new-one",
            "title": "",
            "body": "正文",
            "category": "testing",
            "audience": "public",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and "请填写标题" in html and "kb-field-error" in html
    both = client.post(
        reverse("kb:new"),
        {"key": "", "title": "", "body": "", "category": "testing", "audience": "public"},
    )
    html = both.content.decode()
    for message in ("请填写条目编号", "请填写标题", "请填写正文"):
        assert message in html
    ok = client.post(
        reverse("kb:new"),
        {
            "key": "new-one",
            "title": "新条目",
            "body": "正文",
            "category": "testing",
            "audience": "public",
            "tags": "核酸，采样",
        },
    )
    assert ok.status_code == 302
    article = Article.objects.get(key="new-one")
    assert article.status == Status.DRAFT and article.tags == ["核酸", "采样"]


def test_review_queue_submit_and_approve_by_buttons(client, people):
    article = draft(people.author, "queued")
    login(client, people.author)
    client.post(reverse("kb:action", args=[article.key, "submit"]))
    client.logout()
    login(client, people.reviewer)
    html = client.get(reverse("kb:review")).content.decode()
    assert "待审核（1）" in html and "通过并发布" in html
    r = client.post(reverse("kb:action", args=[article.key, "approve"]), {"next": "review"})
    assert r.status_code == 302 and r.url == reverse("kb:review")
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED


def test_own_article_cannot_be_approved_from_the_page(client, people):
    article = draft(people.author, "mine")
    login(client, people.author)
    client.post(reverse("kb:action", args=[article.key, "submit"]))
    r = client.post(reverse("kb:action", args=[article.key, "approve"]), follow=True)
    assert "不能审核自己" in r.content.decode()


def test_suggest_partial(client, people, demo_articles):
    login(client, people.agent)
    html = client.get(reverse("kb:suggest"), {"text": "宝宝奶粉吃完了买不到"}).content.decode()
    assert "知识库建议" in html and "奶粉" in html


def test_review_queue_query_count_does_not_grow_with_the_queue(
    client, people, django_assert_max_num_queries
):
    for n in range(6):
        article = draft(people.author, f"queued-{n}")
        services.submit(people.author, article.key)
    login(client, people.reviewer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("kb:review")).content.decode()
    assert "待审核（6）" in html


def test_editor_takes_similar_questions_one_per_line_and_the_page_shows_them(client, people):
    login(client, people.author)
    ok = client.post(
        reverse("kb:new"),
        {
            "key": "asked-so",
            "title": "出入卡怎么领",
            "body": "向网格员登记。",
            "category": "control",
            "audience": "public",
            "questions": "出入卡去哪领\n\n  租户能领出入卡吗  \n出入卡去哪领",
        },
    )
    assert ok.status_code == 302
    article = Article.objects.get(key="asked-so")
    assert article.questions == ["出入卡去哪领", "租户能领出入卡吗"]
    form = client.get(reverse("kb:edit", args=["asked-so"])).content.decode()
    assert "常见问法" in form and "出入卡去哪领\n租户能领出入卡吗" in form
    page = client.get(reverse("kb:article", args=["asked-so"])).content.decode()
    assert "常见问法" in page and "租户能领出入卡吗" in page
    too_long = client.post(
        reverse("kb:edit", args=["asked-so"]),
        {
            **{k: getattr(article, k) for k in ("title", "body", "category", "audience")},
            "questions": "问" * 101,
        },
    )
    assert too_long.status_code == 200 and "常见问法最多" in too_long.content.decode()
