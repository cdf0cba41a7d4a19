"""Pages: households and cards, the PDF sheet, the checkpoint page and its JSON, vehicle
checks, appeals, the workbook import."""

import io
import json

import pytest
from openpyxl import Workbook

from hotline.accounts.models import DataAccess
from hotline.control import services
from hotline.control.models import HealthCodeAppeal, Household, Pass, Passage, VehicleCheck

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(client, gate):
    client.force_login(gate)
    return client


def test_household_page_issues_a_card_and_prints_it(logged, setup, gate):
    h, _ = factories.household(gate)
    page = logged.get("/control/")
    assert h.card_no in page.content.decode()
    logged.post(f"/control/households/{h.pk}/issue/")
    card = Pass.objects.get(household=h)
    page = logged.get(f"/control/households/{h.pk}/").content.decode()
    assert card.serial in page and 'data-token="' in page and "<script>" not in page
    pdf = logged.get(f"/control/cards.pdf?h={h.pk}")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_other_towns_cannot_see_the_household(client, setup, gate, make_user):
    h, _ = factories.household(gate)
    client.force_login(make_user("unit_handler", "440902102"))
    assert client.get(f"/control/households/{h.pk}/").status_code == 404
    assert h.card_no not in client.get("/control/").content.decode()


def test_checkpoint_page_and_its_json(logged, setup, gate):
    h, _ = factories.household(gate)
    services.issue_card(gate, h.pk)
    page = logged.get(f"/checkpoint/{setup.code}/").content.decode()
    assert "checkpoint.js" in page and "nacl-fast" in page and "jsQR" in page
    assert "<script>" not in page and "onclick" not in page and "style=" not in page
    bundle = logged.get(f"/checkpoint/{setup.code}/bundle.json").json()
    assert h.card_no in bundle["households"]
    item = {
        "client_id": "x1",
        "token": h.card_no,
        "direction": "exit",
        "at": "2022-11-07T09:00:00+08:00",
        "decision": "refused",
        "reason": "no_valid_test",
    }
    url = f"/checkpoint/{setup.code}/sync"
    answer = logged.post(url, json.dumps({"passages": [item]}), content_type="application/json")
    assert answer.json() == {"created": 1, "duplicates": 0, "conflicts": 0}
    assert Passage.objects.get().household == h
    assert logged.post(url, "nope", content_type="application/json").status_code == 400
    bad = logged.post(
        url,
        json.dumps({"passages": [{**item, "at": "yesterday"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_time"


def test_checkpoint_is_hidden_from_people_who_do_not_work_there(client, setup, make_user):
    client.force_login(make_user("agent", "center"))
    assert client.get(f"/checkpoint/{setup.code}/").status_code == 404
    assert client.get(f"/checkpoint/{setup.code}/bundle.json").status_code == 404


def test_vehicle_form(logged, gate):
    road = factories.checkpoint("G207", "traffic", factories.TOWN)
    page = logged.post(
        f"/checkpoint/{road.code}/vehicle/",
        {
            "plate": "粤K12345",
            "driver_id": factories.id_number(),
            "driver_code": "green",
            "driver_temperature": "36.6",
            "driver_pass": "on",
            "client_id": "v-1",
            "passengers": f"{factories.id_number()} 黄 36.8 有",
        },
    ).content.decode()
    check = VehicleCheck.objects.get()
    assert check.decision == "refused" and "乘客1健康码非绿码" in page
    bad = logged.post(
        f"/checkpoint/{road.code}/vehicle/",
        {
            "plate": "粤K12345",
            "driver_id": factories.id_number(),
            "driver_code": "green",
            "driver_temperature": "36.6",
            "client_id": "v-2",
            "passengers": "1 2",
        },
    )
    assert "应有 4 项" in bad.content.decode() and VehicleCheck.objects.count() == 1


def test_appeal_filed_and_decided_through_the_pages(client, make_user, kinds):
    client.force_login(make_user("agent", "center"))
    answer = client.post(
        "/control/appeals/",
        {
            "name": "李同学",
            "phone": "13826681234",
            "id_number": factories.id_number(),
            "colour": "yellow",
            "reason": "明天考试",
            "needed_by": "2022-11-08",
            "town_code": factories.TOWN,
        },
    )
    appeal = HealthCodeAppeal.objects.get()
    assert answer.status_code == 302
    page = client.get(f"/control/appeals/{appeal.pk}/").content.decode()
    assert "13826681234" not in page and "138****1234" in page
    client.force_login(make_user("unit_handler", "dept-healthcode"))
    page = client.get(f"/control/appeals/{appeal.pk}/?show=phone").content.decode()
    assert "13826681234" in page and DataAccess.objects.filter(fields=["phone"]).exists()
    client.post(f"/control/appeals/{appeal.pk}/", {"decision": "turn_green", "note": "已转绿"})
    appeal.refresh_from_db()
    assert appeal.decision == "turn_green"


def test_workbook_import_reports_rows(logged, setup):
    book = Workbook()
    sheet = book.active
    sheet.append(["户编号", "村居代码", "住址", "联系电话", "姓名", "身份证号", "豁免"])
    sheet.append(
        ["H1", factories.VILLAGE, "新街1号", "13800000000", "陈一", factories.id_number(), ""]
    )
    sheet.append(
        ["H1", factories.VILLAGE, "新街1号", "13800000000", "陈二", factories.id_number(), "就医"]
    )
    sheet.append(["H2", factories.VILLAGE, "新街2号", "", "陈三", "440902199001011235", ""])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "households.xlsx"
    page = logged.post("/control/import/", {"file": data}, follow=True).content.decode()
    assert "新增 1 户" in page and "第 4 行（户 H2）" in page
    assert Household.objects.get().members.count() == 2
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    page = logged.post("/control/import/", {"file": junk}, follow=True).content.decode()
    assert "无法读取文件" in page
    from hotline.common.testing import workbook_damaged_after_its_header

    # opens, then breaks inside its sheet: refused the same way, not a 500
    from hotline.control.importer import HOUSEHOLD_COLUMNS

    damaged = io.BytesIO(workbook_damaged_after_its_header(list(HOUSEHOLD_COLUMNS)))
    damaged.name = "x.xlsx"
    response = logged.post("/control/import/", {"file": damaged}, follow=True)
    assert response.status_code == 200 and "无法读取文件" in response.content.decode()


def test_list_pages_have_bounded_queries(logged, setup, gate, make_user, client, kinds,
                                         django_assert_max_num_queries):  # fmt: skip
    for _ in range(6):
        factories.household(gate)
    with django_assert_max_num_queries(12):
        page = logged.get("/control/")
    assert page.content.decode().count("440902101001-") >= 6
    agent = make_user("agent", "center")
    for _ in range(4):
        services.file_health_code_appeal(
            agent, id_number=factories.id_number(), name="李", phone="13800000000",
            colour="yellow", reason="考试", town_code=factories.TOWN,
        )  # fmt: skip
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        page = client.get("/control/appeals/")
    assert page.content.decode().count("黄码") >= 4


def test_service_worker_is_served_under_checkpoint(client, db):
    answer = client.get("/checkpoint/sw.js")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/checkpoint/"
    assert b"caches.open" in answer.content
