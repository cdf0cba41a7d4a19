"""The sampling API: batch registrations and results with per-row errors, coverage, refusals
as {code, message}."""

from __future__ import annotations

import pytest

from ..models import Recall
from .factories import VILLAGE, id_number, make_residents

pytestmark = pytest.mark.django_db


def _rows(site, seqs, tube="API1"):
    return [
        {
            "tube": tube,
            "person": id_number(i),
            "site": site.pk,
            "sampled_at": "2022-11-05T09:00:00+08:00",
        }
        for i in seqs
    ]


def test_batch_registration_and_results_make_recalls(token_client, city, rnd, site, staff):
    api = token_client(staff)
    url = f"/api/v1/sampling/rounds/{rnd.pk}/samples"
    rows = [*_rows(site, range(5)), {**_rows(site, [9])[0], "person": "440902195001010001"}]
    resp = api.post(url, {"rows": rows}, content_type="application/json")
    body = resp.json()
    assert resp.status_code == 200 and body["created"] == 5
    assert body["errors"] == [
        {"row": 6, "code": "bad_id_number", "message": "身份证号码有误（校验位不符）。"}
    ]
    resp = api.post(url, {"rows": _rows(site, range(5, 10))}, content_type="application/json")
    assert resp.json()["tubes_closed"] == 1

    boss = token_client(city.supervisor)
    resp = boss.post(
        f"/api/v1/sampling/rounds/{rnd.pk}/results",
        {
            "file_name": "lis.json",
            "rows": [
                {"tube": "API1", "result": "positive", "at": "2022-11-05T20:00:00+08:00"},
                {"tube": "API9", "result": "negative", "at": "2022-11-05T20:00:00+08:00"},
            ],
        },
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["created"] == 1
    assert resp.json()["errors"][0]["code"] == "unknown_tube"
    assert Recall.objects.count() == 10


def test_results_refused_to_field_staff_and_bad_bodies(token_client, city, rnd, site, staff):
    api = token_client(staff)
    resp = api.post(
        f"/api/v1/sampling/rounds/{rnd.pk}/results", {"rows": []}, content_type="application/json"
    )
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    resp = api.post(
        f"/api/v1/sampling/rounds/{rnd.pk}/samples", {"rows": "x"}, content_type="application/json"
    )
    assert resp.status_code == 422 and resp.json()["code"] == "validation_error"
    resp = api.post(
        "/api/v1/sampling/rounds/999999/samples", {"rows": []}, content_type="application/json"
    )
    assert resp.status_code == 404 and resp.json()["code"] == "round_not_found"
    agent = token_client(city.agent)
    resp = agent.post(
        f"/api/v1/sampling/rounds/{rnd.pk}/samples", {"rows": []}, content_type="application/json"
    )
    assert resp.status_code == 404


def test_coverage_endpoints(token_client, city, rnd, site, staff, django_assert_max_num_queries):
    make_residents(city.supervisor, 4)
    token_client(staff).post(
        f"/api/v1/sampling/rounds/{rnd.pk}/samples",
        {"rows": _rows(site, range(2))},
        content_type="application/json",
    )
    town = token_client(city.gongguan)
    resp = town.get(f"/api/v1/sampling/rounds/{rnd.pk}/coverage/{VILLAGE}")
    assert resp.status_code == 200
    assert (resp.json()["registered"], resp.json()["sampled"], resp.json()["percent"]) == (
        4,
        2,
        50.0,
    )
    assert town.get(f"/api/v1/sampling/rounds/{rnd.pk}/coverage").status_code == 403
    boss = token_client(city.supervisor)
    with django_assert_max_num_queries(12):
        every = boss.get(f"/api/v1/sampling/rounds/{rnd.pk}/coverage")
    assert every.status_code == 200 and len(every.json()) == 23
    assert boss.get(f"/api/v1/sampling/rounds/{rnd.pk}/coverage/440902102201").status_code == 404


def test_out_of_range_ids_are_404_not_500(token_client, city):
    boss = token_client(city.supervisor)
    for url in (
        "/api/v1/sampling/rounds/99999999999999999999/coverage",
        "/api/v1/sampling/rounds/9223372036854775808/coverage/440902101201",
    ):
        assert boss.get(url).status_code in (404, 422), url


def test_nul_characters_are_refused_not_500(token_client, city, rnd, site, staff):
    api = token_client(staff)
    row = {**_rows(site, [1])[0], "tube": "A\u0000B"}
    resp = api.post(f"/api/v1/sampling/rounds/{rnd.pk}/samples", {"rows": [row]},
                    content_type="application/json")  # fmt: skip
    assert resp.status_code == 422
    boss = token_client(city.supervisor)
    resp = boss.get(f"/api/v1/sampling/rounds/{rnd.pk}/coverage/44%00")
    assert resp.status_code == 422 and resp.json()["code"] == "nul_character"
