"""Misfires an agent met on the console (issue #22), each fixed in assess() and pinned here,
with the neighbouring cases that must not move."""

import pytest

from hotline.triage import assess


@pytest.mark.parametrize(
    "text",
    [
        "垃圾站三天没人清运",
        "垃圾站三天没人清运，快来人啊",  # "come quickly" about garbage is no emergency
        "小区门口的路灯坏了一个月了，晚上黑漆漆的，快来人修啊",
    ],
)
def test_a_neighbourhood_nuisance_is_not_raised_by_the_model(text):
    a = assess(text)
    assert a.urgency == "normal", a.reasons
    assert a.category == "living"


@pytest.mark.parametrize(
    "text",
    ["垃圾站着火了，火很大，快来人啊", "楼道里一股煤气味，很臭，我头晕"],
)
def test_a_real_danger_at_the_same_places_stays_critical(text):
    assert assess(text).urgency == "critical"


def test_a_polite_complaint_is_not_praise():
    a = assess("路灯坏了好久了，晚上很黑，希望尽快修好，谢谢")
    assert a.appeal_type != "praise" and a.category == "living", a.reasons
    assert assess("前几天路灯坏了，你们当天就修好了，感谢你们").appeal_type == "praise"


@pytest.mark.parametrize(
    "text", ["两个小孩发烧39度，抗原阳性", "家里两个小孩发烧39度，抗原阳性，怎么办"]
)
def test_children_with_a_high_fever_are_urgent(text):
    a = assess(text)
    assert a.urgency == "urgent", a.reasons
    assert {"child", "sick"} <= set(a.vulnerable)


def test_a_fever_that_is_over_is_not_raised():
    assert assess("孩子昨晚烧到38度5 吃了退烧药今早退了 精神好 问要不要报社区").urgency == "normal"


@pytest.mark.parametrize(
    "text", ["楼上天天晚上装修噪音很大，孩子都睡不着觉", "隔壁广场舞噪音太吵了，孩子明天要考试"]
)
def test_a_child_disturbed_by_noise_is_not_flagged(text):
    assert "child" not in assess(text).vulnerable
