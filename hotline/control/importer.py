"""Reading the household workbook (openpyxl): one row per member, the header row names the
columns (services.HOUSEHOLD_COLUMNS); ID numbers typed as numbers by Excel are recovered."""

from __future__ import annotations

from hotline.common.spreadsheets import first_sheet_rows

from .services import HOUSEHOLD_COLUMNS

REQUIRED = ("户编号", "村居代码", "住址", "姓名", "身份证号")
UNREADABLE = "无法读取文件，请上传 Excel（.xlsx）格式的户籍名册。"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_workbook(file) -> list[dict]:
    """Rows of the first sheet as dicts with ``_row`` (the sheet's row number); ValueError
    with a Chinese message when the file or its header is not usable."""
    rows = first_sheet_rows(file, lambda: ValueError(UNREADABLE))
    header = [_text(c) for c in next(rows, ())]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValueError(f"表头缺少列：{'、'.join(missing)}（应为 {'、'.join(HOUSEHOLD_COLUMNS)}）")
    out = []
    for number, values in enumerate(rows, start=2):
        row = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        if not any(row.values()):
            continue
        row["_row"] = number
        out.append(row)
    return out
