"""Durability under kill -9: no acknowledged appeal lost, none duplicated; the worker's sweep
and outbox exactly once across a kill.

    python -m bench.bench_durability [--trials 10] [--engines sqlite,postgresql] [--write-doc]

Each trial, on a fresh database (an SQLite file, or a PostgreSQL database made with createdb on
127.0.0.1:5432 as user postgres and dropped afterwards):

1. seeds ``--overdue`` orders received 30 days ago (so the worker's sweep has that many clocks
   to record, urgent ones with notices to send) — the worker is busy sweeping and sending when
   it is killed;
2. starts ``hotline serve --workers 2`` and ``hotline worker`` (the outbox's gateway is
   ``gateway_send`` below: it appends each message's id to a file, which outlives a SIGKILL of
   the worker since the write is in the kernel before the call returns);
3. ``--clients`` threads POST /api/v1/orders with distinct Idempotency-Keys; a key is
   *acknowledged* when a 200/201 with an order number came back;
4. after a random 1–3 s, SIGKILLs every server process (gunicorn master and workers: the whole
   process group) and the worker at once;
5. restarts both, re-sends every key that was not acknowledged (same key, same body) until it
   is, and waits for the worker to finish the sweep and the outbox;
6. counts: acknowledged keys with no order (lost), keys or appeal texts with more than one
   order (duplicates), clocks recorded overdue more than once, notifications not sent, and
   notifications the gateway saw more than once.

Only loopback addresses are used. Prints os.getloadavg() with the figures.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOTLINE = str(Path(sys.executable).with_name("hotline"))
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def gateway_send(notification) -> None:
    """The bench's stand-in SMS gateway: one line per message handed over."""
    path = os.environ["BENCH_GATEWAY_LOG"]
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{notification.pk}\n".encode())
    finally:
        os.close(fd)


SETUP = """
import datetime as dt, io
from django.utils import timezone
from hotline.geo import demo
from hotline.accounts.services import create_user, create_token, ensure_groups
from hotline.orders import services
demo.load(io.StringIO())
ensure_groups()
user = create_user("bench", role="agent", unit_code="center", password=None)
then = timezone.now() - dt.timedelta(days=30)
appeals = [
    services.Appeal(
        channel="phone", description=f"封控在家，家里没有米了，想问怎么买到生活物资。旧{i}",
        caller_name="张三", caller_phone="13812341234", appeal_type="help", category="supplies",
        urgency="urgent" if i % 2 else "normal", district_code="440902", town_code="440902101",
    )
    for i in range({overdue})
]
for start in range(0, len(appeals), 200):
    services.receive_batch(user, appeals[start:start + 200], now=then)
print("TOKEN=" + create_token(user))
"""

VERIFY = """
import json
from collections import Counter
from hotline.orders.models import Notification, Order, OrderEvent
from hotline.orders.choices import EventCode
keys = Counter(Order.objects.filter(idempotency_key__startswith="dur-").values_list(
    "idempotency_key", flat=True))
texts = Counter(Order.objects.filter(description__contains="键dur-").values_list(
    "description", flat=True))
overdue = Counter(
    (e.order_id, e.payload.get("clock"))
    for e in OrderEvent.objects.filter(code=EventCode.OVERDUE).only("order_id", "payload")
)
notes = dict(Notification.objects.values_list("pk", "status"))
print("VERIFY=" + json.dumps({
    "keys": list(keys), "dup_keys": sum(1 for c in keys.values() if c > 1),
    "dup_texts": sum(1 for c in texts.values() if c > 1),
    "overdue_events": sum(overdue.values()),
    "overdue_twice": sum(1 for c in overdue.values() if c > 1),
    "notes": {str(k): v for k, v in notes.items()},
    "due_left": Order.objects.overdue_unrecorded_count() if hasattr(Order.objects,
        "overdue_unrecorded_count") else None,
}))
"""

AT_KILL = """
from hotline.orders.models import Notification, OrderEvent
from hotline.orders.choices import EventCode
print(f"OVERDUE={OrderEvent.objects.filter(code=EventCode.OVERDUE).count()} "
      f"SENT={Notification.objects.filter(status='sent').count()} "
      f"CLAIMED={Notification.objects.filter(status='sending').count()}")
"""

