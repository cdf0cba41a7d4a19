"""`hotline intake import FILE --channel C [--skip-bad] [--user NAME] [--batch N] [--workers N]`,
`hotline intake import --job ID` (resume an upload-page job) and `hotline intake prune`.

A thin wrapper around ``intake.services.imports``: every row is checked first and every bad
row printed with its line and reason; nothing is written unless all rows are good (or
--skip-bad). Then the rows go to ``receive_batch`` in batches, one transaction each, with a
tqdm progress bar; with --workers 2 (the default on two or more CPUs) a helper process
triages the next batches while this one writes. Importing the same file again gives the
same orders (row keys).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from hotline.intake.choices import IMPORT_CHANNELS
from hotline.intake.errors import IntakeError
from hotline.intake.services import imports
from hotline.intake.services.base import prune_rate_hits
from hotline.orders.services import system_actor


class Command(BaseCommand):
    help = "受理渠道：批量导入诉求文件（csv / xlsx / jsonl），清理限流计数。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("import", help="导入文件")
        run.add_argument("file", nargs="?", help="文件路径（.csv / .xlsx / .jsonl）")
        run.add_argument("--channel", default="import", choices=IMPORT_CHANNELS)
        run.add_argument("--skip-bad", action="store_true", help="跳过错误行，只导入正确的行")
        run.add_argument("--user", help="以该用户身份导入（默认：系统用户 system）")
        run.add_argument("--batch", type=int, default=imports.BATCH, help="每个事务的行数")
        run.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="进程数（大于 1 时由辅助进程提前分拣后续批次；默认 CPU 数，至多 2）",
        )
        run.add_argument("--job", type=int, help="继续执行导入页面上传的任务")
        run.add_argument("--quiet", action="store_true", help="不显示进度条")
        sub.add_parser("prune", help="删除两天前的限流计数")

    def handle(self, *args, action, **options):
        if action == "prune":
            removed = prune_rate_hits(timezone.now())
            self.stdout.write(f"删除限流计数 {removed} 条。")
            return
        if options["job"]:
            return self._job(options["job"], options["quiet"])
        if not options["file"]:
            raise CommandError("请给出要导入的文件，或用 --job 继续一个导入任务。")
        if options["batch"] < 1:
            raise CommandError(f"批量无效：{options['batch']}（至少 1）。")
        if options["workers"] < 1:
            raise CommandError(f"进程数无效：{options['workers']}（至少 1）。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = self._actor(options["user"])
        try:
            fmt = imports.detect_format(path.name)
            checked = imports.validate(actor, path.read_bytes(), fmt, options["channel"])
        except IntakeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "列对应："
            + "，".join(f"{column} → {field}" for field, column in checked.mapping.items())
            + (f"；未用的列：{'、'.join(checked.ignored)}" if checked.ignored else "")
        )
        for error in checked.errors:
            self.stderr.write(f"第 {error['line']} 行：{error['reason']}")
        if checked.errors and not options["skip_bad"]:
            raise CommandError(
                f"{len(checked.errors)} 行有错误（共 {checked.total} 行），未写入任何数据。"
                "改正后重试，或加 --skip-bad 只导入正确的行。"
            )
        bar = tqdm(
            total=len(checked.appeals),
            unit="行",
            disable=options["quiet"],
            file=self.stderr._out,  # the raw stream: tqdm redraws with \r
            desc="导入",
        )
        with bar:
            counts = imports.run(
                actor,
                checked.appeals,
                progress=bar.update,
                batch=options["batch"],
                workers=options["workers"],
            )
        for error in counts["errors"]:
            self.stderr.write(f"第 {error['line']} 行：{error['reason']}")
        self.stdout.write(
            f"完成：新建工单 {counts['created']}，此前已导入 {counts['replayed']}，"
            f"失败 {counts['failed']}，跳过错误行 {len(checked.errors)}。"
        )

    def _actor(self, username):
        if not username:
            return system_actor()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有可用的用户 {username}。")
        return user

    def _job(self, job_id: int, quiet: bool):
        from hotline.intake.models import ImportJob

        job = ImportJob.objects.filter(pk=job_id).defer("content").first()
        if job is None:
            raise CommandError(f"没有导入任务 {job_id}。")
        bar = tqdm(total=job.total, unit="行", disable=quiet, file=self.stderr._out, desc="导入")
        try:
            with bar:
                job = imports.run_job(job_id, progress=bar.update)
        except IntakeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"任务 {job.pk}：{job.get_status_display()}，新建工单 {job.created}。")
