"""Bulk import: every bad row reported before anything is written, --skip-bad, idempotent
re-import, the command with its progress bar, the upload page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.intake.errors import IntakeError
from hotline.intake.models import ImportJob
from hotline.intake.services import create_job, imports, run_job
from hotline.orders.models import Order

from .factories import HEADER, csv_bytes, jsonl_bytes, rows, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fmt, make", [("csv", csv_bytes), ("xlsx", xlsx_bytes), ("jsonl", jsonl_bytes)]
)
def test_each_format_imports_and_a_second_run_writes_nothing(city, fmt, make):
    content = make(rows(4))
    checked = imports.validate(city.supervisor, content, fmt, "import")
    assert checked.errors == [] and len(checked.appeals) == 4
    assert checked.mapping["description"] == "诉求内容"
    counts = imports.run(city.supervisor, checked.appeals, batch=3)
    assert (counts["created"], counts["replayed"]) == (4, 0)
    again = imports.run(
        city.supervisor, imports.validate(city.supervisor, content, fmt, "import").appeals
    )
    assert (again["created"], again["replayed"]) == (0, 4)
    assert Order.objects.filter(channel="import").count() == 4
    order = Order.objects.filter(channel="import").first()
    assert order.source_app == "intake" and order.source_type == "import"


def test_gbk_csv_and_chinese_labels(city):
    content = csv_bytes(
        [["K1", "健康码变黄了", "13800000001", "健康码/行程卡", "440902101"]], encoding="gb18030"
    )
    checked = imports.validate(city.supervisor, content, "csv", "import")
    assert checked.errors == []
    assert checked.appeals[0][1].category == "health_code"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(city):
    data = rows(3)
    data.insert(1, ["R-bad1", "", "13800000000", "living", "440902101"])
    data.insert(3, ["R-bad2", "没水了", "13800000000", "weather", "440902101"])
    data.append(["R-bad3", "没水了", "13800000000", "living", "440902999"])
    data.append(["R-00001", "重复编号", "13800000000", "living", "440902101"])
    checked = imports.validate(city.supervisor, csv_bytes(data), "csv", "import")
    lines = {e["line"]: e["reason"] for e in checked.errors}
    assert set(lines) == {3, 5, 7, 8}
    assert "诉求内容" in lines[3]
    assert "诉求分类" in lines[5]
    assert "440902999" in lines[7]
    assert "重复" in lines[8]
    with pytest.raises(CommandError, match="4 行有错误"):
        call_command("intake", "import", _file(csv_bytes(data)), "--quiet", stderr=io.StringIO())
    assert not Order.objects.exists()


def test_skip_bad_imports_the_good_rows(city):
    data = [*rows(2), ["R-bad", "", "138", "living", "440902101"]]
    err = io.StringIO()
    out = io.StringIO()
    call_command("intake", "import", _file(csv_bytes(data)), "--skip-bad", stdout=out, stderr=err)
    assert "第 4 行" in err.getvalue()
    assert "新建工单 2" in out.getvalue()
    assert Order.objects.count() == 2


def test_command_progress_and_idempotent_rerun(city, tmp_path):
    path = _file(csv_bytes(rows(5)), tmp_path)
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "intake", "import", path, "--channel", "sms", "--batch", "2", stdout=out, stderr=err
    )
    assert "5/5" in err.getvalue()  # tqdm's bar
    assert "新建工单 5" in out.getvalue()
    out = io.StringIO()
    call_command("intake", "import", path, "--channel", "sms", "--quiet", stdout=out)
    assert "新建工单 0，此前已导入 5" in out.getvalue()
    assert Order.objects.filter(channel="sms").count() == 5


def test_command_refusals(city, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("intake", "import", str(tmp_path / "none.csv"))
    bad = tmp_path / "x.txt"
    bad.write_text("a")
    with pytest.raises(CommandError, match="csv"):
        call_command("intake", "import", str(bad))
    nodesc = _file(csv_bytes([["1"]], header=["编号"]), tmp_path)
    with pytest.raises(CommandError, match="诉求内容"):
        call_command("intake", "import", nodesc)
    with pytest.raises(CommandError, match="用户"):
        call_command("intake", "import", _file(csv_bytes(rows(1)), tmp_path), "--user", "nobody")


def test_damaged_files_are_refused_cleanly(city):
    with pytest.raises(IntakeError, match="Excel"):
        imports.validate(city.supervisor, b"not a zip", "xlsx", "import")
    from hotline.common.testing import workbook_damaged_after_its_header

    damaged = workbook_damaged_after_its_header(["编号", "诉求内容"])  # breaks in row 2
    with pytest.raises(IntakeError, match="Excel"):
        imports.validate(city.supervisor, damaged, "xlsx", "import")
    checked = imports.validate(
        city.supervisor, '{"诉求内容": "停水"}\n{oops\n[1]\n'.encode(), "jsonl", "import"
    )
    assert [e["line"] for e in checked.errors] == [2, 3]


def test_only_supervisors_create_jobs(city):
    with pytest.raises(IntakeError) as exc:
        create_job(
            city.agent,
            filename="a.csv",
            content=csv_bytes(rows(1)),
            channel="import",
            skip_bad=False,
        )
    assert exc.value.status == 403


def test_job_runs_and_counts(city):
    job, _ = create_job(
        city.supervisor,
        filename="a.csv",
        content=csv_bytes([*rows(3), ["X", "", "", "", ""]]),
        channel="import",
        skip_bad=True,
    )
    assert job.status == "validated" and job.total == 3 and job.failed == 1
    job = run_job(job.pk)
    assert (job.status, job.processed, job.created, job.failed) == ("done", 3, 3, 1)
    assert job.errors == [{"line": 5, "reason": "诉求内容：内容过短"}] or job.errors[0]["line"] == 5


def test_invalid_job_cannot_run(city):
    job, _ = create_job(
        city.supervisor,
        filename="a.csv",
        content=csv_bytes([["X", "", "", "", ""]]),
        channel="import",
        skip_bad=False,
    )
    assert job.status == "invalid"
    with pytest.raises(IntakeError):
        run_job(job.pk)


# --- the page --------------------------------------------------------------------------------
def test_upload_page_validates_then_runs_with_progress(client, city, settings):
    settings.INTAKE_IMPORT_INLINE = True
    client.force_login(city.supervisor)
    assert client.get("/intake/import/").status_code == 200
    upload = SimpleUploadedFile("calls.xlsx", xlsx_bytes(rows(3)))
    response = client.post("/intake/import/", {"file": upload, "channel": "import"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/import/{job.pk}/"
    page = client.get(f"/intake/import/{job.pk}/").content.decode()
    assert "诉求内容" in page and "开始导入" in page
    client.post(f"/intake/import/{job.pk}/")
    progress = client.get(f"/intake/import/{job.pk}/progress/").content.decode()
    assert "已完成" in progress and "新建工单 3" in progress
    assert Order.objects.filter(channel="import").count() == 3


def test_the_page_after_start_shows_the_job_running_before_its_thread_has_begun(
    client, city, monkeypatch
):
    """The start request marks the job running itself: the page it redirects to polls the
    progress even when the job's thread has not reached the database yet (it showed
    "validated" with no progress, and stayed so, when the page was read first)."""
    from hotline.intake import views

    started = []

    class Held:  # a thread that has not run yet
        def __init__(self, target, name, daemon):
            started.append(target)

        def start(self):
            pass

    monkeypatch.setattr(views.threading, "Thread", Held)
    client.force_login(city.supervisor)
    upload = SimpleUploadedFile("calls.csv", csv_bytes(rows(2)))
    client.post("/intake/import/", {"file": upload, "channel": "import"})
    job = ImportJob.objects.get()
    client.post(f"/intake/import/{job.pk}/")
    page = client.get(f"/intake/import/{job.pk}/").content.decode()
    assert "导入中" in page and f"/intake/import/{job.pk}/progress/" in page
    assert "开始导入" not in page
    assert len(started) == 1
    run_job(job.pk)  # what the thread runs (not called here: it closes the test's connection)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 2)
    assert Order.objects.filter(channel="import").count() == 2


def test_a_running_job_without_progress_for_minutes_can_be_continued(client, city, settings):
    """A job whose thread died with its process (a restart) stays "running": once it has shown
    no progress for ``STALLED_AFTER`` the page says so and offers to continue it."""
    import datetime as dt

    from django.utils import timezone

    from hotline.intake.services import start_job

    job, _ = create_job(
        city.supervisor,
        filename="a.csv",
        content=csv_bytes(rows(2)),
        channel="import",
        skip_bad=False,
    )
    start_job(job.pk)  # ... and the process died here
    client.force_login(city.supervisor)
    url = f"/intake/import/{job.pk}/"
    page = client.get(url).content.decode()
    assert "导入中" in page and "继续导入" not in page  # a fresh job is left alone
    ImportJob.objects.filter(pk=job.pk).update(
        beat_at=timezone.now() - ImportJob.STALLED_AFTER - dt.timedelta(seconds=1)
    )
    page = client.get(url).content.decode()
    assert "已超过 5 分钟没有进展" in page and "继续导入" in page
    settings.INTAKE_IMPORT_INLINE = True
    client.post(url)
    job.refresh_from_db()
    assert (job.status, job.created, job.stalled) == ("done", 2, False)


def test_upload_page_lists_bad_rows_and_writes_nothing(client, city):
    client.force_login(city.supervisor)
    data = [*rows(1), ["R-x", "", "", "", ""]]
    upload = SimpleUploadedFile("calls.csv", csv_bytes(data))
    client.post("/intake/import/", {"file": upload, "channel": "import"})
    job = ImportJob.objects.get()
    page = client.get(f"/intake/import/{job.pk}/").content.decode()
    assert "校验未通过" in page and "<td>3</td>" in page
    assert not Order.objects.exists()


def test_upload_page_refuses_other_roles(client, city):
    client.force_login(city.agent)
    assert client.get("/intake/import/").status_code == 403
    client.logout()
    assert client.get("/intake/import/").status_code == 302


def test_upload_page_bad_file_is_a_form_error(client, city):
    client.force_login(city.supervisor)
    upload = SimpleUploadedFile("calls.pdf", b"%PDF")
    response = client.post("/intake/import/", {"file": upload, "channel": "import"})
    assert response.status_code == 200 and "只支持" in response.content.decode()


def _file(content: bytes, directory=None) -> str:
    import tempfile
    from pathlib import Path

    directory = Path(directory or tempfile.mkdtemp())
    path = directory / f"appeals-{len(content)}.csv"
    path.write_bytes(content)
    return str(path)


assert HEADER[1] == "诉求内容"


def test_import_list_has_a_bounded_query_count(client, city, django_assert_max_num_queries):
    for n in range(5):
        create_job(
            city.supervisor,
            filename=f"f{n}.csv",
            content=csv_bytes(rows(1, start=n + 1)),
            channel="import",
            skip_bad=False,
        )
    client.force_login(city.supervisor)
    client.get("/intake/import/")  # the session and the user's roles, once
    with django_assert_max_num_queries(8):
        response = client.get("/intake/import/")
    assert response.content.decode().count("f") and len(response.context["jobs"]) == 5


def test_triage_helpers_give_the_same_orders_as_one_process(city):
    """`--workers 2`: a forked helper triages the next batches; the orders, events and notices
    are the ones a single process writes."""
    import datetime as dt

    from hotline.orders.models import Notification, OrderEvent

    def timeless(values: dict) -> dict:  # the two runs receive at different moments
        return {
            k: v
            for k, v in values.items()
            if not isinstance(v, dt.datetime) and not k.endswith("deadline")
        }

    data = [*rows(5), ["R-urgent", "老人在家摔倒了，起不来，需要帮助", "13800000009", "", ""]]
    content = csv_bytes(data)
    stored = {}
    for user, workers in ((city.supervisor, 2), (city.admin, 1)):
        checked = imports.validate(user, content, "csv", "import")
        counts = imports.run(user, checked.appeals, batch=2, workers=workers)
        assert counts["created"] == 6
        orders = Order.objects.filter(client=user).order_by("idempotency_key")
        stored[workers] = [
            (
                timeless({k: v for k, v in o.items() if k not in ("id", "number", "client_id")}),
                [
                    (e["code"], e["unit_id"], timeless(e["payload"]))
                    for e in OrderEvent.objects.filter(order_id=o["id"]).order_by("id").values()
                ],
                Notification.objects.filter(order_id=o["id"]).count(),
            )
            for o in orders.values()
        ]
    assert stored[2] == stored[1]
    assert any(notices for _row, _events, notices in stored[2])  # the urgent row's notices
