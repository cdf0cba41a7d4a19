"""The tables of the board, the league table and the daily report as rows; CSV and Excel of
each; the daily report as a formatted workbook (formulas where a reader expects them) and as a
printable PDF (WeasyPrint, Noto CJK)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .choices import Table

PRINT_CSS = Path(__file__).resolve().parent / "static" / "stats" / "report-print.css"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(value) -> str:
    return "" if value is None else f"{value}"


def _num(value) -> str:
    return "" if value is None else f"{value}"


LEAGUE_HEADERS = [
    "名次",
    "承办单位",
    "派单",
    "应签收",
    "按时签收",
    "按时签收率%",
    "应办结",
    "按时办结",
    "按时办结率%",
    "回访评价",
    "满意及基本满意",
    "满意率%",
    "退单",
    "回退率%",
    "重办",
    "答复",
    "重办率%",
    "签收用时中位数（分钟）",
    "办理用时中位数（分钟）",
]


def _league_row(r: dict, first: str) -> list:
    return [
        first,
        r["name"],
        r["dispatches"],
        r["accept_due"],
        r["accept_on_time"],
        r["accept_rate"],
        r["resolve_due"],
        r["resolve_on_time"],
        r["resolve_rate"],
        r["rated"],
        r["satisfied"],
        r["satisfaction_rate"],
        r["returns"],
        r["return_rate"],
        r["reopens"],
        r["resolves"],
        r["reopen_rate"],
        r["median_accept_minutes"],
        r["median_resolve_minutes"],
    ]


def table(name: str, board: dict | None = None, league: dict | None = None):
    """(title, headers, rows) of one of the tables (``choices.Table``)."""
    title = Table(name).label
    if name == Table.HOURS:
        head = ["时段" if board["by_hour"] else "日期", "受理量", "去年同期（同星期）"]
        rows = [[v["label"], v["count"], v["last_year"]] for v in board["volume"]]
    elif name == Table.CHANNELS:
        head = ["渠道", "受理量", "占比%"]
        rows = [[c["name"], c["count"], c["share"]] for c in board["channels"]]
    elif name == Table.CATEGORIES:
        head = ["诉求分类", "受理量", "其中涉疫", "涉疫占比%"]
        rows = [
            [c["name"], c["count"], c["epidemic"], c["epidemic_share"]] for c in board["categories"]
        ]
    elif name == Table.TOWNS:
        head = ["镇街", "受理量"]
        rows = [[t["name"], t["count"]] for t in board["towns"]]
    elif name == Table.PIPELINE:
        head = ["环节", "件数", "自受理起用时中位数（分钟）"]
        rows = [[p["name"], p["count"], p["median_minutes"]] for p in board["pipeline"]]
    elif name == Table.OVERDUE:
        head = ["承办单位", "超时工单", "其中仍在办"]
        rows = [[o["unit"], o["orders"], o["open"]] for o in board["overdue"]]
    elif name == Table.UNITS:
        head = LEAGUE_HEADERS
        rows = [_league_row(r, r["rank"]) for r in league["units"]]
    elif name == Table.DISTRICTS:
        head = ["", "区县", *LEAGUE_HEADERS[2:], "受理", "首呼解决", "首呼解决率%"]
        rows = [
            [*_league_row(r, ""), r.get("received"), r.get("first_contact"),
             r.get("first_contact_rate")]
            for r in league["districts"]
        ]  # fmt: skip
    else:  # pragma: no cover - the callers check the name
        raise ValueError(name)
    return title, head, rows


def csv_bytes(head: list, rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="BBBBBB")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet(ws, title: str, head: list, rows: list, *, start_row: int = 1) -> int:
    """Write a titled table; returns the row after it."""
    ws.cell(start_row, 1, title).font = Font(bold=True, size=13)
    r = start_row + 1
    for c, h in enumerate(head, start=1):
        cell = ws.cell(r, c, h)
        cell.font, cell.fill, cell.border = HEAD_FONT, HEAD_FILL, BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        r += 1
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c, v)
            cell.border = BOX
    for c, h in enumerate(head, start=1):
        width = (
            max(len(str(h)) * 2, *(len(str(row[c - 1] or "")) + 2 for row in rows), 8)
            if rows
            else 10
        )
        ws.column_dimensions[get_column_letter(c)].width = min(width, 40)
    return r + 2


def table_xlsx(title: str, head: list, rows: list) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    _sheet(ws, title, head, rows)
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the daily report ------------------------------------------------------------------------
def report_xlsx(data: dict) -> bytes:
    """The daily report as a workbook: 总览 with totals and year-on-year formulas, then
    channels, categories, towns (each with a SUM total and share formulas), critical and
    urgent orders, and the league table whose rates are formulas over its counts."""
    f = data["figures"]
    wb = Workbook()
    ws = wb.active
    ws.title = "总览"
    ws["A1"] = f"12345 热线日报 · {data['day']}（截至 {data['cutoff_hour']} 时）"
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["指标", "本期", "去年同期", "同比%"])
    for c in range(1, 5):
        cell = ws.cell(3, c)
        cell.font, cell.fill, cell.border = HEAD_FONT, HEAD_FILL, BOX
    lines = [
        ("受理总量", f["total"], f["last_year_total"]),
        ("其中涉疫", f["epidemic"], f["last_year_epidemic"]),
        ("电话", f["phone"], None),
        ("网络渠道", f["online"], None),
        ("超时工单", data["overdue_orders"], None),
    ]
    for i, (label, now, before) in enumerate(lines, start=4):
        ws.cell(i, 1, label).border = BOX
        ws.cell(i, 2, now).border = BOX
        ws.cell(i, 3, before).border = BOX
        yoy = ws.cell(i, 4, f'=IF(N(C{i})=0,"",(B{i}-C{i})/C{i})' if before else None)
        yoy.number_format = "0.0%"
        yoy.border = BOX
    ws.column_dimensions["A"].width = 16
    for col in "BCD":
        ws.column_dimensions[col].width = 14

    def counted(title, head, rows, *, share_of_col=2):
        sheet = wb.create_sheet(title)
        end = _sheet(sheet, title, [*head, "占比"], [[*r, None] for r in rows])
        first, last = 3, 2 + len(rows)
        total_row = last + 1
        sheet.cell(total_row, 1, "合计").font = TOTAL_FONT
        letter = get_column_letter(share_of_col)
        if rows:
            sheet.cell(
                total_row, share_of_col, f"=SUM({letter}{first}:{letter}{last})"
            ).font = TOTAL_FONT
            share_col = len(head) + 1
            for r in range(first, last + 1):
                cell = sheet.cell(r, share_col, f"={letter}{r}/{letter}${total_row}")
                cell.number_format = "0.0%"
        sheet.freeze_panes = "A3"
        return end

    counted("渠道", ["渠道", "受理量"], [[c["name"], c["count"]] for c in f["channels"]])
    counted(
        "诉求分类",
        ["诉求分类", "受理量", "其中涉疫"],
        [[c["name"], c["count"], c["epidemic"]] for c in f["categories"][:10]],
    )
    counted("镇街", ["镇街", "受理量"], [[t["name"], t["count"]] for t in f["towns"][:15]])

    ws2 = wb.create_sheet("紧急工单")
    head = ["紧急程度", "受理", "已签收", "已答复", "签收率", "到达救助用时中位数（分钟）"]
    _sheet(ws2, "危急与紧急工单", head, [])
    for i, u in enumerate(data["urgent"], start=3):
        values = [u["name"], u["received"], u["accepted"], u["resolved"], None,
                  u["median_minutes_to_help"]]  # fmt: skip
        for c, v in enumerate(values, start=1):
            ws2.cell(i, c, v).border = BOX
        cell = ws2.cell(i, 5, f'=IF(B{i}=0,"",C{i}/B{i})')
        cell.number_format, cell.border = "0.0%", BOX

    ws3 = wb.create_sheet("承办单位考核")
    head = [
        "名次", "承办单位", "应签收", "按时签收", "按时签收率", "应办结", "按时办结",
        "按时办结率", "回访评价", "满意及基本满意", "满意率", "派单", "退单", "回退率",
        "答复", "重办", "重办率", "签收用时中位数（分钟）", "办理用时中位数（分钟）",
    ]  # fmt: skip
    _sheet(ws3, "承办单位考核（三率）", head, [])
    rates = {5: (4, 3), 8: (7, 6), 11: (10, 9), 14: (13, 12), 17: (16, 15)}
    for i, r in enumerate(data["league"]["units"], start=3):
        values = [
            r["rank"], r["name"], r["accept_due"], r["accept_on_time"], None, r["resolve_due"],
            r["resolve_on_time"], None, r["rated"], r["satisfied"], None, r["dispatches"],
            r["returns"], None, r["resolves"], r["reopens"], None, r["median_accept_minutes"],
            r["median_resolve_minutes"],
        ]  # fmt: skip
        for c, v in enumerate(values, start=1):
            ws3.cell(i, c, v).border = BOX
        for col, (num, den) in rates.items():
            n, d = get_column_letter(num), get_column_letter(den)
            cell = ws3.cell(i, col, f'=IF({d}{i}=0,"",{n}{i}/{d}{i})')
            cell.number_format, cell.border = "0.0%", BOX
    ws3.freeze_panes = "C3"
    for c in range(1, len(head) + 1):
        ws3.column_dimensions[get_column_letter(c)].width = 28 if c == 2 else 11
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_pdf(data: dict) -> bytes:
    """The daily report printed on A4 by WeasyPrint from its own template (fonts: Noto CJK)."""
    from weasyprint import CSS, HTML

    html = render_to_string("stats/report_print.html", {"r": data, "f": data["figures"]})
    css = CSS(filename=str(PRINT_CSS))
    return HTML(string=html).write_pdf(stylesheets=[css])
