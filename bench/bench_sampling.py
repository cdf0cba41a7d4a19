"""Benchmark: batch registration import and the village coverage query of the sampling app.

Registration: ``services.import_samples`` takes BENCH_ROWS registrations (ID numbers as typed,
10-in-1 tubes spread over the 239 villages of 茂南区, in batches of BENCH_BATCH) — it validates
and hashes each ID number, checks the person is not yet swabbed in the round, opens, fills and
closes tubes, and writes the swabs and one event per batch. The baseline, in the same run and
the same database: a raw ``executemany`` of the already-prepared rows (hashes computed, tubes
known) into the same table, one transaction — the floor of the database itself.

Coverage: ``queries.village_coverage`` and ``queries.not_sampled`` (first 500) for a village
with 3,000 residents on the roster (the seed's village: 2,180 swabbed on site, 425 at home),
after the round holds all the rows above; median of 30 calls.

    .venv/bin/python -m bench.bench_sampling [DATABASE_URL]

Runs on SQLite in a temporary data dir; with BENCH_DATABASE_URL=postgres://… it measures that
database too, in a second process (the database is flushed).
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


def measure() -> dict:
    import io

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hotline.accounts.services import create_user, ensure_groups
    from hotline.common.identity import id_hash
    from hotline.common.masking import mask_id_number
    from hotline.geo import demo as geo_demo
    from hotline.sampling import queries, services
    from hotline.sampling.models import Resident, Round, Sample, Site

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
            roster.append((VILLAGE, f"B{i:011d}", id_hash(number), mask_id_number(number)))
            if i >= 2605:
                continue
            site, mode = village_site, ("door" if i >= 2180 else "site")
        else:
            site, mode = others[(i // 10) % len(others)], "site"
            roster.append(
                (site.grid.village_id, f"B{i:011d}", id_hash(number), mask_id_number(number))
            )
        tube = f"V{site.pk}-{mode[0]}-{i // 10}"
        # device clocks in seconds over the last 8 hours
        at = when - dt.timedelta(seconds=(i * 7919) % 28800)
        rows.append(services.SampleRow(tube, number, site.pk, at, mode))
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {Resident._meta.db_table} (village_id, code, id_hash, id_masked, name, "
            "phone, address, home_reason) VALUES (%s, %s, %s, %s, '居民', '', '', '')",
            roster,
        )
    rows.sort(key=lambda r: r.tube)

    t, c = time.perf_counter(), time.process_time()
    created = 0
    for start in range(0, len(rows), BATCH):
        report = services.import_samples(boss, round_, rows[start : start + BATCH])
        created += report.created
        assert not report.errors, report.errors[:3]
    service, service_cpu = time.perf_counter() - t, time.process_time() - c

    # Baseline: the same rows, prepared, into the same table (another round), raw executemany.
    other = Round.objects.create(
        name="baseline",
        area=round_.area,
        starts_at=now,
        deadline=now,
        created_by=boss,
        created_at=now,
        pool_sizes={},
    )
    tube_ids = dict(Sample.objects.filter(round=round_).values_list("id_hash", "tube_id"))
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        digest = id_hash(row.person)
        params.append(
            (
                other.pk,
                tube_ids[digest],
                sites[0].grid_id,
                digest,
                mask_id_number(row.person),
                row.mode,
                adapt(row.sampled_at),
                boss.pk,
            )
        )
    sql = (
        f"INSERT INTO {Sample._meta.db_table} (round_id, tube_id, grid_id, id_hash, id_masked, "
        "mode, sampled_at, registered_by_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    t, c = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(sql, params)
    raw, raw_cpu = time.perf_counter() - t, time.process_time() - c

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
    return {
        "vendor": connection.vendor,
        "rows": len(rows),
        "created": created,
        "service": service,
        "raw": raw,
        "service_cpu": service_cpu,
        "raw_cpu": raw_cpu,
        "coverage_ms": statistics.median(timings) * 1000,
        "missing_ms": statistics.median(missing_t) * 1000,
        "coverage_cpu_ms": statistics.median(cov_cpu) * 1000,
        "missing_cpu_ms": statistics.median(missing_cpu) * 1000,
        "samples_total": Sample.objects.count(),
        "roster": Resident.objects.count(),
    }


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    if url is None and os.environ.get("BENCH_DATABASE_URL"):
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "bench.bench_sampling", os.environ["BENCH_DATABASE_URL"]],
            check=True,
        )
    setup_django(url)
    load_before = os.getloadavg()
    m = measure()
    load_after = os.getloadavg()
    rate = m["created"] / m["service"]
    raw_rate = m["rows"] / m["raw"]
    cpu_rate = m["created"] / m["service_cpu"]
    raw_cpu_rate = m["rows"] / m["raw_cpu"]
    cpu_note = (
        "SQLite runs inside the process, so its CPU time is the whole cost of the work"
        if m["vendor"] == "sqlite"
        else "the PostgreSQL server's CPU is not in this process's CPU time, so the CPU "
        "figures count only the Python side"
    )
    lines = [
        f"## Sampling: registration import and village coverage ({m['vendor']})",
        "",
        f"{m['rows']:,} registrations (typed ID numbers, 10-in-1 tubes over the 239 villages of "
        f"茂南区, times spread over 8 hours) through `sampling.services.import_samples` in "
        f"batches of {BATCH:,}; baseline: a raw `executemany` INSERT of the same rows, already "
        "prepared (hashes computed, tubes known), into the same table in the same run. "
        f"Coverage: 艾屋村 with 3,000 residents on a roster of {m['roster']:,} (2,605 swabbed: "
        f"2,180 on site, 425 at home) in a round of {m['created']:,} swabs (the table holds "
        f"{m['samples_total']:,} with the baseline's), median of 30 calls.",
        "",
        "| database | raw executemany | import_samples | ratio (time) | village coverage | "
        "not-yet-sampled list (500) |",
        "|---|---|---|---|---|---|",
        f"| {m['vendor']} | {raw_rate:,.0f} rows/s | {rate:,.0f} rows/s | "
        f"{m['service'] / m['raw']:.2f}× | {m['coverage_ms']:.1f} ms | "
        f"{m['missing_ms']:.1f} ms |",
        f"| {m['vendor']}, per CPU second of this process | {raw_cpu_rate:,.0f} rows/s | "
        f"{cpu_rate:,.0f} rows/s | {m['service_cpu'] / m['raw_cpu']:.2f}× | "
        f"{m['coverage_cpu_ms']:.1f} ms | {m['missing_cpu_ms']:.1f} ms |",
        "",
        f"Load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f} on 2 cores shared with other builds: wall-clock rates are what "
        f"this process got of a busy machine; the CPU-second rates say what one free core "
        f"would do ({cpu_note}).",
    ]
    print("\n".join(lines))
    from bench.report import write_section

    write_section(f"sampling-{m['vendor']}", "\n".join(lines))


if __name__ == "__main__":
    main()
