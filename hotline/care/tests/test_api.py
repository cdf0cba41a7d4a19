import io

import pytest
from PIL import Image

from hotline.accounts.models import DataAccess

from .factories import GONGGUAN, help_order, request_from_order

pytestmark = pytest.mark.django_db


def test_list_is_masked_and_scoped(token_client, people, django_assert_max_num_queries):
    for _ in range(3):
        request_from_order(people.agent)
    client = token_client(people.gongguan)
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/care/requests")
    assert r.status_code == 200
    body = r.json()
    assert len(body) == 3 and all(item["masked"] for item in body)
    assert body[0]["household_phone"] == "138****1111"
    assert token_client(people.other_town).get("/api/v1/care/requests").json() == []
    assert not DataAccess.objects.exists()


def test_one_request_unmasked_for_the_town_and_recorded(token_client, people):
    care = request_from_order(people.agent)
    r = token_client(people.gongguan).get(f"/api/v1/care/requests/{care.pk}")
    assert r.status_code == 200 and r.json()["household_phone"] == "13800001111"
    assert DataAccess.objects.filter(user=people.gongguan, via="api_request").count() == 1
    masked = token_client(people.volunteer).get(f"/api/v1/care/requests/{care.pk}").json()
    assert masked["masked"] and masked["household_name"] == "江**"
    assert (
        token_client(people.other_town).get(f"/api/v1/care/requests/{care.pk}").status_code == 404
    )


def test_from_order_assign_deliver_over_the_api(token_client, people, vol):
    order = help_order(people.agent)
    r = token_client(people.agent).post(
        "/api/v1/care/requests/from-order",
        {"order": order.number, "need": "groceries"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    care = r.json()
    task_id = care["tasks"][0]["id"]
    town = token_client(people.gongguan)
    r = town.post(
        f"/api/v1/care/tasks/{task_id}/assign",
        {"volunteer": vol.gongguan.pk},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["tasks"][0]["assignee"] == "vol_gg"
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "p.jpg"
    volunteer = token_client(vol.gongguan)
    r = volunteer.post(f"/api/v1/care/tasks/{task_id}/deliver", {"photo": buf})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["tasks"][0]["has_photo"]


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({"order": "20221105-999999", "need": "groceries"}, 404, "not_found"),
        ({"order": "x", "need": "flowers"}, 422, "unknown_need"),
        ({"need": "groceries"}, 422, "validation_error"),
        ({"order": "2022\x001105", "need": "groceries"}, 422, "nul_character"),
        ({"order": "x", "need": "groceries", "items": "米\x00"}, 422, "nul_character"),
    ],
)
def test_bad_from_order_requests(token_client, people, body, status, code):
    r = token_client(people.agent).post(
        "/api/v1/care/requests/from-order", body, content_type="application/json"
    )
    assert r.status_code == status and r.json()["code"] == code


def test_community_request_over_the_api(token_client, people):
    body = {
        "town_code": GONGGUAN,
        "need": "formula",
        "description": "奶粉没了",
        "address": "公馆镇艾屋村2号",
        "household_phone": "13900001234",
    }
    r = token_client(people.gongguan).post(
        "/api/v1/care/requests", body, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["urgent"] and r.json()["order"]
    r = token_client(people.other_town).post(
        "/api/v1/care/requests", body, content_type="application/json"
    )
    assert r.status_code == 403


def test_wrong_code_and_unauthenticated(token_client, client, people, vol):
    care = request_from_order(people.agent)
    task = care.tasks.get()
    town = token_client(people.gongguan)
    town.post(
        f"/api/v1/care/tasks/{task.pk}/assign", {"by_office": True}, content_type="application/json"
    )
    wrong = "000000" if care.confirmation_code != "000000" else "111111"
    r = town.post(f"/api/v1/care/tasks/{task.pk}/deliver", {"code": wrong})
    assert r.status_code == 422 and r.json()["code"] == "wrong_code"
    assert client.get("/api/v1/care/requests").status_code == 401
