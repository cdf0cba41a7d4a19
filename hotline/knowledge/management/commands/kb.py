"""`hotline kb import|export|search`: the knowledge base from the console.

hotline kb import --input articles.jsonl      upsert by key, one transaction, all or nothing
hotline kb export [--output FILE]             the same format (stdout by default)
hotline kb search --input queries.jsonl [--at ISO_TIME] [--limit N] [--output FILE]
hotline kb tokens                             store the search tokens of every version again
                                              where they are missing or of an older scheme
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline.knowledge import search
from hotline.knowledge.importer import ImportFileError, import_file
from hotline.knowledge.models import Article
from hotline.knowledge.services import export_row


class Command(BaseCommand):
    help = "知识库：导入（import）、导出（export）、批量检索（search）、更新检索分词（tokens）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{import,export,search,tokens}"
        )
        imp = sub.add_parser("import", help="从 JSONL 文件导入条目（按 key 更新或新增）")
        imp.add_argument("--input", required=True, help="JSONL 文件，每行一个条目")
        exp = sub.add_parser("export", help="把条目导出为 JSONL（与导入格式相同）")
        exp.add_argument("--output", help="输出文件，默认标准输出")
        srch = sub.add_parser("search", help='批量检索：每行 {"id","text"}')
        srch.add_argument("--input", required=True)
        srch.add_argument("--at", help="按这个时间点判断有效期（ISO 8601），默认现在")
        srch.add_argument("--limit", type=int, default=5)
        srch.add_argument("--output", help="输出文件，默认标准输出")
        sub.add_parser("tokens", help="重新切分并保存各版本的检索分词（分词方案更新后使用）")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "import":
            return self._import(Path(options["input"]))
        if action == "export":
            return self._export(options.get("output"))
        if action == "tokens":
            written = search.refresh_stored_tokens()
            self.stdout.write(self.style.SUCCESS(f"已更新 {written} 个版本的检索分词。"))
            return None
        return self._search(options)

    def _open_input(self, path: Path):
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        return path

    def _import(self, path: Path):
        try:
            counts = import_file(self._open_input(path))
        except ImportFileError as exc:
            for number, message in exc.problems:
                self.stderr.write(f"第 {number} 行：{message}")
            raise CommandError(f"{len(exc.problems)} 行有误，没有导入任何条目。") from exc
        except UnicodeDecodeError as exc:
            raise CommandError("文件不是 UTF-8 编码，没有导入任何条目。") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {counts['created']}，更新 {counts['updated']}，"
                f"未变 {counts['unchanged']}。"
            )
        )

    def _writer(self, output):
        if output:
            return Path(output).open("w", encoding="utf-8")
        return None

    def _export(self, output):
        articles = Article.objects.select_related("live_version").order_by("key")
        lines = (json.dumps(export_row(a), ensure_ascii=False) for a in articles)
        self._emit(lines, output)

    def _emit(self, lines, output):
        fh = self._writer(output)
        try:
            for line in lines:
                if fh:
                    fh.write(line + "\n")
                else:
                    self.stdout.write(line)
        finally:
            if fh:
                fh.close()

    def _search(self, options):
        at = None
        if options.get("at"):
            try:
                at = parse_datetime(options["at"])
            except ValueError:
                at = None
            if at is None:
                raise CommandError("--at 格式有误，应为 ISO 8601，如 2022-11-07T12:00:00+08:00")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        limit = options["limit"]
        if not 1 <= limit <= 50:
            raise CommandError("--limit 应在 1 到 50 之间")
        path = self._open_input(Path(options["input"]))
        queries, problems = [], []
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    problems.append((number, "不是合法的 JSON"))
                    continue
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    problems.append((number, '每行应为 {"id": …, "text": "检索内容"}'))
                    continue
                queries.append(row)
        if problems:
            for number, message in problems:
                self.stderr.write(f"第 {number} 行：{message}")
            raise CommandError(f"{len(problems)} 行有误，没有执行检索。")
        index = search.get_index()

        def results():
            for row in queries:
                result = index.search(row["text"], at=at, limit=limit)
                hits = [{"key": h.key, "title": h.title, "score": h.score} for h in result.hits]
                yield json.dumps({"id": row.get("id"), "results": hits}, ensure_ascii=False)

        self._emit(results(), options.get("output"))
        if options.get("output"):
            sys.stderr.write(f"已检索 {len(queries)} 条。\n")
