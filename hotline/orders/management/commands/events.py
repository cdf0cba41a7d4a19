"""`hotline events status|catch-up|replay NAME [--since ID]|retry [NAME]`: the event
subscribers' cursors, a full catch-up, a replay from an event id, and dead-letter retries.
Thin wrappers around ``hotline.orders.events``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from hotline.orders import events
from hotline.orders.models import DeadLetter, OrderEvent, SubscriberCursor


class Command(BaseCommand):
    help = "事件订阅者：查看进度（status）、补齐（catch-up）、重放（replay）、重试死信（retry）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "catch-up", "replay", "retry"])
        parser.add_argument("name", nargs="?", help="订阅者名称")
        parser.add_argument("--since", type=int, default=0, help="replay：从该事件编号之后重放")

    def handle(self, *args, action: str, name: str | None, since: int, **options):
        known = {s.name for s in events.subscribers()}
        if name and name not in known:
            raise CommandError(f"未知订阅者：{name}。已登记：{'、'.join(sorted(known)) or '无'}。")
        if action == "status":
            last = OrderEvent.objects.aggregate(m=Max("id"))["m"] or 0
            cursors = {c.name: c for c in SubscriberCursor.objects.all()}
            for sub in events.subscribers():
                c = cursors.get(sub.name)
                pos = c.position if c else 0
                dead = DeadLetter.objects.filter(subscriber=sub.name, retried_at__isnull=True)
                self.stdout.write(
                    f"{sub.name}: 已处理至 {pos}/{last}，待补 {len(c.gaps) if c else 0}，"
                    f"连续失败 {c.failures if c else 0}，死信 {dead.count()}"
                )
        elif action == "catch-up":
            made = events.deliver_all(names=[name] if name else None)
            self.stdout.write(f"处理事件 {made} 次。")
        elif action == "replay":
            if not name:
                raise CommandError("replay 须指定订阅者名称。")
            events.replay(name, since_id=since)
            self.stdout.write(f"{name} 将从事件 {since} 之后重新处理。")
        else:
            self.stdout.write(f"重试成功 {events.retry_dead_letters(name)} 条。")
