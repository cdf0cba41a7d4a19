"""Reading a lab's results file (CSV or Excel) into ``services.ResultRow``s.

The header names the columns, in Chinese or English, in any order: 管号/条码/tube/barcode,
结果/检测结果/result, 时间/检测时间/报告时间/time. A file without them is refused as a whole
(one clear message); everything row by row is the service's business.
"""

from __future__ import annotations

import csv
import io

from .errors import invalid
from .services import ResultRow

HEADERS = {
    "tube": ("管号", "样本管号", "条码", "采样管条码", "tube", "barcode"),
    "result": ("结果", "检测结果", "result"),
    "at": ("时间", "检测时间", "报告时间", "time", "at"),
}
MAX_BYTES = 20 * 1024 * 1024


def _columns(header) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    found = {}
    for key, options in HEADERS.items():
        for i, name in enumerate(names):
            if name in options:
                found[key] = i
                break
    missing = [HEADERS[k][0] for k in HEADERS if k not in found]
    if missing:
        raise invalid(
            f"文件第一行须为表头，缺少列：{'、'.join(missing)}（如：管号,结果,时间）。",
            "bad_header",
        )
    return found


def _rows(table) -> list[ResultRow]:
    table = iter(table)
    header = next(table, None)
    if header is None:
        raise invalid("文件是空的。", "empty_file")
    cols = _columns(header)
    rows = []
    for line in table:
        line = list(line)
        if not any(str(c or "").strip() for c in line):
            continue
        line += [""] * (max(cols.values()) + 1 - len(line))
        line = [c.replace("\x00", "") if isinstance(c, str) else c for c in line]
        rows.append(
            ResultRow(
                str(line[cols["tube"]] or ""),
                str(line[cols["result"]] or ""),
                line[cols["at"]] or "",
            )
        )
    return rows


def read_results(name: str, data: bytes) -> list[ResultRow]:
    """The rows of a .csv (UTF-8 or GB18030) or .xlsx file."""
    if len(data) > MAX_BYTES:
        raise invalid("文件过大（最大 20 MB），请分批导入。", "file_too_large")
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise invalid(
                "无法读取这个 Excel 文件，请另存为 .xlsx 或 .csv 再试。", "bad_file"
            ) from exc
        return _rows(book.worksheets[0].iter_rows(values_only=True))
    if not name.lower().endswith(".csv"):
        raise invalid("只支持 .csv 或 .xlsx 文件。", "bad_file_type")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise invalid("无法识别文件编码，请保存为 UTF-8 的 CSV。", "bad_encoding")
    return _rows(csv.reader(io.StringIO(text)))
