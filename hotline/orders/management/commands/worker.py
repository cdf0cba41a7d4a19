"""`hotline worker [--interval S] [--once]`: sweep the SLA clocks and deliver the outbox.

A thin loop around ``orders.sweep.sweep`` and ``orders.outbox.deliver_pending``. Several workers
may run against one PostgreSQL (rows are claimed with SKIP LOCKED); on SQLite run one.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from hotline.orders.outbox import deliver_pending
from hotline.orders.sweep import sweep


class Command(BaseCommand):
    help = "巡检工单时限（记录超时、自动督办）并发送待发通知；--once 只执行一轮。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="两轮之间的秒数")
        parser.add_argument("--once", action="store_true", help="只执行一轮后退出")
        parser.add_argument("--batch", type=int, default=200, help="每个事务处理的工单数")

    def handle(self, *args, interval: float, once: bool, batch: int, **options):
        if interval <= 0:
            raise CommandError(f"间隔无效：{interval}（应大于 0 秒）。")
        if batch < 1:
            raise CommandError(f"批量无效：{batch}（至少 1）。")
        stopping = {"now": False}

        def stop(signum, frame):
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            result = sweep(batch=batch)
            sent = deliver_pending()
            if result.total or sent or once:
                overdue = "，".join(f"{k} {v}" for k, v in result.overdue.items())
                self.stdout.write(f"超时记录：{overdue}；发送通知 {sent} 条")
            if once or stopping["now"]:
                return
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stopping["now"]:
                time.sleep(min(0.5, interval))
            if stopping["now"]:
                return
            # A long-lived loop must not keep a connection the database has dropped.
            close_old_connections()
