"""Reading and writing the JSON-lines formats of ``hotline kb`` (used by the demo too)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .errors import KnowledgeError
from .services import clean_import_row, import_articles


class ImportFileError(Exception):
    """The file has bad lines; nothing was imported. ``problems`` are (line number, message)."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(f"{len(problems)} 行有误")
        self.problems = problems


def parse_lines(lines: Iterable[str]) -> list[tuple[str, dict, str]]:
    """Every line cleaned, or ImportFileError naming each bad line (blank lines are skipped;
    a key given twice is an error, since one transaction upserts each key once)."""
    rows, problems, seen = [], [], {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append((number, f"不是合法的 JSON（第 {exc.colno} 列）"))
            continue
        try:
            key, content, status = clean_import_row(data)
        except KnowledgeError as exc:
            where = f"字段 {exc.field}：" if exc.field else ""
            problems.append((number, f"{where}{exc}"))
            continue
        if key in seen:
            problems.append((number, f"条目编号 {key} 与第 {seen[key]} 行重复"))
            continue
        seen[key] = number
        rows.append((key, content, status))
    if problems:
        raise ImportFileError(problems)
    return rows


def import_file(path: Path, actor=None) -> dict:
    with Path(path).open(encoding="utf-8") as fh:
        rows = parse_lines(fh)
    return import_articles(actor, rows)
