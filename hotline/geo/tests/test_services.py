import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.geo.models import Division, HandlingUnit, short_name
from hotline.geo.services import GeoError, load_divisions, town_office_name


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("公馆镇", "公馆"),
        ("红旗街道", "红旗"),
        ("红旗南社区居民委员会", "红旗南"),
        ("茂南区", "茂南"),
        ("高州市", "高州"),
        ("石鼓村委会", "石鼓"),
        ("东区", "东区"),  # never shorter than two characters
        ("信宜市国营红旗农场", "信宜市国营红旗"),
    ],
)
def test_short_name_strips_one_suffix(name, short):
    assert short_name(name) == short


@pytest.mark.django_db
def test_load_city_builds_the_whole_maoming_tree():
    result = load_divisions(city="4409")
    assert result.created == 2050
    counts = {
        level: Division.objects.filter(level=level).count()
        for level in ("province", "city", "county", "town", "village")
    }
    assert counts == {"province": 1, "city": 1, "county": 5, "town": 127, "village": 1916}
    gongguan = Division.objects.get(code="440902101")
    assert (gongguan.name, gongguan.parent_id, gongguan.parent.parent_id) == (
        "公馆镇",
        "440902",
        "4409",
    )
    village = Division.objects.filter(level="village", name__endswith="村委会").first()
    assert village.short_name == village.name.removesuffix("村委会")
    # 河西街道 repeats across districts: both kept, each under its own county.
    assert set(Division.objects.filter(name="河西街道").values_list("parent__name", flat=True)) == {
        "茂南区",
        "化州市",
    }


@pytest.mark.django_db
def test_load_city_is_idempotent_and_repairs_changed_rows():
    load_divisions(city="4409")
    again = load_divisions(city="4409")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2050)
    Division.objects.filter(code="440902101").update(name="改错的名字")
    repaired = load_divisions(city="4409")
    assert (repaired.created, repaired.updated) == (0, 1)
    assert Division.objects.get(code="440902101").name == "公馆镇"


@pytest.mark.django_db
def test_unknown_city_is_refused_and_loads_nothing():
    with pytest.raises(GeoError) as err:
        load_divisions(city="9999")
    assert err.value.code == "unknown_city"
    assert "9999" in str(err.value)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_city_and_all_towns_are_exclusive():
    with pytest.raises(GeoError):
        load_divisions(city="4409", all_towns=True)
    with pytest.raises(GeoError):
        load_divisions()


@pytest.mark.django_db
def test_all_towns_loads_every_town_of_china_in_batches():
    seen = []
    result = load_divisions(all_towns=True, progress=lambda done, total: seen.append(total))
    assert Division.objects.filter(level="town").count() == 41352
    assert Division.objects.filter(level="province").count() == 34
    assert result.created == Division.objects.count()
    assert Division.objects.get(code="110101001").parent.parent_id == "1101"
    assert seen and seen[0] == result.total
    # every county hangs under a loaded city
    assert not Division.objects.filter(level="county", parent__isnull=True).exists()


@pytest.mark.django_db
def test_loading_a_city_uses_a_bounded_number_of_queries():
    with CaptureQueriesContext(connection) as ctx:
        load_divisions(city="4409")
    assert len(ctx.captured_queries) < 20  # batched, not one query per row


def test_town_office_names():
    assert town_office_name("茂南区", "公馆镇") == "茂南区公馆镇人民政府"
    assert town_office_name("茂南区", "红旗街道") == "茂南区红旗街道办事处"
    assert town_office_name("信宜市", "信宜市国营红旗农场") == "信宜市国营红旗农场"


def test_demo_units(demo_city):
    assert HandlingUnit.objects.get(code="center").kind == "hotline_center"
    gongguan = HandlingUnit.objects.get(code="440902101")
    assert (gongguan.name, gongguan.kind, gongguan.division_id) == (
        "茂南区公馆镇人民政府",
        "town_office",
        "440902101",
    )
    assert gongguan.parent.code == "440902-gov"
    assert HandlingUnit.objects.filter(kind="town_office").count() == 127
    assert HandlingUnit.objects.filter(kind="district_government").count() == 5
    assert HandlingUnit.objects.filter(kind="epidemic_office").count() == 5
    assert HandlingUnit.objects.get(code="440902-epi").division_id == "440902"
    depts = set(
        HandlingUnit.objects.filter(code__startswith="dept-").values_list("code", flat=True)
    )
    assert {"dept-health", "dept-market", "dept-emergency120", "dept-forestry"} <= depts
    assert len(depts) == 12


def test_territorial_unit_requires_a_division(demo_city):
    from django.core.exceptions import ValidationError

    unit = HandlingUnit(code="x", name="某镇", kind="town_office")
    with pytest.raises(ValidationError):
        unit.full_clean()
