"""The reserve's pages: public booking and exception forms, gate, management, map, incident."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import DataAccess
from hotline.reserve import services
from hotline.reserve.models import Booking, ExceptionRequest, Incident, SignalSource

from .factories import INSIDE, id_number, photo_bytes

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_form(serial=1, **extra):
    data = {
        "area": "datianding",
        "visit_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "name": "王建华",
        "phone": "15816639012",
        "id_number": id_number(serial),
        "party_size": "4",
        "plate": "粤K12345",
    }
    data.update(extra)
    return data


def test_public_booking_page_books_and_shows_the_suspension(reserve, staff):
    client = Client()
    page = client.get("/reserve/book/")
    assert page.status_code == 200 and "入园预约" in page.content.decode()
    r = client.post("/reserve/book/", booking_form())
    html = r.content.decode()
    assert r.status_code == 200 and "预约成功" in html
    number = Booking.objects.get().number
    assert number in html and "158****9012" in html and "15816639012" not in html
    services.suspend(staff.manager, starts_at=timezone.now(), reason="森林防火高火险期")
    r = client.post("/reserve/book/", booking_form(2))
    html = r.content.decode()
    assert r.status_code == 409 and "暂停预约" in html and "另行通知" in html
    assert "申请特许进入" in client.get("/reserve/book/").content.decode()
    r = client.post("/reserve/book/", booking_form(3, id_number="123"))
    assert r.status_code == 422 and "身份证号码有误" in r.content.decode()


def test_public_exception_page(reserve):
    r = Client().post(
        "/reserve/apply/",
        {
            **booking_form(4),
            "kind": "ranger_family",
            "date_from": timezone.localdate().isoformat(),
            "date_to": timezone.localdate().isoformat(),
            "purpose": "给驻守的护林员送生活物资",
        },
    )
    assert r.status_code == 200 and "已提交" in r.content.decode()
    assert ExceptionRequest.objects.get().kind == "ranger_family"


def test_staff_pages_are_refused_to_others(reserve, staff):
    for url in ("/reserve/", "/reserve/gate/"):
        assert signed_in(staff.agent).get(url).status_code == 403
        assert signed_in(staff.ranger).get(url).status_code == 200
        assert signed_in(staff.station).get(url).status_code == 200
    assert signed_in(staff.ranger).get("/reserve/manage/").status_code == 403
    assert signed_in(staff.manager).get("/reserve/manage/").status_code == 200
    assert Client().get("/reserve/gate/").status_code == 302


def test_gate_page_checks_registers_and_reveals_with_a_record(reserve, staff):
    b = services.book(
        None,
        area_code="datianding",
        visit_date=timezone.localdate(),
        visitor=services.VisitorIn("林晓东", "13902681234", id_number(9), 2),
    )
    client = signed_in(staff.ranger)
    page = client.get(f"/reserve/gate/?entrance=qianpai&q={b.number}").content.decode()
    assert "有效" in page and "登记入园" in page
    r = client.post(
        "/reserve/gate/passage/",
        {"entrance": "qianpai", "number": b.number, "direction": "in", "people": "2"},
    )
    assert r.status_code == 302
    page = client.get("/reserve/gate/").content.decode()
    assert f'data-inside-row="{b.number}"' in page and "13902681234" not in page
    r = client.post(f"/reserve/gate/reveal/booking/{b.number}/")
    assert "13902681234" in r.content.decode()
    assert DataAccess.objects.get().object_id == str(b.pk)
    r = client.post(
        "/reserve/gate/passage/",
        {"entrance": "qianpai", "number": b.number, "direction": "in", "people": "1"},
        follow=True,
    )
    assert "不能再进" in r.content.decode()


def test_manage_page_decides_suspends_and_assigns(reserve, staff):
    request = services.apply_exception(
        None,
        area_code="datianding",
        kind="research",
        date_from=timezone.localdate(),
        date_to=timezone.localdate(),
        purpose="样方监测",
        visitor=services.VisitorIn("张卫国", "13826671122", id_number(11), 2),
    )
    client = signed_in(staff.manager)
    assert request.number in client.get("/reserve/manage/").content.decode()
    r = client.post(
        f"/reserve/manage/exceptions/{request.number}/",
        {"decision": "refuse", "reason": "非科研单位"},
        follow=True,
    )
    assert "不予批准" in r.content.decode()
    r = client.post(
        "/reserve/manage/suspensions/",
        {"s-starts_at": "2022-11-06T12:00", "s-reason": "森林防火", "s-effect": "cancel"},
        follow=True,
    )
    assert "已登记暂停预约" in r.content.decode()
    r = client.post(
        "/reserve/manage/duty/",
        {
            "d-day": timezone.localdate().isoformat(),
            "d-post": "值班室",
            "d-username": staff.ranger.username,
        },
        follow=True,
    )
    assert "已安排" in r.content.decode()


def test_map_and_incident_pages(reserve, staff):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    incident = services.receive_signal(camera, services.SignalIn("v-1", timezone.now(), *INSIDE))[
        0
    ].incident
    client = signed_in(staff.ranger)
    html = client.get("/reserve/").content.decode()
    assert "<svg" in html and "示意图" in html and f'data-incident="{incident.number}"' in html
    assert "钱排镇" in html and "马贵镇" in html
    page = client.get(f"/reserve/fire/{incident.number}/").content.decode()
    assert "到场核实" in page
    upload = SimpleUploadedFile("site.jpg", photo_bytes(), content_type="image/jpeg")
    r = client.post(
        f"/reserve/fire/{incident.number}/on-site/",
        {"photo": upload, "note": "明火已控制"},
        follow=True,
    )
    assert "已记录到场核实" in r.content.decode()
    photo = Incident.objects.get().photos.get()
    assert client.get(f"/reserve/photos/{photo.pk}/")["Content-Type"] == "image/jpeg"
    r = client.post(
        f"/reserve/fire/{incident.number}/resolve/",
        {"outcome": "extinguished", "note": "已扑灭"},
        follow=True,
    )
    assert "已扑灭" in r.content.decode()
    assert signed_in(staff.agent).get(f"/reserve/photos/{photo.pk}/").status_code == 403


def test_admin_lists_render_without_personal_data(reserve, staff, make_user):
    visitor = services.VisitorIn("林晓东", "13902681234", id_number(12), 2)
    b = services.book(
        None, area_code="datianding", visit_date=timezone.localdate(), visitor=visitor
    )
    client = signed_in(make_user("admin", None, "r_admin"))
    for name in ("area", "entrance", "signalsource", "booking", "exceptionrequest", "incident",
                 "detection", "falsealarmsite", "reserveevent"):  # fmt: skip
        r = client.get(f"/admin/reserve/{name}/")
        assert r.status_code == 200, name
    page = client.get(f"/admin/reserve/booking/{b.pk}/change/").content.decode()
    assert (
        "13902681234" not in page
        and "139****1234" in client.get("/admin/reserve/booking/").content.decode()
    )
