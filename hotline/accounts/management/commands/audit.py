"""`hotline audit purge [--days N]`: delete audit entries older than the retention."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.audit import purge


class Command(BaseCommand):
    help = "审计日志维护：purge 删除超过保留期（AUDIT_RETENTION_DAYS）的记录。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["purge"])
        parser.add_argument("--days", type=int, default=None, help="保留天数（默认取设置）")

    def handle(self, *args, action: str, days: int | None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 30:
            raise CommandError(f"保留天数过短：{days}（至少 30 天）。")
        deleted = purge(days=days)
        self.stdout.write(f"已删除 {deleted} 条超过 {days} 天的审计日志。")
