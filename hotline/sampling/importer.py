"""Reading the sampling app's files (CSV or Excel): a lab's results into
``services.ResultRow``s, and a registration file (a town's or a device's export of swabs taken)
into batches of ``services.SampleRow``s that ``import_sample_file`` hands to
``services.import_samples``.

The header names the columns, in Chinese or English, in any order. Results: 管号/条码/tube/
barcode, 结果/检测结果/result, 时间/检测时间/报告时间/time. Registrations: 管号, 身份证号/居民码/
person, 采样点编号/site, 采样时间/sampled_at, and optionally 方式/mode (现场 or 上门; empty is
现场). A file without its columns is refused as a whole (one clear message); everything row by
row is the service's business.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from hotline.common.spreadsheets import first_sheet_rows

from .errors import SamplingError, invalid
from .services import ResultRow, SampleRow, import_samples

HEADERS = {
    "tube": ("管号", "样本管号", "条码", "采样管条码", "tube", "barcode"),
    "result": ("结果", "检测结果", "result"),
    "at": ("时间", "检测时间", "报告时间", "time", "at"),
}
SAMPLE_HEADERS = {
    "tube": HEADERS["tube"],
    "person": (
        "身份证号", "身份证号码", "证件号码", "居民码", "身份证号或居民码", "person", "id_number",
    ),
    "site": ("采样点编号", "采样点", "site", "site_id"),
    "sampled_at": ("采样时间", "时间", "sampled_at", "time"),
}  # fmt: skip
SAMPLE_OPTIONAL = {"mode": ("方式", "采样方式", "mode")}
#: How a registration file may write the mode; anything else goes to the service as written
#: (which refuses it for that row).
MODE_WORDS = {
    "": "site", "site": "site", "door": "door", "现场": "site", "采样点": "site", "上门": "door",
    "入户": "door",
}  # fmt: skip
#: The largest file a page takes (the command reads any size, batch by batch).
MAX_BYTES = 20 * 1024 * 1024
#: Registrations per ``import_samples`` call when a file is imported: each batch is one
#: transaction, and larger batches cost less per swab (docs/SAMPLING.md).
SAMPLE_BATCH = 50_000
#: What each refusal code of ``import_samples`` means, for a file's summary.
REFUSALS = {
    "already_sampled": "本轮已采样",
    "tube_full": "管已封或已满",
    "tube_elsewhere": "管号属于其他轮次或网格",
    "tube_recall": "召回单采管",
    "unknown_site": "采样点不存在或不属于本轮",
    "forbidden": "不在该采样点的采样人员名单中",
    "bad_barcode": "管号为空或过长",
    "bad_mode": "采样方式有误",
    "bad_time": "采样时间有误",
    "future_time": "采样时间晚于当前时间",
    "bad_id_number": "身份证号码有误",
    "unknown_resident_code": "居民码无法识别",
    "person_required": "缺少身份证号或居民码",
}
#: Refused rows a file's report lists one by one (all of them are counted by code).
MAX_LISTED_ERRORS = 1000


def _columns(header, headers: dict, optional: dict | None = None) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    found = {}
    for key, options in {**headers, **(optional or {})}.items():
        for i, name in enumerate(names):
            if name in options:
                found[key] = i
                break
    missing = [headers[k][0] for k in headers if k not in found]
    if missing:
        example = ",".join(options[0] for options in headers.values())
        raise invalid(
            f"文件第一行须为表头，缺少列：{'、'.join(missing)}（如：{example}）。",
            "bad_header",
        )
    return found


def _rows(table) -> list[ResultRow]:
    table = iter(table)
    header = next(table, None)
    if header is None:
        raise invalid("文件是空的。", "empty_file")
    cols = _columns(header, HEADERS)
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
    return _rows(_table(name, io.BytesIO(data)))


def _table(name: str, binary) -> Iterator:
    """The rows (sequences of cells) of a .csv or .xlsx file open for binary reading, read as
    they are needed: a district's registration file holds millions of rows."""
    if name.lower().endswith(".xlsx"):
        return first_sheet_rows(binary, lambda: invalid(XLSX_UNREADABLE, "bad_file"))
    if not name.lower().endswith(".csv"):
        raise invalid("只支持 .csv 或 .xlsx 文件。", "bad_file_type")
    # UTF-8 if the whole file decodes as UTF-8 (checked in pieces, before a row is read, so
    # that a file is not half imported in one encoding), else GB18030, which Chinese Excel
    # writes; a file neither decodes is refused when the bad bytes are reached.
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        for piece in iter(lambda: binary.read(1 << 20), b""):
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "gb18030"
    binary.seek(0)
    return _decoded(csv.reader(io.TextIOWrapper(binary, encoding=encoding, newline="")))


XLSX_UNREADABLE = "无法读取这个 Excel 文件，请另存为 .xlsx 或 .csv 再试。"


