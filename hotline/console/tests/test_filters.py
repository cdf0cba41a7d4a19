"""The order list's unit and town pickers: names grouped by district, codes in the query."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hotline.console.forms import CITY_GROUP, towns_by_district, units_by_district

pytestmark = pytest.mark.django_db


def _group(groups, label):
    return dict(next(options for name, options in groups if name == label))


def test_units_and_towns_are_grouped_by_district(people):
    units = units_by_district()
    maonan = _group(units, "茂南区")
    assert "公馆镇" in maonan["440902101"]  # a town office
    assert "440902-epi" in maonan and "440902-gov" in maonan
    assert "dept-health" in _group(units, CITY_GROUP)
    assert all(code != "center" for _, options in units for code, _ in options)
    assert units[-1][0] == CITY_GROUP
    towns = _group(towns_by_district(), "茂南区")
    assert towns["440902101"] == "公馆镇" and towns["440902102"] == "新坡镇"


def test_list_shows_pickers_and_codes_in_links_still_filter(
    client, people, register, django_assert_max_num_queries
):
    gongguan = register()
    xinpo = register(town_code="440902102")
    client.force_login(people.supervisor)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("console:orders"), {"status": "open", "unit": "440902101"})
    html = r.content.decode()
    assert gongguan.number in html and xinpo.number not in html
    assert re.search(r'<select name="unit"[^>]*data-picker="输入单位名称筛选"', html)
    assert '<optgroup label="茂南区">' in html
    assert re.search(r"<option value=\"440902101\" selected>[^<]*公馆镇", html)
    r = client.get(reverse("console:orders"), {"status": "open", "town": "440902102"})
    html = r.content.decode()
    assert xinpo.number in html and gongguan.number not in html


def test_unknown_unit_or_town_code_is_said_in_chinese(client, people, register):
    order = register()
    client.force_login(people.agent)
    r = client.get(reverse("console:orders"), {"unit": "公馆镇政府", "town": "999"})
    html = r.content.decode()
    assert "没有这个承办单位（或已停用），请从列表中选择。" in html
    assert "没有这个镇街，请从列表中选择。" in html
    assert "Select a valid choice" not in html
    assert order.number not in html  # a filter that cannot be read lists nothing


def test_export_refuses_an_unknown_code_instead_of_exporting_everything(client, people, register):
    register()
    client.force_login(people.agent)
    r = client.get(reverse("console:orders"), {"unit": "nope", "export": "csv"})
    assert r["Content-Type"].startswith("text/html")
    assert "没有这个承办单位" in r.content.decode()
