"""`hotline stats rebuild|import-history|status`: the statistics from the console.

hotline stats rebuild                    make every fact and hourly cell again from the events
hotline stats import-history FILE.csv    last year's counts (date,hour,channel,epidemic,count;
                                         only date and count required); replaces those days
hotline stats status                     facts, cells, the subscriber's position
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.orders.models import OrderEvent, SubscriberCursor
from hotline.stats import services
from hotline.stats.errors import StatsError
from hotline.stats.models import HistoryCount, HourlyCount, OrderFact, UnitFact


class Command(BaseCommand):
    help = "统计：重建（rebuild）、导入去年同期数据（import-history）、查看状态（status）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{rebuild,import-history,status}"
        )
        sub.add_parser("rebuild", help="从工单事件重建全部统计")
        imp = sub.add_parser("import-history", help="导入去年同期的每日/分时受理量（CSV）")
        imp.add_argument("file", help="CSV 文件：date,hour,channel,epidemic,count")
        sub.add_parser("status", help="统计表的行数与订阅进度")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "rebuild":
            summary = services.rebuild(stdout=self.stdout)
            self.stdout.write(
                self.style.SUCCESS(
                    f"已重建：工单 {summary['orders']} 件，承办记录 {summary['unit_facts']} 条，"
                    f"分时格 {summary['cells']} 个，用时 {summary['seconds']} 秒。"
                )
            )
            return
        if action == "import-history":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"找不到文件：{path}")
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CommandError("文件不是 UTF-8 编码的文本。") from exc
            try:
                summary = services.import_history(None, text, source=path.name)
            except StatsError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导入 {summary['rows']} 行，{summary['days']} 天"
                    f"（{summary['first']} 至 {summary['last']}），合计 {summary['total']} 件。"
                )
            )
            return
        cursor = SubscriberCursor.objects.filter(name=services.SUBSCRIBER).first()
        last = OrderEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self.stdout.write(
            f"工单事实 {OrderFact.objects.count()}，承办记录 {UnitFact.objects.count()}，"
            f"分时格 {HourlyCount.objects.count()}，历史数据 {HistoryCount.objects.count()} 行；"
            f"订阅 {services.SUBSCRIBER} 已处理至事件 {cursor.position if cursor else 0}"
            f"（最新事件 {last}）。"
        )
