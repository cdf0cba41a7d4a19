import io

import pytest
from django.urls import reverse
from PIL import Image

from hotline.accounts.models import DataAccess
from hotline.care.models import CareRequest

from .factories import help_order, request_from_order

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-for-tests-42"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_board_lists_requests_masked_and_candidate_orders(
    client, people, django_assert_max_num_queries
):
    request_from_order(people.agent)
    for _ in range(3):
        request_from_order(people.agent)
    candidate = help_order(people.agent)
    login(client, people.gongguan)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:requests"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "江*" in html and "江建国" not in html
    assert "13800001111" not in html
    login(client, people.agent)
    assert candidate.number in client.get(reverse("care:requests")).content.decode()


def test_convert_an_order_from_the_board(client, people):
    order = help_order(people.agent)
    login(client, people.agent)
    r = client.post(
        reverse("care:from-order"), {"order": order.number, "need": "groceries", "items": "菜包"}
    )
    care = CareRequest.objects.get(order=order)
    assert r.status_code == 302 and r.url == reverse("care:request", args=[care.pk])
    again = client.post(reverse("care:from-order"), {"order": order.number, "need": "meals"})
    assert again.status_code == 409 and "已转为关爱需求" in again.content.decode()
    bad = client.post(reverse("care:from-order"), {"order": "", "need": "meals"})
    assert bad.status_code == 422


def test_other_town_cannot_open_a_request(client, people):
    care = request_from_order(people.agent)
    login(client, people.other_town)
    assert client.get(reverse("care:request", args=[care.pk])).status_code == 404


def test_volunteer_delivers_from_the_route_with_a_photo(client, people, vol):
    from hotline.care import services

    care = request_from_order(people.agent)
    task = care.tasks.get()
    services.plan_route(people.gongguan, vol.gongguan, [task.pk])
    login(client, vol.gongguan)
    page = client.get(reverse("care:route"))
    assert "茂南区公馆镇艾屋村三巷12号" in page.content.decode()
    assert DataAccess.objects.filter(user=vol.gongguan, via="care_route").count() == 1
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "handover.png"
    r = client.post(
        reverse("care:task-action", args=[task.pk, "deliver"]), {"photo": buf, "next": "route"}
    )
    assert r.status_code == 302
    care.refresh_from_db()
    assert care.status == "done"
    photo = client.get(reverse("care:photo", args=[task.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    login(client, people.other_town)
    assert client.get(reverse("care:photo", args=[task.pk])).status_code == 404


def test_wrong_code_is_shown_on_the_page_with_422(client, people, vol):
    care = request_from_order(people.agent)
    task = care.tasks.get()
    login(client, people.gongguan)
    client.post(reverse("care:task-action", args=[task.pk, "assign"]), {"by_office": "1"})
    wrong = "000000" if care.confirmation_code != "000000" else "111111"
    r = client.post(reverse("care:task-action", args=[task.pk, "deliver"]), {"code": wrong})
    assert r.status_code == 422 and "确认码不正确" in r.content.decode()


def test_reveal_button_records_the_read(client, people):
    care = request_from_order(people.agent)
    login(client, people.volunteer)
    page = client.get(reverse("care:request", args=[care.pk])).content.decode()
    assert "显示完整信息" not in page
    assert client.post(reverse("care:reveal", args=[care.pk])).status_code == 403
    login(client, people.gongguan)
    r = client.post(reverse("care:reveal", args=[care.pk]), HTTP_HX_REQUEST="true")
    assert "13800001111" in r.content.decode()
    assert DataAccess.objects.filter(user=people.gongguan, via="care_request_page").exists()


def test_community_form_and_stock_pages(client, people):
    login(client, people.gongguan)
    assert client.get(reverse("care:new")).status_code == 200
    r = client.post(
        reverse("care:new"),
        {
            "need": "meals",
            "description": "独居老人需送饭",
            "address": "公馆镇艾屋村1号",
            "village": "440902101216",
        },
    )
    assert r.status_code == 302
    assert CareRequest.objects.get().order.kind == "care.request"
    assert client.post(reverse("care:new"), {"need": "meals"}).status_code == 422
    r = client.post(reverse("care:stock"), {"name": "爱心菜包", "quantity": 5, "measure": "袋"})
    assert r.status_code == 302
    assert "爱心菜包" in client.get(reverse("care:stock")).content.decode()
    login(client, people.agent)
    assert client.get(reverse("care:new")).status_code == 403
    assert client.get(reverse("care:stock")).status_code == 403


def test_plan_page_routes_tasks(client, people, vol):
    care = request_from_order(people.agent)
    task = care.tasks.get()
    login(client, people.gongguan)
    assert client.get(reverse("care:plan")).status_code == 200
    r = client.post(reverse("care:plan"), {"volunteer": vol.gongguan.pk, "tasks": [task.pk]})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.assignee == vol.gongguan and task.route_position == 1


def test_route_and_request_pages_have_bounded_queries(
    client, people, vol, django_assert_max_num_queries
):
    from hotline.care import services

    tasks = [request_from_order(people.agent).tasks.get() for _ in range(4)]
    services.plan_route(people.gongguan, vol.gongguan, [t.pk for t in tasks])
    login(client, vol.gongguan)
    # one data-access record per household shown: bounded by the route's length
    with django_assert_max_num_queries(12 + len(tasks)):
        assert client.get(reverse("care:route")).status_code == 200
    login(client, people.gongguan)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("care:request", args=[tasks[0].request_id])).status_code == 200
