"""Repeats: blocked by town and 72 hours, plus the same caller phone."""

import datetime as dt

from hotline.triage.duplicates import DuplicateFinder, RecentOrder, normalize_for_repeats

NOW = dt.datetime(2022, 11, 5, 12, 0)
TOWN = "440902101"


def _finder():
    return DuplicateFinder(
        [
            RecentOrder(
                1,
                "你好，公馆镇我奶奶降压药吃完了，封控出不去，麻烦送药 13812345678",
                NOW - dt.timedelta(hours=3),
                TOWN,
                "13812345678",
            ),
            RecentOrder(2, "健康码变黄了怎么办", NOW - dt.timedelta(hours=5), TOWN),
            RecentOrder(
                3, "公馆镇我奶奶降压药吃完了，封控出不去", NOW - dt.timedelta(hours=100), TOWN
            ),
            RecentOrder(4, "公馆镇我奶奶降压药吃完了，封控出不去", NOW, "440902102"),
        ]
    )


def test_normalisation_strips_greetings_phones_punctuation():
    assert normalize_for_repeats("你好！我的电话138-1234-5678，谢谢") == "我的电话"


def test_same_matter_same_town_in_window_is_found():
    found = _finder().find("公馆镇老人的降压药没了，出不去，帮帮忙送点药", when=NOW, town_code=TOWN)
    assert [r.order_id for r in found] == [1]


def test_other_town_and_old_orders_are_not_compared():
    found = _finder().find("公馆镇我奶奶降压药吃完了，封控出不去", when=NOW, town_code=TOWN)
    assert 3 not in {r.order_id for r in found} and 4 not in {r.order_id for r in found}


def test_same_caller_phone_is_a_candidate_without_town():
    found = _finder().find("另一件事", when=NOW, caller_phone="13812345678")
    assert found[0].order_id == 1 and "来电号码" in found[0].reason
    assert _finder().find("另一件事", when=NOW) == []
