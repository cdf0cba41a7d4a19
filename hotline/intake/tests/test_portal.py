"""The resident portal: codes through the outbox and their limits, submitting, tracking,
rating through the callback service."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from hotline.intake import services
from hotline.intake.errors import IntakeError
from hotline.intake.models import IntakeEvent, PortalAppeal, RateHit, VerificationCode
from hotline.orders.models import Notification, Order, OrderEvent

from .factories import resolved

pytestmark = pytest.mark.django_db
PHONE = "13902680001"


def _submission(code, **extra):
    fields = {
        "token": uuid.uuid4().hex,
        "phone": PHONE,
        "code": code,
        "description": "独居老人家里米和菜都吃完了，封控三天没人送物资。",
        "category": "supplies",
        "district_code": "440902",
        "town_code": "440902101",
    }
    fields.update(extra)
    return services.Submission(**fields)


def test_code_goes_through_the_outbox_and_only_its_hash_is_kept(city, outbox_code):
    row = services.send_code(PHONE, purpose="submit", ip="10.0.0.1")
    code = outbox_code(PHONE)
    assert len(code) == 6 and code not in row.digest
    note = Notification.objects.get(recipient=PHONE)
    assert note.order is None and note.status == "pending"
    assert not IntakeEvent.objects.filter(payload__icontains=code).exists()


def test_code_limits_per_phone(city):
    now = timezone.now()
    services.send_code(PHONE, purpose="submit", ip=None, now=now)
    with pytest.raises(IntakeError) as exc:
        services.send_code(PHONE, purpose="submit", ip=None, now=now + dt.timedelta(seconds=30))
    assert exc.value.status == 429
    for minute in range(1, 5):
        services.send_code(PHONE, purpose="submit", ip=None, now=now + dt.timedelta(minutes=minute))
    with pytest.raises(IntakeError, match="1 小时内"):
        services.send_code(PHONE, purpose="submit", ip=None, now=now + dt.timedelta(minutes=6))
    services.send_code(PHONE, purpose="submit", ip=None, now=now + dt.timedelta(minutes=61))
    assert Notification.objects.filter(recipient=PHONE).count() == 6


def test_code_limits_per_ip(city):
    now = timezone.now()
    for n in range(services.portal.IP_PER_HOUR):
        services.send_code(f"1390268{n:04d}", purpose="submit", ip="10.0.0.9", now=now)
    with pytest.raises(IntakeError, match="网络"):
        services.send_code("13912345678", purpose="submit", ip="10.0.0.9", now=now)
    services.send_code("13912345678", purpose="submit", ip="10.0.0.10", now=now)
    assert RateHit.objects.filter(kind="code_ip", key="10.0.0.9").count() == 20


def test_bad_phone_is_refused(city):
    with pytest.raises(IntakeError, match="11 位"):
        services.send_code("12345", purpose="submit", ip=None)


def test_submit_with_the_code_makes_a_web_order(city, outbox_code):
    services.send_code(PHONE, purpose="submit", ip=None)
    submission = _submission(outbox_code(PHONE), photo=b"\xff\xd8jpeg", photo_type="image/jpeg")
    order = services.submit(submission)
    assert order.channel == "web" and order.caller_phone == PHONE
    assert order.source_app == "intake" and order.source_type == "portal"
    assert order.town_id == "440902101"
    assert PortalAppeal.objects.get(order_number=order.number).photo_type == "image/jpeg"
    # The same form again (a double tap): the same order, no second code needed.
    assert services.submit(submission).number == order.number
    assert Order.objects.filter(channel="web").count() == 1


def test_wrong_code_is_counted_and_five_spoil_it(city, outbox_code):
    services.send_code(PHONE, purpose="submit", ip=None)
    good = outbox_code(PHONE)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(IntakeError, match="验证码"):
            services.submit(_submission(wrong))
    assert VerificationCode.objects.get().attempts == 5
    with pytest.raises(IntakeError, match="失效"):
        services.submit(_submission(good))
    assert not Order.objects.filter(channel="web").exists()


def test_code_for_another_purpose_or_expired_does_not_work(city, outbox_code):
    now = timezone.now()
    services.send_code(PHONE, purpose="submit", ip=None, now=now - dt.timedelta(minutes=11))
    with pytest.raises(IntakeError, match="失效"):
        services.submit(_submission(outbox_code(PHONE)))
    services.send_code(PHONE, purpose="rate", ip=None, now=now)
    with pytest.raises(IntakeError, match="失效"):
        services.submit(_submission(outbox_code(PHONE)))


def test_invalid_appeal_does_not_spend_the_code(city, outbox_code):
    services.send_code(PHONE, purpose="submit", ip=None)
    code = outbox_code(PHONE)
    with pytest.raises(Exception, match="镇街"):
        services.submit(_submission(code, town_code="440902999"))
    assert services.submit(_submission(code)).channel == "web"


def test_photo_too_large_or_wrong_type(city):
    with pytest.raises(IntakeError, match="5 MB"):
        services.submit(
            _submission("123456", photo=b"x" * (5 * 1024 * 1024 + 1), photo_type="image/png")
        )
    with pytest.raises(IntakeError, match="格式"):
        services.submit(_submission("123456", photo=b"x", photo_type="application/pdf"))


def _portal_order(outbox_code):
    services.send_code(PHONE, purpose="submit", ip=None)
    return services.submit(_submission(outbox_code(PHONE)))


def test_track_needs_the_matching_phone(city, outbox_code):
    order = _portal_order(outbox_code)
    assert services.track(order.number, PHONE).number == order.number
    with pytest.raises(IntakeError) as exc:
        services.track(order.number, "13900000000", ip="10.0.0.3")
    assert exc.value.status == 404
    with pytest.raises(IntakeError) as same:
        services.track("20221107-999999", PHONE, ip="10.0.0.3")
    assert str(same.value) == str(exc.value)  # no hint which numbers exist


def test_failed_lookups_are_limited_per_ip(city):
    for _ in range(services.portal.LOOKUPS_PER_HOUR):
        with pytest.raises(IntakeError):
            services.track("20221107-999999", PHONE, ip="10.0.0.4")
    with pytest.raises(IntakeError) as exc:
        services.track("20221107-999999", PHONE, ip="10.0.0.4")
    assert exc.value.status == 429


def test_rating_goes_through_the_callback_service_as_the_resident(city, outbox_code):
    order = resolved(_portal_order(outbox_code), city)
    services.send_code(PHONE, purpose="rate", ip=None)
    order = services.rate(order.number, PHONE, outbox_code(PHONE), "dissatisfied", note="没人来")
    assert order.status == "accepted" and order.reopen_count == 1
    callback = OrderEvent.objects.get(order=order, code="orders.order.callback")
    assert callback.payload["by_resident"] is True
    assert callback.actor.username == "system"


def test_rating_refused_before_the_reply(city, outbox_code):
    order = _portal_order(outbox_code)
    with pytest.raises(IntakeError, match="待评价"):
        services.rate(order.number, PHONE, "123456", "satisfied")


def test_rating_with_a_wrong_code_changes_nothing(city, outbox_code):
    order = resolved(_portal_order(outbox_code), city)
    services.send_code(PHONE, purpose="rate", ip=None)
    with pytest.raises(IntakeError):
        services.rate(order.number, PHONE, "99999x", "satisfied")
    order.refresh_from_db()
    assert order.status == "resolved" and not order.satisfaction


# --- pages -----------------------------------------------------------------------------------
def test_portal_pages_round_trip(client, city, outbox_code):
    page = client.get("/portal/new/")
    assert page.status_code == 200
    assert "本环境未接入短信网关" in page.content.decode()
    token = page.context["form"].initial["token"]
    sent = client.post("/portal/code/", {"phone": PHONE, "purpose": "submit"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    again = client.post("/portal/code/", {"phone": PHONE, "purpose": "submit"})
    assert again.status_code == 429
    towns = client.get("/portal/places/", {"district_code": "440902"}).content.decode()
    assert "公馆镇" in towns
    villages = client.get("/portal/places/", {"town_code": "440902101"}).content.decode()
    assert "<option" in villages
    form = {
        "token": token,
        "category": "supplies",
        "description": "家里没有米了",
        "district_code": "440902",
        "town_code": "440902101",
        "phone": PHONE,
        "code": outbox_code(PHONE),
    }
    done = client.post("/portal/new/", form, follow=True)
    number = Order.objects.get(channel="web").number
    assert number in done.content.decode()
    tracked = client.post("/portal/track/", {"number": number, "phone": PHONE})
    body = tracked.content.decode()
    assert tracked.status_code == 200 and "已转交承办单位" in body
    assert PHONE not in body  # only in the hidden rating form when it is shown
    stranger = client.post("/portal/track/", {"number": number, "phone": "13900000000"})
    assert stranger.status_code == 404


def test_done_page_only_for_the_submitting_browser(client, city, outbox_code):
    order = _portal_order(outbox_code)
    assert client.get(f"/portal/done/{order.number}/").status_code == 302


def test_bad_form_shows_errors_not_500(client, city):
    response = client.post("/portal/new/", {"token": "x", "description": ""})
    assert response.status_code == 400
    response = client.post(
        "/portal/new/", {"token": "0" * 32, "description": "x", "phone": "1", "code": "1"}
    )
    assert response.status_code == 400
    assert "手机号" in response.content.decode()


def test_photo_view_for_staff_only(client, city, outbox_code):
    services.send_code(PHONE, purpose="submit", ip=None)
    order = services.submit(
        _submission(outbox_code(PHONE), photo=b"\x89PNG", photo_type="image/png")
    )
    assert client.get(f"/portal/photo/{order.number}/").status_code == 302  # to login
    client.force_login(city.agent)
    response = client.get(f"/portal/photo/{order.number}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(city.other_town)
    assert client.get(f"/portal/photo/{order.number}/").status_code == 404
