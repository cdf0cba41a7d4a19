"""Excel workbooks (openpyxl) of a unit's ledger day and of a form's roll-up. Names and phones
are masked in files: a file leaves the system, and an upward report needs counts, not people."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone

from hotline.common.masking import mask_name, mask_phone

from .queries import DistrictRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(cell):
    # Spreadsheet formula injection: text someone typed must never run as a formula.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


def _fmt(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _response(wb, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def ledger_workbook(ledger, day, rows, summary) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "排查台账"
    ws.append([f"{ledger.unit.name} 人员防控排查台账 {day:%Y-%m-%d}"])
    ws.append(
        [
            "姓名",
            "电话",
            "类别",
            "岗位/驻守点",
            "核酸结果",
            "检测日期",
            "症状",
            "所在地点",
            "在岗",
            "填报人",
            "填报时间",
            "逾期",
        ]
    )
    for person, status in rows:
        base = [
            mask_name(person.name),
            mask_phone(person.phone),
            person.get_kind_display(),
            person.post,
        ]
        if status is None:
            ws.append([_safe(c) for c in base] + ["未填报"])
            continue
        ws.append(
            [_safe(c) for c in base]
            + [
                status.get_test_result_display(),
                status.test_date.isoformat() if status.test_date else "",
                _safe(status.symptom_note or ("有" if status.symptoms else "无")),
                _safe(status.location),
                "是" if status.on_duty else "否",
                status.filled_by.username,
                _fmt(status.filled_at),
                "逾期" if status.late else "",
            ]
        )
    ws.append([])
    ws.append(
        [
            "在册",
            summary["people"],
            "已填",
            summary["filled"],
            "在岗",
            summary["on_duty"],
            "阴性",
            summary["negative"],
            "有症状",
            summary["symptoms"],
            "逾期",
            summary["late"],
        ]
    )
    return _response(wb, f"ledger-{ledger.unit.code}-{day:%Y%m%d}.xlsx")


def rollup_workbook(form, day, districts: list[DistrictRow]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "按区县汇总"
    ws.append([f"{form.title} {day:%Y-%m-%d}（截止 {form.cutoff:%H:%M}）"])
    ws.append(["区县", "应报单位", "待审核", "已通过", "已退回", "未报", "逾期"])
    for d in districts:
        ws.append([d.name, d.units, d.submitted, d.approved, d.returned, d.missing, d.late])
    specs = form.field_specs()
    detail = wb.create_sheet("各单位日报")
    detail.append(
        ["区县", "单位", "状态", "提交时间", "逾期", *[s.get("label", s["key"]) for s in specs]]
    )
    late = wb.create_sheet("逾期名单")
    late.append(["区县", "单位", "情况", "提交时间"])
    for d in districts:
        for row in d.rows:
            report = row.report
            status = report.get_status_display() if report else "未报"
            values = [_safe(report.values.get(s["key"], "")) if report else "" for s in specs]
            detail.append(
                [
                    d.name,
                    row.unit.name,
                    status,
                    _fmt(report.submitted_at) if report else "",
                    "逾期" if row.late else "",
                    *values,
                ]
            )
            if row.late:
                late.append(
                    [
                        d.name,
                        row.unit.name,
                        "逾期提交" if report else "逾期未报",
                        _fmt(report.submitted_at) if report else "",
                    ]
                )
    return _response(wb, f"{form.code}-{day:%Y%m%d}.xlsx")
