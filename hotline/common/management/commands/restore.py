"""`hotline restore PATH --yes`: replace the database with a backup (server and worker stopped)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.common.backup import BackupError, restore


class Command(BaseCommand):
    help = "用备份文件恢复数据库（会覆盖当前数据；请先停止 hotline serve 与 hotline worker）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="hotline backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库")

    def handle(self, *args, path: str, yes: bool, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前数据库的全部数据；确认无误后加 --yes 再运行。")
        try:
            restore(Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已从 {path} 恢复数据库。")
