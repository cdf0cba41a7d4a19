"""`hotline control_import_results FILE.csv [--source NAME]`: add test results to the registry.

Columns (header row): ``身份证号`` or ``id_hash``, ``结果`` (阴性/阳性), ``采样时间`` (ISO 8601
with offset, or local time read as Asia/Shanghai), ``来源`` (optional, else --source),
``编号``. Idempotent: a result already recorded (same person, sample time, source) is skipped.
A bad row is reported with its line number; the good rows are kept.
"""

from __future__ import annotations

import csv
import zoneinfo

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from hotline.common.identity import id_hash, is_valid_id_number
from hotline.control.services import TestResultIn, record_test_results
from hotline.orders.services import system_actor

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
RESULT_WORDS = {"阴性": True, "negative": True, "阳性": False, "positive": False}


def parse_rows(lines, default_source: str):
    """(results, errors) from CSV lines."""
    results, errors = [], []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if row.get("id_hash"):
            h = row["id_hash"].lower()
            if len(h) != 64:
                errors.append((number, "id_hash 应为 64 位十六进制"))
                continue
        elif is_valid_id_number(row.get("身份证号", "")):
            h = id_hash(row["身份证号"])
        else:
            errors.append((number, "身份证号无效"))
            continue
        if row.get("结果") not in RESULT_WORDS:
            errors.append((number, "结果应为 阴性 或 阳性"))
            continue
        at = parse_datetime(row.get("采样时间", ""))
        if at is None:
            errors.append((number, "采样时间格式有误"))
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=TZ)
        source = row.get("来源") or default_source
        results.append(TestResultIn(h, RESULT_WORDS[row["结果"]], at, source, row.get("编号", "")))
    return results, errors


class Command(BaseCommand):
    help = "从 CSV 导入核酸检测结果（按身份证号哈希，幂等）"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", default="csv")

    def handle(self, *args, path: str, source: str, **options):
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                results, errors = parse_rows(fh, source)
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        new = record_test_results(system_actor(), results)
        for number, message in errors:
            self.stderr.write(f"第 {number} 行：{message}")
        self.stdout.write(
            f"读取 {len(results)} 条，新增 {new} 条，"
            f"已有 {len(results) - new} 条，错误 {len(errors)} 行"
        )
