"""`hotline sampling_residents FILE.csv --as USER`: add residents to the sampling roster.

Columns (header row, UTF-8 or GB18030): village (12-digit code), id_number, name, phone,
address, home_reason (immobile / red_code / elderly_alone / empty). ID numbers are stored as
keyed hash and masked form only; refused rows are printed with their line number.
"""

import csv
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hotline.sampling import services
from hotline.sampling.errors import SamplingError

BATCH = 50_000


class Command(BaseCommand):
    help = "导入采样登记居民名册（CSV）。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True, help="以哪个用户身份导入")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在。")
        data = Path(options["file"]).read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CommandError("无法识别文件编码，请保存为 UTF-8。")
        rows = list(csv.DictReader(io.StringIO(text)))
        created = refused = 0
        for start in range(0, len(rows), BATCH):
            try:
                report = services.import_residents(user, rows[start : start + BATCH])
            except SamplingError as exc:
                raise CommandError(str(exc)) from exc
            created += report.created
            for error in report.errors:
                refused += 1
                self.stdout.write(
                    f"第 {start + error['row'] + 1} 行：{error['message']}（{error['code']}）"
                )
        self.stdout.write(f"新增 {created} 人，未导入 {refused} 行。")
