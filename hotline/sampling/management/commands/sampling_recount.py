"""`hotline sampling_recount [--round N]`: count the coverage and hourly tallies of a round (or
every round) again from its swabs and roster, and say how many grids' counts were wrong.

The writes keep the tallies exact (tests hold them to this recount); the command is the repair
for data changed behind the services' back (a restore, a hand edit in the database).
"""

from django.core.management.base import BaseCommand, CommandError

from hotline.sampling import tallies
from hotline.sampling.models import Round


class Command(BaseCommand):
    help = "按采样登记和居民名册重新统计各网格覆盖计数与每小时计数。"

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="采样轮次编号（默认全部轮次）")

    def handle(self, *args, **options):
        rounds = Round.objects.order_by("pk")
        if options["round"] is not None:
            rounds = rounds.filter(pk=options["round"])
            if not rounds.exists():
                raise CommandError(f"没有编号为 {options['round']} 的采样轮次。")
        for round_ in rounds:
            changed = tallies.recount(round_)
            self.stdout.write(
                f"Round {round_.pk} ({round_.name}): {changed} grid tallies corrected."
            )
