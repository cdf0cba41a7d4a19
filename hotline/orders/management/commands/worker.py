"""`hotline worker [--interval S] [--events-interval S] [--once]`: sweep the SLA clocks,
deliver the outbox, and run the apps' event subscribers.

A thin loop around ``orders.sweep.sweep``, ``orders.outbox.deliver_pending`` and
``orders.events.deliver``: subscribers run every ``--events-interval`` seconds (default 1), the
sweep and the outbox every ``--interval``. Several workers may run against one PostgreSQL (rows
and cursors are claimed with SKIP LOCKED); on SQLite run one.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from hotline.orders import events
from hotline.orders.outbox import deliver_pending
from hotline.orders.sweep import sweep


class Command(BaseCommand):
    help = "巡检工单时限（记录超时、自动督办）并发送待发通知；--once 只执行一轮。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="两轮之间的秒数")
        parser.add_argument("--once", action="store_true", help="只执行一轮后退出")
        parser.add_argument("--batch", type=int, default=200, help="每个事务处理的工单数")
        parser.add_argument(
            "--events-interval", type=float, default=1.0, help="事件订阅者两轮之间的秒数"
        )

    def handle(self, *args, interval: float, once: bool, batch: int, **options):
        events_interval = options["events_interval"]
        if interval <= 0 or events_interval <= 0:
            raise CommandError(f"间隔无效：{min(interval, events_interval)}（应大于 0 秒）。")
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
            handled = self._events(once)
            if result.total or sent or once:
                overdue = "，".join(f"{k} {v}" for k, v in result.overdue.items())
                self.stdout.write(f"超时记录：{overdue}；发送通知 {sent} 条；事件处理 {handled} 次")
            if once or stopping["now"]:
                return
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stopping["now"]:
                time.sleep(min(events_interval, max(0.0, deadline - time.monotonic())))
                # A long-lived loop must not keep a connection the database has dropped.
                close_old_connections()
                self._events(False)
            if stopping["now"]:
                return

    def _events(self, until_caught_up: bool) -> int:
        if until_caught_up:
            return events.deliver_all()
        results = events.deliver()
        return sum(r.handled for r in results.values())
