"""The sampling commands: the roster import and the Dorfman table."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..models import Resident
from .factories import VILLAGE, id_number

pytestmark = pytest.mark.django_db


def test_roster_import_from_csv(city, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "village,id_number,name,phone,address,home_reason\n"
        f"{VILLAGE},{id_number(1)},陈一,13800000001,河之口村1号,elderly_alone\n"
        f"{VILLAGE},440902195001010001,陈二,,,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("sampling_residents", str(path), "--as", "supervisor", stdout=out)
    assert "新增 1 人，未导入 1 行" in out.getvalue() and "第 3 行" in out.getvalue()
    assert Resident.objects.get().home_reason == "elderly_alone"
    with pytest.raises(CommandError):
        call_command("sampling_residents", str(path), "--as", "agent")
    with pytest.raises(CommandError):
        call_command("sampling_residents", str(path), "--as", "nobody")


def test_dorfman_table(db):
    out = io.StringIO()
    call_command("sampling_dorfman", stdout=out)
    assert "| 0.10% | 1.000 | 0.205 | 0.110 |" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("sampling_dorfman", "--round", "999", stdout=io.StringIO())


def test_recount_puts_a_wrong_tally_right(city, staff):
    from .. import queries, services
    from ..models import GridTally
    from .factories import make_residents, make_round, make_site

    rnd = make_round(city.supervisor)
    site = make_site(city.supervisor, rnd, staff=[staff])
    make_residents(city.supervisor, 3)
    services.register_sample(staff, site, id_number(0))
    GridTally.objects.filter(grid__village_id=VILLAGE).update(sampled=7, visitors=2)
    out = io.StringIO()
    call_command("sampling_recount", "--round", str(rnd.pk), stdout=out)
    assert "1 grid tallies corrected" in out.getvalue()
    cov = queries.village_coverage(rnd, VILLAGE)
    assert (cov.registered, cov.sampled, cov.visitors) == (3, 1, 0)
    with pytest.raises(CommandError):
        call_command("sampling_recount", "--round", "999999")


def test_registration_file_import_prints_refused_rows_and_a_summary(city, staff, tmp_path):
    from ..models import Sample
    from .factories import make_round, make_site

    rnd = make_round(city.supervisor)
    site = make_site(city.supervisor, rnd, staff=[staff])
    path = tmp_path / "公馆镇.csv"
    path.write_text(
        "管号,身份证号,采样点编号,采样时间,方式\n"
        f"C1,{id_number(1)},{site.pk},2022-11-05 09:00,现场\n"
        f"C1,{id_number(2)},{site.pk},2022-11-05 09:01,上门\n"
        f"C1,440902195001010001,{site.pk},2022-11-05 09:02,现场\n",
        encoding="utf-8",
    )
    args = [str(path), "--round", str(rnd.pk), "--as", "swabber", "--batch", "2"]
    out = io.StringIO()
    call_command("sampling_samples", *args, stdout=out)
    text = out.getvalue()
    assert "已处理 2 行：登记 2 人" in text
    assert "第 4 行：身份证号码有误" in text and "bad_id_number 1" in text
    assert "共 3 行：登记 2 人，封管 0 支，未导入 1 行。" in text
    assert Sample.objects.count() == 2
    for bad in (
        [str(path), "--round", "999999", "--as", "swabber"],
        [str(path), "--round", str(rnd.pk), "--as", "nobody"],
        [str(tmp_path / "missing.csv"), "--round", str(rnd.pk), "--as", "swabber"],
        [*args[:-1], "0"],
        [str(path), "--round", str(rnd.pk), "--as", "agent"],  # not allowed to import
    ):
        with pytest.raises(CommandError):
            call_command("sampling_samples", *bad, stdout=io.StringIO())
    assert Sample.objects.count() == 2
