"""assess() conventions of rules-3: when the model may raise, and category rules."""

import pytest

from hotline.triage import assess


@pytest.mark.parametrize(
    "text",
    [
        "你们热线怎么一直打不通 我打了二十几次了 好不容易才接",  # the hotline itself
        "公司叫我们明天一定要回去上班 不去就扣工资 可我们小区还封着出不去",  # work
        "我要投诉，卡口排了两个钟还没到，太阳又大",  # an explicit complaint word
        "外婆前两天走丢 后来是社区志愿者在菜市场找到送回来的 人没事 想谢谢他们",
        "万一我爸的降压药吃完了怎么办 现在还剩半个月的量",  # hypothetical
    ],
)
def test_model_does_not_raise_these(text):
    assert assess(text).urgency == "normal", assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "我要投诉，社区不给我爸送药，他的降压药吃完了",  # the rules still raise
        "胰岛素没有了，要去上班的儿子也回不来",
        "120一直打不通，我爸突然晕倒了",
    ],
)
def test_rules_still_raise_despite_a_stop_cue(text):
    assert assess(text).urgency != "normal", assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "上门采样的护士给我瘫痪的老爸采样特别耐心 想表扬她一下",
        "表扬下陈村卡点那个女警察 大半夜还在站岗",
        "我不是来求助的 前天说我伯母家里没吃的了 结果两个钟头不到就有人送米送菜 真的谢谢你们",
        "你们热线怎么一直打不通 我打了二十几次了",
    ],
)
def test_praise_and_hotline_complaints_are_other(text):
    assert assess(text).category == "other", assess(text).reasons


def test_a_complaint_about_another_office_keeps_its_category():
    a = assess("河西那边社区的电话永远打不通，小区封了五天也没人说什么时候解封")
    assert a.category != "other"
