"""`hotline import-people FILE.xlsx --user NAME`: import people from Excel, with a progress bar
and every bad row reported (a thin wrapper around services.import_people)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hotline.common.spreadsheets import first_sheet_rows
from hotline.workforce.errors import WorkforceError, invalid
from hotline.workforce.services import IMPORT_COLUMNS, import_people


class Command(BaseCommand):
    help = f"从 Excel 导入人员（第 1 行为表头：{'、'.join(IMPORT_COLUMNS)}）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--user", required=True, help="操作人用户名（值班长或系统管理员）")

    def handle(self, *args, file, user, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户不存在：{user}")
        with tqdm(total=0, unit="行", file=self.stderr, disable=None) as bar:

            def sized(rows: int) -> None:
                bar.total = max(0, rows - 1)  # the header row is not imported
                bar.refresh()

            rows = first_sheet_rows(
                file, lambda: invalid(f"无法读取 {file}：请确认是 Excel（.xlsx）文件。"), sized
            )
            try:
                result = import_people(actor, rows, progress=bar.update)
            except WorkforceError as exc:  # a damaged sheet too, wherever it breaks
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"共 {result.rows} 行：导入 {result.created} 人，{len(result.errors)} 行有误。"
        )
        for number, message in result.errors:
            self.stdout.write(f"  第 {number} 行：{message}")
