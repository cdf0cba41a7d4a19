import datetime as dt

import pytest

from hotline.knowledge import analysis, search, services
from hotline.knowledge.choices import EventCode, Status
from hotline.knowledge.errors import KnowledgeError
from hotline.knowledge.models import Article, Citation, IndexStamp, KnowledgeEvent, SynonymGroup

from .factories import article_data, draft, published

pytestmark = pytest.mark.django_db


def codes(article):
    return list(KnowledgeEvent.objects.filter(article=article).values_list("code", flat=True))


def test_draft_submit_approve_publishes_version_one(people):
    article = draft(people.author, "sampling-hours")
    assert article.status == Status.DRAFT and article.live_version is None
    services.submit(people.author, "sampling-hours")
    article = services.approve(people.reviewer, "sampling-hours", note="核对无误")
    assert article.status == Status.PUBLISHED
    assert article.live_version.number == 1
    assert article.live_version.author == people.author
    assert article.live_version.approved_by == people.reviewer
    assert codes(article) == [EventCode.CREATED, EventCode.SUBMITTED, EventCode.PUBLISHED]


def test_author_cannot_approve_own_article(people):
    article = draft(people.author)
    services.submit(people.author, article.key)
    with pytest.raises(KnowledgeError) as exc:
        services.approve(people.author, article.key)
    assert exc.value.status == 403 and exc.value.code == "own_article"


def test_agents_cannot_write(people):
    with pytest.raises(KnowledgeError) as exc:
        services.create_draft(people.agent, key="x-1", data=article_data())
    assert exc.value.status == 403
    article = draft(people.author)
    with pytest.raises(KnowledgeError):
        services.submit(people.volunteer, article.key)


def test_editing_a_published_article_keeps_the_live_version_until_approved(people):
    article = published(people.author, people.reviewer, title="旧标题：采样点开放时间")
    services.save_draft(
        people.author, article.key, data=article_data(title="新标题：采样点时间调整")
    )
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.is_published
    assert article.live_version.title == "旧标题：采样点开放时间"
    assert [h.key for h in search.search("采样点开放时间").hits] == [article.key]
    services.submit(people.author, article.key)
    services.approve(people.reviewer, article.key)
    article.refresh_from_db()
    assert article.live_version.number == 2
    assert list(article.versions.values_list("title", flat=True)) == [
        "旧标题：采样点开放时间",
        "新标题：采样点时间调整",
    ]


def test_article_in_review_cannot_be_edited_and_unchanged_draft_cannot_be_submitted(people):
    article = published(people.author, people.reviewer)
    services.save_draft(people.author, article.key, data=article.live_version.content())
    with pytest.raises(KnowledgeError) as exc:
        services.submit(people.author, article.key)
    assert exc.value.code == "nothing_to_review"
    services.save_draft(people.author, article.key, data=article_data())
    services.submit(people.author, article.key)
    with pytest.raises(KnowledgeError) as exc:
        services.save_draft(people.author, article.key, data=article_data())
    assert exc.value.code == "in_review"


def test_reject_needs_a_note_and_returns_to_draft(people):
    article = draft(people.author)
    services.submit(people.author, article.key)
    with pytest.raises(KnowledgeError) as exc:
        services.reject(people.reviewer, article.key, note="  ")
    assert exc.value.status == 422 and exc.value.field == "note"
    article = services.reject(people.reviewer, article.key, note="请补充发文号")
    assert article.status == Status.DRAFT and article.review_note == "请补充发文号"


def test_retire_removes_from_search_and_bumps_the_stamp(people):
    article = published(people.author, people.reviewer, title="云开山暂停预约")
    before = IndexStamp.objects.get(pk=1).version
    assert search.search("云开山").hits
    services.retire(people.reviewer, article.key, reason="已恢复开放")
    assert IndexStamp.objects.get(pk=1).version != before
    assert not search.search("云开山").hits
    assert codes(article)[-1] == EventCode.RETIRED
    with pytest.raises(KnowledgeError):
        services.retire(people.reviewer, article.key)
    # Editing a retired article does not quietly bring its old version back into search.
    services.save_draft(people.author, article.key, data=article_data(title="云开山恢复预约"))
    search.reset()  # as a process starting now would see it
    assert not search.search("云开山").hits
    services.submit(people.author, article.key)
    services.approve(people.reviewer, article.key)
    assert [h.title for h in search.search("云开山").hits] == ["云开山恢复预约"]
    assert Article.objects.get(key=article.key).live_version.number == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"body": "  "}, "body"),
        ({"category": "weather"}, "category"),
        ({"audience": "everyone"}, "audience"),
        ({"valid_from": "2022-11-09", "valid_until": "2022-11-08"}, "valid_until"),
        ({"valid_from": "next monday"}, "valid_from"),
        ({"body": "含有\x00空字符"}, "body"),
        ({"tags": [1, 2]}, "tags"),
        ({"valid_until": "0799-12-17T00:30:21.45-18:50"}, "valid_until"),
        ({"valid_from": "2022-02-30"}, "valid_from"),
        ({"source_date": "2022-02-30"}, "source_date"),
    ],
)
def test_bad_content_is_refused_with_the_field(people, data, field):
    with pytest.raises(KnowledgeError) as exc:
        services.create_draft(people.author, key="bad-content", data=article_data(**data))
    assert exc.value.status == 422 and exc.value.field == field
    assert not Article.objects.exists()


