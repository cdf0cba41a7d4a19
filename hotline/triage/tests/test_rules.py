"""Rule families: danger, unmet need, vulnerable flags, with their hard negatives."""

import pytest

from hotline.triage.rules import apply_rules, find_phones
from hotline.triage.tokenize import char_ngrams, tokenize


def test_tokenize_keeps_domain_words_and_places():
    tokens = tokenize("我在茂南区河西街道，健康码变黄了！喘不上气")
    assert {"茂南区", "河西街道", "健康码", "喘不上气"} <= set(tokens)
    assert "，" not in tokens and "！" not in tokens


def test_char_ngrams_drop_punctuation():
    assert char_ngrams("核酸，点", 2, 2) == ["核酸", "酸点"]
    assert tokenize("") == [] and char_ngrams("") == []


@pytest.mark.parametrize(
    "text",
    [
        "我奶奶突然喘不上气，快来人",
        "我老公叫不醒了",
        "我老婆怀孕八个月，见红了",
        "羊水破了，要生了",
        "我朋友说他想不开，要跳楼",
        "3岁的孩子误吞了硬币",
        "厨房煤气泄漏了",
        "楼下着火了！",
        "我爸有老年痴呆，走失了",
    ],
)
def test_danger_to_life_is_critical(text):
    assert apply_rules(text).urgency == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "听说隔离酒店着火了，是真的吗",  # hearsay
        "网上说有人跳楼了",  # hearsay
        "如果孕妇见红怎么办",  # hypothetical
        "煤气灶打不着火，找谁修",  # masked word
        "昨天厨房着火了，火已经灭了，没人受伤",  # resolved
        "请问发热门诊在哪",  # masked word, not a sick person
    ],
)
def test_hard_negatives_of_danger_are_normal(text):
    found = apply_rules(text)
    assert found.urgency == "normal", found.reasons


def test_lowering_cue_lowers_one_level():
    assert apply_rules("我爸胸口痛，已经送医院了").urgency == "urgent"
    assert apply_rules("孩子发烧了，不严重").urgency == "normal"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("我家老人降压药吃完了，封控出不去", "elderly"),
        ("我家宝宝奶粉没了", "child"),
        ("我爸要做透析，小区封控出不去", "sick"),
        ("我弟弟瘫痪在床，家里没吃的了", "disabled"),
        ("我老婆怀孕了，要去产检但出不去", "pregnant"),
    ],
)
def test_vulnerable_person_with_unmet_need_is_urgent(text, flag):
    found = apply_rules(text)
    assert found.urgency == "urgent", found.reasons
    assert flag in found.vulnerable


def test_need_without_vulnerable_person_stays_normal():
    found = apply_rules("我们小区没菜了")
    assert found.urgency == "normal"
    assert any("未见弱势人群" in r for r in found.reasons)


def test_generic_mention_in_a_question_is_not_a_flag():
    found = apply_rules("请问老年人核酸点在哪")
    assert found.urgency == "normal"
    assert found.vulnerable == set()


def test_anchored_group_noun_is_a_flag():
    assert "elderly" in apply_rules("家里有个老人，请问能上门做核酸吗").vulnerable
    assert "pregnant" in apply_rules("我是孕妇，请问产检要核酸吗").vulnerable


def test_ages_and_months():
    assert "elderly" in apply_rules("我爸七十六岁了").vulnerable
    assert "child" in apply_rules("儿子才3岁").vulnerable
    assert "child" in apply_rules("女儿8个月大").vulnerable
    assert apply_rules("我今年35岁").vulnerable == set()


def test_negated_symptom_is_not_sick():
    assert "sick" not in apply_rules("我没有发烧，为什么是黄码").vulnerable


def test_phones_and_type_cues():
    assert find_phones("电话138 1234 5678，座机0668-2281234") == ["13812345678", "06682281234"]
    assert apply_rules("我要举报有人偷偷开麻将馆").type_hint == "report"
    assert apply_rules("卡口的人态度很差").type_hint == "complaint"


def test_every_reason_is_chinese_text():
    found = apply_rules("我奶奶断药两天了")
    assert found.reasons and all(isinstance(r, str) for r in found.reasons)


@pytest.mark.parametrize("text", ["", "   ", "!!!", "a" * 5000])
def test_odd_input_does_not_crash(text):
    assert apply_rules(text).urgency in ("normal", "urgent", "critical")
