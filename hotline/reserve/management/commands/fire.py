"""`hotline fire import FILE [--all]`, `hotline fire incidents`, `hotline fire source-secret
CODE`: thin wrappers around ``hotline.reserve.services``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.orders.services import system_actor
from hotline.reserve import firms, services
from hotline.reserve.models import Incident, SignalSource


class Command(BaseCommand):
    help = "林火监测：导入火点（import）、列出火情（incidents）、信号源密钥（source-secret）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "incidents", "source-secret"])
        parser.add_argument(
            "target", nargs="?", help="import：CSV 文件路径；source-secret：信号源代码"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="import：保留全部火点（不只保护区及缓冲区），用于检验其他地区的火点文件",
        )

    def handle(self, *args, action: str, target: str | None, **options):
        if action == "import":
            if not target:
                raise CommandError("请给出 FIRMS CSV 文件路径。")
            try:
                result = services.import_firms(system_actor(), target, watch_all=options["all"])
            except (OSError, firms.FirmsFormatError) as exc:
                raise CommandError(str(exc)) from exc
            refused = "，".join(f"{k} {v}" for k, v in result.refused.items()) or "无"
            self.stdout.write(
                f"格式 {result.layout}：读取 {result.read} 行，拒收 {refused}；"
                f"范围外 {result.outside}，已有 {result.duplicate}，新增 {result.new}。\n"
                f"火情：新建 {result.incidents_opened}（其中已知误报点 {result.suppressed}），"
                f"扩展 {result.incidents_grown}，合并 {result.incidents_merged}，"
                f"生成工单 {result.orders_raised}。"
            )
        elif action == "incidents":
            for i in Incident.objects.order_by("first_seen"):
                self.stdout.write(
                    f"{i.number} {i.get_status_display()} {i.first_seen:%Y-%m-%d %H:%M}—"
                    f"{i.last_seen:%m-%d %H:%M} 热点 {i.detection_count} 信号 {i.signal_count} "
                    f"面积 {i.area_km2:.2f} km² 最大FRP {i.max_frp or 0:.1f} MW"
                )
        else:
            source = SignalSource.objects.filter(code=target or "").first()
            if source is None:
                raise CommandError(f"没有代码为 {target} 的信号源。")
            self.stdout.write(services.source_secret(source))
