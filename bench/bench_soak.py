"""Soak: a surge of appeals plus agents' page views for ten minutes, with latency and memory.

    python -m bench.bench_soak [--minutes 10] [--rate 50] [--pages 5] [--engine sqlite]
                               [--no-write] [--out rows.json]

``--minutes 2`` is a short check that the harness works; the figures that count are the
ten-minute run on a quiet machine.

Starts ``hotline serve`` (``--workers``, default 2) and ``hotline worker`` on a fresh database
(SQLite file, or with ``--engine postgresql`` a database made with createdb on 127.0.0.1:5432
and dropped after), then for ``--minutes``:

- POSTs /api/v1/orders at ``--rate`` per second on an open-loop schedule (request i is due at
  start + i/rate, whatever happened to the others, so a slow server shows as latency and a
  shortfall, not as a politely lower rate), each with its own Idempotency-Key;
- GETs agents' and supervisors' pages (/orders/, /intake/, /board/, /, and the page of an order
  received during the run) at ``--pages`` per second with signed-in sessions;
- every 10 s records the resident memory (VmRSS) of every server and worker process.

Prints one row per minute (sent, answered, errors, latency p50/p95/p99 of receive and of page
views, memory), then the whole run against the targets below (achieved rate against the
offered one, errors, p95/p99, memory growth after the first minute) as met / not met, with the
machine's load average, and writes the same into its section of docs/RELIABILITY.md (unless
``--no-write``). Only loopback addresses; every loop is bounded by the duration.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_durability import HOTLINE, free_port, healthy, pg, pg_url, run

ROOT = Path(__file__).resolve().parent.parent
RELIABILITY_MD = ROOT / "docs" / "RELIABILITY.md"

#: The soak's targets. Kept up: at least this share of the offered appeals answered 2xx within
#: the run. Latency counts from when a request was due (open loop), so a queue shows here.
KEPT_UP_SHARE = 0.99
ORDER_P99_MS = 1000
PAGE_P95_MS = 2000
#: Memory: resident memory of the server's and worker's processes at the end against the end of
#: the first minute (the warm-up: imports, caches, the first connections) may grow at most this.
MEMORY_GROWTH_SHARE = 0.10

SETUP = """
import io
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from hotline.geo import demo
from hotline.accounts.services import create_user, create_token, ensure_groups
demo.load(io.StringIO())
ensure_groups()
bot = create_user("soak", role="agent", unit_code="center", password=None)
print("TOKEN=" + create_token(bot))
for name, role in (("soak_agent", "agent"), ("soak_sup", "supervisor")):
    user = create_user(name, role=role, unit_code="center", password="Soak-pass-2022")
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    print(f"SESSION_{role.upper()}=" + s.session_key)
"""


def body(i: int) -> bytes:
    towns = ("440902101", "440902102", "440902103", "440902104")
    return json.dumps(
        {
            "channel": "phone",
            "description": f"封控在家第三天，家里米和菜都快吃完了，想问哪里能买到生活物资。{i}",
            "caller_name": "王五",
            "caller_phone": f"139{i % 100000000:08d}",
            "address": "",
            "appeal_type": "help",
            "category": "supplies",
            "urgency": "normal",
            "district_code": "440902",
            "town_code": towns[i % len(towns)],
        },
        ensure_ascii=False,
    ).encode()


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def group_rss_mb(pgids: list[int]) -> float:
    """Resident memory of every process in the given process groups, in MiB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp not in pgids:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[float, str, float, int]] = []  # (t, kind, seconds, status)

    def add(self, t: float, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.rows.append((t, kind, seconds, status))


def request(conn_box: list, port: int, method: str, path: str, body_=None, headers=None):
    """(status, body) over a kept-alive connection; status 0 for a failed connection or a
    timeout (15 s)."""
    conn = conn_box[0]
    if conn is None:
        conn = conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method, path, body_, headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        conn_box[0] = None
        return 0, b""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50, help="orders per second")
    parser.add_argument("--pages", type=float, default=5, help="page views per second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=48, help="client threads for orders")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--out", help="write the per-minute rows as JSON to this file")
    parser.add_argument("--no-write", action="store_true", help="do not update RELIABILITY.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hotline-soak-"))
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(work),
        "HOTLINE_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "HOTLINE_ACCESS_LOG": "off",
        "SESSION_IDLE_TIMEOUT": "86400",
        # This checkout's code, whatever the virtualenv's editable install points at.
        "PYTHONPATH": str(ROOT),
    }
    dbname = f"hotline_trust_soak_{os.getpid()}"
    if args.engine == "postgresql":
        pg("dropdb", "--if-exists", dbname)
        pg("createdb", dbname)
        env["DATABASE_URL"] = pg_url(dbname)
    else:
        env.pop("DATABASE_URL", None)
    procs: list[subprocess.Popen] = []
    try:
        run([HOTLINE, "migrate", "-v0"], env)
        out = run([HOTLINE, "shell", "-c", SETUP], env)
        token = out.split("TOKEN=")[1].split()[0]
        sessions = {
            "agent": out.split("SESSION_AGENT=")[1].split()[0],
            "supervisor": out.split("SESSION_SUPERVISOR=")[1].split()[0],
        }
        port = free_port()
        log = open(work / "platform.log", "ab")  # noqa: SIM115 - closed at exit
        procs.append(
            subprocess.Popen(
                [HOTLINE, "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            )
        )  # fmt: skip
        healthy(port)
        procs.append(
            subprocess.Popen(
                [HOTLINE, "worker", "--interval", "5"],
                env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            )
        )  # fmt: skip
        pgids = [p.pid for p in procs]
        rec = Recorder()
        duration = args.minutes * 60
        start = time.monotonic() + 1.0
        end = start + duration
        total_orders = int(duration * args.rate)
        counter = iter(range(total_orders))
        lock = threading.Lock()
        numbers: list[str] = []

        def order_client():
            box = [None]
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                due = start + i / args.rate
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if time.monotonic() > end + 30:
                    return  # far behind schedule: stop rather than run on
                headers = {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"soak-{i}",
                }
                # Latency from when the request was due: queueing in the client counts.
                status, data = request(box, port, "POST", "/api/v1/orders", body(i), headers)
                rec.add(due - start, "order", time.monotonic() - due, status)
                if status == 201 and i % 97 == 0:
                    with contextlib.suppress(ValueError, KeyError):
                        number = json.loads(data)["number"]
                        with lock:
                            numbers.append(number)

        page_counter = iter(range(10**9))

        def page_client():
            box = [None]
            pages = ["/orders/", "/intake/", "/board/", "/", "order"]
            while True:
                with lock:
                    n = next(page_counter)
                due = start + n / args.pages
                if due > end:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                path = pages[n % len(pages)]
                if path == "order":  # an order received during the run (its page)
                    with lock:
                        recent = numbers[-1] if numbers else None
                    path = f"/orders/{recent}/" if recent else "/orders/"
                who = "supervisor" if path == "/board/" else "agent"
                status, _ = request(
                    box, port, "GET", path, None, {"Cookie": f"sessionid={sessions[who]}"}
                )
                rec.add(due - start, "page", time.monotonic() - due, status)

        memory: list[tuple[float, float]] = []
        stop = threading.Event()

        loads: list[tuple[float, float, float]] = []

        def sampler():
            while not stop.is_set():
                memory.append((time.monotonic() - start, group_rss_mb(pgids)))
                loads.append(os.getloadavg())
                stop.wait(10)

        threading.Thread(target=sampler, daemon=True).start()
        # Daemon threads joined against the clock: a client stuck on a socket cannot hold the
        # report back (the first full run lost its figures that way).
        threads = [threading.Thread(target=order_client, daemon=True) for _ in range(args.threads)]
        threads += [threading.Thread(target=page_client, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(0.0, end + 60 - time.monotonic()))
        stuck = sum(t.is_alive() for t in threads)
        stop.set()
        load = os.getloadavg()
        mid_load = loads[len(loads) // 2] if loads else load
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if args.engine == "postgresql":
            pg("dropdb", "--if-exists", dbname)

    report = summarize(rec.rows, memory, args, total_orders, stuck, load, mid_load)
    print(report)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rec.rows, "memory": memory}, indent=1))
    if not args.no_write:
        from bench.report import write_section

        write_section("soak", report, path=RELIABILITY_MD)
        print(f"written to {RELIABILITY_MD.relative_to(ROOT)} (section soak)")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0)


