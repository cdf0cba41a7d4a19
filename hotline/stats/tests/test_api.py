"""The stats API: scope, refusals as {code, message}, every figure, the history import."""

from __future__ import annotations

import pytest

from .factories import T0

pytestmark = pytest.mark.django_db
Q = f"start={T0.date()}&end={T0.date()}"


def test_board_and_league_for_the_city(city, people, token_client, django_assert_max_num_queries):
    api = token_client(people.supervisor)
    with django_assert_max_num_queries(15):
        board = api.get(f"/api/v1/stats/board?{Q}").json()
    assert board["total"] == 6 and board["by_hour"] is True
    league = api.get(f"/api/v1/stats/league?{Q}").json()
    g = next(u for u in league["units"] if u["name"] == "茂南区公馆镇人民政府")
    assert (g["accept_rate"], g["resolve_rate"], g["satisfaction_rate"]) == (50.0, 75.0, 75.0)
    assert league["total"]["first_contact_rate"] == 16.7


def test_unit_scope_and_refusals(city, people, token_client):
    unit = token_client(people.gongguan)
    assert unit.get(f"/api/v1/stats/board?{Q}").json()["total"] == 4
    r = unit.get(f"/api/v1/stats/report?day={T0.date()}")
    assert r.status_code == 403 and r.json()["code"] == "stats_forbidden"
    r = token_client(people.agent).get("/api/v1/stats/board")
    assert r.status_code == 403 and r.json()["code"] == "stats_forbidden"


def test_report_and_tables(city, people, token_client):
    api = token_client(people.admin)
    report = api.get(f"/api/v1/stats/report?day={T0.date()}&cutoff=24").json()
    assert report["figures"]["total"] == 6
    assert [u["urgency"] for u in report["urgent"]] == ["critical", "urgent"]
    table = api.get(f"/api/v1/stats/tables/units?{Q}").json()
    assert table["headers"][:2] == ["名次", "承办单位"]
    assert api.get("/api/v1/stats/tables/nope").status_code == 422


def test_bad_period_is_422_with_a_code(people, token_client):
    r = token_client(people.supervisor).get("/api/v1/stats/board?start=2022-11-08&end=2022-11-01")
    assert r.status_code == 422 and r.json()["code"] == "period_reversed"


@pytest.mark.parametrize(
    "path",
    [
        "board?start=0001-01-01",
        "board?end=0001-01-01",
        "report?day=0001-01-01",
        "tables/towns?start=0001-01-01",
        "league?start=9999-12-31",
    ],
)
def test_a_day_out_of_range_is_422_not_an_overflow(people, token_client, path):
    """Found by the stateful fuzzing: last year's comparison moved 0001-01-01 below date.min."""
    r = token_client(people.admin).get(f"/api/v1/stats/{path}")
    assert r.status_code == 422 and r.json()["code"] == "date_out_of_range"


def test_history_import_and_read(people, token_client):
    api = token_client(people.supervisor)
    r = api.post(
        "/api/v1/stats/history",
        {"csv": "date,count\n2021-11-05,2530\n", "source": "api"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["total"] == 2530
    rows = api.get("/api/v1/stats/history?start=2021-11-01&end=2021-11-30").json()
    assert rows == [
        {"day": "2021-11-05", "hour": None, "channel": "", "epidemic": None, "count": 2530}
    ]
    bad = api.post("/api/v1/stats/history", {"csv": "x\n1\n"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "history_header"
    unit = token_client(people.gongguan)
    r = unit.post(
        "/api/v1/stats/history",
        {"csv": "date,count\n2021-11-05,1\n"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_no_server_error_for_generated_requests(city, people, openapi_schema):
    pytest.importorskip("schemathesis")
    from hotline.accounts.services import create_token
    from hotline.common.testing import fuzz_operations

    schema = openapi_schema("统计分析")
    headers = {
        "supervisor": {"Authorization": f"Bearer {create_token(people.supervisor)}"},
        "unit": {"Authorization": f"Bearer {create_token(people.gongguan)}"},
    }
    statuses = fuzz_operations(schema, headers, examples=10, real_path={})
    assert statuses and max(statuses) < 500
