"""Benchmark: work orders received per second over HTTP against a live server.

Starts ``hotline serve`` (granian when installed, else gunicorn gthread; keep-alive; access log
off) on a free port with a fresh database — SQLite (WAL) in a temporary HOTLINE_DATA_DIR, or a
temporary PostgreSQL database with ``--engine postgres`` — then (1) posts single orders with
wrk (C, keep-alive connections, a distinct Idempotency-Key per order: ``bench/wrk_orders.lua``)
while summing the server processes' CPU time, (2) posts batches of 500 to
``/api/v1/orders/batch``, and checks that every order answered 201 is stored. The baselines,
measured in the same run on the same database, are raw-SQL inserts of the same rows: one order
and its three events per transaction, and 500 orders per transaction. Then it says where a
worker's CPU goes: each layer of one request in-process (``bench/orders_layers.py``), the HTTP
server's own cost per request (each installed server timed on ``GET /api/v1/health``), and a
cProfile of the receive service. On a busy machine compare runs by CPU per order.

    .venv/bin/python -m bench.bench_orders                          # the issue's figures
    .venv/bin/python -m bench.bench_orders --engine postgres
    .venv/bin/python -m bench.bench_orders --orders 3000 --batch-orders 5000 --no-write   # quick
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
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

STORED = """
from hotline.orders.models import Order
print("STORED=%d" % Order.objects.exclude(idempotency_key__startswith="warm-").count())
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
t = time.process_time()
for i in range(n):
    one(20_000_000 + i)
print("INPROC_MS=%.3f" % ((time.process_time() - t) * 1000 / n))
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


def wait_healthy(port: int, seconds: float = 180) -> None:
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


def _raw_connection(engine: str, target: str):
    """A plain DB-API connection to the benchmark's database, and its placeholder."""
    if engine == "sqlite":
        con = sqlite3.connect(target, isolation_level=None, timeout=20)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        return con, "?"
    import psycopg

    return psycopg.connect(target, autocommit=True), "%s"


def raw_sql_baseline(engine: str, target: str, n: int, towns: list[str], per_txn: int = 1):
    """Insert the same rows (an order and its three events) with plain SQL, ``per_txn`` orders
    per transaction (1 as a single receive does, 500 as a batch does); orders per second."""
    con, ph = _raw_connection(engine, target)
    cur = con.cursor()
    cur.execute("SELECT code, id FROM geo_handlingunit")
    unit_ids = dict(cur.fetchall())
    now = "2022-11-07 02:00:00+00:00"
    cols = (
        "number, channel, appeal_type, category, urgency, vulnerable, epidemic_related, title, "
        "description, caller_name, caller_phone, address, district_id, town_id, status, "
        "handling_unit_id, routing_rule, owner_assigned, sla_mode, accept_deadline, "
        "resolve_deadline, received_at, dispatched_at, return_count, reopen_count, "
        "extension_reason, escalation_reason, reply, article_key, satisfaction, callback_note, "
        "idempotency_key, request_hash, latitude, longitude, kind, source_app, source_type, "
        "source_id"
    )
    marks = ",".join([ph] * len(cols.split(",")))
    returning = " RETURNING id"
    tag = f"{engine[:2]}{per_txn}"  # the number column holds 20 characters
    started = time.perf_counter()
    for first in range(0, n, per_txn):
        cur.execute("BEGIN IMMEDIATE" if engine == "sqlite" else "BEGIN")
        for i in range(first, min(n, first + per_txn)):
            town = towns[i % len(towns)]
            cur.execute(
                f"INSERT INTO orders_order ({cols}) VALUES ({marks}){returning}",
                (
                    f"RAW{tag}-{i:07d}", "phone", "help", "supplies", "normal", "[]", True,
                    "生活物资", f"封控在家，家里没有米了，想问怎么买到生活物资。第{i}号", "张三",
                    "13812341234", "", town[:6], town, "dispatched", unit_ids.get(town),
                    "属地事项派所在镇街", False, "normal", now, now, now, now, 0, 0, "", "", "",
                    "", "", "", f"raw{tag}-{i}", "x" * 64, None, None, "", "", "", "",
                ),
            )  # fmt: skip
            order_id = cur.fetchone()[0]
            cur.executemany(
                "INSERT INTO orders_orderevent (order_id, code, payload, at, unit_id) "
                f"VALUES ({ph}, {ph}, {ph}, {ph}, {ph})",
                [
                    (order_id, f"orders.order.{code}", '{"status": "received"}', now,
                     unit_ids.get(town))
                    for code in ("received", "triaged", "dispatched")
                ],
            )  # fmt: skip
        cur.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return n / elapsed


