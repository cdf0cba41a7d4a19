"""Inbound webhooks: HMAC-SHA256 per channel secret, replay by message id."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from hotline.orders.models import Order

pytestmark = pytest.mark.django_db
SECRETS = {"sms": "sms-secret-for-tests", "wechat": "wx-secret-for-tests", "app": ""}


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.INTAKE_HOOK_SECRETS = SECRETS


def _post(client, channel, message: dict, secret=None, signature=None):
    body = json.dumps(message, ensure_ascii=False).encode()
    if signature is None:
        # Written from the documented scheme, not with our own helper.
        digest = hmac.new((secret or SECRETS[channel]).encode(), body, hashlib.sha256).hexdigest()
        signature = f"sha256={digest}"
    return client.post(
        f"/intake/hooks/{channel}",
        body,
        content_type="application/json",
        headers={"X-Hotline-Signature": signature},
    )


MESSAGE = {
    "message_id": "SM20221107-1",
    "text": "公馆镇某村停水两天了，请尽快送水。",
    "phone": "13702680021",
    "town_code": "440902101",
}


@pytest.mark.parametrize("channel", ["sms", "wechat"])
def test_signed_message_becomes_an_order_and_replay_gives_the_same(client, city, channel):
    first = _post(client, channel, MESSAGE)
    assert first.status_code == 201, first.content
    again = _post(client, channel, MESSAGE)
    assert again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    order = Order.objects.get(number=first.json()["number"])
    assert order.channel == channel and order.town_id == "440902101"
    assert Order.objects.filter(channel=channel).count() == 1


def test_same_message_id_on_another_channel_is_another_order(client, city):
    sms = _post(client, "sms", MESSAGE).json()["number"]
    wechat = _post(client, "wechat", MESSAGE).json()["number"]
    assert sms != wechat


def test_bad_or_missing_signature_is_401_and_writes_no_order(client, city):
    assert _post(client, "sms", MESSAGE, secret="wrong").status_code == 401
    assert _post(client, "sms", MESSAGE, signature="").status_code == 401
    response = _post(client, "sms", MESSAGE, secret=SECRETS["wechat"])
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert not Order.objects.exists()


def test_unknown_or_unconfigured_channel_is_404(client, city, settings):
    assert _post(client, "fax", MESSAGE, secret="x").status_code == 404
    settings.HOTLINE_ENV = "production"
    settings.PRODUCTION = True
    assert _post(client, "app", MESSAGE, secret="x").status_code == 404


def test_development_secret_when_none_is_configured(client, city, settings):
    settings.INTAKE_HOOK_SECRETS = {}
    response = _post(client, "app", MESSAGE, secret="hotline-dev-hook-app")
    assert response.status_code == 201


def test_bad_body_is_422_with_fields(client, city):
    response = _post(client, "sms", {"message_id": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
    response = _post(client, "sms", {"message_id": "x", "text": "hi", "town_code": "999"})
    assert response.status_code == 422


def test_replay_with_other_text_is_a_conflict(client, city):
    _post(client, "sms", MESSAGE)
    response = _post(client, "sms", {**MESSAGE, "text": "另一件事"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"


def test_unknown_town_is_refused_not_500(client, city):
    response = _post(client, "sms", {**MESSAGE, "message_id": "m2", "town_code": "440902999"})
    assert response.status_code == 422
