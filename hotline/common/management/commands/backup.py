"""`hotline backup [PATH]`: a consistent copy of the database while the platform keeps running."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.common.backup import BackupError, backup, engine_of


class Command(BaseCommand):
    help = "在线备份数据库（SQLite 在线备份接口 / PostgreSQL pg_dump），服务无需停止。"

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="备份文件路径（默认：数据目录 backups/ 下按时间命名）"
        )

    def handle(self, *args, path: str | None, **options):
        try:
            if path is None:
                suffix = ".sqlite3" if engine_of() == "sqlite" else ".pgdump"
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
                path = str(settings.DATA_DIR / "backups" / f"hotline-{stamp}{suffix}")
            result = backup(Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已备份（{result.engine}）：{result.path}，{result.size:,} 字节")