def wrk_orders(
    port: int, token: str, n: int, connections: int, prefix: str = "wrk", max_seconds: float = 900
) -> dict:
    """POST ``n`` orders with wrk (C, keep-alive, 2 threads), each with its own key; returns
    {rate, p50, p99, statuses, done, seconds}.

    wrk 4.1 runs for its whole ``-d`` duration whatever its threads do, so the run is timed
    here: from wrk's start until every thread has signalled (bench/wrk_orders.lua) that it has
    all its responses; then wrk is interrupted and prints its figures."""
    script = ROOT / "bench" / "wrk_orders.lua"
    threads = 2
    with tempfile.TemporaryDirectory(prefix="hotline-wrk-") as done_dir:
        env = {**os.environ, "HOTLINE_TOKEN": token, "HOTLINE_BENCH_ORDERS": str(n),
               "HOTLINE_BENCH_THREADS": str(threads), "HOTLINE_BENCH_KEY_PREFIX": prefix,
               "HOTLINE_BENCH_DONE_DIR": done_dir}  # fmt: skip
        started = time.perf_counter()
        wrk = subprocess.Popen(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(max_seconds)}s", "--timeout",
             "60s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}/api/v1/orders"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        while len(os.listdir(done_dir)) < threads and wrk.poll() is None:
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        wrk.send_signal(signal.SIGINT)
        out, err = wrk.communicate(timeout=60)
    figures = dict(re.findall(r"^(P50|P99) ([\d.]+)$", out, re.M))
    statuses = {int(k): int(v) for k, v in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)}
    if "P99" not in figures:
        raise SystemExit(f"wrk failed:\n{out}\n{err}")
    done = sum(statuses.values())
    return {
        "rate": done / seconds,
        "p50": float(figures["P50"]),
        "p99": float(figures["P99"]),
        "statuses": statuses,
        "done": done,
        "seconds": seconds,
    }


def post_batches(
    port: int,
    token: str,
    n: int,
    towns: list[str],
    size: int = 500,
    prefix: str = "batch",
    clients: int = 8,
) -> dict:
    """POST ``n`` orders to /orders/batch, ``size`` per request, from ``clients`` keep-alive
    connections (the bodies are encoded before the clock starts); returns {rate, statuses,
    batches}.

    Why more connections than workers: the kernel gives each new connection to one worker for
    its whole life, at random. With two connections and two workers, half the runs put both on
    one worker and the other idles — that halved the rate (1,937 against ~3,700 orders/s on the
    quiet machine; seen per worker with ``worker_cpu_seconds``). With eight, a worker is left
    without one in less than 1 % of runs, and the bench says so when it happens."""
    bodies = []
    for first in range(0, n, size):
        items = []
        for i in range(first, min(n, first + size)):
            item = json.loads(body(i, towns))
            item["channel"] = "import"
            item["idempotency_key"] = f"{prefix}-{i}"
            items.append(item)
        bodies.append(json.dumps({"items": items}, ensure_ascii=False).encode())
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = iter(bodies)

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                payload = next(queue, None)
            if payload is None:
                return
            conn.request("POST", "/api/v1/orders/batch", payload, headers)
            resp = conn.getresponse()
            data = json.loads(resp.read())
            with lock:
                for item in data.get("items", []):
                    statuses[item["status"]] = statuses.get(item["status"], 0) + 1

    started = time.perf_counter()
    with cf.ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(worker) for _ in range(clients)]:
            f.result()
    elapsed = time.perf_counter() - started
    return {"rate": n / elapsed, "statuses": statuses, "batches": len(bodies)}