def summarize(rows, memory, args, total_orders: int, stuck: int, load, mid_load) -> str:
    """The per-minute table and the whole run against the targets, as Markdown."""
    duration = args.minutes * 60

    def due_by(minute: int) -> int:  # appeals due before the start of this minute
        return min(total_orders, math.ceil(minute * 60 * args.rate))

    minutes = []
    for m in range(int(args.minutes + 0.999)):
        in_minute = [r for r in rows if m * 60 <= r[0] < (m + 1) * 60]
        orders = [r for r in in_minute if r[1] == "order"]
        pages = [r for r in in_minute if r[1] == "page"]
        ok = [r[2] for r in orders if r[3] in (200, 201)]
        page_ok = [r[2] for r in pages if r[3] == 200]
        mem = [v for t, v in memory if m * 60 <= t < (m + 1) * 60]
        minutes.append(
            {
                "minute": m + 1,
                "orders_due": due_by(m + 1) - due_by(m),
                "orders_sent": len(orders),
                "orders_ok": len(ok),
                "order_errors": len(orders) - len(ok),
                "order_p50_ms": ms(pct(ok, 50)),
                "order_p95_ms": ms(pct(ok, 95)),
                "order_p99_ms": ms(pct(ok, 99)),
                "pages_ok": len(page_ok),
                "page_errors": len(pages) - len(page_ok),
                "page_p50_ms": ms(pct(page_ok, 50)),
                "page_p95_ms": ms(pct(page_ok, 95)),
                "rss_mb": round(max(mem), 1) if mem else None,
            }
        )
    cols = list(minutes[0])
    lines = [
        f"`python -m bench.bench_soak --minutes {args.minutes:g} --rate {args.rate:g} "
        f"--pages {args.pages:g} --workers {args.workers} --engine {args.engine}`",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(str(row[c]) for c in cols) + " |" for row in minutes]

    orders = [r for r in rows if r[1] == "order"]
    pages = [r for r in rows if r[1] == "page"]
    ok = [r[2] for r in orders if r[3] in (200, 201)]
    page_ok = [r[2] for r in pages if r[3] == 200]
    errors = {}
    for r in orders + pages:
        if r[3] not in (200, 201):
            key = f"{r[1]} {r[3] or 'no answer'}"
            errors[key] = errors.get(key, 0) + 1
    if len(orders) < total_orders:  # the generator stopped 30 s after the end, far behind
        errors["order unsent"] = total_orders - len(orders)
    achieved = len(ok) / duration
    # Warm-up: the largest sample of the first minute; end: the largest of the last 30 s.
    warm = [v for t, v in memory if t < 60] or [memory[0][1]]
    tail = [v for t, v in memory if t >= duration - 30] or [memory[-1][1]]
    growth = (max(tail) - max(warm)) / max(warm) if warm else 0.0
    p99, p95_page = pct(ok, 99), pct(page_ok, 95)

    def verdict(ok_: bool) -> str:
        return "**met**" if ok_ else "**NOT met**"

    lines += [
        "",
        "| whole run | figure | target | |",
        "|---|---|---|---|",
        f"| appeals answered 2xx / due | {len(ok)} / {total_orders} "
        f"({achieved:.1f}/s achieved of {args.rate:g}/s offered) | ≥ {KEPT_UP_SHARE:.0%} of due "
        f"| {verdict(len(ok) >= KEPT_UP_SHARE * total_orders)} |",
        f"| errors (non-2xx, timeouts, unsent) | "
        f"{sum(errors.values())} {dict(sorted(errors.items())) if errors else ''} | 0 "
        f"| {verdict(not errors)} |",
        f"| receive p50 / p95 / p99 | {ms(pct(ok, 50))} / {ms(pct(ok, 95))} / {ms(p99)} ms "
        f"| p99 < {ORDER_P99_MS} ms | {verdict(p99 is not None and p99 * 1000 < ORDER_P99_MS)} |",
        f"| page views answered 200 | {len(page_ok)} / {len(pages)}, p50 / p95 / p99 "
        f"{ms(pct(page_ok, 50))} / {ms(p95_page)} / {ms(pct(page_ok, 99))} ms "
        f"| p95 < {PAGE_P95_MS} ms "
        f"| {verdict(p95_page is not None and p95_page * 1000 < PAGE_P95_MS)} |",
        f"| memory (server + worker RSS) | first sample {memory[0][1]:.0f} MiB, end of minute 1 "
        f"{max(warm):.0f} MiB, end {max(tail):.0f} MiB ({growth:+.1%} after warm-up) "
        f"| ≤ {MEMORY_GROWTH_SHARE:+.0%} | {verdict(growth <= MEMORY_GROWTH_SHARE)} |",
        "",
        f"Client threads still waiting on a response at the end: {stuck}. "
        f"Load average (1, 5, 15 min) half way: {tuple(round(x, 2) for x in mid_load)}, "
        f"at the end: {tuple(round(x, 2) for x in load)} on {os.cpu_count()} CPU(s).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
