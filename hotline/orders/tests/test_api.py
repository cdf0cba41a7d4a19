"""The orders API: receive with idempotency, list with filters and counts, detail, actions."""

import datetime as dt

import pytest
from django.utils import timezone

from hotline.orders import services
from hotline.orders.models import Order, PersonalDataAccess

from .factories import OrderRowFactory, appeal, receive

BODY = {
    "channel": "phone",
    "description": "我是公馆镇的残疾人，一个人在家，家里没有吃的了。",
    "caller_name": "张三",
    "caller_phone": "13812341234",
    "address": "金湖小区3栋2单元",
    "appeal_type": "help",
    "category": "supplies",
    "urgency": "urgent",
    "vulnerable": ["disabled"],
    "district_code": "440902",
    "town_code": "440902101",
}


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", headers=headers)


def test_receive_201_then_same_key_200_then_other_body_409(people, api_as):
    c = api_as(people.agent)
    r = post(c, "/api/v1/orders", BODY, **{"Idempotency-Key": "call-1"})
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "dispatched"
    assert (
        order["handling_unit"]
        == {
            "code": "440902-epi",
            "name": "茂名市茂南区新冠肺炎疫情防控指挥部办公室",
            "kind": "epidemic_office",
        }
        or order["handling_unit"]["code"] == "440902-epi"
    )
    assert order["accept_deadline"].endswith("+08:00")
    assert dt.datetime.fromisoformat(order["accept_deadline"]) - dt.datetime.fromisoformat(
        order["received_at"]
    ) == dt.timedelta(minutes=30)
    # The answer is the order's summary: no appeal text, caller data or timeline ...
    assert not {"description", "caller_name", "caller_phone", "address", "events"} & set(order)
    # ... which the order's own page has.
    detail = c.get(f"/api/v1/orders/{order['number']}").json()
    assert detail["caller_phone"] == "138****1234"
    assert detail["caller_name"] == "张*"
    assert [e["code"] for e in detail["events"]][:2] == [
        "orders.order.received",
        "orders.order.triaged",
    ]
    again = post(c, "/api/v1/orders", BODY, **{"Idempotency-Key": "call-1"})
    assert again.status_code == 200 and again.json()["number"] == order["number"]
    other = post(
        c, "/api/v1/orders", {**BODY, "description": "别的事"}, **{"Idempotency-Key": "call-1"}
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1


def test_token_clients_must_send_an_idempotency_key(people, api_as):
    r = post(api_as(people.agent), "/api/v1/orders", BODY)
    assert r.status_code == 400
    assert r.json()["code"] == "idempotency_key_required"


def test_session_client_may_omit_the_key(people, client):
    client.force_login(people.agent)
    r = client.post("/api/v1/orders", BODY, content_type="application/json")
    # Session writes need CSRF in ninja's django_auth; the test client skips CSRF checks.
    assert r.status_code == 201, r.content


def test_validation_errors_are_422_with_fields(people, api_as):
    r = post(
        api_as(people.agent),
        "/api/v1/orders",
        {**BODY, "channel": "pigeon", "caller_phone": "abc"},
        **{"Idempotency-Key": "k"},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"payload.channel", "payload.caller_phone"} <= fields or {
        "channel",
        "caller_phone",
    } <= {f.split(".")[-1] for f in fields}
    r = post(
        api_as(people.agent),
        "/api/v1/orders",
        {**BODY, "description": "a\x00b"},
        **{"Idempotency-Key": "k2"},
    )
    assert r.status_code == 422 and r.json()["code"] == "nul_character"
    # the same six characters typed as text (a backslash, then u0000) are no NUL
    r = post(
        api_as(people.agent),
        "/api/v1/orders",
        {**BODY, "description": BODY["description"] + " \\u0000"},
        **{"Idempotency-Key": "k3"},
    )
    assert r.status_code == 201, r.content


def test_unknown_division_is_422_and_unknown_order_404(people, api_as):
    c = api_as(people.agent)
    r = post(c, "/api/v1/orders", {**BODY, "town_code": "440902999"}, **{"Idempotency-Key": "x"})
    assert r.status_code == 422 and r.json()["code"] == "unknown_division"
    r = c.get("/api/v1/orders/20221107-999999")
    assert r.status_code == 404 and r.json()["code"] == "order_not_found"


def test_list_filters_counts_and_pagination(people, api_as):
    receive(people.agent)
    receive(people.agent, urgency="urgent")
    receive(people.agent, category="market", district_code=None, town_code=None, address="")
    c = api_as(people.agent)
    r = c.get("/api/v1/orders")
    assert r.status_code == 200 and r.json()["count"] == 3
    assert c.get("/api/v1/orders", {"urgency": "urgent"}).json()["count"] == 1
    assert c.get("/api/v1/orders", {"unit": "dept-market"}).json()["count"] == 1
    assert c.get("/api/v1/orders", {"town": "440902101"}).json()["count"] == 2
    assert c.get("/api/v1/orders", {"status": "closed"}).json()["count"] == 0
    page = c.get("/api/v1/orders", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    # All three were received on 7 Nov 2022, long overdue by now.
    assert c.get("/api/v1/orders", {"overdue": True}).json()["count"] == 3
    assert c.get("/api/v1/orders", {"overdue": False}).json()["count"] == 0
    assert (
        c.get("/api/v1/orders", {"created_from": "2022-11-08T00:00:00+08:00"}).json()["count"] == 0
    )
    assert c.get("/api/v1/orders", {"limit": 0}).status_code == 422


@pytest.mark.parametrize("role", ["agent", "gongguan"])
def test_list_query_count_is_bounded(people, api_as, role, django_assert_max_num_queries):
    unit = people.gongguan.hotline_profile.unit
    for _ in range(30):
        OrderRowFactory(handling_unit=unit)
    c = api_as(getattr(people, role))
    c.get("/api/v1/orders")  # warm the token's last-used write
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/orders", {"limit": 30})
    assert r.json()["count"] == 30 and len(r.json()["items"]) == 30


def test_detail_masks_and_reveal_is_recorded(people, api_as):
    order = receive(people.agent, address="茂南区公馆镇某某村3巷12号")
    c = api_as(people.agent)
    masked = c.get(f"/api/v1/orders/{order.number}").json()
    assert masked["caller_phone"] == "138****1234" and masked["personal_data_masked"]
    assert masked["address"] == "茂南区公馆镇某某村****"
    assert PersonalDataAccess.objects.count() == 0
    r = c.get(f"/api/v1/orders/{order.number}", {"reveal": True})
    assert r.status_code == 422 and r.json()["code"] == "reveal_reason_required"
    why = {"reveal": True, "reason": "回拨核实地址"}
    revealed = c.get(f"/api/v1/orders/{order.number}", why).json()
    assert revealed["caller_phone"] == "13812341234" and revealed["caller_name"] == "张三"
    assert revealed["address"] == "茂南区公馆镇某某村3巷12号"
    access = PersonalDataAccess.objects.get()
    assert access.user == people.agent and access.order == order
    assert access.fields == ["caller_name", "caller_phone", "address", "latitude", "longitude"]
    r = api_as(people.volunteer).get(f"/api/v1/orders/{order.number}", why)
    assert r.status_code == 403 and r.json()["code"] == "reveal_forbidden"
    r = api_as(people.gongguan).get(f"/api/v1/orders/{order.number}", why)
    assert r.status_code == 200 and r.json()["caller_phone"] == "13812341234"


def test_full_walk_through_the_actions(people, api_as):
    agent, unit, sup = api_as(people.agent), api_as(people.gongguan), api_as(people.supervisor)
    n = receive(people.agent, now=timezone.now()).number
    url = f"/api/v1/orders/{n}/actions/"
    assert post(unit, url + "accept").json()["status"] == "accepted"
    until = (timezone.now() + dt.timedelta(days=40)).isoformat()
    r = post(unit, url + "request-extension", {"until": until, "reason": "需协调"})
    assert r.status_code == 200 and r.json()["extension"]["reason"] == "需协调"
    r = post(sup, url + "decide-extension", {"approve": True, "note": "同意"})
    assert r.status_code == 200 and r.json()["extension"] is None
    assert post(agent, url + "note", {"text": "已电话安抚"}).status_code == 200
    assert post(sup, url + "escalate", {"reason": "领导关注"}).json()["escalated_at"]
    assert post(unit, url + "resolve", {"reply": "已送米"}).json()["status"] == "resolved"
    r = post(agent, url + "callback", {"satisfaction": "dissatisfied", "note": "没收到"})
    assert r.json()["status"] == "accepted" and r.json()["reopen_count"] == 1
    post(unit, url + "resolve", {"reply": "已再次送达"})
    r = post(agent, url + "callback", {"satisfaction": "satisfied"})
    body = r.json()
    assert body["status"] == "closed"
    codes = [e["code"] for e in body["events"]]
    assert codes[0] == "orders.order.received" and codes[-1] == "orders.order.closed"
    assert "orders.order.reopened" in codes


def test_dispatch_return_duplicate_and_first_contact_actions(people, api_as, kb_article):
    kb_article("kb-1")
    agent, unit = api_as(people.agent), api_as(people.gongguan)
    n = receive(people.agent, now=timezone.now()).number
    r = post(unit, f"/api/v1/orders/{n}/actions/return", {"reason": "不属本镇"})
    assert r.status_code == 200 and r.json()["status"] == "received"
    r = post(
        agent,
        f"/api/v1/orders/{n}/actions/dispatch",
        {"unit": "dept-health", "co_units": ["440902101"]},
    )
    assert r.json()["handling_unit"]["code"] == "dept-health"
    assert [u["code"] for u in r.json()["co_units"]] == ["440902101"]
    dup = receive(people.agent).number
    r = post(agent, f"/api/v1/orders/{dup}/actions/link-duplicate", {"of": "2022\x001105"})
    assert r.status_code == 422  # PostgreSQL cannot even compare text holding NUL
    r = post(agent, f"/api/v1/orders/{dup}/actions/link-duplicate", {"of": n})
    assert r.json()["duplicate_of"] == n and r.json()["status"] == "closed"
    q = services.receive(
        people.agent,
        **appeal(appeal_type="inquiry", district_code=None, town_code=None, category="testing"),
    ).order
    r = post(
        agent,
        f"/api/v1/orders/{q.number}/actions/close-first-contact",
        {"answer": "见公告", "article_key": "kb-1"},
    )
    assert r.json()["status"] == "closed" and r.json()["article_key"] == "kb-1"


def test_state_conflict_is_409_with_code_and_chinese_message(people, api_as):
    n = receive(people.agent).number
    r = post(api_as(people.gongguan), f"/api/v1/orders/{n}/actions/resolve", {"reply": "好"})
    assert r.status_code == 409
    assert r.json()["code"] == "invalid_state" and "不能" in r.json()["message"]


def test_mode_switch(people, api_as):
    assert api_as(people.agent).get("/api/v1/sla/mode").json()["mode"] == "normal"
    assert post(api_as(people.agent), "/api/v1/sla/mode", {"mode": "surge"}).status_code == 403
    r = post(api_as(people.supervisor), "/api/v1/sla/mode", {"mode": "surge"})
    assert r.status_code == 200 and r.json()["mode"] == "surge"
    assert r.json()["changed_by"] == "supervisor"


def test_openapi_lists_every_action(client, people):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for action in [
        "dispatch",
        "accept",
        "return",
        "request-extension",
        "decide-extension",
        "note",
        "escalate",
        "resolve",
        "callback",
        "close-first-contact",
        "link-duplicate",
    ]:
        assert f"/api/v1/orders/{{number}}/actions/{action}" in paths


def test_out_of_range_times_are_422_not_500(people, api_as):
    # Found by schemathesis on PostgreSQL: an offset of +19:32 cannot be stored or compared.
    c = api_as(people.agent)
    r = c.get("/api/v1/orders", {"created_from": "2022-11-05T14:10:49+19:32"})
    assert r.status_code == 422
    assert c.get("/api/v1/orders", {"created_from": "0335-11-24T14:10:49+08:00"}).status_code == 422
    naive = c.get("/api/v1/orders", {"created_from": "2022-11-05T00:00:00"})
    assert naive.status_code == 200


def test_receive_with_village_and_coordinates(people, api_as):
    """A village names its town and district; coordinates come back rounded unless revealed."""
    body = {k: v for k, v in BODY.items() if k not in ("district_code", "town_code")}
    body |= {"village_code": "440902101203", "latitude": 21.712345, "longitude": 110.987654}
    c = api_as(people.agent)
    r = post(c, "/api/v1/orders", body, **{"Idempotency-Key": "village-1"})
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["district_code"], data["town_code"], data["village_code"]) == (
        "440902",
        "440902101",
        "440902101203",
    )
    assert "latitude" not in data  # the answer carries no personal data
    masked = c.get(f"/api/v1/orders/{data['number']}").json()
    assert (masked["latitude"], masked["longitude"]) == (21.71, 110.99)
    revealed = c.get(
        f"/api/v1/orders/{data['number']}", {"reveal": True, "reason": "核对来电位置"}
    ).json()
    assert (revealed["latitude"], revealed["longitude"]) == (21.712345, 110.987654)


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"village_code": "440902101203", "town_code": "440902102"}, "division_mismatch"),
        ({"village_code": "440902101"}, "unknown_division"),  # a town's code is not a village
        ({"village_code": "440902101999"}, "unknown_division"),
        ({"latitude": 21.7}, "coordinates_incomplete"),
    ],
)
def test_receive_refuses_places_that_do_not_fit(people, api_as, extra, code):
    body = {k: v for k, v in BODY.items() if k not in ("district_code", "town_code")} | extra
    r = post(api_as(people.agent), "/api/v1/orders", body, **{"Idempotency-Key": "bad-place"})
    assert r.status_code == 422 and r.json()["code"] == code
    assert not Order.objects.exists()


def test_receive_refuses_coordinates_out_of_range(people, api_as):
    body = BODY | {"latitude": 91, "longitude": 110}
    r = post(api_as(people.agent), "/api/v1/orders", body, **{"Idempotency-Key": "far-north"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].endswith("latitude")


def test_triage_fills_the_village_from_the_text(people):
    order = services.receive(
        people.agent, channel="phone", description="公馆镇东华岭村有户人家的狗天天半夜叫"
    ).order
    assert (order.town_id, order.village_id) == ("440902101", "440902101203")
