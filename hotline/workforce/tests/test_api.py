"""The workforce API: shapes, permissions, errors as {code, message}, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hotline.workforce import services
from hotline.workforce.models import Duty

from .factories import PersonFactory, shift_now

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


def test_on_shift_lists_signed_in_people(staff, token_client, django_assert_max_num_queries):
    for _ in range(5):
        shift_now(PersonFactory())
    shift_now(staff.agent)
    client = token_client(staff.people.supervisor)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/on-shift")
    assert r.status_code == 200
    body = r.json()
    assert len(body) == 6 and {"name", "orders", "calls", "over_cap"} <= set(body[0])
    assert token_client(staff.people.agent).get(f"{API}/on-shift").status_code == 403


def test_staffing_endpoint(staff, token_client):
    r = token_client(staff.people.supervisor).get(f"{API}/staffing")
    assert r.status_code == 200
    body = r.json()
    assert len(body["intervals"]) == 96 and body["aht_source"] == "default"
    r = token_client(staff.people.supervisor).get(f"{API}/staffing?day=not-a-day")
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    # a day near date.min / date.max (the forecast reads weeks back) is refused, not a 500
    for day in ("0001-01-01", "9999-12-31"):
        r = token_client(staff.people.supervisor).get(f"{API}/staffing", {"day": day})
        assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("day"), r.json()
    r = token_client(staff.people.supervisor).get(f"{API}/staffing", {"day": "2099-12-31"})
    assert r.status_code == 200


def test_erlang_calculator(people, token_client):
    client = token_client(people.agent)
    r = client.post(
        f"{API}/erlang",
        {"calls_per_interval": 50, "aht_seconds": 180},
        content_type="application/json",
    )
    assert r.status_code == 200
    body = r.json()
    assert body["load"] == pytest.approx(10.0) and body["needed_c"] == 14
    assert body["needed_a"] <= body["needed_c"] and body["service_level_c"] >= 0.8
    r = client.post(
        f"{API}/erlang",
        {"calls_per_interval": -1, "aht_seconds": 180},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = client.post(
        f"{API}/erlang",
        {"calls_per_interval": 100000, "aht_seconds": 7200},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "load_too_large"
    assert (
        token_client(people.gongguan)
        .post(
            f"{API}/erlang",
            {"calls_per_interval": 5, "aht_seconds": 180},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_sign_in_and_out_by_api(staff, token_client):
    shift = shift_now(staff.agent, signed_in=False)
    other = token_client(staff.people.volunteer).post(f"{API}/shifts/{shift.pk}/sign-in")
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    mine = token_client(staff.people.agent)
    r = mine.post(f"{API}/shifts/{shift.pk}/sign-in")
    assert r.status_code == 200 and r.json()["signed_in_at"]
    r = mine.post(f"{API}/shifts/{shift.pk}/sign-in")
    assert r.status_code == 409 and r.json()["code"] == "already_signed_in"
    assert mine.post(f"{API}/shifts/{shift.pk}/sign-out").status_code == 200
    assert mine.post(f"{API}/shifts/999999/sign-out").status_code == 404


def test_call_records_from_the_telephony_system(staff, token_client):
    client = token_client(staff.people.supervisor)
    call = {
        "person_id": staff.agent.pk,
        "started_at": timezone.now().isoformat(),
        "talk_seconds": 180,
        "wrap_seconds": 40,
    }
    r = client.post(f"{API}/calls", call, content_type="application/json")
    assert r.status_code == 201 and r.json()["created"]
    r = client.post(f"{API}/calls", call, content_type="application/json")
    assert r.status_code == 200 and not r.json()["created"]
    r = client.post(
        f"{API}/calls", {**call, "talk_seconds": "long"}, content_type="application/json"
    )
    assert r.status_code == 422


def test_people_list_is_for_managers(staff, token_client, django_assert_max_num_queries):
    for _ in range(10):
        PersonFactory()
    client = token_client(staff.people.supervisor)
    with django_assert_max_num_queries(6):
        r = client.get(f"{API}/people?limit=50")
    assert r.status_code == 200 and len(r.json()) == 13
    assert all("****" in p["phone"] for p in r.json())
    assert token_client(staff.people.agent).get(f"{API}/people").status_code == 403
    # a page past the end is empty; an offset or limit out of bounds is a 422, never a 500
    # (an offset past PostgreSQL's bigint was one)
    assert client.get(f"{API}/people?offset=1000").json() == []
    for query in ("offset=34028236692093846346", "offset=-1", "limit=0", "limit=501"):
        r = client.get(f"{API}/people?{query}")
        assert r.status_code == 422 and r.json()["code"] == "validation_error", query


def test_teams_for_field_staff_not_for_unit_handlers(
    people, make_user, token_client, django_assert_max_num_queries
):
    members = [PersonFactory(kind="lawyer") for _ in range(3)]
    team = services.form_team(people.supervisor, "律师队", leader=members[0], members=members)
    services.deploy(
        people.supervisor,
        team,
        site_kind="compound",
        site_name="西粤社区",
        starts_on=timezone.localdate(),
        members=members,
        tasks=["gate_duty"],
    )
    field = make_user("field_staff")
    with django_assert_max_num_queries(8):
        r = token_client(field).get(f"{API}/teams")
    assert r.status_code == 200
    assert r.json()[0]["deployments"][0]["members"] == 3
    assert token_client(people.gongguan).get(f"{API}/teams").status_code == 403


def test_duties_by_api(people, token_client):
    person = PersonFactory()
    start = timezone.now() + dt.timedelta(hours=1)
    duty = {
        "person_id": person.pk,
        "source_app": "control",
        "source_type": "checkpoint",
        "source_id": "5",
        "task": "checkpoint_duty",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=8)).isoformat(),
    }
    client = token_client(people.supervisor)
    r = client.post(f"{API}/duties", duty, content_type="application/json")
    assert r.status_code == 201
    duty_id = r.json()["id"]
    r = client.post(f"{API}/duties", {**duty, "source_id": "6"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "duty_overlap"
    r = client.post(f"{API}/duties", {**duty, "source_app": ""}, content_type="application/json")
    assert r.status_code == 422
    assert client.post(f"{API}/duties/{duty_id}/release").status_code == 200
    assert Duty.objects.get(pk=duty_id).released_at is not None
    assert (
        token_client(people.agent)
        .post(f"{API}/duties", duty, content_type="application/json")
        .status_code
        == 403
    )
