"""Benchmark: rebuilding the statistics of a million orders, and refreshing the board.

Makes a fresh SQLite database (WAL) in a temporary HOTLINE_DATA_DIR (or uses DATABASE_URL),
loads the Maoming divisions and units, writes N orders with their lifecycle events in bulk
(``hotline.stats.synthetic``: raw executemany, not through ``receive``) over D days ending
today, then measures:

- ``hotline stats rebuild`` (facts and hourly cells from the events), against a baseline
  measured in the same run: one GROUP BY over the whole orders table by day, hour, channel,
  category, urgency, epidemic flag, town and unit (what a rollup-free report would scan);
- a board refresh (``queries.board`` for today, the city scope: it reads the city-wide
  rollups) p50/p95 over R runs, against the same figures computed by GROUP BYs over the orders
  table for today; a unit's board (its cells of ``HourlyCount``) and the league table.

Every wall-clock figure is printed with the load average when it was taken, and each target is
reported as met / not met in wall-clock and in CPU time of this process (SQLite runs in it, so
its CPU time is the work done; on a shared machine the wall time is mostly waiting for a core).

    .venv/bin/python -m bench.bench_stats                      # 1,000,000 orders, 60 days
    .venv/bin/python -m bench.bench_stats --orders 100000      # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(data_dir: str) -> None:
    os.environ.setdefault("HOTLINE_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--no-write", action="store_true", help="do not touch PERFORMANCE.md")
    parser.add_argument(
        "--data-dir", help="reuse the database of an earlier run (its orders are kept)"
    )
    args = parser.parse_args(argv)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-stats-")
    print(f"HOTLINE_DATA_DIR={data_dir}", flush=True)
    _setup(data_dir)
    import io

    from django.db import connection

    from hotline.geo import demo as geo_demo
    from hotline.orders.models import Order
    from hotline.stats import queries, services, synthetic
    from hotline.stats.services import local_zone

    today = dt.datetime.now(local_zone()).date()
    # A surge shape: the last third of the days carry most of the calls.
    weights = [1 + (9 if i >= args.days * 2 // 3 else 0) for i in range(args.days)]
    per = [args.orders * w // sum(weights) for w in weights]
    per[-1] += args.orders - sum(per)
    days = [(today - dt.timedelta(days=args.days - 1 - i), n) for i, n in enumerate(per)]
    # Today's orders are drawn over the whole day; those after now are skipped, so count a
    # full day "now" at the end of today.
    end_of_today = dt.datetime.combine(today, dt.time(23, 59), tzinfo=local_zone())
    t = time.perf_counter()
    made = Order.objects.count()
    reused = bool(made)
    if not made:
        geo_demo.load(io.StringIO())
        made = synthetic.load(days, now=end_of_today)
    else:
        per[-1] = Order.objects.filter(received_at__date=today).count()
    gen_s = time.perf_counter() - t
    events = connection.cursor().execute("SELECT COUNT(*) FROM orders_orderevent").fetchone()[0]
    print(
        f"{'reused' if reused else 'generated'} {made} orders, {events} events ({gen_s:.1f} s)",
        flush=True,
    )

    q = connection.ops.quote_name
    table = Order._meta.db_table
    day_expr = (
        "date(received_at, '+8 hours')"
        if connection.vendor == "sqlite"
        else "(received_at AT TIME ZONE 'Asia/Shanghai')::date"
    )
    t, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as c:
        c.execute(
            f"SELECT {day_expr}, channel, category, urgency, epidemic_related, town_id, "
            f"handling_unit_id, COUNT(*) FROM {q(table)} GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        baseline_rows = len(c.fetchall())
    baseline_s, baseline_cpu = time.perf_counter() - t, time.process_time() - cpu

    def load_now() -> str:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())

    baseline_load = load_now()
    t, cpu = time.perf_counter(), time.process_time()
    summary = services.rebuild()
    rebuild_s, rebuild_cpu = time.perf_counter() - t, time.process_time() - cpu
    rebuild_load = load_now()
    print(
        f"rebuild {rebuild_s:.1f} s ({rebuild_cpu:.1f} s CPU, load {rebuild_load}), "
        f"baseline GROUP BY {baseline_s:.1f} s",
        flush=True,
    )

    scope = queries.Scope(None, "全市")
    period = queries.make_period(today, today)
    queries.board(scope, period)  # warm: the first read after the rebuild loads pages

    def timed(fn, runs):
        wall, cpu_ms = [], []
        for _ in range(runs):
            t, cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append((time.perf_counter() - t) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
        return wall, cpu_ms

    board_ms, board_cpu = timed(lambda: queries.board(scope, period), args.runs)
    board_load = load_now()
    # A unit's board: the unit with the most cells today (its own rows of HourlyCount).
    from hotline.stats.models import HourlyCount

    unit_id = (
        HourlyCount.objects.filter(day=today)
        .exclude(unit_id=0)
        .values_list("unit_id", flat=True)
        .order_by("-count")
        .first()
    )
    unit_ms, unit_cpu = timed(
        lambda: queries.board(queries.Scope(unit_id, "unit"), period), max(5, args.runs // 2)
    )
    start = dt.datetime.combine(today, dt.time(), tzinfo=local_zone())
    bounds = [start, start + dt.timedelta(days=1)]
    base_ms = []
    for _ in range(max(5, args.runs // 4)):
        t = time.perf_counter()
        with connection.cursor() as c:
            for group in ("channel", "category, epidemic_related", "town_id", "handling_unit_id"):
                c.execute(
                    f"SELECT {group}, COUNT(*) FROM {q(table)} WHERE received_at >= %s "
                    f"AND received_at < %s GROUP BY {group}",
                    [connection.ops.adapt_datetimefield_value(b) for b in bounds],
                )
                c.fetchall()
        base_ms.append((time.perf_counter() - t) * 1000)
    league_ms, league_cpu = timed(lambda: queries.league(scope, period), max(5, args.runs // 4))
    league_load = load_now()
    today_n = per[-1]
    base_p50 = statistics.median(base_ms)
    p50, p95 = statistics.median(board_ms), _p(board_ms, 0.95)
    cpu_p50, cpu_p95 = statistics.median(board_cpu), _p(board_cpu, 0.95)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = [
        "## Statistics (`python -m bench.bench_stats`)",
        "",
        f"{made:,} orders with {events:,} events over {args.days} days ({today_n:,} today), "
        + (
            "reused from an earlier run of this benchmark (`--data-dir`); "
            if reused
            else f"written in bulk in {gen_s:.0f} s; "
        )
        + f"database {connection.vendor}. Load average (1/5/15 min) beside each wall-clock "
        "figure: the machine may be shared with other builds, so wall times are noisy; the "
        "ratios are measured in the same run.",
        "",
        "Wall-clock time, and in brackets the CPU time of the benchmark's process (SQLite runs "
        "in-process, so this is the work done; on a loaded machine the wall time is mostly "
        "waiting for a core).",
        "",
        "| measure | time | load | baseline (same run) | ratio (wall) |",
        "|---|---|---|---|---|",
        f"| `stats rebuild` ({summary['orders']:,} facts, {summary['unit_facts']:,} unit facts, "
        f"{summary['cells']:,} cells) | {rebuild_s:.1f} s ({rebuild_cpu:.1f} s CPU) | "
        f"{rebuild_load} | one GROUP BY over the orders table by day × channel × category × "
        f"urgency × epidemic × town × unit ({baseline_rows:,} groups): {baseline_s:.1f} s "
        f"({baseline_cpu:.1f} s CPU, load {baseline_load}) | {rebuild_s / baseline_s:.1f}× |",
        f"| board refresh, today, city (p50 / p95 of {args.runs}) | {p50:.1f} / {p95:.1f} ms "
        f"({cpu_p50:.1f} / {cpu_p95:.1f} ms CPU) | {board_load} | "
        f"four GROUP BYs over today's orders (p50): {base_p50:.1f} ms | "
        f"{p50 / base_p50:.2f}× |",
        f"| board refresh, today, the busiest unit (p50 / p95) | {statistics.median(unit_ms):.1f}"
        f" / {_p(unit_ms, 0.95):.1f} ms ({statistics.median(unit_cpu):.1f} / "
        f"{_p(unit_cpu, 0.95):.1f} ms CPU) | | | |",
        f"| league table, today, city (p50) | {statistics.median(league_ms):.1f} ms "
        f"({statistics.median(league_cpu):.1f} ms CPU) | {league_load} | | |",
        "",
        f"Targets of issue 15: rebuild < 60 s — {verdict(rebuild_s < 60)} in wall time "
        f"(load {rebuild_load}), {verdict(rebuild_cpu < 60)} in CPU time; board refresh p95 "
        f"< 100 ms — {verdict(p95 < 100)} in wall time (load {board_load}), "
        f"{verdict(cpu_p95 < 100)} in CPU time.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.report import write_section

        write_section("stats", text)


if __name__ == "__main__":
    main()
