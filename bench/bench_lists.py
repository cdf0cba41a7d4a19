"""Benchmark: the order lists, the unit inbox and the supervisor board over a million orders.

Makes a fresh SQLite database (WAL) in a temporary HOTLINE_DATA_DIR (or uses DATABASE_URL),
loads the Maoming divisions and units, writes N orders with their lifecycle events in bulk
(``hotline.stats.synthetic``, the generator bench_stats uses: raw executemany over D days
ending now, a surge in the last third, so the last days' orders are still open), then times
the pages through their real code paths — the Django test client signed in as a supervisor,
an agent and a unit handler of the busiest town, and ``GET /api/v1/orders`` with a bearer
token — p50 / p95 of R calls each, wall clock and CPU time of this process:

- the console order list (first page, a later page, the common filters: status, urgency,
  unit, district, date range, search by number, a district's open or overdue orders, a
  unit's overdue ones) for each role;
- the unit inbox and its refresh; the supervisor board and its 10-second refresh (city, one
  unit's and one town's view); the home pages that show the board's counters;
- the API list with the same filters.

Baseline measured in the same run: the plain indexed ``SELECT … ORDER BY received_at DESC,
id DESC LIMIT 50`` over the orders table (what any list page must at least do).

    .venv/bin/python -m bench.bench_lists                       # 1,000,000 orders, 60 days
    .venv/bin/python -m bench.bench_lists --orders 100000       # a quick run
    .venv/bin/python -m bench.bench_lists --data-dir /tmp/x     # reuse a built database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lists .venv/bin/python -m bench.bench_lists

A database built by ``bench.bench_stats`` can be reused too (same generator).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import tempfile
import time

from bench.bench_stats import _p, _setup  # the same set-up and percentile as the stats bench

TARGET_MS = 200.0


def _build(orders: int, days: int, now: dt.datetime) -> tuple[int, bool, float]:
    """Write the orders unless the database already has some; (count, reused, seconds)."""
    from hotline.geo import demo as geo_demo
    from hotline.orders.models import Order
    from hotline.stats import synthetic
    from hotline.stats.services import local_zone

    t = time.perf_counter()
    made = Order.objects.count()
    if made:
        return made, True, time.perf_counter() - t
    geo_demo.load(io.StringIO())
    today = now.astimezone(local_zone()).date()
    # A surge shape (as bench_stats): the last third of the days carry most of the calls.
    weights = [1 + (9 if i >= days * 2 // 3 else 0) for i in range(days)]
    per = [orders * w // sum(weights) for w in weights]
    per[-1] += orders - sum(per)
    spread = [(today - dt.timedelta(days=days - 1 - i), n) for i, n in enumerate(per)]
    # Today's orders are drawn over the whole day and those after ``now`` are skipped: draw
    # more today in proportion, so about N orders are written by now.
    local = now.astimezone(local_zone())
    hours = synthetic.HOUR_WEIGHTS
    gone = sum(hours[: local.hour]) + hours[local.hour] * local.minute / 60
    spread[-1] = (today, int(per[-1] * sum(hours) / max(gone, sum(hours) / 20)))
    made = synthetic.load(spread, now=now)
    return made, False, time.perf_counter() - t


def _settle() -> None:
    """On PostgreSQL, VACUUM ANALYZE the orders tables: the state autovacuum reaches on its own
    after a bulk load (planner statistics, and the visibility map index-only scans need).
    SQLite is left without statistics, as a deployment runs it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as c:
        for table in ("orders_order", "orders_orderevent", "orders_order_co_units"):
            c.execute(f"VACUUM ANALYZE {table}")


