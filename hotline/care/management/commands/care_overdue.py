"""`hotline care-overdue`: list open delivery tasks past their deadline (for the duty desk or
a cron mail); exits 1 when there are any, so a job can alert on it."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from hotline.care.models import CareTask


class Command(BaseCommand):
    help = "列出已超过送达时限、仍未完成的居家关爱配送任务。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="只看某个镇街（单位代码）")

    def handle(self, *args, unit=None, **options):
        now = timezone.now()
        tasks = CareTask.objects.overdue(now).select_related("request__unit", "assignee")
        if unit:
            tasks = tasks.filter(request__unit__code=unit)
        tasks = list(tasks.order_by("due_at"))
        for task in tasks:
            late = int((now - task.due_at).total_seconds() // 60)
            who = (
                task.assignee.username
                if task.assignee
                else ("镇街" if task.by_office else "未分派")
            )
            self.stdout.write(
                f"任务 #{task.pk}（需求 #{task.request_id}，{task.request.unit.name}）"
                f"{task.get_status_display()}，{who}，已超时 {late} 分钟：{task.items}"
            )
        self.stdout.write(f"共 {len(tasks)} 个超时任务。")
        if tasks:
            raise SystemExit(1)
