"""`hotline control_import_households FILE.xlsx --as USERNAME`: register households from a
workbook (one row per member; columns in docs/CONTROL.md), with a progress bar and one line
per bad row. Re-importing the same file updates, never duplicates."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hotline.control.importer import read_workbook
from hotline.control.services import import_households


class Command(BaseCommand):
    help = "从 Excel 导入家庭户名册"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--as", dest="username", required=True, help="以此账号的权限导入")

    def handle(self, *args, path: str, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有账号 {username}")
        try:
            rows = read_workbook(path)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        refs = {r.get("户编号") for r in rows}
        with tqdm(total=len(refs), unit="户", disable=options["verbosity"] < 1) as bar:
            report = import_households(user, rows, progress=bar.update)
        for _, message in report.errors:
            self.stderr.write(message)
        self.stdout.write(
            f"新增 {report.created} 户，更新 {report.updated} 户，错误 {len(report.errors)} 处"
        )
