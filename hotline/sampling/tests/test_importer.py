"""Registration files: read batch by batch into ``import_samples``, each refused row reported
with its line in the file, the file refused as a whole only for what concerns all of it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from hotline.common.testing import workbook_damaged_after_its_header

from .. import importer, services
from ..choices import RoundStatus, TubeStatus
from ..errors import SamplingError
from ..models import Sample, SamplingEvent, Tube
from .factories import OTHER_VILLAGE, id_number, make_site

pytestmark = pytest.mark.django_db

HEADER = "采样时间,管号,方式,身份证号,采样点编号\n"


def _csv(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def test_a_file_goes_in_batch_by_batch_and_each_refused_row_has_its_line(city, rnd, site, staff):
    lines = [f"2022-11-05 09:{i:02d},T1,现场,{id_number(i)},{site.pk}" for i in range(4)]
    lines += [
        "",  # line 6: blank, skipped but counted
        f"2022-11-05 10:00,T2,上门,{id_number(10)},{site.pk}",
        f"2022-11-05 10:01,T2,,{id_number(11)}",  # short row: no site
        f"2022-11-05 10:02,T2,飞行,{id_number(12)},{site.pk}",
        f"昨天,T2,现场,{id_number(13)},{site.pk}",
        f"2022-11-05 10:03,T2,site,{id_number(0)},{site.pk}",  # line 11: swabbed at line 2
        f"2022-11-05 10:04,T2,入户, {id_number(14).lower()} ,{site.pk}",
    ]
    batches = []
    report = importer.import_sample_file(
        staff, rnd, "公馆镇.csv", _csv(HEADER + "\n".join(lines) + "\n"), size=3,
        progress=lambda r: batches.append(r.rows),
    )  # fmt: skip
    assert batches == [3, 6, 9, 10]  # the blank line is no row
    assert (report.rows, report.created, report.refused, report.batches) == (10, 6, 4, 4)
    assert {e["row"]: e["code"] for e in report.errors} == {
        8: "unknown_site",
        9: "bad_mode",
        10: "bad_time",
        11: "already_sampled",
    }
    assert report.by_code == {"unknown_site": 1, "bad_mode": 1, "bad_time": 1, "already_sampled": 1}
    assert ("bad_mode", "采样方式有误", 1) in report.reasons
    assert Sample.objects.filter(tube__barcode="T2", mode="door").count() == 2
    assert Sample.objects.filter(tube__barcode="T1", mode="site").count() == 4
    # each batch's event names the file
    assert set(
        SamplingEvent.objects.filter(code="sampling.samples.imported").values_list(
            "payload__source", flat=True
        )
    ) == {"公馆镇.csv"}
    # the same file again: nobody twice
    again = importer.import_sample_file(
        staff, rnd, "公馆镇.csv", _csv(HEADER + "\n".join(lines) + "\n")
    )
    assert again.created == 0 and again.by_code["already_sampled"] == 7  # 6 + line 11


def test_gb18030_and_excel_files_with_english_headers(city, rnd, site, staff):
    text = "管号,身份证号,采样点编号,采样时间,采样方式\n"
    text += f"G1,{id_number(1)},{site.pk},2022-11-05 08:00,现场\n"
    report = importer.import_sample_file(staff, rnd, "设备.CSV", _csv(text, "gb18030"))
    assert report.created == 1
    book = Workbook()
    sheet = book.active
    sheet.append(["barcode", "person", "site", "sampled_at"])  # no mode column: on site
    sheet.append(["G2", id_number(2), site.pk, dt.datetime(2022, 11, 5, 8, 30)])
    sheet.append([None, None, None, None])
    sheet.append([1234, id_number(3), float(site.pk), "2022-11-05 08:31"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    report = importer.import_sample_file(staff, rnd, "device.xlsx", data)
    assert (report.rows, report.created, report.errors) == (2, 2, [])
    sample = Sample.objects.get(tube__barcode="G2")
    assert sample.mode == "site" and sample.sampled_at.hour == 0  # 08:30 Beijing
    assert Tube.objects.filter(barcode="1234").exists()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.csv", b"", "empty_file"),
        ("a.csv", "管号,身份证号,采样时间\nT,1,2\n".encode(), "bad_header"),
        ("a.csv", (HEADER + "\n\n").encode(), "no_rows"),
        ("a.txt", HEADER.encode(), "bad_file_type"),
        ("a.xlsx", b"PK not a workbook", "bad_file"),
        ("a.csv", HEADER.encode() + b"\xff\xfe,\xff\n", "bad_encoding"),
    ],
)
def test_a_file_refused_as_a_whole_writes_nothing(city, rnd, site, staff, name, data, code):
    with pytest.raises(SamplingError) as exc:
        importer.import_sample_file(staff, rnd, name, io.BytesIO(data))
    assert exc.value.code == code and exc.value.status == 422
    assert not Sample.objects.exists()


def test_a_workbook_damaged_inside_its_sheet_is_refused_not_a_crash(city, rnd, site, staff):
    with pytest.raises(SamplingError) as exc:
        importer.import_sample_file(
            staff,
            rnd,
            "a.xlsx",
            io.BytesIO(
                workbook_damaged_after_its_header(["管号", "身份证号", "采样点编号", "采样时间"])
            ),
        )
    assert exc.value.code == "bad_file"
    with pytest.raises(SamplingError) as exc:  # the lab results' reader too
        importer.read_results(
            "lab.xlsx", workbook_damaged_after_its_header(["管号", "结果", "时间"])
        )
    assert exc.value.code == "bad_file"


def test_the_header_names_what_is_missing(city, rnd, staff):
    with pytest.raises(SamplingError) as exc:
        importer.import_sample_file(staff, rnd, "a.csv", _csv("管号,身份证号\n"))
    assert "采样点编号、采样时间" in str(exc.value)


def test_a_batch_refused_as_a_whole_stops_the_import_and_keeps_the_batches_before(
    city, rnd, site, staff
):
    lines = [f"2022-11-05 09:00,S{i // 2},现场,{id_number(i)},{site.pk}" for i in range(5)]

    def close_round(report):  # the organiser ends the round while the file is going in
        if report.batches == 1:
            services.close_round(city.supervisor, rnd)

    report = importer.import_sample_file(
        staff, rnd, "late.csv", _csv(HEADER + "\n".join(lines)), size=2, progress=close_round
    )
    assert report.created == 2 and report.batches == 1
    assert report.stopped.startswith("自第 4 行起未导入") and "结束" in report.stopped
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    # a round closed before the first batch: the file is refused
    with pytest.raises(SamplingError) as exc:
        importer.import_sample_file(staff, rnd, "late.csv", _csv(HEADER + "\n".join(lines)))
    assert exc.value.code == "round_closed"


def test_refused_rows_are_listed_up_to_a_limit_and_all_counted(city, rnd, site, staff, monkeypatch):
    monkeypatch.setattr(importer, "MAX_LISTED_ERRORS", 3)
    lines = [f"2022-11-05 09:00,X{i},现场,440902195001010001,{site.pk}" for i in range(5)]
    report = importer.import_sample_file(staff, rnd, "bad.csv", _csv(HEADER + "\n".join(lines)))
    assert report.refused == 5 and len(report.errors) == 3 and report.more_errors == 2
    assert [e["row"] for e in report.errors] == [2, 3, 4]


def test_rows_of_another_team_or_grid_are_refused_row_by_row(city, rnd, site, staff, make_user):
    other = make_site(city.supervisor, rnd, village=OTHER_VILLAGE, name="油甘窝村采样点")
    text = HEADER + (
        f"2022-11-05 09:00,K1,现场,{id_number(1)},{other.pk}\n"
        f"2022-11-05 09:00,K1,现场,{id_number(2)},{site.pk}\n"
        f"2022-11-05 09:00,K1,现场,{id_number(3)},abc\n"
        f"2022-11-05 09:00,K1,现场,{id_number(5)},²\n"
        f"2022-11-05 09:00,K1,现场,{id_number(6)},{'9' * 5000}\n"
        f"2022-11-05 09:00,K1\x00,现场,{id_number(4)},{site.pk}\n"
    )
    report = importer.import_sample_file(staff, rnd, "k.csv", _csv(text))
    assert {e["row"]: e["code"] for e in report.errors} == {
        2: "forbidden",
        4: "unknown_site",
        5: "unknown_site",
        6: "unknown_site",
    }
    assert Tube.objects.get(barcode="K1").count == 2
    assert Tube.objects.get(barcode="K1").status == TubeStatus.OPEN
