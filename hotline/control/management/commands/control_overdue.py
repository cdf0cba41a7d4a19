"""`hotline control_overdue [--every SECONDS]`: turn exits not returned in time into work
orders for the community (services.report_overdue_returns; idempotent). Run it from cron or
with --every beside `hotline worker`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from hotline.control.services import report_overdue_returns


class Command(BaseCommand):
    help = "外出超时未归生成工单（幂等）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="每隔多少秒运行一次；0 = 运行一次"
        )

    def handle(self, *args, every: float, **options):
        while True:
            made = report_overdue_returns()
            self.stdout.write(f"超时未归：新建工单 {made} 张")
            if not every:
                return
            time.sleep(every)
