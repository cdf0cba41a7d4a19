"""The sampling pages: who sees what, registration by htmx, results upload with row errors,
masking of the not-yet-sampled list per role and its access record."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from hotline.accounts.models import DataAccess

from .. import services
from ..models import Round, Sample, Site, Tube
from .factories import VILLAGE, id_number, make_residents

pytestmark = pytest.mark.django_db


def test_rounds_page_lists_rounds_and_my_sites(client, city, rnd, site, staff):
    client.force_login(staff)
    page = client.get("/sampling/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "河之口村委会采样点" in text and "新建采样轮次" not in text
    client.force_login(city.supervisor)
    assert "新建采样轮次" in client.get("/sampling/").content.decode()


def test_manager_creates_a_round_and_bad_input_is_shown(client, city):
    client.force_login(city.supervisor)
    form = {
        "name": "公馆镇第二轮",
        "area": "440902101",
        "starts_at": "2022-11-05T07:00",
        "deadline": "2022-11-05T06:00",
    }
    bad = client.post("/sampling/", form)
    assert bad.status_code == 422 and "完成时限须晚于开始时间" in bad.content.decode()
    form["deadline"] = "2022-11-06T07:00"
    ok = client.post("/sampling/", form)
    assert ok.status_code == 302 and Round.objects.filter(name="公馆镇第二轮").exists()


def test_round_page_shows_coverage_and_progress(
    client, city, rnd, site, staff, django_assert_max_num_queries
):
    make_residents(city.supervisor, 10)
    for i in range(4):
        services.register_sample(staff, site, id_number(i))
    client.force_login(city.supervisor)
    with django_assert_max_num_queries(30):
        page = client.get(f"/sampling/rounds/{rnd.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "河之口村委会" in text and "40.0%" in text and "逐小时采样进度" in text


def test_round_page_refuses_outsiders_and_site_form_to_non_managers(client, city, rnd, site):
    client.force_login(city.other_town)  # 新坡镇: not in 公馆镇's round
    assert client.get(f"/sampling/rounds/{rnd.pk}/").status_code == 404
    client.force_login(city.agent)
    assert client.get(f"/sampling/rounds/{rnd.pk}/").status_code == 404
    client.force_login(city.gongguan)  # the town office sees its round, cannot add sites
    assert client.get(f"/sampling/rounds/{rnd.pk}/").status_code == 200
    assert client.post(f"/sampling/rounds/{rnd.pk}/", {"name": "x"}).status_code == 403


def test_manager_adds_a_site_with_staff(client, city, rnd, staff):
    client.force_login(city.supervisor)
    form = {
        "village": VILLAGE,
        "name": "河之口小学采样点",
        "address": "河之口小学",
        "opens_at": "07:00",
        "closes_at": "21:00",
        "staff": staff.username,
    }
    assert client.post(f"/sampling/rounds/{rnd.pk}/", form).status_code == 302
    assert list(Site.objects.get(name="河之口小学采样点").staff.all()) == [staff]
    form |= {"name": "b", "staff": "nobody"}
    bad = client.post(f"/sampling/rounds/{rnd.pk}/", form)
    assert bad.status_code == 422 and "用户名不存在" in bad.content.decode()


def test_registration_page_by_htmx(client, city, rnd, site, staff, make_user):
    client.force_login(staff)
    page = client.get(f"/sampling/sites/{site.pk}/")
    assert page.status_code == 200 and "扫居民码或输入身份证号" in page.content.decode()
    done = client.post(
        f"/sampling/sites/{site.pk}/",
        {"person": id_number(1), "mode": "site", "barcode": "HX0001"},
        HTTP_HX_REQUEST="true",
    )
    text = done.content.decode()
    assert done.status_code == 200 and "HX0001" in text and "1/10" in text
    assert "<svg" in text  # the tube's QR label
    again = client.post(
        f"/sampling/sites/{site.pk}/",
        {"person": id_number(1), "mode": "site"},
        HTTP_HX_REQUEST="true",
    )
    assert "本轮已采样" in again.content.decode()
    plain = client.post(f"/sampling/sites/{site.pk}/", {"person": "123", "mode": "site"})
    assert plain.status_code == 422
    assert Sample.objects.count() == 1
    tube = Tube.objects.get(barcode="HX0001")
    assert client.post(f"/sampling/tubes/{tube.pk}/close/").status_code == 302
    tube.refresh_from_db()
    assert tube.status == "closed"
    client.force_login(make_user("field_staff"))
    assert client.get(f"/sampling/sites/{site.pk}/").status_code == 403


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_results_upload_csv_and_excel_with_row_errors(client, city, rnd, site, staff):
    for i in range(3):
        services.register_sample(staff, site, id_number(i), barcode="LAB1")
    services.close_tube(staff, Tube.objects.get(barcode="LAB1"))
    client.force_login(city.supervisor)
    csv = "管号,结果,时间\nLAB1,阴性,2022-11-05 20:00\nNOPE,阴性,2022-11-05 20:00\n".encode()
    page = client.post(
        f"/sampling/rounds/{rnd.pk}/results/", {"file": SimpleUploadedFile("lab.csv", csv)}
    )
    text = page.content.decode()
    assert page.status_code == 200 and "第 2 行" in text and "本轮没有管号 NOPE" in text
    assert Tube.objects.get(barcode="LAB1").result == "negative"
    data = _xlsx([["tube", "result", "time"], ["LAB1", "阴性", dt.datetime(2022, 11, 5, 20)]])
    page = client.post(
        f"/sampling/rounds/{rnd.pk}/results/", {"file": SimpleUploadedFile("lab.xlsx", data)}
    )
    assert page.status_code == 200 and "全部导入" in page.content.decode()
    bad = client.post(
        f"/sampling/rounds/{rnd.pk}/results/",
        {"file": SimpleUploadedFile("lab.csv", b"a,b\n1,2\n")},
    )
    assert bad.status_code == 422 and "缺少列" in bad.content.decode()
    other = client.post(
        f"/sampling/rounds/{rnd.pk}/results/", {"file": SimpleUploadedFile("lab.txt", b"x")}
    )
    assert other.status_code == 422
    broken = client.post(
        f"/sampling/rounds/{rnd.pk}/results/",
        {"file": SimpleUploadedFile("lab.xlsx", b"not a zip")},
    )
    assert broken.status_code == 422
    client.force_login(staff)
    assert client.get(f"/sampling/rounds/{rnd.pk}/results/").status_code == 403


def test_not_sampled_list_is_masked_per_role_and_unmasking_is_recorded(
    client, city, rnd, site, staff
):
    make_residents(city.supervisor, 3)
    url = f"/sampling/rounds/{rnd.pk}/v/{VILLAGE}/"
    client.force_login(city.supervisor)
    text = client.get(url).content.decode()
    assert "陈*" in text and "13800000000" not in text
    assert DataAccess.objects.count() == 0
    client.force_login(city.gongguan)  # the town office calls them
    text = client.get(url).content.decode()
    assert "陈一0" in text and "13800000000" in text
    access = DataAccess.objects.get()
    assert (access.user, access.object_type, access.fields) == (
        city.gongguan,
        "grid",
        ["address", "name", "phone"],
    )
    client.force_login(staff)  # the door team sees where, not who
    text = client.get(url).content.decode()
    assert "陈一0" not in text and "13800000000" not in text and "河之口村1巷" in text
    assert DataAccess.objects.filter(user=staff, fields=["address"]).exists()
    client.force_login(city.other_town)
    assert client.get(url).status_code == 404


def test_out_of_range_ids_in_urls_are_not_found(client, city):
    client.force_login(city.supervisor)
    huge = "99999999999999999999"
    for url in (
        f"/sampling/rounds/{huge}/",
        f"/sampling/rounds/{huge}/v/440902101201/",
        f"/sampling/rounds/{huge}/results/",
        f"/sampling/sites/{huge}/",
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/sampling/tubes/{huge}/close/").status_code == 404


def test_manager_sets_risk_and_ends_the_round(client, city, rnd, staff):
    client.force_login(city.supervisor)
    url = f"/sampling/rounds/{rnd.pk}/"
    assert client.post(url + "risk/", {"villages": VILLAGE, "level": "high"}).status_code == 302
    assert rnd.grids.get(village_id=VILLAGE).risk_level == "high"
    page = client.post(url + "risk/", {"villages": VILLAGE, "level": "purple"}, follow=True)
    assert "未知风险等级" in page.content.decode()
    page = client.post(url + "risk/", {"villages": ""}, follow=True)
    assert "请填写村居代码" in page.content.decode()
    assert client.post(url + "dance/").status_code == 404
    assert client.post(url + "close/").status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == "closed"
    client.force_login(city.gongguan)
    assert client.post(url + "risk/", {"villages": VILLAGE, "level": "low"}).status_code == 403


def test_odd_village_codes_and_nul_in_files(client, city, rnd, site, staff):
    client.force_login(city.supervisor)
    assert client.get(f"/sampling/rounds/{rnd.pk}/v/44%0001/").status_code == 400  # at the door
    csv = "管号,结果,时间\nA\x00B,阴性,2022-11-05 20:00\n".encode()
    page = client.post(f"/sampling/rounds/{rnd.pk}/results/",
                       {"file": SimpleUploadedFile("lab.csv", csv)})  # fmt: skip
    assert page.status_code == 200 and "本轮没有管号 AB" in page.content.decode()
    client.force_login(staff)
    done = client.post(f"/sampling/sites/{site.pk}/", {"person": "R\x00X", "mode": "site"})
    assert done.status_code == 400 and "空字符" in done.content.decode()  # at the door


def test_registration_file_upload_reports_rows_and_lists_the_sites_numbers(
    client, city, rnd, site, staff
):
    csv = (
        "管号,身份证号,采样点编号,采样时间,方式\n"
        f"U1,{id_number(1)},{site.pk},2022-11-05 09:00,现场\n"
        f"U1,{id_number(2)},{site.pk},2022-11-05 09:01,火星\n"
    ).encode()
    url = f"/sampling/rounds/{rnd.pk}/samples/"
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and f">{site.pk}</td>" in page.content.decode()
    template = client.get(url + "template.csv")
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode("utf-8-sig") == "管号,身份证号,采样点编号,采样时间,方式\r\n"
    page = client.post(url, {"file": SimpleUploadedFile("设备.csv", csv)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "共 2 行，登记 1 人" in text and "第 3 行" in text and "采样方式有误" in text
    assert "设备.csv · swabber · 登记 1/2 行" in text  # the recent imports
    assert Sample.objects.count() == 1
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 422 and "缺少列" in bad.content.decode()
    assert client.post(url, {}).status_code == 422
    client.force_login(city.gongguan)  # the town office sees the round, does not swab
    assert client.get(url).status_code == 403
    client.force_login(city.supervisor)
    assert "导入采样登记" in client.get(f"/sampling/rounds/{rnd.pk}/").content.decode()
    services.close_round(city.supervisor, rnd)
    closed = client.post(url, {"file": SimpleUploadedFile("设备.csv", csv)})
    assert closed.status_code == 409 and "结束" in closed.content.decode()


def test_a_registration_file_larger_than_memory_uploads_is_read_from_its_temporary_file(
    client, city, rnd, site, staff, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django writes the upload to a temporary file
    csv = f"管号,身份证号,采样点编号,采样时间\nM1,{id_number(1)},{site.pk},2022-11-05 09:00\n"
    client.force_login(staff)
    page = client.post(
        f"/sampling/rounds/{rnd.pk}/samples/",
        {"file": SimpleUploadedFile("设备.csv", csv.encode("gb18030"))},
    )
    assert page.status_code == 200 and "登记 1 人" in page.content.decode()


def test_registration_file_upload_refuses_a_file_over_the_limit(
    client, city, rnd, site, staff, monkeypatch
):
    from .. import importer

    monkeypatch.setattr(importer, "MAX_BYTES", 10)
    client.force_login(staff)
    page = client.post(
        f"/sampling/rounds/{rnd.pk}/samples/",
        {"file": SimpleUploadedFile("big.csv", b"x" * 11)},
    )
    assert page.status_code == 422 and "文件过大" in page.content.decode()
