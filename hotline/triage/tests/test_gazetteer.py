"""Place names: suffixes, repeats resolved by context, ambiguity reported, not guessed."""

import pytest

from hotline.triage.gazetteer import Gazetteer, locate


def test_full_and_bare_town_names():
    assert locate("我住高州市石仔岭街道").town_code == "440981002"
    place = locate("公馆这边有个老人")
    assert (place.district, place.town) == ("茂南区", "公馆镇")
    assert place.confidence < locate("公馆镇").confidence


def test_repeated_name_is_ambiguous_without_context():
    place = locate("我在河西街道")
    assert place.town is None and place.district is None
    assert set(place.ambiguous) == {"茂南区河西街道", "化州市河西街道"}


def test_repeated_name_resolved_by_district_or_caller():
    assert locate("化州河西街道这边").town_code == "440982001"
    assert locate("茂南区河西街道").town_code == "440902002"
    assert locate("我在河西街道", district_hint="440982").town_code == "440982001"


def test_village_names_with_their_suffixes():
    place = locate("建设社区居委会这边停水了")
    assert place.village == "建设社区居民委员会"
    assert place.town == "红旗街道"


def test_district_only_and_nothing():
    assert locate("电白那边").district == "电白区"
    assert locate("今天天气不错").confidence == 0


def test_common_words_are_not_bare_town_names():
    assert locate("红旗飘飘，新华书店").town is None


def test_gazetteer_is_cached_and_covers_the_city():
    gaz = Gazetteer.for_city("4409")
    assert gaz is Gazetteer.for_city("4409")
    levels = {d.level for d in gaz.by_code.values()}
    assert levels == {"district", "town", "village"}


def test_village_committee_names_are_found_as_villages():
    # "谭屋村委会" is said 谭屋村 / 谭屋村委; a village unique in the city names its town
    assert locate("谭屋村口那个超市青菜卖十五块").town == "金塘镇"
    assert locate("柏桥村后面的小路").town == "根子镇"
    assert locate("我们是荷榭村委的").village == "荷榭村委会"
    assert locate("荷榭社区").village is None  # no community of that name


@pytest.mark.parametrize(
    "text, district, town",
    [
        ("我哋喺化州文楼", "化州市", "文楼镇"),
        ("住在茂南城南这边", "茂南区", "城南街道"),
        ("我在高州分界做的核酸", "高州市", "分界镇"),
        ("分界线在哪里", None, None),  # the everyday word alone is not the town
    ],
)
def test_a_bare_everyday_town_name_counts_after_its_district(text, district, town):
    place = Gazetteer.for_city().locate(text)
    assert (place.district, place.town) == (district, town)
