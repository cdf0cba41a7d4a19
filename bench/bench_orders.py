"""Benchmark: work orders received per second over HTTP against a live server.

Starts its own gunicorn server (``hotline serve --workers 2``) on a free port with a fresh
SQLite database (WAL) in a temporary HOTLINE_DATA_DIR, posts N orders with distinct
Idempotency-Keys from a pool of client threads, and reports throughput and p50/p99 latency.
The baseline, measured in the same run and the same database file, is a raw-SQL insert of the
same rows (one order and its three events per transaction). Then it times the receive service
in-process to say where the time goes.

    .venv/bin/python -m bench.bench_orders                 # 20,000 orders (the issue's figure)
    .venv/bin/python -m bench.bench_orders --orders 2000   # a quick run
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOTLINE = str(Path(sys.executable).parent / "hotline")

SETUP = """
import io
from hotline.geo import demo
from hotline.accounts.services import create_user, create_token, ensure_groups
demo.load(io.StringIO())
ensure_groups()
user = create_user("bench", role="agent", unit_code="center", password=None)
print("TOKEN=" + create_token(user))
"""

INPROCESS = """
import cProfile, io, pstats, time
from django.contrib.auth import get_user_model
from hotline.orders import services
user = get_user_model().objects.get(username="bench")
towns = {towns!r}
def one(i):
    town = towns[i % len(towns)]
    services.receive(user, channel="phone", description="封控在家，家里没有米了。第%d号" % i,
        caller_name="张三", caller_phone="13812341234", address="", appeal_type="help",
        category="supplies", urgency="normal", vulnerable=[], district_code=town[:6],
        town_code=town, idempotency_key="inproc-%d" % i)
for i in range(50):
    one(10_000_000 + i)
n = {n}
t = time.perf_counter()
for i in range(n):
    one(20_000_000 + i)
print("INPROC_MS=%.3f" % ((time.perf_counter() - t) * 1000 / n))
import json as _json
from django.test import Client
from hotline.accounts.services import create_token
auth = {{"Authorization": "Bearer " + create_token(user)}}
client = Client(headers=auth, SERVER_NAME="127.0.0.1")
def req(i):
    town = towns[i % len(towns)]
    body = dict(channel="phone", description="封控在家，家里没有米了。第%d号" % i,
        caller_name="张三", caller_phone="13812341234", address="", appeal_type="help",
        category="supplies", urgency="normal", vulnerable=[], district_code=town[:6],
        town_code=town)
    r = client.post("/api/v1/orders", body, content_type="application/json",
                    headers={{"Idempotency-Key": "req-%d" % i}})
    assert r.status_code == 201, r.content
for i in range(20):
    req(40_000_000 + i)
t = time.perf_counter()
for i in range(n):
    req(50_000_000 + i)
print("REQUEST_MS=%.3f" % ((time.perf_counter() - t) * 1000 / n))
prof = cProfile.Profile()
prof.enable()
for i in range(n):
    one(30_000_000 + i)
prof.disable()
out = io.StringIO()
pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
print("PROFILE_BEGIN")
print(out.getvalue())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict, **kw) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, **kw)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_healthy(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy")


def body(i: int, towns: list[str]) -> bytes:
    town = towns[i % len(towns)]
    return json.dumps(
        {
            "channel": "phone",
            "description": f"封控在家，家里没有米了，想问怎么买到生活物资。第{i}号",
            "caller_name": "张三",
            "caller_phone": "13812341234",
            "address": "",
            "appeal_type": "help",
            "category": "supplies",
            "urgency": "normal",
            "vulnerable": [],
            "district_code": town[:6],
            "town_code": town,
        },
        ensure_ascii=False,
    ).encode()


def post_orders(port, token, n, concurrency, towns, max_seconds, prefix="bench"):
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(n))
    stop_at = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"{prefix}-{i}",
            }
            t = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/orders", body(i, towns), headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(worker) for _ in range(concurrency)]:
            f.result()
    return time.perf_counter() - started, latencies, statuses