SWEPT = """
from django.utils import timezone
from hotline.orders.choices import CLOCKS
from hotline.orders.models import Notification, Order
left = sum(
    Order.objects.filter(status__in=statuses, **{f"{field}__lt": timezone.now(),
        f"{clock}_overdue_at__isnull": True}).count()
    for clock, statuses, field, _ in CLOCKS
)
pending = Notification.objects.exclude(status__in=["sent", "dead"]).count()
print(f"LEFT={left} PENDING={pending}")
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return done.stdout


def body(key: str) -> bytes:
    return json.dumps(
        {
            "channel": "phone",
            "description": f"小区封控三天了，家里老人缺降压药，请帮忙协调送药。键{key}",
            "caller_name": "李四",
            "caller_phone": "13900001111",
            "address": "茂南区公馆镇某某村3巷12号",
            "appeal_type": "help",
            "category": "medical",
            "urgency": "normal",
            "district_code": "440902",
            "town_code": "440902101",
        },
        ensure_ascii=False,
    ).encode()


def post(port: int, token: str, key: str, timeout: float = 15) -> str | None:
    """One POST; the order number if acknowledged, else None."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request(
            "POST",
            "/api/v1/orders",
            body(key),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return None
    if resp.status in (200, 201):
        return json.loads(data)["number"]
    return None


