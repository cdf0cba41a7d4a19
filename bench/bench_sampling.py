"""Benchmark: batch registration import and the village coverage query of the sampling app.

Registration: ``services.import_samples`` takes BENCH_ROWS registrations (ID numbers as typed,
10-in-1 tubes spread over the 239 villages of 茂南区, in batches of BENCH_BATCH) — it validates
and hashes each ID number, checks the person is not yet swabbed in the round, opens, fills and
closes tubes, writes the swabs, counts them into the coverage and hourly tallies and writes one
event per batch. The baseline, batch by batch in the same run (so both see the same load): the
same rows, already prepared (hashes computed, tubes known), written raw into an empty copy of
the swab table with the same indexes and foreign keys, one transaction per batch — SQLite a
prepared ``executemany``, PostgreSQL a binary ``COPY`` like the import's (and, for the first
batch only, an ``executemany`` for comparison): the floor of the database itself.

Coverage: ``queries.village_coverage`` and ``queries.not_sampled`` (first 500) for a village
with 3,000 residents on the roster (the seed's village: 2,180 swabbed on site, 425 at home),
after the round holds all the rows above; median of 30 calls. The tallies it reads are checked
against a recount from the swabs.

    .venv/bin/python -m bench.bench_sampling [DATABASE_URL] [--no-write]

A whole city (``BENCH_CITY=1``): the way a city's day of mass sampling is set up here — one
round per district (a round is a district or a town), Maoming's five with their villages
(1,916), BENCH_ROWS people spread evenly over the villages (艾屋村 keeps its 3,000), each
person's ID number starting with their district's code, every batch from one district and the
districts' batches taking turns. ``BENCH_WORKERS=2`` imports with two processes at once, as the
two workers of ``hotline serve`` would take two districts' uploads: the batches are dealt to
them in turn, the wall clock runs from the first batch to the last, and the baseline then runs
on its own after the imports (one process, batch by batch) instead of between batches.

Through files (``BENCH_FILES=1``): the same registrations written beforehand (not timed) as one
CSV file per town (镇街), as a town's office exports its sites' records, and imported through
``sampling.importer.import_sample_file`` — the code behind the page 导入采样登记 and the command
``sampling_samples``: the file read, decoded and parsed, rows in batches of BENCH_BATCH into
``import_samples``. The files go largest first to the WORKERS processes, each taking the next
file when it has finished one.

Runs on SQLite in a temporary data dir; with BENCH_DATABASE_URL=postgres://… it measures that
database too, in a second process (the database is flushed). For PostgreSQL it also reads the
server backend's CPU time from /proc (same machine) so that both sides of the work are seen.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time

ROWS = int(os.environ.get("BENCH_ROWS", 400_000))
BATCH = int(os.environ.get("BENCH_BATCH", 50_000))
VILLAGE = "440902101216"  # 公馆镇艾屋村, the seed's village
ROSTER = 3000
CITY = os.environ.get("BENCH_CITY", "") not in ("", "0")
WORKERS = max(1, int(os.environ.get("BENCH_WORKERS", 1)))
FILES = os.environ.get("BENCH_FILES", "") not in ("", "0")
TARGET_RATE = 50_000  # registrations a second (issue 18)
TARGET_COVERAGE_MS = 50.0


def setup_django(database_url: str | None) -> None:
    os.environ["HOTLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="hotline-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    import django

    django.setup()


def _remove_data_dir() -> None:
    """The run's temporary data directory goes when it ends (a city's SQLite database is
    several GB)."""
    import shutil

    from django.db import connections

    connections.close_all()
    shutil.rmtree(os.environ["HOTLINE_DATA_DIR"], ignore_errors=True)


def _id(seq: int, county: str = "440902") -> str:
    """The seq-th bench person's ID number, registered in ``county`` (distinct for every seq)."""
    from hotline.common.identity import check_digit

    day = dt.date(1930, 1, 1) + dt.timedelta(days=seq // 1000 % 30000)
    first17 = f"{county}{day:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def _server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a process on this machine, from /proc; 0 if unknown."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _raw_table(connection, sample_table: str) -> str:
    """An empty copy of the swab table with the same columns, indexes and foreign keys."""
    raw = "bench_sample_raw"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"DROP TABLE IF EXISTS {raw}, {raw}_many")
            cur.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [sample_table],
            )
            foreign_keys = [row[0] for row in cur.fetchall()]
            for name in (raw, f"{raw}_many"):
                cur.execute(f"CREATE TABLE {name} (LIKE {sample_table} INCLUDING ALL)")
                for definition in foreign_keys:
                    cur.execute(f"ALTER TABLE {name} ADD {definition}")
        else:
            cur.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL",
                [sample_table],
            )
            statements = [row[0] for row in cur.fetchall()]
            for sql in statements:
                sql = sql.replace(f'"{sample_table}"', f'"{raw}"', 1)
                if sql.startswith("CREATE INDEX") or sql.startswith("CREATE UNIQUE INDEX"):
                    sql = sql.replace('INDEX "', f'INDEX "{raw}_', 1)
                cur.execute(sql)
    return raw