def raw_sql_baseline(db: Path, n: int, towns: list[str]) -> float:
    """Insert the same rows (an order and its three events) with plain SQL, one transaction per
    order as the service does; orders per second."""
    con = sqlite3.connect(db, isolation_level=None, timeout=20)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    unit_ids = dict(con.execute("SELECT code, id FROM geo_handlingunit").fetchall())
    now = "2022-11-07 02:00:00"
    cols = (
        "number, channel, appeal_type, category, urgency, vulnerable, epidemic_related, title, "
        "description, caller_name, caller_phone, address, district_id, town_id, status, "
        "handling_unit_id, routing_rule, owner_assigned, sla_mode, accept_deadline, "
        "resolve_deadline, received_at, dispatched_at, return_count, reopen_count, "
        "extension_reason, escalation_reason, reply, article_key, satisfaction, callback_note, "
        "idempotency_key, request_hash, latitude, longitude, kind, source_app, source_type, "
        "source_id"
    )
    marks = ",".join("?" * len(cols.split(",")))
    started = time.perf_counter()
    for i in range(n):
        town = towns[i % len(towns)]
        con.execute("BEGIN IMMEDIATE")
        cur = con.execute(
            f"INSERT INTO orders_order ({cols}) VALUES ({marks})",
            (
                f"RAW-{i:07d}",
                "phone",
                "help",
                "supplies",
                "normal",
                "[]",
                1,
                "生活物资",
                f"封控在家，家里没有米了，想问怎么买到生活物资。第{i}号",
                "张三",
                "13812341234",
                "",
                town[:6],
                town,
                "dispatched",
                unit_ids.get(town),
                "属地事项派所在镇街",
                0,
                "normal",
                now,
                now,
                now,
                now,
                0,
                0,
                "",
                "",
                "",
                "",
                "",
                "",
                f"raw-{i}",
                "x" * 64,
                None,
                None,
                "",
                "",
                "",
                "",
            ),
        )
        order_id = cur.lastrowid
        for code in ("received", "triaged", "dispatched"):
            con.execute(
                "INSERT INTO orders_orderevent (order_id, code, payload, at, unit_id) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    order_id,
                    f"orders.order.{code}",
                    '{"status": "received"}',
                    now,
                    unit_ids.get(town),
                ),
            )
        con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return n / elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=360, help="cap on the HTTP phase")
    parser.add_argument("--profile-orders", type=int, default=300)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="keep each worker's SQLite connection this many seconds (DATABASE_URL option)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update PERFORMANCE.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    data_dir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if args.conn_max_age:
        db_file = data_dir / "hotline.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{db_file}?conn_max_age={args.conn_max_age}"
    server = None
    try:
        run([HOTLINE, "migrate", "-v0"], env)
        token = run([HOTLINE, "shell", "-c", SETUP], env).split("TOKEN=")[1].strip()
        towns = [
            line.split(",")[0]
            for line in (ROOT / "hotline/geo/data/china_townships.csv").read_text().splitlines()
            if line.startswith("4409")
        ]
        port = free_port()
        server = subprocess.Popen(
            [HOTLINE, "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_healthy(port)
        # Warm both workers (imports, triage model, first queries) outside the measurement.
        post_orders(port, token, 20, 4, towns, 60, prefix="warm")
        elapsed, latencies, statuses = post_orders(
            port, token, args.orders, args.concurrency, towns, args.max_seconds
        )
        server.terminate()
        server.wait(timeout=20)
        server = None
        done = len(latencies)
        rate = done / elapsed
        raw_rate = raw_sql_baseline(data_dir / "hotline.sqlite3", done, towns)
        out = run(
            [HOTLINE, "shell", "-c", INPROCESS.format(n=args.profile_orders, towns=towns[:50])], env
        )
        inproc_ms = float(out.split("INPROC_MS=")[1].split()[0])
        request_ms = float(out.split("REQUEST_MS=")[1].split()[0])
        profile = out.split("PROFILE_BEGIN", 1)[1].strip()
        # Paths relative to the checkout, so the report names no machine's folders.
        profile = re.sub(r"\S*/site-packages/", "site-packages/", profile)
        profile = profile.replace(str(ROOT) + "/", "")
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)

    ok = statuses.get(201, 0)
    p50, p99 = pct(latencies, 0.50), pct(latencies, 0.99)
    worker_ms = 1000 * args.workers / rate if rate else 0
    service_share = inproc_ms / worker_ms if worker_ms else 0
    lines = [
        "## Orders: receive over HTTP",
        "",
        f"`.venv/bin/python -m bench.bench_orders --orders {args.orders}"
        + (f" --conn-max-age {args.conn_max_age}" if args.conn_max_age else "")
        + f"` — gunicorn with "
        f"{args.workers} sync workers, SQLite (WAL), {args.concurrency} client threads on the "
        "same machine, distinct Idempotency-Keys, triage fields given by the client.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| orders posted / created (201) | {done} / {ok} |",
        f"| other statuses | {({k: v for k, v in statuses.items() if k != 201}) or 'none'} |",
        f"| throughput over HTTP | **{rate:,.0f} orders/s** |",
        f"| latency p50 / p99 | {p50:.1f} ms / {p99:.1f} ms |",
        f"| baseline: raw-SQL insert of the same rows and events | {raw_rate:,.0f} orders/s |",
        f"| ratio HTTP / raw SQL | {rate / raw_rate:.3f} |",
        f"| receive service in-process (one thread) | {inproc_ms:.2f} ms/order |",
        f"| whole request in-process (Django test client, one thread) | {request_ms:.2f} ms |",
        f"| worker time per order over HTTP (2 workers ÷ throughput) | {worker_ms:.2f} ms |",
        f"| share of a worker's time per order spent in the service | {service_share:.0%} |",
        f"| machine load average (1 min) before the run, on {os.cpu_count()} CPUs | "
        f"{load_before:.1f} |",
        "",
        "**Where the time goes.** The receive service runs 7 statements in one transaction "
        "(idempotency lookup, divisions, day counter, order insert, one multi-row event insert, "
        "commit); the request around it adds the token lookup, the role query, the rendering of "
        "the order with its timeline (2 reads), ninja's validation and Django's middleware — "
        f"{request_ms:.1f} ms in all, in-process. Over HTTP a worker spends {worker_ms:.1f} ms "
        "per order: the rest is gunicorn's sync workers (one connection at a time, a new TCP "
        "connection per request) and the benchmark's own client threads sharing the same 2 "
        "cores. The raw-SQL baseline shows SQLite itself is not the limit. Reaching 500/s on 2 "
        "cores needs ≤ 4 ms of CPU per order in total; the next steps would be a leaner "
        "receive response (no timeline), a persistent-connection server (gthread workers), "
        "and PostgreSQL with more cores.",
        "",
        "Target: ≥ 500 orders/s with p99 < 50 ms. "
        + ("Met." if rate >= 500 and p99 < 50 else "Not met on this machine; see the profile."),
        "",
        "<details><summary>cProfile of the receive service (in-process, cumulative)</summary>",
        "",
        "```",
        "\n".join(profile.splitlines()[:45]),
        "```",
        "</details>",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        from bench.report import write_section

        write_section("orders", markdown)


if __name__ == "__main__":
    main()
