"""Exports: real date cells, widths, filter and frozen header in Excel; the full appeal and
reply in both formats; caller data masked and formulas defused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.console.export import HEADERS
from hotline.orders import services
from hotline.orders.models import DESCRIPTION_MAX

pytestmark = pytest.mark.django_db

LONG = ("公馆镇圩镇路灯坏了一个星期，晚上很黑，老人出门不方便。" * 200)[: DESCRIPTION_MAX - 10]
REPLY = "=已于当日修复路灯，" + "并安排专人巡查。" * 100


@pytest.fixture
def resolved(people, register):
    order = register(description=LONG)
    services.accept(people.gongguan, order)
    services.resolve(people.gongguan, order, reply=REPLY)
    order.refresh_from_db()
    return order


def test_xlsx_has_date_cells_widths_filter_frozen_header_and_full_text(
    client, people, resolved, django_assert_max_num_queries
):
    from openpyxl import load_workbook

    client.force_login(people.supervisor)
    # session, user, the orders, and the audit entry every download writes
    with django_assert_max_num_queries(9):
        r = client.get(reverse("console:orders"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    col = {ws.cell(1, i).value: i for i in range(1, ws.max_column + 1)}
    assert list(col) == HEADERS
    received = ws.cell(2, col["受理时间"])
    assert isinstance(received.value, dt.datetime) and received.is_date
    assert received.number_format == "yyyy-mm-dd hh:mm"
    local = timezone.localtime(resolved.received_at).replace(tzinfo=None)
    assert received.value == local.replace(second=0, microsecond=0)
    assert isinstance(ws.cell(2, col["答复时间"]).value, dt.datetime)
    assert isinstance(ws.cell(2, col["办结时限"]).value, dt.datetime)
    assert ws.cell(2, col["签收时限"]).value is not None  # the accept clock's deadline
    # The whole appeal and reply, not a preview; the reply starting with "=" stays text.
    assert ws.cell(2, col["诉求内容"]).value == LONG
    assert ws.cell(2, col["答复内容"]).value == "'" + REPLY
    assert ws.cell(2, col["答复内容"]).data_type == "s"
    assert ws.cell(2, col["来电号码"]).value == "138****5678"
    assert ws.cell(2, col["来电人"]).value != "王小明"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(HEADERS)).column_letter}2"
    assert ws.column_dimensions["P"].width >= 40  # 诉求内容
    assert ws.column_dimensions["A"].width >= 14


def test_csv_has_full_text_readable_times_and_masking(client, people, resolved):
    client.force_login(people.supervisor)
    r = client.get(reverse("console:orders"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert header == HEADERS
    assert row[header.index("诉求内容")] == LONG
    assert row[header.index("答复内容")] == "'" + REPLY
    local = timezone.localtime(resolved.received_at)
    assert row[header.index("受理时间")] == f"{local:%Y-%m-%d %H:%M}"
    assert row[header.index("来电号码")] == "138****5678"
    assert "王小明" not in "".join(row)


def test_empty_export_still_has_a_header_and_filter(client, people):
    from openpyxl import load_workbook

    client.force_login(people.agent)
    r = client.get(reverse("console:orders"), {"export": "xlsx", "q": "没有这样的工单"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1 and ws.auto_filter.ref.endswith("1")
