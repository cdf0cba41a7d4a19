"""Benchmark: `load-divisions --all-towns` against a raw executemany of the same rows.

Both write the same 44,709 rows into the same table of the same freshly migrated database, in
one transaction each; the ratio says what the ORM upsert (with its idempotency read) costs over
the floor of the database itself. Runs on SQLite in a temporary data dir; with
BENCH_DATABASE_URL=postgres://… set it measures that PostgreSQL database too (in a second
process; the database is flushed).

    .venv/bin/python -m bench.bench_divisions [DATABASE_URL]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

REPEATS = int(os.environ.get("BENCH_REPEATS", 3))


def setup_django(database_url: str | None) -> None:
    os.environ["HOTLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="hotline-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    import django

    django.setup()


def measure() -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from hotline.geo.divisions_data import all_town_rows
    from hotline.geo.models import Division, short_name
    from hotline.geo.services import load_divisions

    if connection.vendor == "postgresql":
        # A fresh schema in the bench database, so runs do not see each other's rows.
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    rows = all_town_rows()
    params = [(r.code, r.name, short_name(r.name), r.level, r.parent_code) for r in rows]
    table = Division._meta.db_table
    placeholder = "%s"
    sql = (
        f"INSERT INTO {table} (code, name, short_name, level, parent_id) "
        f"VALUES ({', '.join([placeholder] * 5)})"
    )

    def clear():
        # Raw delete: the fresh database holds nothing that refers to divisions.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table}")

    service, raw, rerun = [], [], []
    for _ in range(REPEATS):
        clear()
        t = time.perf_counter()
        load_divisions(all_towns=True)
        service.append(time.perf_counter() - t)
        t = time.perf_counter()
        load_divisions(all_towns=True)  # idempotent second run: reads only
        rerun.append(time.perf_counter() - t)
        clear()
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, params)
        raw.append(time.perf_counter() - t)
    s, r, rr = (statistics.median(x) for x in (service, raw, rerun))
    return {"vendor": connection.vendor, "rows": len(rows), "service": s, "raw": r, "rerun": rr}


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    if url is None and os.environ.get("BENCH_DATABASE_URL"):
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "bench.bench_divisions", os.environ["BENCH_DATABASE_URL"]],
            check=True,
        )
    setup_django(url)
    m = measure()
    lines = [
        "## Loading divisions (`hotline load-divisions --all-towns`)",
        "",
        f"{m['rows']:,} rows (provinces, cities, counties, towns of China), one transaction, "
        f"median of {REPEATS} runs. Baseline: a raw `executemany` INSERT of the same rows into "
        "the same table in the same run.",
        "",
        "| database | raw executemany | load-divisions (first load) | ratio | idempotent re-run |",
        "|---|---|---|---|---|",
        f"| {m['vendor']} | {m['raw']:.2f} s | {m['service']:.2f} s | "
        f"{m['service'] / m['raw']:.1f}× | {m['rerun']:.2f} s ({m['rerun'] / m['raw']:.1f}×) |",
    ]
    print("\n".join(lines))
    from bench.report import write_section

    write_section(f"divisions-{m['vendor']}", "\n".join(lines))


if __name__ == "__main__":
    main()
