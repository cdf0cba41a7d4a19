"""`hotline screening-late --form CODE [--day YYYY-MM-DD]`: the late list of a daily report
form (submitted after the cut-off, or missing once it has passed), for the approver's duty
desk or a cron mail."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.screening import queries
from hotline.screening.models import ReportForm


class Command(BaseCommand):
    help = "列出某张日报某天逾期提交或逾期未报的单位。"

    def add_arguments(self, parser):
        parser.add_argument("--form", required=True, help="日报表单代码")
        parser.add_argument("--day", help="日期，默认今天（YYYY-MM-DD）")

    def handle(self, *args, form, day=None, **options):
        found = ReportForm.objects.filter(code=form).first()
        if found is None:
            raise CommandError(f"没有代码为 {form} 的日报表单。")
        try:
            date = dt.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as exc:
            raise CommandError("日期格式应为 2022-11-06。") from exc
        rows = queries.late_rows(queries.rollup(found, date))
        for row in rows:
            what = "逾期提交" if row.report else "逾期未报"
            self.stdout.write(f"{row.unit.code}\t{row.unit.name}\t{what}")
        self.stdout.write(f"{found.title} {date}：逾期 {len(rows)} 个单位。")
