"""U+0000 in what a request carries is refused at the door (RefuseNulMiddleware): PostgreSQL
cannot store or compare such text, so it reached the database as a 500 there and was stored by
SQLite. Both engines now give the same clear refusal, before any view runs."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from hotline.orders.models import Order

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
TEXT = "我是茂南区公馆镇的残疾人，一个人住，家里没有吃的了，出不了门。"


@pytest.mark.parametrize(
    "url",
    [
        "/orders/?q=%00",
        "/control/?q=a%00b",  # read from request.GET by the view: a 500 on PostgreSQL
        "/accounts/otp/verify/?next=%00",
        "/kb/a%00b/",
    ],
)
def test_a_page_asked_with_nul_answers_a_400_in_chinese(client, people, url):
    client.force_login(people.supervisor)
    r = client.get(url)
    assert r.status_code == 400
    assert "空字符" in r.content.decode() and "未做任何处理" in r.content.decode()


def test_the_api_answers_nul_in_its_own_error_shape(token_client, people):
    api = token_client(people.supervisor)
    r = api.get("/api/v1/orders?q=%00")
    assert r.status_code == 422 and r.json()["code"] == "nul_character"
    assert "空字符" in r.json()["message"]


@pytest.mark.parametrize("encoded", [False, True])
def test_a_form_holding_nul_saves_nothing(client, people, encoded):
    client.force_login(people.agent)
    before = Order.objects.count()
    data = {"channel": "phone", "caller_phone": "13900001111", "register": "1",
            "description": TEXT + "\x00"}  # fmt: skip
    if encoded:  # a browser's form: application/x-www-form-urlencoded
        body = urlencode(data)
        r = client.post(reverse("console:intake"), body, content_type=FORM)
    else:  # the test client's default: multipart/form-data
        r = client.post(reverse("console:intake"), data)
    assert r.status_code == 400 and "空字符" in r.content.decode()
    assert Order.objects.count() == before


def test_text_that_only_looks_like_an_escape_passes(client, people):
    client.force_login(people.supervisor)
    # "%00" typed into a search box is sent as %2500: text, not the character
    assert client.get("/orders/?q=%2500").status_code == 200
    assert client.get("/orders/?q=%5Cu0000").status_code == 200


def test_a_cookie_holding_nul_is_ignored(client, people):
    # a quoted cookie value spells NUL as an octal escape, which Django decodes; as a session
    # key it broke the session look-up on PostgreSQL (a 500 on every page for that browser)
    client.force_login(people.supervisor)
    signed_in = client.cookies["sessionid"].value
    cookie = f'sessionid="{signed_in[:8]}\\000{signed_in[8:]}"; csrftoken="a\\000b"'
    r = client.get("/orders/", HTTP_COOKIE=cookie)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]  # as if signed out
    assert client.get("/accounts/login/", HTTP_COOKIE=cookie).status_code == 200
    assert client.get("/orders/").status_code == 200  # the real session is untouched
