"""`hotline load-divisions --city 4409 | --all-towns`: thin wrapper around geo.services."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hotline.geo.services import GeoError, load_divisions


class Command(BaseCommand):
    help = "载入行政区划（国家统计局区划代码）：一个城市的完整树，或全国所有乡镇街道。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--city", help="4 位城市代码，例如茂名市 4409（含村居）")
        group.add_argument(
            "--all-towns", action="store_true", help="全国所有省、市、县、乡镇街道（不含村居）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, city=None, all_towns=False, no_progress=False, **options):
        bar = tqdm(unit="条", desc="载入区划", disable=no_progress, file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done)

        try:
            result = load_divisions(city=city, all_towns=all_towns, progress=progress)
        except GeoError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"区划已载入：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。"
        )
