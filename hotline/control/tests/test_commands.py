"""Commands: the CSV result import, the overdue job, the key rotation."""

import io

import pytest
from django.core.management import call_command

from hotline.common.identity import id_hash
from hotline.control.models import SigningKey, TestResult

from . import factories

pytestmark = pytest.mark.django_db


def test_csv_import_is_idempotent_and_reports_bad_rows(tmp_path):
    good = factories.id_number()
    path = tmp_path / "results.csv"
    path.write_text(
        "身份证号,结果,采样时间,来源,编号\n"
        f"{good},阴性,2022-11-07 07:30,,GG-1\n"
        f"{good},阳性,2022-11-06T07:30:00+08:00,lab-b,GG-2\n"
        "440902199001011235,阴性,2022-11-07 07:30,,x\n"
        f"{good},不明,2022-11-07 07:30,,x\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("control_import_results", str(path), "--source", "lab-a", stdout=out, stderr=err)
    assert "新增 2 条" in out.getvalue() and "错误 2 行" in out.getvalue()
    assert "第 4 行：身份证号无效" in err.getvalue()
    row = TestResult.objects.get(source="lab-a")
    assert row.id_hash == id_hash(good) and row.sampled_at.hour == 23  # 07:30 +08:00 in UTC
    out = io.StringIO()
    call_command("control_import_results", str(path), "--source", "lab-a", stdout=out, stderr=err)
    assert "新增 0 条" in out.getvalue()


def test_overdue_command_runs_once():
    out = io.StringIO()
    call_command("control_overdue", stdout=out)
    assert "新建工单 0 张" in out.getvalue()


def test_keys_rotate_and_retire():
    out = io.StringIO()
    call_command("control_keys", "rotate", stdout=out)
    kid = SigningKey.objects.get().kid
    call_command("control_keys", "retire", kid, stdout=out)
    assert SigningKey.objects.get().retired_at is not None
    assert (
        "私钥" not in out.getvalue() and SigningKey.objects.get().private_key not in out.getvalue()
    )