def _people():
    """A supervisor, an agent and a handler of the unit with the most open orders, signed in
    with the test client (session) and with a bearer token (API)."""
    from django.db.models import Count
    from django.test import Client

    from hotline.accounts.roles import Role
    from hotline.accounts.services import create_token, create_user, ensure_groups
    from hotline.geo.models import HandlingUnit
    from hotline.orders.choices import OPEN_STATUSES
    from hotline.orders.models import Order

    ensure_groups()
    busiest = (
        Order.objects.filter(status__in=OPEN_STATUSES, handling_unit__isnull=False)
        .values("handling_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    unit = HandlingUnit.objects.get(pk=busiest["handling_unit"])
    from django.contrib.auth import get_user_model

    users = {}
    for role, code in (
        (Role.SUPERVISOR, "center"),
        (Role.AGENT, "center"),
        (Role.UNIT_HANDLER, unit.code),
    ):
        name = f"bench-lists-{role}"
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            user = create_user(name, role=role, unit_code=code, validate=False)
        web = Client(SERVER_NAME="127.0.0.1")
        web.force_login(user)
        api = Client(
            SERVER_NAME="127.0.0.1", headers={"Authorization": f"Bearer {create_token(user)}"}
        )
        users[role] = (web, api)
    return users, unit


def _time(call, runs: int) -> dict:
    """p50 / p95 wall and CPU milliseconds of ``call`` over ``runs`` calls (after one warm-up)."""
    call()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {
        "p50": statistics.median(wall),
        "p95": _p(wall, 0.95),
        "cpu50": statistics.median(cpu),
        "cpu95": _p(cpu, 0.95),
    }


def _get(client, path: str, params: dict | None = None):
    def call():
        r = client.get(path, params or {})
        if r.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {r.status_code}")
        return r

    return call


def _baseline(connection):
    from hotline.orders.models import Order

    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    columns = ", ".join(
        q(c)
        for c in ("id", "number", "received_at", "urgency", "category", "title", "town_id",
                  "handling_unit_id", "status", "accept_deadline", "resolve_deadline")
    )  # fmt: skip

    def call():
        with connection.cursor() as c:
            c.execute(f"SELECT {columns} FROM {table} ORDER BY received_at DESC, id DESC LIMIT 50")
            rows = c.fetchall()
        assert len(rows) == 50
        return rows

    return call


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help="do not touch PERFORMANCE.md")
    parser.add_argument(
        "--data-dir", help="reuse the database of an earlier run (its orders are kept)"
    )
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-lists-")
    print(f"HOTLINE_DATA_DIR={data_dir}", flush=True)
    _setup(data_dir)
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from hotline.orders.choices import OPEN_STATUSES
    from hotline.orders.models import Order
    from hotline.stats.services import local_zone

    now = timezone.now()
    made, reused, gen_s = _build(args.orders, args.days, now)
    _settle()
    print(f"{'reused' if reused else 'generated'} {made} orders in {gen_s:.1f} s", flush=True)
    users, unit = _people()
    open_n = Order.objects.filter(status__in=OPEN_STATUSES).count()
    unit_n = Order.objects.filter(handling_unit=unit).count()
    unit_open = Order.objects.filter(handling_unit=unit, status__in=OPEN_STATUSES).count()
    sup_web, sup_api = users["supervisor"]
    agent_web, _agent_api = users["agent"]
    unit_web, unit_api = users["unit_handler"]
    today = now.astimezone(local_zone()).date()
    week = {"date_from": f"{today - dt.timedelta(days=6)}", "date_to": f"{today}"}
    newest = Order.objects.order_by("-received_at", "-id").values_list("number", flat=True)[0]
    district = (
        Order.objects.filter(handling_unit=unit, district__isnull=False)
        .values_list("district_id", flat=True)
        .first()
    )
    # The town with the most open orders (its board view reads its orders, not the city's).
    town = (
        Order.objects.filter(status__in=OPEN_STATUSES, town__isnull=False)
        .values("town")
        .annotate(n=Count("id"))
        .order_by("-n", "town")
        .first()["town"]
    )
    unit_newest = (
        Order.objects.filter(handling_unit=unit)
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)[0]
    )
    iso = (now - dt.timedelta(days=6)).astimezone(local_zone()).isoformat()
    cases = [
        ("supervisor list, first page", sup_web, "/orders/", None),
        ("supervisor list, page 20", sup_web, "/orders/", {"page": 20}),
        ("supervisor list, page 200", sup_web, "/orders/", {"page": 200}),
        ("supervisor list, status accepted", sup_web, "/orders/", {"status": "accepted"}),
        ("supervisor list, status open", sup_web, "/orders/", {"status": "open"}),
        ("supervisor list, status received", sup_web, "/orders/", {"status": "received"}),
        ("supervisor list, urgency critical", sup_web, "/orders/",
         {"urgency": "critical"}),
        ("supervisor list, unit", sup_web, "/orders/", {"unit": unit.code}),
        ("supervisor list, district", sup_web, "/orders/", {"district": district}),
        ("supervisor list, last 7 days", sup_web, "/orders/", week),
        ("supervisor list, open + critical + district", sup_web, "/orders/",
         {"status": "open", "urgency": "critical", "district": district}),
        ("supervisor list, open + district", sup_web, "/orders/",
         {"status": "open", "district": district}),
        ("supervisor list, overdue", sup_web, "/orders/", {"overdue": "1"}),
        ("supervisor list, overdue + district", sup_web, "/orders/",
         {"overdue": "1", "district": district}),
        ("supervisor list, search by number", sup_web, "/orders/", {"q": newest}),
        ("supervisor list, search by day prefix", sup_web, "/orders/",
         {"q": newest[:8]}),
        ("agent list, first page", agent_web, "/orders/", None),
        ("agent list, status dispatched", agent_web, "/orders/", {"status": "dispatched"}),
        ("unit list, first page", unit_web, "/orders/", None),
        ("unit list, page 20", unit_web, "/orders/", {"page": 20}),
        ("unit list, status accepted", unit_web, "/orders/", {"status": "accepted"}),
        ("unit list, urgency urgent", unit_web, "/orders/", {"urgency": "urgent"}),
        ("unit list, last 7 days", unit_web, "/orders/", week),
        ("unit list, overdue", unit_web, "/orders/", {"overdue": "1"}),
        ("unit list, search by number", unit_web, "/orders/", {"q": unit_newest}),
        ("unit inbox", unit_web, "/inbox/", None),
        ("unit inbox refresh", unit_web, "/inbox/rows/", None),
        ("unit home page", unit_web, "/", None),
        ("supervisor board", sup_web, "/board/", None),
        ("supervisor board refresh", sup_web, "/board/panels/", None),
        ("supervisor board refresh, one unit", sup_web, "/board/panels/",
         {"unit": unit.code}),
        ("supervisor board refresh, one town", sup_web, "/board/panels/", {"town": town}),
        ("supervisor home page", sup_web, "/", None),
        ("API list, supervisor", sup_api, "/api/v1/orders", None),
        ("API list, supervisor, offset 5000", sup_api, "/api/v1/orders", {"offset": 5000}),
        ("API list, supervisor, status + urgency", sup_api, "/api/v1/orders",
         {"status": "accepted", "urgency": "urgent"}),
        ("API list, supervisor, district + since", sup_api, "/api/v1/orders",
         {"district": district, "created_from": iso}),
        ("API list, supervisor, overdue", sup_api, "/api/v1/orders", {"overdue": "true"}),
        ("API list, unit handler", unit_api, "/api/v1/orders", None),
        ("API list, unit handler, status", unit_api, "/api/v1/orders", {"status": "accepted"}),
    ]  # fmt: skip
    if args.only:
        cases = [c for c in cases if args.only in c[0]]
    load0 = os.getloadavg()
    base = _time(_baseline(connection), args.runs)
    print(f"baseline p50 {base['p50']:.1f} ms p95 {base['p95']:.1f} ms", flush=True)
    results = []
    for name, client, path, params in cases:
        r = _time(_get(client, path, params), args.runs)
        results.append((name, path, params, r))
        print(
            f"{name:48s} p50 {r['p50']:7.1f} p95 {r['p95']:7.1f} ms "
            f"(CPU {r['cpu50']:6.1f} / {r['cpu95']:6.1f})",
            flush=True,
        )
    load = os.getloadavg()
    vendor = connection.vendor
    worst = max(results, key=lambda r: r[3]["p95"]) if results else None
    worst_cpu = max(results, key=lambda r: r[3]["cpu95"]) if results else None
    met = [r for r in results if r[3]["p95"] < TARGET_MS]
    lines = [
        f"## Order lists, inbox and board over {made:,} orders — {vendor} "
        f"(`python -m bench.bench_lists`)",
        "",
        f"{made:,} orders over {args.days} days ending now ({open_n:,} open), "
        + (
            "reused from an earlier run (`--data-dir`); "
            if reused
            else f"written in bulk in {gen_s:.0f} s; "
        )
        + f"unit handler of {unit.name} ({unit_n:,} orders as lead unit, {unit_open:,} open). "
        f"Load average at the start and end (1/5/15 min): {load0[0]:.1f} / {load0[1]:.1f} / "
        f"{load0[2]:.1f} and {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} — the machine is "
        "shared, so wall times are noisy; CPU time is of this process (SQLite runs in it; "
        "PostgreSQL's own work is in its server process and not counted). PostgreSQL: the "
        "orders tables are VACUUM ANALYZEd first (what autovacuum does after a bulk load); "
        "SQLite runs without planner statistics, as deployed.",
        "",
        f"Each line: p50 / p95 of {args.runs} calls through the Django test client (the whole "
        "request: session, middleware, queries, template or JSON), after one warm-up call. "
        "What keeps them bounded (indexes, capped counts, the board's queries): docs/ORDERS.md, "
        '"Lists at scale".',
        "",
        "| page | p50 / p95 ms | CPU p50 / p95 ms | p95 vs baseline |",
        "|---|---|---|---|",
        f"| baseline: `SELECT … ORDER BY received_at DESC, id DESC LIMIT 50` | "
        f"{base['p50']:.1f} / {base['p95']:.1f} | {base['cpu50']:.1f} / {base['cpu95']:.1f} | "
        "1× |",
    ]
    for name, _path, _params, r in results:
        lines.append(
            f"| {name} | {r['p50']:.1f} / {r['p95']:.1f} | {r['cpu50']:.1f} / {r['cpu95']:.1f} "
            f"| {r['p95'] / max(base['p95'], 0.01):.0f}× |"
        )
    if results:
        lines += [
            "",
            f"Target of issue 14 (every list and board call p95 < {TARGET_MS:.0f} ms): "
            f"{'met' if len(met) == len(results) else 'NOT met'} in wall time "
            f"({len(met)} of {len(results)} under; slowest p95 {worst[3]['p95']:.0f} ms, "
            f"{worst[0]}); "
            f"{'met' if worst_cpu[3]['cpu95'] < TARGET_MS else 'NOT met'} in CPU time "
            f"(slowest CPU p95 {worst_cpu[3]['cpu95']:.0f} ms, {worst_cpu[0]}).",
        ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write and not args.only:
        from bench.report import write_section

        write_section(f"lists-{vendor}", text)


if __name__ == "__main__":
    main()