def _proc_cpu(pid: int) -> list[tuple[int, int, float, float]]:
    """(pid, parent pid, own CPU seconds, reaped children's CPU seconds) of ``pid`` and of its
    children, from /proc (user + system time)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            # utime, stime, cutime, cstime
            own = (int(fields[11]) + int(fields[12])) / tick
            reaped = (int(fields[13]) + int(fields[14])) / tick
            out.append((int(entry), int(fields[1]), own, reaped))
    return out


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU of the server: the master ``pid`` (with the children it has reaped,
    so a worker that was replaced still counts) and its live workers."""
    return sum(own + (reaped if p == pid else 0.0) for p, _parent, own, reaped in _proc_cpu(pid))


def worker_cpu_seconds(pid: int) -> dict[int, float]:
    """{worker pid: CPU seconds} of the server's live workers (children of ``pid``): how
    evenly the connections spread the work."""
    return {p: own for p, parent, own, _reaped in _proc_cpu(pid) if parent == pid}


def server_probe(server: str, env: dict, workers: int, seconds: int = 8) -> dict:
    """The HTTP server's own cost: CPU of the server's processes per ``GET /api/v1/health``
    (one cheap query) from wrk (4 keep-alive connections, ``seconds`` long), beside the same
    request's CPU in the application alone (``health_us`` from bench/orders_layers.py)."""
    port = free_port()
    proc = subprocess.Popen(
        [HOTLINE, "serve", "--port", str(port), "--workers", str(workers), "--server", server],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_healthy(port)
        url = f"http://127.0.0.1:{port}/api/v1/health"
        subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, check=True)
        load = os.getloadavg()[0]
        before = server_cpu_seconds(proc.pid)
        out = subprocess.run(
            ["wrk", "-t1", "-c4", f"-d{seconds}s", url], capture_output=True, text=True, check=True
        ).stdout
        spent = server_cpu_seconds(proc.pid) - before
        done = int(re.search(r"(\d+) requests in", out).group(1))
        return {"server": server, "cpu_us": spent * 1e6 / done, "requests": done, "load": load}
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="single POSTs (wrk)")
    parser.add_argument("--batch-orders", type=int, default=20_000, help="orders sent in batches")
    parser.add_argument("--connections", type=int, default=8, help="wrk's keep-alive connections")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--batch-clients", type=int, default=8, help="keep-alive connections posting batches"
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile-orders", type=int, default=300)
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default=os.environ.get("HOTLINE_SERVER")
        or ("granian" if importlib.util.find_spec("granian") else "gunicorn"),
        help="the server `hotline serve` runs (default: as `hotline serve` chooses)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update PERFORMANCE.md")
    parser.add_argument(
        "--no-server-probe", action="store_true", help="skip timing each server on /health"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk（C 语言压测客户端，支持长连接）：apt-get install wrk")

    load_before = os.getloadavg()[0]
    data_dir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(data_dir),
        "HOTLINE_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "HOTLINE_ACCESS_LOG": "off",
    }
    env.pop("DATABASE_URL", None)
    pg_name = None
    if args.engine == "postgres":
        pg_name = f"hotline_bench_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", pg_name], check=True)
        target = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
        env["DATABASE_URL"] = target
    else:
        target = str(data_dir / "hotline.sqlite3")
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
        serve = [HOTLINE, "serve", "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(
            [*serve, "--server", args.server],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_healthy(port)
        # Warm both workers (imports, triage model, first queries) outside the measurement.
        post_orders(port, token, 20, 4, towns, 60, prefix="warm")
        load_single = os.getloadavg()[0]
        cpu_before = server_cpu_seconds(server.pid)
        single = wrk_orders(port, token, args.orders, args.connections)
        cpu_single = server_cpu_seconds(server.pid) - cpu_before
        load_batch = os.getloadavg()[0]
        cpu_before = server_cpu_seconds(server.pid)
        split_before = worker_cpu_seconds(server.pid)
        batch = post_batches(port, token, args.batch_orders, towns, clients=args.batch_clients)
        cpu_batch = server_cpu_seconds(server.pid) - cpu_before
        split = sorted(
            seconds - split_before.get(pid, 0.0)
            for pid, seconds in worker_cpu_seconds(server.pid).items()
        )
        print(
            f"batch: {batch['rate']:,.0f} orders/s, server CPU "
            f"{1000 * cpu_batch / max(1, args.batch_orders):.3f} ms/order",
            flush=True,
        )
        server.terminate()
        server.wait(timeout=20)
        server = None
        stored = int(run([HOTLINE, "shell", "-c", STORED], env).split("STORED=")[1].split()[0])
        probes = []
        if not args.no_server_probe:
            installed = [s for s in ("granian", "gunicorn") if importlib.util.find_spec(s)]
            probes = [server_probe(s, env, args.workers) for s in installed]
        raw_single = raw_sql_baseline(args.engine, target, 5_000, towns, per_txn=1)
        raw_batch = raw_sql_baseline(args.engine, target, 20_000, towns, per_txn=500)
        out = run(
            [HOTLINE, "shell", "-c", INPROCESS.format(n=args.profile_orders, towns=towns[:50])], env
        )
        inproc_ms = float(out.split("INPROC_MS=")[1].split()[0])
        load_layers = os.getloadavg()[0]
        layers_out = run(
            [sys.executable, "-m", "bench.orders_layers", "--token", token,
             "--orders", str(args.profile_orders)], env,
        )  # fmt: skip
        layers = [
            (name, float(micros))
            for micros, name in re.findall(r"^LAYER ([\d.-]+) (.+)$", layers_out, re.M)
        ]
        wsgi_us = float(layers_out.split("WSGI_US ")[1].split()[0])
        health_us = float(layers_out.split("HEALTH_US ")[1].split()[0])
        queries = int(layers_out.split("QUERIES ")[1].split()[0])
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
        if pg_name:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", pg_name], check=False)

    created = single["statuses"].get(201, 0) + batch["statuses"].get(201, 0)
    lopsided = bool(split) and split[0] < 0.25 * sum(split) / len(split)
    cpu_ms = 1000 * cpu_single / single["done"] if single["done"] else 0
    engine = "SQLite (WAL)" if args.engine == "sqlite" else "PostgreSQL 15 (this machine)"
    met_single = single["rate"] >= 500 and single["p99"] < 50
    server_name = {"granian": "granian (WSGI)", "gunicorn": "gunicorn gthread"}[args.server]
    # What the workers spent per order over HTTP beyond the application itself: the HTTP
    # server, and what running two workers side by side costs (waiting for the write lock).
    server_us = cpu_ms * 1000 - wsgi_us
    layer_rows = [*layers, ("HTTP server and the rest (CPU over HTTP − application)", server_us)]
    total_us = cpu_ms * 1000
    lines = [
        f"## Orders: receive over HTTP — {engine}",
        "",
        f"`.venv/bin/python -m bench.bench_orders --engine {args.engine} --orders {args.orders} "
        f"--batch-orders {args.batch_orders}` — `hotline serve --server {args.server}` "
        f"({args.workers} {server_name} workers, 1 thread each, keep-alive, access log off), "
        f"{engine}; single orders from wrk ({args.connections} keep-alive connections, 2 threads, "
        "a distinct Idempotency-Key per order); batches of 500 from "
        f"{args.batch_clients} keep-alive Python client connections. Client and server share "
        f"the machine's {os.cpu_count()} CPUs. On a busy "
        "machine compare runs by the server's CPU per order, not by throughput.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| single `POST /api/v1/orders`: throughput | **{single['rate']:,.0f} orders/s** |",
        f"| single: latency p50 / p99 | {single['p50']:.1f} ms / {single['p99']:.1f} ms |",
        f"| single: statuses | {single['statuses']} |",
        f"| single: server CPU per order (all workers) | **{cpu_ms:.2f} ms** |",
        f"| single: orders/s the 2 CPUs could serve at that CPU cost | "
        f"{os.cpu_count() * 1000 / cpu_ms if cpu_ms else 0:,.0f} |",
        f"| baseline: raw SQL, one order + 3 events per transaction | {raw_single:,.0f} orders/s |",
        f"| ratio single over HTTP / raw SQL | {single['rate'] / raw_single:.3f} |",
        f"| `POST /api/v1/orders/batch` (500 per request): throughput | "
        f"**{batch['rate']:,.0f} orders/s** |",
        f"| batch: item statuses | {batch['statuses']} |",
        f"| batch: server CPU per order (all workers) | "
        f"**{1000 * cpu_batch / max(1, args.batch_orders):.3f} ms** |",
        f"| batch: CPU seconds per worker (least to most busy) | "
        f"{' / '.join(f'{x:.1f}' for x in split)}"
        + (" — **a worker got too few connections: rate understated**" if lopsided else "")
        + " |",
        f"| baseline: raw SQL, 500 orders + events per transaction | {raw_batch:,.0f} orders/s |",
        f"| ratio batch over HTTP / raw SQL | {batch['rate'] / raw_batch:.3f} |",
        f"| orders stored after the run / answered 201 | {stored} / {created} |",
        f"| receive service in-process (one thread, CPU) | {inproc_ms:.2f} ms/order |",
        f"| whole request in-process (the WSGI application, one thread, CPU) | "
        f"{wsgi_us / 1000:.2f} ms |",
        f"| SQL statements per request | {queries} |",
        f"| machine load average (1 min): before the run / at wrk / at the batches / at the "
        f"profile | {load_before:.1f} / {load_single:.1f} / {load_batch:.1f} / {load_layers:.1f} |",
        "",
        "Targets: single ≥ 500 orders/s with p99 < 50 ms — "
        + ("**met**" if met_single else "**not met**")
        + f"; batch ≥ 5,000 orders/s — **{'met' if batch['rate'] >= 5000 else 'not met'}**. "
        f"500 orders/s on {os.cpu_count()} CPUs leaves at most "
        f"{os.cpu_count() * 1000 / 500:.1f} ms of CPU per order for everything (wrk included).",
        "",
        "**Where a worker's CPU goes, per order** (bench/orders_layers.py: the WSGI application "
        "called in-process with the request wrk sends, CPU time inside each layer; the last row "
        "is the workers' CPU per order over HTTP minus the application's):",
        "",
        "| layer | µs per order | share |",
        "|---|---:|---:|",
        *[
            f"| {name} | {micros:,.0f} | {100 * micros / total_us if total_us else 0:.0f}% |"
            for name, micros in layer_rows
        ],
        f"| **total (server CPU per order over HTTP)** | **{total_us:,.0f}** | 100% |",
        "",
        *(
            [
                "The last layer came out negative: the application in-process and the workers "
                "over HTTP were measured at different moments, and on this machine's load their "
                "noise is larger than what the HTTP server adds (see the next table).",
                "",
            ]
            if server_us < 0
            else []
        ),
        *(
            [
                "**The HTTP server's own cost** (`GET /api/v1/health`, one cheap query, from wrk "
                "with 4 keep-alive connections; the application alone spends "
                f"{health_us:,.0f} µs of CPU on it in-process):",
                "",
                "| `hotline serve --server` | server CPU per request | beyond the application "
                "| requests | load average |",
                "|---|---:|---:|---:|---:|",
                *[
                    f"| {p['server']} | {p['cpu_us']:,.0f} µs | {p['cpu_us'] - health_us:,.0f} µs "
                    f"| {p['requests']:,} | {p['load']:.1f} |"
                    for p in probes
                ],
                "",
            ]
            if probes
            else []
        ),
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

        write_section("orders" if args.engine == "sqlite" else "orders-postgres", markdown)


if __name__ == "__main__":
    main()
