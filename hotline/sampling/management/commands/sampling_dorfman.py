"""`hotline sampling_dorfman [--round N]`: the Dorfman check of pooled sampling.

Prints the expected lab tests per person for 1-, 5- and 10-in-1 pools (and the best pool size)
over a range of positivity, and with ``--round`` the positivity observed in that round's
results and the expected tests per person at it. docs/SAMPLING.md quotes its output.
"""

from django.core.management.base import BaseCommand, CommandError

from hotline.sampling import queries
from hotline.sampling.models import Round

POSITIVITY = (0.0001, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1)


class Command(BaseCommand):
    help = "混管检测的 Dorfman 核算：不同阳性率下每人平均检测次数。"

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="采样轮次编号：按其检测结果估算阳性率")

    def handle(self, *args, **options):
        self.stdout.write(
            "| positivity | 1-in-1 | 5-in-1 | 10-in-1 | best pool size (tests/person) |"
        )
        self.stdout.write("|---|---|---|---|---|")
        for p in POSITIVITY:
            best = queries.best_pool_size(p)
            cells = " | ".join(f"{queries.tests_per_person(p, k):.3f}" for k in (1, 5, 10))
            self.stdout.write(
                f"| {p:.2%} | {cells} | {best} ({queries.tests_per_person(p, best):.3f}) |"
            )
        if options["round"] is None:
            return
        round_ = Round.objects.filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"没有编号为 {options['round']} 的采样轮次。")
        self.stdout.write("")
        self.stdout.write(f"Round {round_.pk} ({round_.name}):")
        self.stdout.write(
            "| pool size | pools | positive | people | positivity | tests/person | best |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|")
        for c in queries.dorfman_check(round_):
            self.stdout.write(
                f"| {c.pool_size} | {c.pools} | {c.positive} | {c.people} | {c.positivity:.3%} "
                f"| {c.tests_per_person:.3f} | {c.best_size} |"
            )
