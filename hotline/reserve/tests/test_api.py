"""The reserve and fire-watch API: public booking, signed signals, staff endpoints."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from hotline.reserve import services
from hotline.reserve.models import Incident, SignalSource

from .factories import INSIDE, id_number, signed

pytestmark = pytest.mark.django_db


def post(client, url, payload, **headers):
    return client.post(url, json.dumps(payload), content_type="application/json", **headers)


def booking(serial=1, **extra):
    payload = {
        "area": "datianding",
        "visit_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "name": "何美玲",
        "phone": "13719225678",
        "id_number": id_number(serial),
        "party_size": 2,
    }
    payload.update(extra)
    return payload


def test_public_booking_is_masked_and_refused_while_suspended(reserve, staff, token_client):
    client = Client()
    r = post(client, "/api/v1/reserve/bookings", booking())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "137****5678" and "*" in body["id_number"] and body["name"] != "何美玲"
    r = post(
        token_client(staff.manager),
        "/api/v1/reserve/suspensions",
        {"starts_at": timezone.now().isoformat(), "reason": "森林防火", "effect": "hold"},
    )
    assert r.status_code == 201 and r.json()["bookings_affected"] == 1
    r = post(client, "/api/v1/reserve/bookings", booking(2))
    assert r.status_code == 409 and r.json()["code"] == "bookings_suspended"
    avail = client.get(f"/api/v1/reserve/availability?date={timezone.localdate().isoformat()}")
    assert avail.status_code == 200 and not avail.json()[0]["open"]


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"id_number": "440902199003150010"}, 422, "bad_id_number"),
        ({"party_size": 0}, 422, "validation_error"),
        ({"area": "nowhere"}, 404, "area_not_found"),
        ({"visit_date": "2022-13-01"}, 422, "validation_error"),
    ],
)
def test_bad_bookings_get_a_code_not_a_500(reserve, extra, status, code):
    r = post(Client(), "/api/v1/reserve/bookings", booking(**extra))
    assert r.status_code == status and r.json()["code"] == code


def test_only_managers_suspend_and_decide(reserve, staff, token_client):
    r = post(
        token_client(staff.ranger),
        "/api/v1/reserve/suspensions",
        {"starts_at": timezone.now().isoformat(), "reason": "x"},
    )
    assert r.status_code == 403
    made = post(
        Client(),
        "/api/v1/reserve/exceptions",
        {
            **booking(3),
            "kind": "emergency",
            "date_from": timezone.localdate().isoformat(),
            "date_to": timezone.localdate().isoformat(),
            "purpose": "高压线路抢修",
        },
    )
    assert made.status_code == 201
    number = made.json()["number"]
    url = f"/api/v1/reserve/exceptions/{number}/decision"
    assert (
        post(token_client(staff.ranger), url, {"approve": True, "reason": "抢修"}).status_code
        == 403
    )
    r = post(token_client(staff.manager), url, {"approve": True, "reason": "抢修"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert (
        post(token_client(staff.manager), url, {"approve": False, "reason": "改"}).json()["code"]
        == "already_decided"
    )


def test_gate_check_and_passages(reserve, staff, token_client):
    b = services.book(
        None,
        area_code="datianding",
        visit_date=timezone.localdate(),
        visitor=services.VisitorIn("林晓东", "13902681234", id_number(5), 3),
    )
    ranger = token_client(staff.ranger)
    r = ranger.get(f"/api/v1/reserve/gate/check?entrance=qianpai&q={id_number(5)}")
    assert r.status_code == 200 and r.json()[0]["valid"] and r.json()[0]["number"] == b.number
    r = post(
        ranger,
        "/api/v1/reserve/gate/passages",
        {"entrance": "qianpai", "number": b.number, "direction": "in", "people": 3},
    )
    assert r.status_code == 201 and r.json()["inside"] == 3
    r = post(
        ranger,
        "/api/v1/reserve/gate/passages",
        {"entrance": "qianpai", "number": b.number, "direction": "in", "people": 1},
    )
    assert r.status_code == 409 and r.json()["code"] == "party_exceeded"
    inside = ranger.get("/api/v1/reserve/inside").json()
    assert inside[0]["number"] == b.number and inside[0]["phone"] == "139****1234"
    assert token_client(staff.agent).get("/api/v1/reserve/inside").status_code == 403
    assert (
        token_client(staff.agent).get("/api/v1/reserve/gate/check?entrance=qianpai&q=x").status_code
        == 403
    )


def test_signed_signal_opens_an_incident_and_a_replay_is_200(reserve):
    source = SignalSource.objects.get(code="sentinel-yunkai-01")
    payload = {
        "id": "tower1-0001",
        "observed_at": timezone.now().isoformat(),
        "latitude": INSIDE[0],
        "longitude": INSIDE[1],
        "payload": {"smoke": 0.93},
    }
    body, headers = signed(source, payload)
    client = Client()
    r = client.post("/api/v1/fire/signals", body, content_type="application/json", **headers)
    assert r.status_code == 201, r.content
    assert r.json()["opened"] and r.json()["incident_status"] == "dispatched"
    again = client.post("/api/v1/fire/signals", body, content_type="application/json", **headers)
    assert again.status_code == 200 and again.json()["incident"] == r.json()["incident"]
    assert Incident.objects.count() == 1


def test_unsigned_tampered_or_malformed_signals_are_refused(reserve):
    source = SignalSource.objects.get(code="cam-datianding-01")
    payload = {
        "id": "x1",
        "observed_at": timezone.now().isoformat(),
        "latitude": INSIDE[0],
        "longitude": INSIDE[1],
    }
    body, headers = signed(source, payload)
    client = Client()
    tampered = body.replace(b"x1", b"x2")
    r = client.post("/api/v1/fire/signals", tampered, content_type="application/json", **headers)
    assert r.status_code == 403 and r.json()["code"] == "bad_signature"
    r = client.post(
        "/api/v1/fire/signals",
        body,
        content_type="application/json",
        HTTP_X_SOURCE="nope",
        HTTP_X_SIGNATURE="sha256=00",
    )
    assert r.status_code == 403
    r = client.post("/api/v1/fire/signals", body, content_type="application/json")
    assert r.status_code == 422
    for bad in (b"{not json", json.dumps({"id": "x", "latitude": 99}).encode()):
        h = {"HTTP_X_SOURCE": source.code, "HTTP_X_SIGNATURE": services.sign(source, bad)}
        r = client.post("/api/v1/fire/signals", bad, content_type="application/json", **h)
        assert r.status_code == 422 and r.json()["code"] == "bad_signal"
    source.key_version += 1  # a rotated key: the old signature no longer holds
    source.save()
    r = client.post("/api/v1/fire/signals", body, content_type="application/json", **headers)
    assert r.status_code == 403
    assert Incident.objects.count() == 0


def test_incident_list_is_bounded_and_staff_only(
    reserve, staff, token_client, django_assert_max_num_queries
):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    for n in range(5):
        services.receive_signal(
            camera, services.SignalIn(f"c{n}", timezone.now(), 22.22 + 0.03 * n, 111.12 + 0.03 * n)
        )
    client = token_client(staff.ranger)
    client.get("/api/v1/fire/incidents")  # warm the token cache
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/fire/incidents")
    assert r.status_code == 200 and len(r.json()) == 5 and all(i["order"] for i in r.json())
    assert token_client(staff.agent).get("/api/v1/fire/incidents").status_code == 403
    number = r.json()[0]["number"]
    r = post(
        client,
        f"/api/v1/fire/incidents/{number}/resolve",
        {"outcome": "false_alarm", "remember_as": "测试烟囱"},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "false_alarm"
    r = post(client, f"/api/v1/fire/incidents/{number}/resolve", {"outcome": "nonsense"})
    assert r.status_code == 422
    assert client.get("/api/v1/fire/incidents/HQ-none").status_code == 404


def test_positions(reserve, staff, token_client):
    r = post(
        token_client(staff.ranger),
        "/api/v1/reserve/positions",
        {"latitude": 22.3, "longitude": 111.2},
    )
    assert r.status_code == 204
    assert (
        post(
            token_client(staff.agent),
            "/api/v1/reserve/positions",
            {"latitude": 22.3, "longitude": 111.2},
        ).status_code
        == 403
    )


def test_inside_and_availability_are_bounded(
    reserve, staff, token_client, django_assert_max_num_queries
):
    today = timezone.localdate()
    for n in range(4):
        visitor = services.VisitorIn("林晓东", f"1390268{n:04d}", id_number(20 + n), 2)
        b = services.book(None, area_code="datianding", visit_date=today, visitor=visitor)
        services.register_passage(
            staff.ranger, entrance_code="qianpai", number=b.number, direction="in", people=2
        )
    client = token_client(staff.ranger)
    client.get("/api/v1/reserve/inside")
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/reserve/inside")
    assert len(r.json()) == 4
    with django_assert_max_num_queries(6):
        r = Client().get(f"/api/v1/reserve/availability?date={today.isoformat()}")
    assert r.json()[0]["booked"] == 8
