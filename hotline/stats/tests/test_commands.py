"""`hotline stats …` and the demo data."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import CommandError, call_command

from hotline.orders.models import Order
from hotline.stats import demo
from hotline.stats.models import HistoryCount, HourlyCount, OrderFact, StatsEvent

pytestmark = pytest.mark.django_db


def test_import_history_and_rebuild_commands(city, tmp_path):
    path = tmp_path / "last-year.csv"
    path.write_text("date,count\n2021-11-05,2530\n2021-11-06,2611\n", encoding="utf-8")
    out = io.StringIO()
    call_command("stats", "import-history", str(path), stdout=out)
    assert "已导入 2 行" in out.getvalue()
    assert HistoryCount.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("date,count\n05/11/2021,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("stats", "import-history", str(bad))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("stats", "import-history", str(tmp_path / "missing.csv"))
    out = io.StringIO()
    call_command("stats", "rebuild", stdout=out)
    assert "已重建：工单 6 件" in out.getvalue()
    out = io.StringIO()
    call_command("stats", "status", stdout=out)
    assert "工单事实 6" in out.getvalue()


def test_demo_is_fast_idempotent_and_shows_the_surge(demo_city):
    started, cpu = time.perf_counter(), time.process_time()
    demo.load(io.StringIO())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    orders, facts = Order.objects.count(), OrderFact.objects.count()
    assert orders == facts > 2000
    assert sum(HourlyCount.objects.values_list("count", flat=True)) == orders
    events = StatsEvent.objects.count()
    demo.load(io.StringIO())
    assert (Order.objects.count(), StatsEvent.objects.count()) == (orders, events)
    print(f"stats demo: {orders} orders in {elapsed:.1f} s ({cpu:.1f} s CPU)")
