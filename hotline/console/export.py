"""CSV and Excel export of an order list. Caller name and phone are always masked in files:
a file leaves the system's access log, so nobody's unmasked data goes into one."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from hotline.common.masking import mask_name, mask_phone

MAX_ROWS = 50_000
HEADERS = ["工单编号", "受理时间", "渠道", "诉求类型", "分类", "紧急程度", "状态", "标题",
           "区县", "镇街", "主办单位", "签收时限", "办结时限", "来电人", "来电号码"]  # fmt: skip


def _rows(qs):
    qs = qs.select_related("district", "town", "handling_unit")[:MAX_ROWS]
    for o in qs.iterator(chunk_size=2000):
        yield [
            o.number,
            _fmt(o.received_at),
            o.get_channel_display(),
            o.get_appeal_type_display(),
            o.get_category_display(),
            o.get_urgency_display(),
            o.get_status_display(),
            o.title,
            o.district.name if o.district else "",
            o.town.name if o.town else "",
            o.handling_unit.name if o.handling_unit else "",
            _fmt(o.accept_deadline),
            _fmt(o.resolve_deadline),
            mask_name(o.caller_name),
            mask_phone(o.caller_phone),
        ]


def _fmt(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(cell):
    # Spreadsheet formula injection: a cell a resident wrote must never run as a formula.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


class _Echo:
    def write(self, value):
        return value


def export_response(qs, fmt: str):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # BOM: Excel opens UTF-8 CSV with Chinese correctly
            yield writer.writerow(HEADERS)
            for row in _rows(qs):
                yield writer.writerow([_safe(c) for c in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单")
    ws.append(HEADERS)
    for row in _rows(qs):
        ws.append([_safe(c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
    return response
