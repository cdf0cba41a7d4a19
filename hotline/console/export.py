"""CSV and Excel export of an order list. Caller name and phone are always masked in files:
a file leaves the system's access log, so nobody's unmasked data goes into one. The appeal and
the reply are exported in full (a file is where they are read at length)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from hotline.common.masking import mask_name, mask_phone

MAX_ROWS = 50_000
#: (header, Excel column width in characters) of every exported column, in order.
COLUMNS = [
    ("工单编号", 16), ("受理时间", 17), ("渠道", 8), ("诉求类型", 9), ("分类", 14),
    ("紧急程度", 9), ("状态", 13), ("标题", 36), ("区县", 10), ("镇街", 12), ("主办单位", 22),
    ("签收时限", 17), ("办结时限", 17), ("来电人", 9), ("来电号码", 14), ("诉求内容", 60),
    ("答复时间", 17), ("答复内容", 60),
]  # fmt: skip
HEADERS = [name for name, _ in COLUMNS]
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def _rows(qs):
    """One list per order: strings, and local naive datetimes (or None) for the time columns."""
    qs = qs.select_related("district", "town", "handling_unit")[:MAX_ROWS]
    for o in qs.iterator(chunk_size=2000):
        yield [
            o.number,
            _local(o.received_at),
            o.get_channel_display(),
            o.get_appeal_type_display(),
            o.get_category_display(),
            o.get_urgency_display(),
            o.get_status_display(),
            o.title,
            o.district.name if o.district else "",
            o.town.name if o.town else "",
            o.handling_unit.name if o.handling_unit else "",
            _local(o.accept_deadline),
            _local(o.resolve_deadline),
            mask_name(o.caller_name),
            mask_phone(o.caller_phone),
            o.description,
            _local(o.resolved_at),
            o.reply,
        ]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (aware, UTC) time as the local wall-clock time, naive: spreadsheet cells have
    no time zone, and people read the hotline's local time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)


def _csv_cell(cell):
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    return _safe("" if cell is None else cell)


def _safe(cell):
    # Spreadsheet formula injection: a cell a resident wrote must never run as a formula
    # (OWASP's list of leading characters, tab and carriage return included).
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
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
                yield writer.writerow([_csv_cell(c) for c in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        return response
    response = HttpResponse(
        _workbook(qs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
    return response


def _workbook(qs) -> bytes:
    """The orders as an .xlsx sheet: a frozen header row with an autofilter, set column
    widths, times as real date cells (sortable and filterable in Excel)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)  # streams rows: 50,000 orders do not sit in memory as cells
    ws = wb.create_sheet("工单")
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    long_text = {HEADERS.index("诉求内容"), HEADERS.index("答复内容")}
    count = 0
    for row in _rows(qs):
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=_safe(value))
            if isinstance(value, dt.datetime):
                cell.number_format = DATE_FORMAT
            elif index in long_text:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
