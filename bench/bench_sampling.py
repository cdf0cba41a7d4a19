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


def _ids(n: int, offset: int = 0) -> list[str]:
    from hotline.common.identity import check_digit

    out = []
    base = dt.date(1930, 1, 1)
    for seq in range(offset, offset + n):
        day = base + dt.timedelta(days=seq // 1000 % 30000)
        first17 = f"440902{day:%Y%m%d}{seq % 1000:03d}"
        out.append(first17 + check_digit(first17))
    return out


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


def measure() -> dict:
    import io

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hotline.accounts.services import create_user, ensure_groups
    from hotline.common.identity import id_hash, person_key
    from hotline.common.masking import mask_id_number
    from hotline.geo import demo as geo_demo
    from hotline.sampling import queries, services, tallies
    from hotline.sampling.models import Resident, Sample, Site, Tube

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    geo_demo.load(io.StringIO())
    ensure_groups()
    boss = create_user("bench_boss", role="supervisor", unit_code="center")
    now = timezone.now()
    round_ = services.create_round(
        boss,
        name="bench",
        area_code="440902",
        starts_at=now - dt.timedelta(hours=2),
        deadline=now + dt.timedelta(hours=20),
    )
    grids = list(round_.grids.order_by("village_id"))
    sites = [
        Site.objects.create(
            round=round_, grid=g, name=f"点{g.pk}", opens_at=dt.time(7), closes_at=dt.time(22)
        )
        for g in grids
    ]
    # The roster: everyone of the round lives in the village whose site swabs them; 艾屋村 has
    # the first ROSTER people, 2,605 of them swabbed there (2,180 on site, 425 at home) and the
    # rest missing. Written raw: it is the setup, not what is measured.
    ids = _ids(ROWS)
    village_site = next(s for s in sites if s.grid.village_id == VILLAGE)
    others = [s for s in sites if s is not village_site]
    rows, roster = [], []
    when = now - dt.timedelta(hours=1)
    for i, number in enumerate(ids):
        if i < ROSTER:
            site, mode = village_site, ("door" if i >= 2180 else "site")
        else:
            site, mode = others[(i // 10) % len(others)], "site"
        digest = id_hash(number)
        key = person_key(digest)
        roster.append((site.grid.village_id, f"B{i:011d}", digest, key, mask_id_number(number)))
        if ROSTER > i >= 2605:
            continue  # on 艾屋村's roster, not swabbed
        tube = f"V{site.pk}-{mode[0]}-{i // 10}"
        # device clocks in seconds over the last 8 hours
        at = when - dt.timedelta(seconds=(i * 7919) % 28800)
        rows.append(services.SampleRow(tube, number, site.pk, at, mode))
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
    rows.sort(key=lambda r: r.tube)

    raw_table = _raw_table(connection, Sample._meta.db_table)
    columns = (
        "round_id, tube_id, grid_id, id_hash, person, id_masked, mode, sampled_at, registered_by_id"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        pid = None
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
    m = {"service": 0.0, "service_cpu": 0.0, "service_server": 0.0}
    m.update({"raw": 0.0, "raw_cpu": 0.0, "raw_server": 0.0, "many": 0.0, "many_rows": 0})
    created = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        t, c, sc = time.perf_counter(), time.process_time(), _server_cpu(pid)
        report = services.import_samples(boss, round_, batch)
        m["service"] += time.perf_counter() - t
        m["service_cpu"] += time.process_time() - c
        m["service_server"] += _server_cpu(pid) - sc
        created += report.created
        assert not report.errors, report.errors[:3]
        # The same rows prepared (not timed), then written raw into the empty copy.
        tube_ids = dict(
            Tube.objects.filter(barcode__in={r.tube.upper() for r in batch}).values_list(
                "barcode", "pk"
            )
        )
        params = []
        for row in batch:
            digest = id_hash(row.person)
            params.append(
                (round_.pk, tube_ids[row.tube.upper()], sites[0].grid_id, digest,
                 person_key(digest), mask_id_number(row.person), row.mode, row.sampled_at,
                 boss.pk)
            )  # fmt: skip
        params.sort(key=lambda p: p[4])  # the order the import writes in (its index's key)
        many = params
        if connection.vendor != "postgresql":
            params = [(*p[:7], adapt(p[7]), p[8]) for p in params]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
                    [raw_table],
                )
                types = dict(cur.fetchall())
        t, c, sc = time.perf_counter(), time.process_time(), _server_cpu(pid)
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                statement = f"COPY {raw_table} ({columns}) FROM STDIN (FORMAT BINARY)"
                with cur.cursor.copy(statement) as copy:
                    copy.set_types([types[name.strip()] for name in columns.split(",")])
                    for p in params:
                        copy.write_row(p)
            else:
                cur.executemany(
                    f"INSERT INTO {raw_table} ({columns}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    params,
                )
        m["raw"] += time.perf_counter() - t
        m["raw_cpu"] += time.process_time() - c
        m["raw_server"] += _server_cpu(pid) - sc
        if connection.vendor == "postgresql" and start == 0:
            t = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {raw_table}_many ({columns}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    many,
                )
            m["many"], m["many_rows"] = time.perf_counter() - t, len(many)

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # what autovacuum would have done by then
    timings, missing_t, cov_cpu, missing_cpu = [], [], [], []
    for _ in range(30):
        t, c = time.perf_counter(), time.process_time()
        cov = queries.village_coverage(round_, VILLAGE)
        timings.append(time.perf_counter() - t)
        cov_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        missing = queries.not_sampled(round_, VILLAGE, "masked")
        missing_t.append(time.perf_counter() - t)
        missing_cpu.append(time.process_time() - c)
    assert (cov.registered, cov.sampled, cov.on_site, cov.door) == (3000, 2605, 2180, 425), cov
    assert len(missing) == 395
    # The tallies coverage reads equal a recount from the swabs; every swabbed person is on
    # the roster of a village of the round, so the grids' ``sampled`` add up to the swabs.
    grid = round_.grids.get(village_id=VILLAGE)
    recount = tallies.count_grid(grid)
    assert recount == (cov.sampled, cov.on_site, cov.door, cov.visitors), recount
    assert sum(c.sampled for c in queries.round_coverage(round_)) == created
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {raw_table}")
        if connection.vendor == "postgresql":
            cur.execute(f"DROP TABLE {raw_table}_many")
    m.update(
        {
            "vendor": connection.vendor,
            "rows": len(rows),
            "created": created,
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
    m = measure()
    load_after = os.getloadavg()
    pg = m["vendor"] == "postgresql"
    rate = m["created"] / m["service"]
    raw_rate = m["rows"] / m["raw"]
    cpu_rate = m["created"] / m["service_cpu"]
    raw_cpu_rate = m["rows"] / m["raw_cpu"]
    raw_name = "raw binary COPY" if pg else "raw executemany"
    lines = [
        f"## Sampling: registration import and village coverage ({m['vendor']})",
        "",
        f"{m['rows']:,} registrations (typed ID numbers, 10-in-1 tubes over the 239 villages of "
        f"茂南区, times spread over 8 hours) through `sampling.services.import_samples` in "
        f"batches of {BATCH:,}; baseline, batch by batch in the same run: the same rows already "
        f"prepared (hashes computed, tubes known) written by a {raw_name} into an empty copy of "
        "the swab table (same indexes and foreign keys), one transaction per batch. "
        f"Coverage: 艾屋村 with 3,000 residents on a roster of {m['roster']:,} (2,605 swabbed: "
        f"2,180 on site, 425 at home) in a round of {m['created']:,} swabs, median of 30 calls; "
        "its tallies checked against a recount from the swabs.",
        "",
        f"| measure | {raw_name} | import_samples | ratio (time) | village coverage | "
        "not-yet-sampled list (500) |",
        "|---|---|---|---|---|---|",
        f"| wall clock | {raw_rate:,.0f} rows/s | {rate:,.0f} rows/s | "
        f"{m['service'] / m['raw']:.2f}× | {m['coverage_ms']:.1f} ms | "
        f"{m['missing_ms']:.1f} ms |",
        f"| per CPU second of this process | {raw_cpu_rate:,.0f} rows/s | "
        f"{cpu_rate:,.0f} rows/s | {m['service_cpu'] / m['raw_cpu']:.2f}× | "
        f"{m['coverage_cpu_ms']:.1f} ms | {m['missing_cpu_ms']:.1f} ms |",
    ]
    if pg and m["service_server"] and m["raw_server"]:
        both = m["created"] / (m["service_cpu"] + m["service_server"])
        raw_both = m["rows"] / (m["raw_cpu"] + m["raw_server"])
        lines.append(
            f"| per CPU second of this process + its server backend | {raw_both:,.0f} rows/s | "
            f"{both:,.0f} rows/s | "
            f"{(m['service_cpu'] + m['service_server']) / (m['raw_cpu'] + m['raw_server']):.2f}× "
            "| | |"
        )
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
        f"rows/s — **{met}** ({rate:,.0f} rows/s; {cpu_rate:,.0f} per CPU second of this "
        f"process); village coverage < {TARGET_COVERAGE_MS:.0f} ms — **{cov_met}** "
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

    write_section(f"sampling-{m['vendor']}", "\n".join(lines))


if __name__ == "__main__":
    main()
