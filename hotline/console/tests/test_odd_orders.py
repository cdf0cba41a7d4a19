"""Every console page renders with orders of every odd shape (issue #21).

An order may lack a place, a handling unit or a caller name, may be closed at first contact,
linked as a duplicate or reopened. One such order once took the whole order list down with a
500 (a filter argument looked up on a missing district). Here each page is rendered for each
role that may open it, with the demo orders plus one order of each odd shape, and must answer
without a server error and without an unresolved template variable.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from conftest import assert_no_invalid_variables
from hotline.orders import demo as orders_demo
from hotline.orders import services

pytestmark = pytest.mark.django_db

PLACELESS = "我想问一下抗原试剂现在哪里能买到，价格是多少。"


@pytest.fixture
def odd_orders(people, monkeypatch):
    """The demo orders (fewer of them) plus one order of each odd shape, by name."""
    monkeypatch.setattr(orders_demo, "DEMO_COUNT", 30)
    orders_demo.load(io.StringIO())

    def receive(route=True, **fields):
        values = {
            "channel": "phone",
            "description": "公馆镇圩镇路灯坏了一个星期，晚上很黑。",
            "caller_name": "王小明",
            "caller_phone": "13812345678",
            "appeal_type": "help",
            "category": "living",
            "urgency": "normal",
            "vulnerable": [],
            "town_code": "440902101",
        }
        values.update(fields)
        return services.receive(people.agent, **values, route=route).order

    sup = people.supervisor
    shapes = {}
    # no district, no town: received and waiting for the center to dispatch
    shapes["placeless"] = receive(description=PLACELESS, town_code=None, category="other")
    # no place either, dispatched by hand to a town (it shows in that unit's inbox)
    by_hand = receive(description=PLACELESS + "（二）", town_code=None, category="other")
    shapes["placeless_dispatched"] = services.dispatch(sup, by_hand, unit="440902101")
    shapes["no_caller"] = receive(caller_name="", caller_phone="")
    first = receive(appeal_type="inquiry", description="请问核酸检测点几点开门？", route=False)
    shapes["first_contact"] = services.close_at_first_contact(
        people.agent, first, answer="每天 8:00 开门。"
    )
    original = receive(description="公馆镇圩镇停水一天了。")
    dup = receive(description="公馆镇圩镇停水一天了，还没来水。")
    shapes["duplicate"] = services.link_duplicate(people.agent, dup, of=original.number)
    reopened = receive(description="公馆镇圩镇垃圾没人清运。")
    services.accept(people.gongguan, reopened)
    services.resolve(people.gongguan, reopened, reply="已清运。")
    shapes["reopened"] = services.record_callback(
        people.agent, reopened, satisfaction="dissatisfied", note="还是没人来。"
    )
    for order in shapes.values():
        order.refresh_from_db()
    assert shapes["placeless"].district_id is None and shapes["placeless"].town_id is None
    assert shapes["placeless_dispatched"].handling_unit.code == "440902101"
    assert shapes["placeless_dispatched"].town_id is None
    assert shapes["placeless"].handling_unit_id is None
    return shapes


def ok(response):
    assert response.status_code < 500, response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        assert_no_invalid_variables(response)
    return response


LIST_QUERIES = [{}, {"urgency": "critical"}, {"urgency": "normal"}, {"status": "received"}]


@pytest.mark.parametrize(
    "who", ["agent", "volunteer", "supervisor", "admin", "gongguan", "maonan_epi"]
)
def test_every_console_page_renders_with_odd_orders(client, people, odd_orders, who):
    client.force_login(getattr(people, who))
    ok(client.get(reverse("home")))
    for query in LIST_QUERIES:
        ok(client.get(reverse("console:orders"), query))
    for export in ("csv", "xlsx"):
        r = ok(client.get(reverse("console:orders"), {"export": export}))
        if r.status_code == 200:
            b"".join(r.streaming_content) if r.streaming else r.content
    for name in ("console:intake", "console:inbox", "console:inbox-rows"):
        ok(client.get(reverse(name)))
    for name in ("console:board", "console:board-panels"):
        ok(client.get(reverse(name)))
    for order in odd_orders.values():
        ok(client.get(reverse("console:order", args=[order.number])))
    ok(client.get(reverse("console:caller-history"), {"caller_phone": "13812345678"}))


def test_placeless_order_in_the_list_inbox_board_and_page(client, people, odd_orders):
    placeless = odd_orders["placeless"]
    by_hand = odd_orders["placeless_dispatched"]

    client.force_login(people.supervisor)
    for query in LIST_QUERIES:
        r = client.get(reverse("console:orders"), query)
        assert r.status_code == 200
        assert_no_invalid_variables(r)
    html = client.get(reverse("console:orders"), {"status": "received"}).content.decode()
    assert placeless.number in html
    board = client.get(reverse("console:board-panels"))
    assert board.status_code == 200
    page = client.get(reverse("console:order", args=[placeless.number])).content.decode()
    assert "未识别" in page

    client.force_login(people.gongguan)
    inbox = client.get(reverse("console:inbox-rows"))
    assert inbox.status_code == 200
    assert by_hand.number in inbox.content.decode()
    assert_no_invalid_variables(inbox)


def test_placeless_order_in_the_exports(client, people, odd_orders):
    placeless = odd_orders["placeless"]
    client.force_login(people.supervisor)
    r = client.get(reverse("console:orders"), {"export": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(body))}
    header = rows["工单编号"]
    row = rows[placeless.number]
    assert row[header.index("区县")] == "" and row[header.index("镇街")] == ""

    from openpyxl import load_workbook

    r = client.get(reverse("console:orders"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    numbers = [c.value for c in ws["A"]]
    assert placeless.number in numbers


def test_placeless_order_in_the_api(token_client, people, odd_orders):
    api = token_client(people.supervisor)
    listed = api.get("/api/v1/orders", {"status": "received"})
    assert listed.status_code == 200
    detail = api.get(f"/api/v1/orders/{odd_orders['placeless'].number}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["district_code"] in (None, "") and body["town_code"] in (None, "")
    unit_api = token_client(people.gongguan)
    detail = unit_api.get(f"/api/v1/orders/{odd_orders['placeless_dispatched'].number}")
    assert detail.status_code == 200


def test_list_and_inbox_with_production_template_settings(client, people, odd_orders, settings):
    """As production renders them (a missing variable prints nothing and filters still run, so
    a filter argument looked up on a missing object raises): the repro of issue #21."""
    settings.TEMPLATES = [
        dict(t, OPTIONS=dict(t["OPTIONS"], string_if_invalid="")) for t in settings.TEMPLATES
    ]
    client.force_login(people.supervisor)
    for query in LIST_QUERIES:
        assert client.get(reverse("console:orders"), query).status_code == 200
    client.force_login(people.gongguan)
    assert client.get(reverse("console:inbox")).status_code == 200