def test_key_must_be_new_and_well_formed(people):
    draft(people.author, "taken-key")
    with pytest.raises(KnowledgeError) as exc:
        draft(people.author, "taken-key")
    assert exc.value.code == "key_taken"
    with pytest.raises(KnowledgeError) as exc:
        draft(people.author, "带中文的编号")
    assert exc.value.field == "key"


def test_import_is_idempotent(demo_articles):
    from hotline.knowledge.evaluation import DEMO_ARTICLES
    from hotline.knowledge.importer import import_file

    assert demo_articles["created"] >= 40
    stamp = IndexStamp.objects.get(pk=1).version
    again = import_file(DEMO_ARTICLES)
    assert again == {"created": 0, "updated": 0, "unchanged": demo_articles["created"]}
    assert IndexStamp.objects.get(pk=1).version == stamp


def test_record_citation(people):
    article = published(people.author, people.reviewer, key="sampling-sites")
    citation = services.record_citation("sampling-sites", people.volunteer, "20221105-000123")
    assert citation.article == article and citation.order_number == "20221105-000123"
    for key in ("no-such-key", "bad\x00key", ""):
        with pytest.raises(KnowledgeError) as exc:
            services.record_citation(key, people.agent, "")
        assert exc.value.status == 404
    with pytest.raises(KnowledgeError) as exc:
        services.record_citation("sampling-sites", people.handler, "")
    assert exc.value.status == 403
    services.retire(people.reviewer, "sampling-sites")
    with pytest.raises(KnowledgeError) as exc:
        services.record_citation("sampling-sites", people.agent, "")
    assert exc.value.code == "not_published"
    assert Citation.objects.count() == 1


def test_synonym_changes_reach_search_at_once(people):
    published(people.author, people.reviewer, title="行动不便者申请上门采样", body="可以申请。")
    assert search.search("奶奶走路很慢").hits == []
    services.save_synonym_group(people.admin, None, terms="走路很慢，行动不便")
    assert [h.key for h in search.search("奶奶走路很慢").hits]
    group = SynonymGroup.objects.get(terms__startswith="走路很慢")
    services.delete_synonym_group(people.admin, group)
    assert search.search("奶奶走路很慢").hits == []
    with pytest.raises(KnowledgeError):
        services.save_synonym_group(people.admin, None, terms="只有一个词")


def test_log_search_strips_control_characters(people):
    log = services.log_search(people.agent, "核酸\x00点", result_count=0, top_key="", found=False)
    assert log.query == "核酸点"
    assert services.log_search(people.agent, "   ", result_count=0, top_key="", found=False) is None


def test_valid_at_uses_live_version(people):
    end = dt.datetime(2022, 11, 9, tzinfo=dt.UTC)
    article = published(people.author, people.reviewer, valid_until=end.isoformat())
    assert article.live_version.valid_until == end


def test_publishing_stores_the_versions_search_tokens(people):
    article = published(
        people.author,
        people.reviewer,
        title="黄码怎样转回绿码",
        tags=["黄码"],
        questions=["三天三检做完了码还是黄的"],
    )
    stored = article.live_version.search_tokens
    assert stored["scheme"] == analysis.token_scheme()
    assert "黄码" in stored["words"]["title"].split()
    assert "三天三检" in stored["words"]["questions"] or "三天" in stored["words"]["questions"]
    assert set(stored["words"]) == set(analysis.FIELDS)


def test_similar_questions_are_cleaned_and_round_trip_through_import_and_export(people):
    content = services.clean_content(
        article_data(questions="出入卡去哪领\n  出入卡去哪领 \n\n租户能领吗")
    )
    assert content["questions"] == ["出入卡去哪领", "租户能领吗"]
    with pytest.raises(KnowledgeError) as exc:
        services.clean_content(article_data(questions=["问" * 101]))
    assert exc.value.field == "questions"
    with pytest.raises(KnowledgeError):
        services.clean_content(article_data(questions=["问\x00法"]))
    row = {"key": "card", **article_data(questions=["出入卡去哪领"])}
    services.import_articles(None, [services.clean_import_row(row)])
    article = Article.objects.get(key="card")
    assert services.export_row(article)["questions"] == ["出入卡去哪领"]
    assert article.live_version.questions == ["出入卡去哪领"]
    again = services.import_articles(None, [services.clean_import_row(row)])
    assert again["unchanged"] == 1
    changed = {**row, "questions": ["出入卡去哪领", "租户能领吗"]}
    services.import_articles(None, [services.clean_import_row(changed)])
    article.refresh_from_db()
    assert article.live_version.number == 2
    assert article.live_version.questions == ["出入卡去哪领", "租户能领吗"]
