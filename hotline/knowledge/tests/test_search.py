import datetime as dt

import bm25s
import numpy as np
import pytest

from hotline.knowledge import search, services
from hotline.knowledge.evaluation import EVAL_AT, EVAL_QUESTIONS, load_jsonl, recall

from .factories import published

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2022, 11, 7, tzinfo=dt.UTC)


def keys(result):
    return [h.key for h in result.hits]


def test_numpy_matrix_matches_bm25s_own_indexing():
    corpus = [
        ["核酸", "采样点", "时间", "核酸"],
        ["黄码", "转码"],
        ["核酸", "黄码", "申诉", "申诉"],
    ]
    vocab: dict[str, int] = {}
    ids = [np.array([vocab.setdefault(t, len(vocab)) for t in doc]) for doc in corpus]
    ours = search.build_bm25(ids, vocab)
    theirs = bm25s.BM25(k1=search.K1, b=search.B, method="lucene")
    theirs.index(corpus, show_progress=False)
    for query in (["核酸"], ["黄码", "申诉"], ["采样点", "转码", "核酸"]):
        assert np.allclose(ours.get_scores(query), theirs.get_scores(query), atol=1e-5)


def test_synonyms_expand_colloquial_queries(people):
    published(
        people.author,
        people.reviewer,
        key="door-sampling",
        title="行动不便者上门采样",
        body="老人卧床可以申请入户采样。",
    )
    result = search.search("我妈走不动路")
    assert "行动不便" in result.query.expansions
    assert keys(result) == ["door-sampling"]
    assert "行动不便" in result.hits[0].matched


def test_validity_filter_and_expired_label(people):
    published(
        people.author,
        people.reviewer,
        key="first-period",
        title="第一轮管控措施",
        valid_from=T0.isoformat(),
        valid_until=(T0 + dt.timedelta(days=2)).isoformat(),
    )
    published(
        people.author,
        people.reviewer,
        key="extension",
        title="管控措施延长两天",
        valid_from=(T0 + dt.timedelta(days=2)).isoformat(),
    )
    during = search.search("管控措施", at=T0 + dt.timedelta(hours=1))
    assert keys(during) == ["first-period"]
    after = search.search("管控措施", at=T0 + dt.timedelta(days=3))
    assert keys(after) == ["extension"]
    labelled = search.search("管控措施", at=T0 + dt.timedelta(days=3), include_expired=True)
    assert {h.key: h.validity for h in labelled.hits} == {
        "extension": "valid",
        "first-period": "expired",
    }


def test_audience_public_hides_internal_guidance(people):
    published(
        people.author, people.reviewer, key="internal", audience="agents", title="紧急诉求上报规范"
    )
    published(
        people.author, people.reviewer, key="public", audience="public", title="紧急就医绿色通道"
    )
    assert set(keys(search.search("紧急"))) == {"internal", "public"}
    assert keys(search.search("紧急", audience="public")) == ["public"]


def test_highlight_is_escaped():
    html = search.highlight("<b>核酸</b>采样点", ["核酸"])
    assert html == "&lt;b&gt;<mark>核酸</mark>&lt;/b&gt;采样点"


def test_nonsense_is_not_found_and_empty_query_is_harmless(people):
    published(people.author, people.reviewer)
    assert search.search("").hits == []
    assert search.search("！！！？？").hits == []
    result = search.search("火星移民签证")
    assert not result.found


def test_index_follows_the_database_stamp(people):
    first = search.get_index()
    assert search.get_index() is first  # nothing changed: no rebuild
    published(people.author, people.reviewer, key="new-one", title="新发布的条目：通行证")
    assert keys(search.search("通行证")) == ["new-one"]
    assert search.get_index() is not first


def test_suggest_highlights_words_of_the_appeal(people):
    published(
        people.author,
        people.reviewer,
        key="dialysis",
        title="透析病人按时就诊",
        body="血液透析不能中断，社区安排车辆接送。",
    )
    result = search.suggest("我爸要做透析，小区封了出不去，车也没有")
    assert keys(result) == ["dialysis"]
    assert "<mark>透析</mark>" in result.hits[0].title_html


def test_demo_evaluation_set_recall(demo_articles):
    questions = load_jsonl(EVAL_QUESTIONS)
    assert len(questions) >= 60
    index = search.get_index()
    result = recall(questions, lambda t: keys(index.search(t, at=EVAL_AT, limit=3)))
    assert result.r1 >= 0.90, result.misses
    assert result.r3 >= 0.97, result.misses


def test_retired_article_leaves_a_running_index(people):
    article = published(people.author, people.reviewer, key="to-retire", title="临时停水通知")
    assert keys(search.search("停水")) == ["to-retire"]
    services.retire(people.reviewer, article.key)
    assert keys(search.search("停水")) == []
