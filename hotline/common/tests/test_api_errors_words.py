"""What a client sees when it gets the request wrong (issue #22): Chinese, our error shape, JSON
under /api/ whatever the path, and an icon for the browsers that ask for /favicon.ico."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_json_in_our_shape(client):
    r = client.get("/api/v1/no/such/path")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "not_found" and "没有这个接口" in r.json()["message"]
    assert client.post("/api/v2/orders").json()["code"] == "not_found"


def test_unauthenticated_write_is_401_in_our_shape(client):
    r = client.post("/api/v1/orders", "{}", content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_parse_and_pattern_errors_are_in_chinese(token_client, people):
    api = token_client(people.agent)
    r = api.post("/api/v1/orders", "{bad json", content_type="application/json",
                 headers={"Idempotency-Key": "a"})  # fmt: skip
    assert r.status_code == 400 and "无法解析" in r.json()["message"]
    body = {"channel": "phone", "description": "x", "caller_name": "", "caller_phone": "abc",
            "address": "", "district_code": "12"}  # fmt: skip
    r = api.post("/api/v1/orders", body, content_type="application/json",
                 headers={"Idempotency-Key": "b"})  # fmt: skip
    assert r.status_code == 422
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert messages == {"payload.caller_phone": "格式不正确", "payload.district_code": "格式不正确"}
    assert not any(c.isascii() and c.isalpha() for m in messages.values() for c in m)


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("hotline/favicon.svg")
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
