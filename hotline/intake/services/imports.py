"""Bulk import: CSV, XLSX and JSON Lines files of appeals → orders.

Two passes. ``validate`` reads every row, maps its columns onto the appeal's fields, checks
each row with the orders API's schema (``BatchOrderIn``) and ``orders.services.check_appeal``
(the same checks ``receive`` makes before triage) and reports every bad row with its line and
reason — before anything is written. ``run`` then hands the rows to ``receive_batch`` in
batches, one transaction each (the job's progress is updated in the same transaction), with
helper processes triaging the next batches meanwhile when asked (``workers``). Each
row's key (a key column, or the hash of the row) is its idempotency key: importing a file
again gives the same orders.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from hotline.common.api_errors import field_errors
from hotline.common.spreadsheets import first_sheet_rows
from hotline.orders.choices import AppealType, Category, Urgency, Vulnerable
from hotline.orders.errors import OrderError
from hotline.orders.models import Order
from hotline.orders.schemas import BatchOrderIn
from hotline.orders.services import (
    Appeal,
    Source,
    check_appeal,
    receive_batch,
    triage_key,
    triage_readings,
)

from ..choices import IMPORT_CHANNELS, Door, EventCode, ImportFormat, JobStatus
from ..errors import IntakeError
from ..models import ImportJob
from .base import record, short_hash

BATCH = 1000
MAX_ERRORS_KEPT = 1000
MAX_FILE = 200 * 1024 * 1024

#: Appeal field → the column names that mean it (compared without case, spaces or "_").
COLUMNS: dict[str, tuple[str, ...]] = {
    "row_key": ("row_key", "key", "id", "编号", "原始编号", "来件编号", "流水号"),
    "description": ("description", "诉求内容", "内容", "诉求", "问题描述"),
    "title": ("title", "标题"),
    "caller_name": ("caller_name", "name", "姓名", "来电人", "来电人姓名", "诉求人"),
    "caller_phone": ("caller_phone", "phone", "电话", "来电号码", "手机号", "联系电话"),
    "address": ("address", "地址", "详细地址"),
    "appeal_type": ("appeal_type", "诉求类型", "类型"),
    "category": ("category", "诉求分类", "分类"),
    "urgency": ("urgency", "紧急程度"),
    "vulnerable": ("vulnerable", "特殊群体"),
    "district_code": ("district_code", "区县代码"),
    "town_code": ("town_code", "镇街代码"),
    "village_code": ("village_code", "村居代码"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lng", "long", "经度"),
}
_LOOKUP = {
    name.lower().replace("_", "").replace(" ", ""): f
    for f, names in COLUMNS.items()
    for name in names
}
#: Chinese labels accepted in place of the codes.
_LABELS = {
    "appeal_type": {label: code for code, label in AppealType.choices},
    "category": {label: code for code, label in Category.choices},
    "urgency": {label: code for code, label in Urgency.choices},
    "vulnerable": {label: code for code, label in Vulnerable.choices},
}


def detect_format(filename: str) -> str:
    name = filename.lower()
    for fmt in ImportFormat.values:
        if name.endswith("." + fmt):
            return fmt
    raise IntakeError("只支持 .csv、.xlsx 和 .jsonl 文件。", code="bad_format")


def map_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """({field: column}, ignored columns) for a file's header row."""
    mapping, ignored = {}, []
    for header in headers:
        name = str(header or "").strip()
        target = _LOOKUP.get(name.lower().replace("_", "").replace(" ", ""))
        if target and target not in mapping:
            mapping[target] = name
        elif name:
            ignored.append(name)
    return mapping, ignored


def _decode(content: bytes) -> str:
    # Files saved by Excel in a Chinese locale are GB18030 (GBK) more often than UTF-8.
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise IntakeError("文件编码无法识别，请另存为 UTF-8。", code="bad_encoding") from exc


