"""Demo statistics: a week of the surge's history (bulk-written orders, see synthetic.py) and
last year's counts for the same days, then a rebuild of the rollups.

Scaled down about forty times from Maoming's real November 2022 (32,632 contacts on 5 Nov,
+1191 % year on year) so that `hotline demo` stays fast; the shape is the real one: a few
hundred calls a day climbing to several times that, phone far ahead of online, epidemic
matters most of the load. Idempotent: the history is written once (its orders carry keys
``stats-demo-…``), last year's counts only when there are none, and the rebuild gives the same
rollups every time.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.utils import timezone

from hotline.orders.models import Order

from . import services, synthetic
from .models import HistoryCount, OrderFact
from .services import local_zone

KEY_PREFIX = "stats-demo-"
#: Orders a day over the week before today (oldest first); today gets its share by the hour.
SURGE = [70, 105, 165, 260, 390, 550, 750]
#: This year's volume over last year's on the same day (the seed: +1191 %, about ×12.9).
GROWTH = 12.9


def _history_csv(days: list[dt.date], rng: random.Random) -> str:
    """Last year's counts per hour, phone/online and epidemic split, as the import reads."""
    out = io.StringIO()
    out.write("date,hour,channel,epidemic,count\n")
    for day in days:
        base = 66 + rng.randint(-6, 6)
        weights = synthetic.HOUR_WEIGHTS
        total_w = sum(weights)
        for hour, w in enumerate(weights):
            n = round(base * w / total_w)
            phone = round(n * 0.9)
            epi = round(phone * 0.35)
            for channel, epidemic, count in (
                ("phone", 1, epi),
                ("phone", 0, phone - epi),
                ("web", 0, n - phone),
            ):
                if count:
                    out.write(f"{day.isoformat()},{hour},{channel},{epidemic},{count}\n")
    return out.getvalue()


def load(stdout) -> None:
    now = timezone.now()
    today = now.astimezone(local_zone()).date()
    days = [today - dt.timedelta(days=len(SURGE) - i) for i in range(len(SURGE))] + [today]
    counts = [*SURGE, round(SURGE[-1] * 1.15)]
    made = 0
    if not Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        made = synthetic.load(list(zip(days, counts, strict=True)), now=now, key_prefix=KEY_PREFIX)
    imported = 0
    if not HistoryCount.objects.exists():
        rng = random.Random(2021)
        last_year = sorted(
            {d.replace(year=d.year - 1) for d in days if not (d.month == 2 and d.day == 29)}
            | {d - dt.timedelta(days=364) for d in days}
        )
        imported = services.import_history(None, _history_csv(last_year, rng), source="demo")[
            "rows"
        ]
    rebuilt = ""
    if made or imported or OrderFact.objects.count() != Order.objects.count():
        summary = services.rebuild()
        rebuilt = f"，重建 {summary['orders']} 件（{summary['seconds']} 秒）"
    stdout.write(f"统计：历史工单新增 {made}，去年同期数据 {imported} 行{rebuilt}")
