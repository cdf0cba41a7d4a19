import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hotline.screening import services
from hotline.screening.models import DailyReport, DailyStatus

from .factories import GOOD, ledger_with, town_form

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-for-tests-42"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_ledger_page_fills_the_day(client, people, django_assert_max_num_queries):
    a, b, c = ledger_with(people.gongguan)
    login(client, people.gongguan)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("screening:ledger"))
    html = page.content.decode()
    assert page.status_code == 200 and "何志明" in html and "139****5678" in html
    data = {
        f"s-{a.pk}-test_result": "negative",
        f"s-{a.pk}-location": "值班室",
        f"s-{a.pk}-on_duty": "1",
        f"s-{b.pk}-test_result": "pending",
        f"s-{b.pk}-location": "深镇驻守点",
        f"s-{c.pk}-test_result": "",
    }
    r = client.post(reverse("screening:ledger"), data)
    assert r.status_code == 302
    assert DailyStatus.objects.filter(day=timezone.localdate()).count() == 2
    bad = client.post(reverse("screening:ledger"), {f"s-{a.pk}-test_result": "negative"})
    assert bad.status_code == 422 and "所在地点" in bad.content.decode()


def test_other_roles_and_units_do_not_see_the_ledger(client, people):
    ledger_with(people.gongguan)
    login(client, people.agent)
    assert client.get(reverse("screening:ledger")).status_code == 403
    login(client, people.other_town)
    html = client.get(reverse("screening:ledger")).content.decode()
    assert "何志明" not in html


def test_ledger_export_is_masked(client, people):
    ledger_with(people.gongguan)
    login(client, people.gongguan)
    r = client.get(reverse("screening:ledger-export"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[0].value for row in ws.iter_rows(min_row=3, max_row=5)]
    assert sorted(names) == sorted(["何**", "邓**", "黄**"])


def test_report_page_prefills_submits_and_review_approves(client, people):
    form = town_form()
    login(client, people.gongguan)
    page = client.get(reverse("screening:report", args=[form.code]))
    assert page.status_code == 200 and "取自台账" in page.content.decode()
    data = {f"f-{k}": v for k, v in GOOD.items()}
    r = client.post(reverse("screening:report", args=[form.code]), data)
    assert r.status_code == 302
    report = DailyReport.objects.get()
    bad = client.post(reverse("screening:report", args=[form.code]), {**data, "f-sealed": "x"})
    assert bad.status_code == 422 and "应为整数" in bad.content.decode()
    assert client.get(reverse("screening:review")).status_code == 403
    login(client, people.maonan_epi)
    review = client.get(reverse("screening:review"), {"form": form.code})
    html = review.content.decode()
    assert review.status_code == 200 and "茂南区" in html and "逾期名单" in html
    r = client.post(reverse("screening:decide", args=[report.pk, "approve"]))
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"
    xlsx = client.get(reverse("screening:review-export", args=[form.code]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["按区县汇总", "各单位日报", "逾期名单"]


def test_unit_cannot_decide_its_own_report(client, people):
    form = town_form()
    report = services.submit_report(people.gongguan, form.code, timezone.localdate(), GOOD)
    login(client, people.gongguan)
    r = client.post(reverse("screening:decide", args=[report.pk, "approve"]))
    assert r.status_code == 403


def test_review_page_queries_do_not_grow_with_units(client, people, django_assert_max_num_queries):
    from hotline.geo.models import HandlingUnit

    form = town_form()
    form.units.set(HandlingUnit.objects.filter(kind="town_office", code__startswith="440902"))
    services.submit_report(people.gongguan, form.code, timezone.localdate(), GOOD)
    login(client, people.maonan_epi)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("screening:review")).status_code == 200