def read_rows(content: bytes, fmt: str) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(headers, iterator of (line number, {column: value})) of a file."""
    if fmt == ImportFormat.CSV:
        reader = csv.reader(io.StringIO(_decode(content), newline=""))
        headers = next(reader, None)
        if not headers:
            raise IntakeError("文件是空的。", code="empty_file")

        def csv_rows():
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, dict(zip(headers, row, strict=False))

        return [h.strip() for h in headers], csv_rows()
    if fmt == ImportFormat.XLSX:
        rows = first_sheet_rows(
            io.BytesIO(content),
            lambda: IntakeError("无法读取该 Excel 文件，请确认是 .xlsx 格式。", "bad_xlsx"),
        )
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        if not any(headers):
            raise IntakeError("文件是空的。", code="empty_file")

        def xlsx_rows():
            for number, row in enumerate(rows, start=2):
                if any(v not in (None, "") for v in row):
                    yield number, {h: v for h, v in zip(headers, row, strict=False) if h}

        return headers, xlsx_rows()
    if fmt == ImportFormat.JSONL:
        lines = _decode(content).splitlines()
        keys: list[str] = []
        for line in lines:
            try:
                first = json.loads(line)
            except ValueError:
                continue
            if isinstance(first, dict):
                keys = list(first)
                break

        def jsonl_rows():
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError:
                    yield number, {"__error__": "不是合法的 JSON"}
                    continue
                yield number, item if isinstance(item, dict) else {"__error__": "应为 JSON 对象"}

        return keys, jsonl_rows()
    raise IntakeError("只支持 .csv、.xlsx 和 .jsonl 文件。", code="bad_format")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or code Excel stored as a number
    return str(value).strip()


def _code(field_name: str, value: str):
    return _LABELS[field_name].get(value, value) if value else None


def row_appeal(row: dict, mapping: dict[str, str], channel: str) -> tuple[str, dict]:
    """(row key, the fields for ``BatchOrderIn``) of one row."""
    get = {f: _text(row.get(column)) for f, column in mapping.items()}
    data: dict = {
        "channel": channel,
        "description": get.get("description", ""),
        "title": get.get("title", ""),
        "caller_name": get.get("caller_name", ""),
        "caller_phone": get.get("caller_phone", ""),
        "address": get.get("address", ""),
    }
    for name in ("appeal_type", "category", "urgency"):
        data[name] = _code(name, get.get(name, ""))
    if get.get("vulnerable"):
        parts = [p.strip() for p in get["vulnerable"].replace("、", ",").split(",") if p.strip()]
        data["vulnerable"] = [_LABELS["vulnerable"].get(p, p) for p in parts]
    for name in ("district_code", "town_code", "village_code", "latitude", "longitude"):
        if get.get(name):
            data[name] = get[name]
    key = get.get("row_key") or short_hash(json.dumps(data, sort_keys=True, ensure_ascii=False))
    data["idempotency_key"] = "import:" + (key if len(key) <= 90 else short_hash(key))
    return key, data


@dataclass
class Checked:
    """The outcome of the validation pass."""

    mapping: dict[str, str]
    ignored: list[str]
    appeals: list[tuple[int, Appeal]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    total: int = 0


def validate(actor, content: bytes, fmt: str, channel: str) -> Checked:
    """Read and check every row; nothing is written. Errors are ``{line, reason}``."""
    if channel not in IMPORT_CHANNELS:
        raise IntakeError(f"不能以渠道 {channel} 导入。", code="bad_channel")
    headers, rows = read_rows(content, fmt)
    mapping, ignored = map_columns(headers)
    if "description" not in mapping:
        raise IntakeError(
            "找不到“诉求内容”列（可用列名：诉求内容、内容、description）。", code="no_description"
        )
    checked = Checked(mapping, ignored)
    seen: dict[str, int] = {}
    for line, row in rows:
        checked.total += 1
        if "__error__" in row:
            checked.errors.append({"line": line, "reason": row["__error__"]})
            continue
        key, data = row_appeal(row, mapping, channel)
        if key in seen and mapping.get("row_key"):
            checked.errors.append({"line": line, "reason": f"编号 {key} 与第 {seen[key]} 行重复"})
            continue
        seen.setdefault(key, line)
        if not data["description"]:
            checked.errors.append({"line": line, "reason": "诉求内容：不能为空"})
            continue
        try:
            item = BatchOrderIn.model_validate(data)
        except ValidationError as exc:
            reason = "；".join(
                f"{COLUMN_LABELS.get(e['field'], e['field'])}：{e['message']}"
                for e in field_errors(exc.errors())
            )
            checked.errors.append({"line": line, "reason": reason})
            continue
        appeal = Appeal(**item.dict(), source=Source("intake", "import", short_hash(key)))
        try:
            check_appeal(actor, appeal)
        except OrderError as exc:
            checked.errors.append({"line": line, "reason": str(exc)})
            continue
        checked.appeals.append((line, appeal))
    return checked


COLUMN_LABELS = {
    "description": "诉求内容",
    "title": "标题",
    "caller_name": "姓名",
    "caller_phone": "电话",
    "address": "地址",
    "appeal_type": "诉求类型",
    "category": "诉求分类",
    "urgency": "紧急程度",
    "vulnerable": "特殊群体",
    "district_code": "区县代码",
    "town_code": "镇街代码",
    "village_code": "村居代码",
    "latitude": "纬度",
    "longitude": "经度",
    "idempotency_key": "编号",
}


def create_job(actor, *, filename: str, content: bytes, channel: str, skip_bad: bool, now=None):
    """Check a file and keep it as an import job (status validated, or invalid with every bad
    row listed). Only supervisors and admins may import."""
    from hotline.accounts.roles import Role, has_role

    now = now or timezone.now()
    if not has_role(actor, Role.SUPERVISOR, Role.ADMIN):
        raise IntakeError(
            "只有值班长或系统管理员可以批量导入。", code="supervisor_only", status=403
        )
    if len(content) > MAX_FILE:
        raise IntakeError("文件超过 200 MB，请分成几个文件导入。", code="file_too_large")
    fmt = detect_format(filename)
    checked = validate(actor, content, fmt, channel)
    status = (
        JobStatus.INVALID
        if (checked.errors and not skip_bad) or not checked.appeals
        else JobStatus.VALIDATED
    )
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=actor,
            channel=channel,
            filename=filename[:200],
            format=fmt,
            content=content,
            skip_bad=skip_bad,
            status=status,
            mapping=checked.mapping,
            ignored_columns=checked.ignored,
            errors=checked.errors[:MAX_ERRORS_KEPT],
            total=len(checked.appeals) if status == JobStatus.VALIDATED else checked.total,
            failed=len(checked.errors),
            message="" if checked.appeals or checked.errors else "文件中没有数据行。",
            created_at=now,
        )
        record(
            Door.IMPORT,
            EventCode.IMPORT_VALIDATED,
            now,
            actor=actor,
            subject=str(job.pk),
            payload={"rows": checked.total, "bad": len(checked.errors), "status": status},
        )
    return job, checked


def run(
    actor,
    appeals: list[tuple[int, Appeal]],
    *,
    job: ImportJob | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
    workers: int = 1,
) -> dict:
    """Receive checked appeals in batches of ``batch``, one transaction each; returns the
    counts and the rows ``receive_batch`` still refused (line and reason).

    With ``workers`` > 1, ``workers - 1`` helper processes triage the next batches while this
    one writes (triage is pure and about half of a row's cost; the writes must stay in one
    process, SQLite having one writer anyway). Same orders either way: the helpers run the
    very ``triage_readings`` that ``receive_batch`` would run itself."""
    counts = {"created": 0, "replayed": 0, "failed": 0, "errors": []}
    chunks = [appeals[start : start + batch] for start in range(0, len(appeals), batch)]
    done_rows = 0

    def tally(chunk):
        def on_write(results):
            # In the batch's own transaction: the job's progress commits with its orders.
            for (line, _appeal), item in zip(chunk, results, strict=True):
                if item.status == 201:
                    counts["created"] += 1
                elif item.status == 200:
                    counts["replayed"] += 1
                else:
                    counts["failed"] += 1
                    counts["errors"].append({"line": line, "reason": item.message})
            if job is not None:
                ImportJob.objects.filter(pk=job.pk).update(
                    processed=done_rows + len(chunk),
                    created=counts["created"],
                    replayed=counts["replayed"],
                    beat_at=timezone.now(),
                )

        return on_write

    with _readings_ahead(actor, chunks, workers) as readings_of:
        for number, chunk in enumerate(chunks):
            receive_batch(
                actor,
                [a for _line, a in chunk],
                on_write=tally(chunk),
                readings=readings_of(number),
            )
            done_rows += len(chunk)
            if progress:
                progress(len(chunk))
    return counts


#: Batches triaged ahead of the one being written, per helper process.
AHEAD = 2


@contextmanager
def _readings_ahead(actor, chunks, workers: int):
    """``readings_of(n)``: the triage readings of chunk ``n``, worked out by helper processes
    ahead of need (None without helpers: ``receive_batch`` triages itself). Rows already
    imported (a re-run, a resumed job) are left out: ``receive_batch`` answers them with their
    orders without triage."""
    if workers <= 1 or len(chunks) < 2:
        yield lambda _number: None
        return
    # The model and the tokeniser's dictionary are loaded once here and shared with the
    # forked helpers (copy on write); the helpers touch no database.
    triage_readings([("预热", None, "")])
    context = multiprocessing.get_context("fork")
    pending: dict[int, Future] = {}
    with ProcessPoolExecutor(workers - 1, mp_context=context) as pool:

        def submit(number):
            if number < len(chunks) and number not in pending:
                appeals = [a for _line, a in chunks[number]]
                wanted = [a.idempotency_key for a in appeals]
                stored = set()
                for first in range(0, len(wanted), 500):
                    stored.update(
                        Order.objects.filter(
                            client=actor, idempotency_key__in=wanted[first : first + 500]
                        ).values_list("idempotency_key", flat=True)
                    )
                keys = [triage_key(a) for a in appeals if a.idempotency_key not in stored]
                pending[number] = pool.submit(triage_readings, keys)

        def readings_of(number):
            for ahead in range(number, number + AHEAD * (workers - 1) + 1):
                submit(ahead)
            return pending.pop(number).result()

        yield readings_of


def start_job(job_id: int) -> ImportJob:
    """Mark a job running (validated, failed, or running when a restart cut it short — the
    page offers that once it has stalled), or refuse it. The upload page calls this before it
    starts the job's thread, so that the page it answers with already shows the job running —
    and polls its progress — whichever of the two reaches the database first; ``run_job``
    calls it again, which only renews the job's sign of progress."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (JobStatus.VALIDATED, JobStatus.RUNNING, JobStatus.FAILED):
            raise IntakeError("该导入任务不能开始（校验未通过或已完成）。", code="job_not_ready")
        now = timezone.now()
        if job.status != JobStatus.RUNNING or not job.started_at:
            job.status = JobStatus.RUNNING
            job.started_at = job.started_at or now
            record(Door.IMPORT, EventCode.IMPORT_STARTED, now, subject=str(job.pk))
        job.beat_at = now  # also when a stalled job is continued
        job.save(update_fields=["status", "started_at", "beat_at"])
    return job


def run_job(job_id: int, *, progress=None, now=None) -> ImportJob:
    """Run a validated job (the upload page starts it; `hotline intake import --job` resumes
    one). Re-running is safe: rows already imported answer with their orders."""
    job = start_job(job_id)
    try:
        checked = validate(job.user, bytes(job.content), job.format, job.channel)
        counts = run(job.user, checked.appeals, job=job, progress=progress)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=f"导入中断：{exc}"[:500], finished_at=timezone.now()
        )
        record(Door.IMPORT, EventCode.IMPORT_FAILED, timezone.now(), subject=str(job.pk))
        raise
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
        job.failed = len(checked.errors) + counts["failed"]
        job.errors = (checked.errors + counts["errors"])[:MAX_ERRORS_KEPT]
        job.save(update_fields=["status", "finished_at", "failed", "errors"])
        record(
            Door.IMPORT,
            EventCode.IMPORT_FINISHED,
            job.finished_at,
            subject=str(job.pk),
            payload={k: v for k, v in counts.items() if k != "errors"},
        )
    return job
