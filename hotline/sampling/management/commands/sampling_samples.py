"""`hotline sampling_samples FILE --round N --as USER [--batch N]`: import a registration file
(a town's or a collection device's export of the swabs taken) into a round.

The file is .csv (UTF-8 or GB18030) or .xlsx with a header row: 管号, 身份证号 (or 居民码),
采样点编号, 采样时间 and optionally 方式 (现场/上门). It is read batch by batch (50,000 rows by
default), each batch one transaction through ``sampling.services.import_samples``, so a file
of millions of rows needs no more memory than a batch. Refused rows are printed with their
line (the header is line 1); a batch refused as a whole stops the import, keeps the batches
before it and exits non-zero. Two districts' files can be imported at once by two commands
(each round is locked on its own; on SQLite the writes take turns).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hotline.sampling import importer
from hotline.sampling.errors import SamplingError
from hotline.sampling.models import Round


class Command(BaseCommand):
    help = "导入采样登记文件（CSV 或 Excel：管号、身份证号或居民码、采样点编号、采样时间、方式）。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--round", type=int, required=True, help="采样轮次编号")
        parser.add_argument("--as", dest="username", required=True, help="以哪个用户身份导入")
        parser.add_argument(
            "--batch",
            type=int,
            default=importer.SAMPLE_BATCH,
            help=f"每批行数（默认 {importer.SAMPLE_BATCH}，最多 100000）",
        )

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在。")
        round_ = Round.objects.select_related("area").filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"没有编号为 {options['round']} 的采样轮次。")
        if not 1 <= options["batch"] <= 100_000:
            raise CommandError("每批行数应在 1 到 100000 之间。")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}。")

        def progress(report):
            self.stdout.write(
                f"已处理 {report.rows} 行：登记 {report.created} 人，未导入 {report.refused} 行。"
            )

        with path.open("rb") as binary:
            try:
                report = importer.import_sample_file(
                    user, round_, path.name, binary, size=options["batch"], progress=progress
                )
            except SamplingError as exc:
                raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stdout.write(f"第 {error['row']} 行：{error['message']}（{error['code']}）")
        if report.more_errors:
            self.stdout.write(f"另有 {report.more_errors} 行未导入，未逐行列出。")
        if report.by_code:
            counts = "，".join(f"{code} {n}" for code, n in report.by_code.most_common())
            self.stdout.write(f"未导入原因：{counts}。")
        self.stdout.write(
            f"共 {report.rows} 行：登记 {report.created} 人，封管 {report.tubes_closed} 支，"
            f"未导入 {report.refused} 行。"
        )
        if report.stopped:
            raise CommandError(report.stopped)