def healthy(port: int, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy")


class Platform:
    """``hotline serve`` and ``hotline worker``, each in its own process group."""

    def __init__(self, env: dict, port: int, log_dir: Path):
        self.env, self.port, self.log_dir = env, port, log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        out = open(self.log_dir / "platform.log", "ab")  # noqa: SIM115 - closed with the run
        common = {"env": self.env, "cwd": ROOT, "stdout": out, "stderr": out}
        self.procs = [
            subprocess.Popen(
                [HOTLINE, "serve", "--port", str(self.port), "--workers", "2"],
                start_new_session=True,
                **common,
            )
        ]
        healthy(self.port)
        # The worker starts once the server answers, so that the kill finds it mid-sweep.
        self.procs.append(
            subprocess.Popen(
                [
                    HOTLINE,
                    "worker",
                    "--interval",
                    "0.2",
                    "--events-interval",
                    "0.2",
                    "--batch",
                    "50",
                ],
                start_new_session=True,
                **common,
            )
        )

    def kill9(self) -> int:
        """SIGKILL every process of both groups (gunicorn's workers included)."""
        killed = 0
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
                killed += 1
        for proc in self.procs:
            proc.wait(timeout=30)
        self.procs = []
        return killed

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs = []


def base_env(work: Path, gateway_log: Path) -> dict:
    return {
        **os.environ,
        "HOTLINE_DATA_DIR": str(work),
        "HOTLINE_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "HOTLINE_ACCESS_LOG": "off",
        "OUTBOX_SENDER": "bench.bench_durability.gateway_send",
        "BENCH_GATEWAY_LOG": str(gateway_log),
        "PYTHONPATH": str(ROOT),
    }


def pg_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def pg(*args: str) -> None:
    subprocess.run([args[0], "-h", PG["host"], "-U", PG["user"], *args[1:]], capture_output=True)


class Template:
    """One migrated, seeded database per engine, copied for each trial (migrating and loading
    the city again per trial took most of a trial's time on the loaded machine)."""

    def __init__(self, engine: str, args):
        self.engine = engine
        self.work = Path(tempfile.mkdtemp(prefix=f"hotline-dur-tpl-{engine}-"))
        env = base_env(self.work, self.work / "unused.log")
        self.pg_name = f"hotline_trust_durtpl_{os.getpid()}"
        if engine == "postgresql":
            pg("dropdb", "--if-exists", self.pg_name)
            pg("createdb", self.pg_name)
            env["DATABASE_URL"] = pg_url(self.pg_name)
        else:
            env.pop("DATABASE_URL", None)
        run([HOTLINE, "migrate", "-v0"], env)
        out = run([HOTLINE, "shell", "-c", SETUP.replace("{overdue}", str(args.overdue))], env)
        self.token = out.split("TOKEN=")[1].strip()
        if engine == "sqlite":
            import sqlite3

            db = sqlite3.connect(self.work / "hotline.sqlite3")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()

    def copy_to(self, work: Path, env: dict, name: str) -> None:
        if self.engine == "postgresql":
            pg("dropdb", "--if-exists", name)
            run(["createdb", "-h", PG["host"], "-U", PG["user"], "-T", self.pg_name, name], env)
            env["DATABASE_URL"] = pg_url(name)
        else:
            shutil.copy(self.work / "hotline.sqlite3", work / "hotline.sqlite3")
            env.pop("DATABASE_URL", None)

    def drop(self) -> None:
        if self.engine == "postgresql":
            pg("dropdb", "--if-exists", self.pg_name)
        shutil.rmtree(self.work, ignore_errors=True)


RESTORED = """
from hotline.orders.models import Order
print("KEYS=" + ",".join(Order.objects.filter(idempotency_key__startswith="dur-")
      .values_list("idempotency_key", flat=True)))
"""


def restore_check(engine: str, backup_file: Path, must_have: set[str], name: str) -> dict:
    """Restore ``backup_file`` into a fresh database; every key acknowledged before the backup
    started must be in it."""
    work = Path(tempfile.mkdtemp(prefix=f"hotline-dur-restore-{engine}-"))
    env = base_env(work, work / "unused.log")
    try:
        if engine == "postgresql":
            pg("dropdb", "--if-exists", name)
            pg("createdb", name)
            env["DATABASE_URL"] = pg_url(name)
        else:
            env.pop("DATABASE_URL", None)
        run([HOTLINE, "restore", str(backup_file), "--yes"], env)
        out = run([HOTLINE, "shell", "-c", RESTORED], env)
        keys = set(filter(None, out.split("KEYS=")[1].strip().split(",")))
        return {"in_backup": len(keys), "missing_from_backup": len(must_have - keys)}
    finally:
        if engine == "postgresql":
            pg("dropdb", "--if-exists", name)
        shutil.rmtree(work, ignore_errors=True)


def trial(engine: str, n: int, args, template: Template) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"hotline-dur-{engine}-"))
    gateway_log = work / "gateway.log"
    env = base_env(work, gateway_log)
    dbname = f"hotline_trust_dur_{os.getpid()}_{n}"
    template.copy_to(work, env, dbname)
    token = template.token
    platform = Platform(env, free_port(), work)
    try:
        platform.start()

        acked: dict[str, str] = {}
        tried: set[str] = set()
        lock = threading.Lock()
        stop = threading.Event()
        counter = iter(range(10**9))

        def client():
            while not stop.is_set():
                with lock:
                    key = f"dur-{n}-{next(counter)}"
                    tried.add(key)
                number = post(platform.port, token, key)
                if number is not None:
                    with lock:
                        acked[key] = number

        pool = cf.ThreadPoolExecutor(args.clients)
        futures = [pool.submit(client) for _ in range(args.clients)]
        time.sleep(1.0)
        # An online backup while the clients write: everything acknowledged before it started
        # must be in it.
        with lock:
            before_backup = set(acked)
        backup_file = work / ("backup.pgdump" if engine == "postgresql" else "backup.sqlite3")
        run([HOTLINE, "backup", str(backup_file)], env)
        time.sleep(random.uniform(0.0, 2.0))
        killed = platform.kill9()
        acked_before_kill = len(acked)
        stop.set()
        for f in futures:
            f.result()
        pool.shutdown()
        if not acked_before_kill:
            raise SystemExit(f"no request was acknowledged before the kill; see {work}")
        # Where the worker was when it died: clocks recorded and messages sent so far.
        at_kill = dict(re.findall(r"([A-Z]+)=(\d+)", run([HOTLINE, "shell", "-c", AT_KILL], env)))
        platform.start()
        unacked = sorted(tried - set(acked))
        for key in unacked:  # the client's retry, as a real machine client would
            for _ in range(20):
                number = post(platform.port, token, key)
                if number is not None:
                    acked[key] = number
                    break
                time.sleep(0.2)
        # Let the worker finish the sweep and the outbox.
        deadline = time.monotonic() + args.settle
        while time.monotonic() < deadline:
            left = run([HOTLINE, "shell", "-c", SWEPT], env)
            if "LEFT=0 PENDING=0" in left:
                break
            time.sleep(1)
        platform.stop()
        data = json.loads(run([HOTLINE, "shell", "-c", VERIFY], env).split("VERIFY=")[1])
        in_db = set(data["keys"])
        sent = [line for line in gateway_log.read_text().split()] if gateway_log.exists() else []
        sent_count: dict[str, int] = {}
        for pk in sent:
            sent_count[pk] = sent_count.get(pk, 0) + 1
        notes = data["notes"]
        restored = restore_check(engine, backup_file, before_backup, dbname + "_r")
        return {
            "engine": engine,
            "posted": len(tried),
            "acked_before_kill": acked_before_kill,
            "retried": len(unacked),
            "acked": len(acked),
            "lost": sum(1 for key in acked if key not in in_db),
            "never_acked": len(tried - set(acked)),
            "dup_orders": data["dup_keys"] + data["dup_texts"],
            "overdue_events": data["overdue_events"],
            "overdue_twice": data["overdue_twice"],
            "notices": len(notes),
            "notices_unsent": sum(1 for v in notes.values() if v != "sent"),
            "notices_lost": sum(1 for pk in notes if pk not in sent_count),
            "notices_twice": sum(1 for c in sent_count.values() if c > 1),
            "killed_groups": killed,
            "overdue_at_kill": int(at_kill["OVERDUE"]),
            "sent_at_kill": int(at_kill["SENT"]),
            "claimed_at_kill": int(at_kill["CLAIMED"]),
            "settled": "LEFT=0 PENDING=0" in left,
            "acked_before_backup": len(before_backup),
            **restored,
        }
    finally:
        platform.stop()
        if engine == "postgresql":
            subprocess.run(
                ["dropdb", "-h", PG["host"], "-U", PG["user"], "--if-exists", dbname],
                capture_output=True,
            )
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def table(rows: list[dict]) -> str:
    cols = [
        ("engine", "engine"), ("trials", "trials"), ("posted", "requests"),
        ("acked", "acknowledged"), ("retried", "retried after kill"), ("lost", "**lost**"),
        ("dup_orders", "**duplicated**"), ("overdue_events", "overdue recorded"),
        ("overdue_twice", "**overdue twice**"), ("notices", "notices"),
        ("notices_lost", "**notices lost**"), ("notices_twice", "notices handed over twice"),
        ("acked_before_backup", "acknowledged before backup"),
        ("missing_from_backup", "**missing from restored backup**"),
    ]  # fmt: skip
    lines = ["| " + " | ".join(c[1] for c in cols) + " |", "|" + "---|" * len(cols)]
    for engine in sorted({r["engine"] for r in rows}):
        mine = [r for r in rows if r["engine"] == engine]
        total = {k: sum(r[k] for r in mine) for k, _ in cols if k not in ("engine", "trials")}
        cells = [engine, str(len(mine))] + [str(total[k]) for k, _ in cols[2:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--overdue", type=int, default=600)
    parser.add_argument("--settle", type=float, default=180, help="max seconds to wait per trial")
    parser.add_argument("--keep", action="store_true", help="keep each trial's data folder")
    parser.add_argument("--out", help="write the rows as JSON to this file")
    args = parser.parse_args()
    rows = []
    for engine in args.engines.split(","):
        template = Template(engine, args)
        try:
            for n in range(args.trials):
                started = time.monotonic()
                row = trial(engine, n, args, template)
                row["seconds"] = round(time.monotonic() - started, 1)
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            template.drop()
    print(table(rows))
    print("load average (1, 5, 15 min):", tuple(round(x, 2) for x in os.getloadavg()))
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))
    bad = sum(
        r["lost"] + r["dup_orders"] + r["overdue_twice"] + r["notices_lost"]
        + r["missing_from_backup"]
        for r in rows
    )  # fmt: skip
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
