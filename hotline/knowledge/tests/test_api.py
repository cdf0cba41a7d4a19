import pytest

from hotline.knowledge.models import SearchLog

from .factories import article_data, published

pytestmark = pytest.mark.django_db


def test_search_returns_valid_hits_and_logs_the_query(people, token_client, demo_articles):
    client = token_client(people.volunteer)
    r = client.get(
        "/api/v1/kb/search",
        {"q": "我想问一下怎么才能变回绿码", "at": "2022-11-07T12:00:00+08:00", "limit": 3},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["results"][0]["key"] == "yellow-code-to-green"
    assert body["found"] is True
    assert "<mark>" in body["results"][0]["snippet_html"] or body["results"][0]["matched"]
    log = SearchLog.objects.get()
    assert log.top_key == "yellow-code-to-green" and log.found


def test_search_at_a_time_excludes_expired_notices(people, token_client, demo_articles):
    client = token_client(people.agent)
    params = {"q": "茂南区管控措施", "limit": 10}
    during_first = client.get("/api/v1/kb/search", {**params, "at": "2022-11-05T12:00:00+08:00"})
    keys = [h["key"] for h in during_first.json()["results"]]
    assert "control-period-first" in keys and "control-period-extension" not in keys
    later = client.get("/api/v1/kb/search", {**params, "at": "2022-11-07T12:00:00"})  # local
    keys = [h["key"] for h in later.json()["results"]]
    assert "control-period-extension" in keys and "control-period-first" not in keys


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "核酸", "limit": 0},
        {"q": "核酸", "at": "昨天"},
        {"q": "核酸", "audience": "all"},
        {"q": "a" * 501},
    ],
)
def test_bad_search_parameters_get_422(people, token_client, params):
    r = token_client(people.agent).get("/api/v1/kb/search", params)
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"


def test_search_needs_authentication(client):
    assert client.get("/api/v1/kb/search", {"q": "核酸"}).status_code == 401


def test_article_with_versions(people, token_client):
    article = published(people.author, people.reviewer, key="fees")
    client = token_client(people.author)
    r = client.put(
        f"/api/v1/kb/articles/{article.key}",
        article_data(title="收费标准调整"),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert (
        client.post(
            f"/api/v1/kb/articles/{article.key}/submit", {}, content_type="application/json"
        ).status_code
        == 200
    )
    r = token_client(people.reviewer).post(
        f"/api/v1/kb/articles/{article.key}/approve",
        {"note": "同意"},
        content_type="application/json",
    )
    assert r.status_code == 200
    body = token_client(people.agent).get("/api/v1/kb/articles/fees").json()
    assert body["live_version"] == 2 and body["title"] == "收费标准调整"
    assert [v["number"] for v in body["versions"]] == [1, 2]


def test_workflow_permissions_over_the_api(people, token_client):
    agent = token_client(people.agent)
    r = agent.post(
        "/api/v1/kb/articles",
        {"key": "by-agent", **article_data()},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    author = token_client(people.author)
    r = author.post(
        "/api/v1/kb/articles",
        {"key": "new-article", **article_data()},
        content_type="application/json",
    )
    assert r.status_code == 201
    author.post("/api/v1/kb/articles/new-article/submit", {}, content_type="application/json")
    r = author.post("/api/v1/kb/articles/new-article/approve", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "own_article"
    r = token_client(people.reviewer).post(
        "/api/v1/kb/articles/new-article/reject", {}, content_type="application/json"
    )
    assert r.status_code == 422 and "退回" in r.json()["message"]
    # a draft is invisible to agents
    assert agent.get("/api/v1/kb/articles/new-article").status_code == 404
    r = author.post("/api/v1/kb/articles/missing/submit", {}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "article_not_found"
    r = agent.get("/api/v1/kb/articles/bad%00key")  # refused at the door (RefuseNulMiddleware)
    assert r.status_code == 422 and r.json()["code"] == "nul_character"
    r = agent.post(
        "/api/v1/kb/citations", {"article_key": "bad\x00key"}, content_type="application/json"
    )
    assert r.status_code == 422


def test_bad_article_input_is_422_never_500(people, token_client):
    client = token_client(people.author)
    for payload in (
        {"key": "Bad Key", **article_data()},
        {"key": "ok-key", **article_data(category="weather")},
        {
            "key": "ok-key",
            **article_data(
                valid_from="2022-11-09T00:00:00+08:00", valid_until="2022-11-08T00:00:00+08:00"
            ),
        },
        {"key": "ok-key", **article_data(body="正文\x00")},
    ):
        r = client.post("/api/v1/kb/articles", payload, content_type="application/json")
        assert r.status_code == 422, (payload, r.content)
    r = client.post("/api/v1/kb/articles", "not json", content_type="application/json")
    assert r.status_code in (400, 422)


def test_article_list_query_count(
    people, token_client, demo_articles, django_assert_max_num_queries
):
    client = token_client(people.agent)
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/kb/articles")
    assert r.status_code == 200 and len(r.json()) >= 40


def test_suggest_and_citations_and_usage(people, token_client, demo_articles):
    agent = token_client(people.agent)
    r = agent.get(
        "/api/v1/kb/suggest",
        {"text": "我爸每周要去医院透析，小区封了车出不去", "at": "2022-11-07T12:00:00+08:00"},
    )
    assert "dialysis-chemo" in [h["key"] for h in r.json()["results"]]
    r = agent.post(
        "/api/v1/kb/citations",
        {"article_key": "dialysis-chemo", "order_number": "20221107-000001"},
        content_type="application/json",
    )
    assert r.status_code == 201
    agent.get("/api/v1/kb/search", {"q": "火星移民签证怎么办"})
    assert agent.get("/api/v1/kb/usage").status_code == 403
    usage = token_client(people.reviewer).get("/api/v1/kb/usage").json()
    assert usage["most_cited"][0] == {
        "key": "dialysis-chemo",
        "title": usage["most_cited"][0]["title"],
        "count": 1,
    }
    assert usage["not_found"][0]["query"] == "火星移民签证怎么办"


def test_similar_questions_through_the_api(people, token_client):
    author = token_client(people.author)
    questions = ["黄码多久能变回绿码", "三天三检做完还是黄码"]
    r = author.post(
        "/api/v1/kb/articles",
        {"key": "with-questions", **article_data(questions=questions)},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["questions"] == questions
    token_client(people.author).post(
        "/api/v1/kb/articles/with-questions/submit", {}, content_type="application/json"
    )
    token_client(people.reviewer).post(
        "/api/v1/kb/articles/with-questions/approve", {}, content_type="application/json"
    )
    agent = token_client(people.agent)
    assert agent.get("/api/v1/kb/articles/with-questions").json()["questions"] == questions
    hits = agent.get("/api/v1/kb/search", {"q": "三天三检做完还是黄码"}).json()["results"]
    assert hits[0]["key"] == "with-questions"
    for bad in (["问" * 101], ["问法"] * 21, "不是列表", [1]):
        r = author.put(
            "/api/v1/kb/articles/with-questions",
            article_data(questions=bad),
            content_type="application/json",
        )
        assert r.status_code == 422, (bad, r.content)