def _decoded(reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise invalid("无法识别文件编码，请保存为 UTF-8 的 CSV。", "bad_encoding") from exc
    except csv.Error as exc:  # a NUL byte, an unclosed quote at the end of the file
        raise invalid(f"CSV 格式有误（第 {reader.line_num} 行）。", "bad_csv") from exc


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # Excel keeps numbers typed into a cell as floats
    return cell if isinstance(cell, str) else str(cell)


def sample_batches(
    name: str, binary, size: int = SAMPLE_BATCH
) -> Iterator[tuple[list[int], list[SampleRow]]]:
    """A registration file's rows in batches of ``size``: (each row's line in the file — the
    header is line 1, as a spreadsheet numbers it —, the rows). Blank lines are skipped; the
    site is a number where the cell holds digits, the mode a service value where the cell holds
    one of ``MODE_WORDS``; the rest is left as written for ``import_samples`` to check."""
    table = _table(name, binary)
    header = next(table, None)
    if header is None:
        raise invalid("文件是空的。", "empty_file")
    cols = _columns(header, SAMPLE_HEADERS, SAMPLE_OPTIONAL)
    mode_at = cols.get("mode")
    at = [cols["tube"], cols["person"], cols["site"], cols["sampled_at"]]
    # The mode read with the other four (a missing column reads the tube again, ignored): one
    # C-level item getter per row rather than a Python loop over the columns.
    cells = itemgetter(*at, at[0] if mode_at is None else mode_at)
    width = max(cols.values()) + 1
    modes = MODE_WORDS
    row_of = SampleRow
    lines: list[int] = []
    rows: list[SampleRow] = []
    for number, line in enumerate(table, start=2):
        if len(line) < width:
            if not any(line):
                continue
            line = [*line, *[""] * (width - len(line))]
        tube, person, site, when, mode = cells(line)
        if type(tube) is not str or type(person) is not str or type(site) is not str:
            tube, person, site = _text(tube), _text(person), _text(site)
        if not (tube or person or site or when):
            continue
        if mode_at is None:
            mode = "site"
        elif mode not in modes:
            mode = _text(mode).strip()
            mode = modes.get(mode, mode.lower())
        else:
            mode = modes[mode]
        if not site.isdecimal():
            site = site.strip()
        if "\x00" in person or "\x00" in tube:  # PostgreSQL refuses NUL in text
            person, tube = person.replace("\x00", ""), tube.replace("\x00", "")
        lines.append(number)
        # A site number is at most 18 digits (ids are 64-bit); longer text stays text, which
        # the service refuses as an unknown site (``int`` of thousands of digits raises).
        if site.isdecimal() and len(site) <= 18:
            site = int(site)
        rows.append(row_of(tube, person, site, when, mode))
        if len(rows) == size:
            yield lines, rows
            lines, rows = [], []
    if rows:
        yield lines, rows


@dataclass
class FileReport:
    """What importing a registration file did: rows read, swabs kept, tubes closed, refused
    rows counted by code and the first ``MAX_LISTED_ERRORS`` listed with their line; ``stopped``
    says why the import stopped early, if it did (the batches before it are kept)."""

    file_name: str
    rows: int = 0
    created: int = 0
    tubes_closed: int = 0
    refused: int = 0
    batches: int = 0
    by_code: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)
    stopped: str = ""

    @property
    def more_errors(self) -> int:
        return self.refused - len(self.errors)

    @property
    def reasons(self) -> list[tuple[str, str, int]]:
        """(code, what it means, rows) of the refused rows, most frequent first."""
        return [(c, REFUSALS.get(c, c), n) for c, n in self.by_code.most_common()]


def import_sample_file(
    actor, round_, name: str, binary, *, size: int = SAMPLE_BATCH, progress=None
) -> FileReport:
    """Import a registration file into ``round_`` batch by batch through
    ``services.import_samples``, each batch its own transaction. A file refused as a whole
    (header, type, encoding) or whose first batch is refused as a whole (the round closed, the
    actor not allowed) raises ``SamplingError`` with nothing written; if a later batch is
    refused as a whole, the batches before it stay and ``stopped`` says where it stopped.
    ``progress(report)`` is called after each batch."""
    report = FileReport(file_name=name)
    batches = sample_batches(name, binary, size)
    next_line = 2
    while True:
        try:
            lines, rows = next(batches, (None, None))
            if rows is None:
                break
            batch = import_samples(actor, round_, rows, source=name)
        except SamplingError as exc:
            if not report.batches:
                raise
            report.stopped = f"自第 {next_line} 行起未导入：{exc}"
            break
        next_line = lines[-1] + 1
        report.batches += 1
        report.rows += batch.rows
        report.created += batch.created
        report.tubes_closed += batch.tubes_closed
        report.refused += len(batch.errors)
        for error in batch.errors:
            report.by_code[error["code"]] += 1
            if len(report.errors) < MAX_LISTED_ERRORS:
                report.errors.append({**error, "row": lines[error["row"] - 1]})
        if progress is not None:
            progress(report)
    if not report.batches and not report.stopped:
        raise invalid("文件里没有登记数据（表头之后都是空行）。", "no_rows")
    return report