def _layout(boss, now) -> tuple[list, dict, object]:
    """The rounds, the roster and the registrations of the run: (batches as [(round, rows)] in
    the order they are imported, the roster rows to write, the seed village's round)."""
    from hotline.common.identity import id_hash, person_key
    from hotline.common.masking import mask_id_number
    from hotline.sampling import services
    from hotline.sampling.models import Site

    areas = ["440902"]
    if CITY:
        from hotline.geo.models import Division

        areas = list(
            Division.objects.filter(level="county", code__startswith="4409")
            .exclude(code="440901")  # 市辖区, a statistical code with no villages
            .order_by("code")
            .values_list("code", flat=True)
        )
    rounds = [
        services.create_round(
            boss,
            name=f"bench {code}",
            area_code=code,
            starts_at=now - dt.timedelta(hours=2),
            deadline=now + dt.timedelta(hours=20),
        )
        for code in areas
    ]
    sites = [
        Site.objects.create(
            round=r, grid=g, name=f"点{g.pk}", opens_at=dt.time(7), closes_at=dt.time(22)
        )
        for r in rounds
        for g in r.grids.order_by("village_id")
    ]
    # The roster: everyone lives in the village whose site swabs them; 艾屋村 has the first
    # ROSTER people, 2,605 of them swabbed there (2,180 on site, 425 at home) and the rest
    # missing; the others are dealt to the other villages ten at a time.
    village_site = next(s for s in sites if s.grid.village_id == VILLAGE)
    others = [s for s in sites if s is not village_site]
    by_round: dict[int, list] = {r.pk: [] for r in rounds}
    roster = []
    when = now - dt.timedelta(hours=1)
    for i in range(ROWS):
        if i < ROSTER:
            site, mode = village_site, ("door" if i >= 2180 else "site")
        else:
            site, mode = others[(i // 10) % len(others)], "site"
        village = site.grid.village_id
        number = _id(i, village[:6])
        digest = id_hash(number)
        roster.append((village, f"B{i:011d}", digest, person_key(digest), mask_id_number(number)))
        if ROSTER > i >= 2605:
            continue  # on 艾屋村's roster, not swabbed
        tube = f"V{site.pk}-{mode[0]}-{i // 10}"
        # device clocks in seconds over the last 8 hours
        at = when - dt.timedelta(seconds=(i * 7919) % 28800)
        by_round[site.round_id].append(services.SampleRow(tube, number, site.pk, at, mode))
    # Each round's registrations in tube order, cut into batches; the rounds' batches take
    # turns (the districts upload through the day).
    queues = []
    for r in rounds:
        rows = sorted(by_round[r.pk], key=lambda row: row.tube)
        queues.append([(r, rows[s : s + BATCH]) for s in range(0, len(rows), BATCH)])
    batches = [q[k] for k in range(max(map(len, queues))) for q in queues if k < len(q)]
    return batches, roster, village_site.round


def _write_roster(roster: list) -> None:
    """The roster written raw (by COPY on PostgreSQL): set-up, not measured."""
    from django.db import connection, transaction

    from hotline.sampling.models import Resident

    columns = "village_id, code, id_hash, person, id_masked, name, phone, address, home_reason"
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":  # COPY: minutes less of set-up at 6.2 million
            with cur.cursor.copy(f"COPY {Resident._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in roster:
                    copy.write_row((*row, "居民", "", "", ""))
        else:
            cur.executemany(
                f"INSERT INTO {Resident._meta.db_table} ({columns}) "
                "VALUES (%s, %s, %s, %s, %s, '居民', '', '', '')",
                roster,
            )
    if connection.vendor == "postgresql":
        # A roster is loaded days before its round, and autovacuum (off on this machine's
        # server) would have visited it by then: without this, the first look-ups of each
        # roster row set its hint bits and the import's roster probes cost several times more.
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {Resident._meta.db_table}")


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _import(boss, batches) -> tuple[int, float, float, float]:
    """``import_samples`` of ``batches`` in turn: (swabs created, wall, CPU, server CPU)."""
    from hotline.sampling import services

    pid = _backend_pid()
    created = 0
    wall = cpu = server = 0.0
    for round_, batch in batches:
        t, c, sc = time.perf_counter(), time.process_time(), _server_cpu(pid)
        report = services.import_samples(boss, round_, batch)
        wall += time.perf_counter() - t
        cpu += time.process_time() - c
        server += _server_cpu(pid) - sc
        created += report.created
        assert not report.errors, report.errors[:3]
    return created, wall, cpu, server


_SHARED: tuple = ()  # (boss, batches) for the worker processes, which inherit it by fork


def _own_connection() -> None:
    """A worker process's start: the parent's database connection is not this one's to use."""
    from django.db import connections

    connections.close_all()


def _worker(k: int) -> tuple[int, float, float, float]:
    """Worker ``k`` of WORKERS imports every WORKERS-th batch from the k-th."""
    boss, batches = _SHARED
    return _import(boss, batches[k::WORKERS])


def _write_files(batches, folder: str) -> list[tuple[int, int, str]]:
    """The registrations of ``batches`` as one CSV file per town, as a town office exports
    them (local times to the second, the mode in words): [(rows, round id, path)], largest
    first. Set-up, not measured."""
    import csv

    from django.utils import timezone

    from hotline.sampling.models import Site

    town_of = {
        pk: village[:9] for pk, village in Site.objects.values_list("pk", "grid__village_id")
    }
    towns: dict[tuple[int, str], list] = {}
    for round_, batch in batches:
        for row in batch:
            towns.setdefault((round_.pk, town_of[row.site]), []).append(row)
    words = {"site": "现场", "door": "上门"}
    files = []
    for (round_id, town), rows in towns.items():
        path = os.path.join(folder, f"{town}.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["管号", "身份证号", "采样点编号", "采样时间", "方式"])
            for r in rows:
                at = timezone.localtime(r.sampled_at).strftime("%Y-%m-%d %H:%M:%S")
                out.writerow([r.tube, r.person, r.site, at, words[r.mode]])
        files.append((len(rows), round_id, path))
    files.sort(reverse=True)
    return files


def _file_worker(item: tuple[int, int, str]) -> tuple[int, float, float, float]:
    """Import one town's file through the file importer: (swabs created, wall, CPU, server
    CPU)."""
    from hotline.sampling import importer
    from hotline.sampling.models import Round

    _rows, round_id, path = item
    boss = _SHARED[0]
    round_ = Round.objects.get(pk=round_id)
    pid = _backend_pid()
    t, c, sc = time.perf_counter(), time.process_time(), _server_cpu(pid)
    with open(path, "rb") as binary:
        report = importer.import_sample_file(
            boss, round_, os.path.basename(path), binary, size=BATCH
        )
    spent = (time.perf_counter() - t, time.process_time() - c, _server_cpu(pid) - sc)
    assert not report.refused and not report.stopped, (report.by_code, report.stopped)
    return report.created, *spent


def _read_cost(path: str) -> float:
    """CPU µs per row of reading a file into batches (``importer.sample_batches``: decoding,
    CSV, the rows built), without importing them: the file import's own share."""
    from hotline.sampling import importer

    c = time.process_time()
    with open(path, "rb") as binary:
        n = sum(len(rows) for _lines, rows in importer.sample_batches("f.csv", binary, BATCH))
    return (time.process_time() - c) / n * 1e6


_COLUMNS = (
    "round_id, tube_id, grid_id, id_hash, person, id_masked, mode, sampled_at, registered_by_id"
)


def _params(round_, batch, boss, grid_id: int) -> list[tuple]:
    """The swab rows of ``batch`` as the import writes them (hashes computed, tubes known), in
    the order it writes them (its person index's key)."""
    from hotline.common.identity import id_hash, person_key
    from hotline.common.masking import mask_id_number
    from hotline.sampling.models import Tube

    tube_ids = dict(
        Tube.objects.filter(barcode__in={r.tube.upper() for r in batch}).values_list(
            "barcode", "pk"
        )
    )
    params = []
    for row in batch:
        digest = id_hash(row.person)
        params.append(
            (round_.pk, tube_ids[row.tube.upper()], grid_id, digest, person_key(digest),
             mask_id_number(row.person), row.mode, row.sampled_at, boss.pk)
        )  # fmt: skip
    params.sort(key=lambda p: p[4])
    return params


def _raw(raw_table: str, round_, batch, boss, grid_id: int) -> tuple[float, float, float]:
    """The batch's rows prepared (not timed), then written raw into the empty copy of the swab
    table in one transaction: (wall, CPU, server CPU)."""
    from django.db import connection, transaction

    params = _params(round_, batch, boss, grid_id)
    pid = _backend_pid()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
                [raw_table],
            )
            types = dict(cur.fetchall())
    else:
        adapt = connection.ops.adapt_datetimefield_value
        params = [(*p[:7], adapt(p[7]), p[8]) for p in params]
    t, c, sc = time.perf_counter(), time.process_time(), _server_cpu(pid)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            statement = f"COPY {raw_table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with cur.cursor.copy(statement) as copy:
                copy.set_types([types[name.strip()] for name in _COLUMNS.split(",")])
                for p in params:
                    copy.write_row(p)
        else:
            cur.executemany(
                f"INSERT INTO {raw_table} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                params,
            )
    return time.perf_counter() - t, time.process_time() - c, _server_cpu(pid) - sc


def _many(raw_table: str, round_, batch, boss, grid_id: int) -> tuple[float, int]:
    """PostgreSQL only, for comparison: the batch by ``executemany`` instead of ``COPY``."""
    from django.db import connection, transaction

    many = _params(round_, batch, boss, grid_id)
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {raw_table}_many ({_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            many,
        )
    return time.perf_counter() - t, len(many)


def measure() -> dict:
    import io
    import multiprocessing

    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from hotline.accounts.services import create_user, ensure_groups
    from hotline.geo import demo as geo_demo
    from hotline.sampling import queries, tallies
    from hotline.sampling.models import Resident, Sample

    global _SHARED
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    geo_demo.load(io.StringIO())
    ensure_groups()
    boss = create_user("bench_boss", role="supervisor", unit_code="center")
    batches, roster, seed_round = _layout(boss, timezone.now())
    _write_roster(roster)
    del roster
    raw_table = _raw_table(connection, Sample._meta.db_table)
    grid_id = seed_round.grids.order_by("pk").values_list("pk", flat=True)[0]
    rows = sum(len(b) for _r, b in batches)
    m = {"service": 0.0, "service_cpu": 0.0, "service_server": 0.0, "created": 0}
    m.update({"raw": 0.0, "raw_cpu": 0.0, "raw_server": 0.0, "many": 0.0, "many_rows": 0})

    def add(prefix: str, wall: float, cpu: float, server: float) -> None:
        m[prefix] += wall
        m[f"{prefix}_cpu"] += cpu
        m[f"{prefix}_server"] += server

    if FILES:
        folder = tempfile.mkdtemp(prefix="hotline-bench-files-")
        files = _write_files(batches, folder)
        m["files"] = len(files)
        _SHARED = (boss, batches)
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(WORKERS, _own_connection) as pool:
            t = time.perf_counter()
            shares = list(pool.imap_unordered(_file_worker, files, chunksize=1))
            m["service"] = time.perf_counter() - t
        _SHARED = ()
        for created, _wall, cpu, server in shares:
            m["created"] += created
            m["service_cpu"] += cpu
            m["service_server"] += server
        m["read_us"] = _read_cost(files[0][2])
        for _n, _r, path in files:
            os.unlink(path)
        os.rmdir(folder)
        for round_, batch in batches:
            add("raw", *_raw(raw_table, round_, batch, boss, grid_id))
    elif WORKERS == 1:
        # import and baseline batch by batch, so that both see the same load
        for n, (round_, batch) in enumerate(batches):
            created, *spent = _import(boss, [(round_, batch)])
            m["created"] += created
            add("service", *spent)
            add("raw", *_raw(raw_table, round_, batch, boss, grid_id))
            if connection.vendor == "postgresql" and n == 0:
                m["many"], m["many_rows"] = _many(raw_table, round_, batch, boss, grid_id)
    else:
        _SHARED = (boss, batches)
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(WORKERS, _own_connection) as pool:
            t = time.perf_counter()
            shares = pool.map(_worker, range(WORKERS), chunksize=1)
            m["service"] = time.perf_counter() - t
        _SHARED = ()
        for created, _wall, cpu, server in shares:
            m["created"] += created
            m["service_cpu"] += cpu
            m["service_server"] += server
        for round_, batch in batches:
            add("raw", *_raw(raw_table, round_, batch, boss, grid_id))

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # what autovacuum would have done by then
    timings, missing_t, cov_cpu, missing_cpu = [], [], [], []
    for _ in range(30):
        t, c = time.perf_counter(), time.process_time()
        cov = queries.village_coverage(seed_round, VILLAGE)
        timings.append(time.perf_counter() - t)
        cov_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        missing = queries.not_sampled(seed_round, VILLAGE, "masked")
        missing_t.append(time.perf_counter() - t)
        missing_cpu.append(time.process_time() - c)
    assert (cov.registered, cov.sampled, cov.on_site, cov.door) == (3000, 2605, 2180, 425), cov
    assert len(missing) == 395
    # The tallies coverage reads equal a recount from the swabs; every swabbed person is on
    # the roster of a village of a round, so the grids' ``sampled`` add up to the swabs.
    grid = seed_round.grids.get(village_id=VILLAGE)
    recount = tallies.count_grid(grid)
    assert recount == (cov.sampled, cov.on_site, cov.door, cov.visitors), recount
    rounds = {r for r, _b in batches}
    counted = sum(c.sampled for r in rounds for c in queries.round_coverage(r))
    assert counted == m["created"] == rows, (counted, m["created"], rows)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {raw_table}")
        if connection.vendor == "postgresql":
            cur.execute(f"DROP TABLE {raw_table}_many")
    m.update(
        {
            "vendor": connection.vendor,
            "rows": rows,
            "rounds": len(rounds),
            "coverage_ms": statistics.median(timings) * 1000,
            "missing_ms": statistics.median(missing_t) * 1000,
            "coverage_cpu_ms": statistics.median(cov_cpu) * 1000,
            "missing_cpu_ms": statistics.median(missing_cpu) * 1000,
            "samples_total": Sample.objects.count(),
            "roster": Resident.objects.count(),
        }
    )
    return m


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    no_write = "--no-write" in sys.argv[1:]
    url = args[0] if args else None
    if url is None and os.environ.get("BENCH_DATABASE_URL"):
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "bench.bench_sampling", os.environ["BENCH_DATABASE_URL"]]
            + (["--no-write"] if no_write else []),
            check=True,
        )
    setup_django(url)
    load_before = os.getloadavg()
    try:
        m = measure()
    finally:
        _remove_data_dir()
    load_after = os.getloadavg()
    pg = m["vendor"] == "postgresql"
    rate = m["created"] / m["service"]
    raw_rate = m["rows"] / m["raw"]
    cpu_rate = m["created"] / m["service_cpu"]
    raw_cpu_rate = m["rows"] / m["raw_cpu"]
    raw_name = "raw binary COPY" if pg else "raw executemany"
    if CITY:
        layout = (
            f"{m['rows']:,} registrations (typed ID numbers, 10-in-1 tubes) of a whole city's day: "
            f"one round per district, Maoming's {m['rounds']} with their 1,916 villages, people "
            "spread evenly over the villages, each batch from one district and the districts' "
            "batches taking turns"
        )
    else:
        layout = (
            f"{m['rows']:,} registrations (typed ID numbers, 10-in-1 tubes over the 239 villages "
            "of 茂南区, times spread over 8 hours), one round"
        )
    if FILES:
        how = (
            f"as {m['files']} CSV files, one per town, through "
            "`sampling.importer.import_sample_file` (the page 导入采样登记 and the command "
            f"`sampling_samples`: file read, decoded and parsed, batches of {BATCH:,} into "
            f"`import_samples`) by {WORKERS} process{'es' if WORKERS > 1 else ''}, the files "
            "largest first, each process taking the next when it has finished one (wall clock "
            "from the first file to the last, CPU of all of them); baseline, after the imports "
            "and batch by batch in one process"
        )
    elif WORKERS == 1:
        how = (
            f"through `sampling.services.import_samples` in batches of {BATCH:,}; baseline, "
            "batch by batch in the same run"
        )
    else:
        how = (
            f"through `sampling.services.import_samples` in batches of {BATCH:,} by {WORKERS} "
            "processes at once, the batches dealt to them in turn (wall clock from the first "
            "batch to the last, CPU of all of them); baseline, after the imports and batch by "
            "batch in one process"
        )
    title = " — a city's day, a round per district" if CITY else ""
    title += ", from town files" if FILES else ""
    title += f", {WORKERS} processes" if WORKERS > 1 else ""
    lines = [
        f"## Sampling: registration import and village coverage{title} ({m['vendor']})",
        "",
        f"{layout}, {how}: the same rows already "
        f"prepared (hashes computed, tubes known) written by a {raw_name} into an empty copy of "
        "the swab table (same indexes and foreign keys), one transaction per batch. "
        f"Coverage: 艾屋村 with 3,000 residents on a roster of {m['roster']:,} (2,605 swabbed: "
        f"2,180 on site, 425 at home) in a database of {m['created']:,} swabs, median of 30 "
        "calls; its tallies checked against a recount from the swabs.",
        "",
        f"| measure | {raw_name} | {'file import' if FILES else 'import_samples'} | "
        "ratio (time) | village coverage | "
        "not-yet-sampled list (500) |",
        "|---|---|---|---|---|---|",
        f"| wall clock | {raw_rate:,.0f} rows/s | {rate:,.0f} rows/s | "
        f"{m['service'] / m['raw']:.2f}× | {m['coverage_ms']:.1f} ms | "
        f"{m['missing_ms']:.1f} ms |",
        f"| per CPU second of {'this process' if WORKERS == 1 else 'the processes'} | "
        f"{raw_cpu_rate:,.0f} rows/s | "
        f"{cpu_rate:,.0f} rows/s | {m['service_cpu'] / m['raw_cpu']:.2f}× | "
        f"{m['coverage_cpu_ms']:.1f} ms | {m['missing_cpu_ms']:.1f} ms |",
    ]
    if pg and m["service_server"] and m["raw_server"]:
        both = m["created"] / (m["service_cpu"] + m["service_server"])
        raw_both = m["rows"] / (m["raw_cpu"] + m["raw_server"])
        lines.append(
            f"| per CPU second of {'this process' if WORKERS == 1 else 'the processes'} + "
            f"server backends | {raw_both:,.0f} rows/s | "
            f"{both:,.0f} rows/s | "
            f"{(m['service_cpu'] + m['service_server']) / (m['raw_cpu'] + m['raw_server']):.2f}× "
            "| | |"
        )
    if FILES:
        lines += [
            "",
            f"Reading alone (`importer.sample_batches` over the largest town's file, in one "
            f"process, nothing imported): {m['read_us']:.2f} µs of CPU a row.",
        ]
    if pg and m["many"]:
        lines += [
            "",
            f"For comparison, a raw `executemany` of the first batch ({m['many_rows']:,} rows): "
            f"{m['many_rows'] / m['many']:,.0f} rows/s wall clock.",
        ]
    met = "met" if rate >= TARGET_RATE else "NOT met"
    cov_met = "met" if m["coverage_ms"] < TARGET_COVERAGE_MS else "NOT met"
    lines += [
        "",
        f"Targets (issue 18), wall clock on this run: registration import ≥ {TARGET_RATE:,} "
        f"rows/s — **{met}** ({rate:,.0f} rows/s; {cpu_rate:,.0f} per CPU second of "
        f"{'this process' if WORKERS == 1 else 'the processes'}); village coverage < "
        f"{TARGET_COVERAGE_MS:.0f} ms — **{cov_met}** "
        f"({m['coverage_ms']:.1f} ms).",
        "",
        f"Load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f} on {os.cpu_count()} cores (shared with other builds when the load "
        "is above that): wall-clock rates are what this process got of the machine; the CPU "
        "rates say what a free core would do ("
        + (
            "SQLite runs inside the process, so its CPU time is the whole cost of the work)."
            if not pg
            else "the server's share is its backend process's CPU time read from /proc; "
            "its WAL writer and checkpointer are not counted)."
        ),
    ]
    print("\n".join(lines))
    if no_write:
        return
    from bench.report import write_section

    name = f"sampling-{'city-' if CITY else ''}{'files-' if FILES else ''}{m['vendor']}"
    write_section(name + (f"-{WORKERS}-workers" if WORKERS > 1 else ""), "\n".join(lines))


if __name__ == "__main__":
    main()
