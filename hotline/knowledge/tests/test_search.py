import datetime as dt

import bm25s
import numpy as np
import pytest
from django.urls import reverse

from hotline.knowledge import search, services
from hotline.knowledge.evaluation import EVAL_AT, EVAL_SETS, load_jsonl, recall

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


@pytest.mark.parametrize("name", list(EVAL_SETS))
def test_demo_evaluation_set_recall(demo_articles, name):
    """The issue's targets on every evaluation set (the blind ones included: a change that
    loses what they measure must say so here)."""
    questions = load_jsonl(EVAL_SETS[name])
    assert len(questions) >= (20 if name == "held-out" else 60)
    index = search.get_index()
    result = recall(questions, lambda t: keys(index.search(t, at=EVAL_AT, limit=3)))
    assert result.r1 >= 0.90, result.misses
    assert result.r3 >= 0.97, result.misses


def test_retired_article_leaves_a_running_index(people):
    article = published(people.author, people.reviewer, key="to-retire", title="临时停水通知")
    assert keys(search.search("停水")) == ["to-retire"]
    services.retire(people.reviewer, article.key)
    assert keys(search.search("停水")) == []


def test_field_weights_count_as_repetition():
    """A token of weight 2 scores as two occurrences (how fields are boosted)."""
    tokens = np.array([0, 1, 0, 2, 1])
    docs = np.array([0, 0, 1, 1, 1])
    weights = np.array([2, 1, 1, 1, 2], dtype=np.float32)
    weighted = search.bm25_from_arrays(tokens, docs, 2, 3, weights)
    repeated = search.bm25_from_arrays(
        np.repeat(tokens, weights.astype(int)), np.repeat(docs, weights.astype(int)), 2, 3
    )
    for ids in ([0], [1], [0, 2]):
        assert np.allclose(
            weighted.get_scores_from_ids(ids), repeated.get_scores_from_ids(ids), atol=1e-6
        )


def test_word_hashes_are_the_words():
    from hotline.knowledge import analysis

    hashes, docs, fields = analysis.word_hashes(
        [analysis.word_text({"title": "核酸 采样点", "tags": "", "questions": "", "body": "核酸"})],
        fields=True,
    )
    assert hashes[0] == hashes[2] != hashes[1]
    assert list(docs) == [0, 0, 0]
    assert list(fields) == [0, 0, 3]  # title, title, body
    other, _ = analysis.word_hashes(["核 酸", "酸核"])
    assert len(set(other) | set(hashes)) == 5


def test_similar_questions_find_the_article(people):
    published(
        people.author,
        people.reviewer,
        key="outing-card",
        title="居民出入卡的领取和使用",
        body="每户一张，由社区登记后发放。",
        questions=["租房子的能领出入卡吗"],
    )
    published(people.author, people.reviewer, key="other", title="租房合同纠纷", body="房东。")
    assert keys(search.search("我是租户，能不能领到出入卡"))[0] == "outing-card"


def _mark(article_key: str, **stored):
    from hotline.knowledge.models import ArticleVersion

    version = ArticleVersion.objects.get(article__key=article_key)
    tokens = {**version.search_tokens, **stored}
    ArticleVersion.objects.filter(pk=version.pk).update(search_tokens=tokens)
    return version


def test_the_index_uses_the_stored_words(people, monkeypatch):
    """A fresh index cuts no words: it takes those stored on the version (here doctored with a
    word the text does not hold, to see which one it used)."""
    from hotline.knowledge import analysis

    article = published(people.author, people.reviewer, key="stored", title="采样点开放时间")
    words = dict(article.live_version.search_tokens["words"])
    words["tags"] = "健康码"
    _mark("stored", words=words)
    search._token_cache.clear()
    search.reset()

    def no_cutting(*args, **kwargs):
        raise AssertionError("the index tokenised an article with stored tokens")

    monkeypatch.setattr(analysis, "field_words", no_cutting)
    assert keys(search.search("健康码")) == ["stored"]


def test_tokens_of_another_scheme_are_cut_again_and_stored(people):
    from hotline.knowledge import analysis
    from hotline.knowledge.models import ArticleVersion

    published(people.author, people.reviewer, key="stale", title="采样点开放时间")
    version = _mark(
        "stale", scheme="0.old", words={"title": "健康码", "tags": "", "questions": "", "body": ""}
    )
    search._token_cache.clear()
    search.reset()
    assert keys(search.search("健康码")) == []  # the stale words are not used
    assert keys(search.search("采样点")) == ["stale"]
    version.refresh_from_db()
    assert version.search_tokens["scheme"] == analysis.token_scheme()
    assert "采样点" in version.search_tokens["words"]["title"]
    ArticleVersion.objects.filter(pk=version.pk).update(search_tokens=None)
    search._token_cache.clear()
    search.reset()
    assert keys(search.search("采样点")) == ["stale"]
    version.refresh_from_db()
    assert version.search_tokens["scheme"] == analysis.token_scheme()


def test_a_refused_token_write_does_not_break_search(people, monkeypatch):
    from django.db import DatabaseError

    published(people.author, people.reviewer, key="busy", title="采样点开放时间")
    _mark("busy", scheme="0.old")
    search._token_cache.clear()
    search.reset()

    def refuse(pairs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(search, "_write_tokens", refuse)
    assert keys(search.search("采样点")) == ["busy"]


def test_a_query_no_article_shares_a_word_with_is_no_match(demo_articles, client, people):
    """Stray characters give nonsense a score (阿巴阿巴 shares 阿 with a place name) — even above
    the 'found' bar; a best hit with none of the query's words is no match, and the search page
    says so instead of listing it."""
    for nonsense in ("阿巴阿巴阿巴", "今天天气真好", "我想买一台电脑", "足球比赛"):
        result = search.search(nonsense)
        assert result.no_match and not result.found, nonsense
        assert search.suggest(nonsense).hits == []
    for question in ("核酸采样点几点开门", "健康码变黄怎么办", "出门证怎么办"):
        result = search.search(question)
        assert not result.no_match and result.hits, question
    client.force_login(people.author)
    html = client.get(reverse("kb:search"), {"q": "阿巴阿巴阿巴"}).content.decode()
    assert "没有找到与“阿巴阿巴阿巴”相关的有效条目" in html and "kb-hit-title" not in html
