"""The stats pages: who sees what, the period and report forms, the downloads."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from .factories import T0

pytestmark = pytest.mark.django_db
Q = f"start={T0.date()}&end={T0.date()}"
PASSWORD = "Pw-for-tests-42"


def _client(client, user):
    client.force_login(user)
    return client


def test_board_for_the_supervisor_has_charts_tables_and_no_inline_script(
    city, people, client, django_assert_max_num_queries
):
    c = _client(client, people.supervisor)
    with django_assert_max_num_queries(17):
        r = c.get(f"/stats/?{Q}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-chart="volume"' in html and 'id="board-data"' in html
    assert "echarts-6.1.0.min.js" in html and "stats/board.js" in html
    assert "<script>" not in html and "onclick" not in html and 'style="' not in html
    assert 'data-figure="total">6<' in html
    assert "茂南区公馆镇人民政府" in html  # overdue by unit


def test_panels_refresh(city, people, client):
    r = _client(client, people.supervisor).get(f"/stats/panels/?{Q}")
    assert r.status_code == 200 and 'data-figure="total">6<' in r.content.decode()


def test_unit_handler_sees_own_figures_and_no_report(city, people, client):
    c = _client(client, people.gongguan)
    html = c.get(f"/stats/?{Q}").content.decode()
    assert 'data-figure="total">4<' in html
    league = c.get(f"/stats/league/?{Q}").content.decode()
    assert "茂南区公馆镇人民政府" in league and "茂南区新坡镇人民政府" not in league
    assert c.get("/stats/report/").status_code == 403
    assert c.get("/stats/report.xlsx").status_code == 403


def test_agent_is_refused(people, client):
    r = _client(client, people.agent).get("/stats/")
    assert r.status_code == 403 and "只有值班长" in r.content.decode()


def test_anonymous_goes_to_login(client):
    r = client.get("/stats/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize(
    "query",
    [
        "start=2022-13-01",
        "start=2022-11-08&end=2022-11-01",
        "start=2019-01-01&end=2022-01-01",
        "start=0001-01-01",
    ],
)
def test_bad_periods_are_a_clear_422(people, client, query):
    r = _client(client, people.supervisor).get(f"/stats/?{query}")
    assert r.status_code == 422


def test_league_page(city, people, client, django_assert_max_num_queries):
    c = _client(client, people.supervisor)
    with django_assert_max_num_queries(12):
        r = c.get(f"/stats/league/?{Q}")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-rate="first-contact">16.7%' in html
    assert "50.0%" in html and "(2/4)" in html  # 公馆镇's on-time acceptance


def test_report_page_excel_and_pdf(city, people, client):
    c = _client(client, people.supervisor)
    q = f"day={T0.date()}&cutoff=24"
    assert c.get(f"/stats/report/?{q}").status_code == 200
    xlsx = c.get(f"/stats/report.xlsx?{q}")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:2] == ["总览", "渠道"]
    assert wb["总览"]["B4"].value == 6
    assert wb["总览"]["D4"].value is None  # no last year: no YoY formula
    assert wb["渠道"]["B4"].value == "=SUM(B3:B3)"
    league = wb["承办单位考核"]
    names = [league.cell(r, 2).value for r in range(3, league.max_row + 1)]
    row = 3 + names.index("茂南区公馆镇人民政府")
    assert league.cell(row, 5).value == f'=IF(C{row}=0,"",D{row}/C{row})'
    pdf = c.get(f"/stats/report.pdf?{q}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_report_cutoff(city, people, client):
    c = _client(client, people.supervisor)
    html = c.get(f"/stats/report/?day={T0.date()}&cutoff=9").content.decode()
    assert "截至 9 时" in html
    assert c.get(f"/stats/report/?day={T0.date()}&cutoff=25").status_code == 422


@pytest.mark.parametrize(
    "table",
    ["hours", "channels", "categories", "towns", "pipeline", "overdue", "units", "districts"],
)
def test_every_table_exports(city, people, client, table):
    c = _client(client, people.supervisor)
    r = c.get(f"/stats/export/{table}.csv?{Q}")
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    x = c.get(f"/stats/export/{table}.xlsx?{Q}")
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content)).active.max_row >= 2


def test_unknown_table_or_format(people, client):
    c = _client(client, people.supervisor)
    assert c.get("/stats/export/nope.csv").status_code == 404
    assert c.get("/stats/export/units.pdf").status_code == 404


@pytest.mark.parametrize("model", ["orderfact", "unitfact", "historycount", "statsevent"])
def test_admin_lists_are_read_only(city, client, model):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get(f"/admin/stats/{model}/").status_code == 200
    assert client.get(f"/admin/stats/{model}/add/").status_code == 403
