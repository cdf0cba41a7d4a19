"""Probe: CPU per row of a registration file's own work, without a database write.

    .venv/bin/python -m bench.sampling_rows [ROWS]

Builds ROWS (default 50,000) registrations as a town's CSV file would hold them (local times as
text, site numbers, modes in words) and the same rows as the service's callers build them in
memory (aware datetimes), then times, in this process, median of five runs:

- reading: ``importer.sample_batches`` over the file's bytes (decoding, CSV, rows built);
- checks: ``services._check_rows`` (step 1 of ``import_samples``: site, barcode, mode, time, ID
  number's check digit, hash, mask) over the file's rows and over the in-memory rows.

The difference between the two checks is what text times cost. Not a ``bench_`` module (``make
bench`` does not run it, and it writes nothing): docs/SAMPLING.md quotes it, "Registration
files".
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hotline-probe-") as data_dir:
        probe(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000, data_dir)


def probe(n: int, data_dir: str) -> None:
    os.environ["HOTLINE_DATA_DIR"] = data_dir  # the settings create a folder in it, no more
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from bench.bench_sampling import _id
    from hotline.sampling import importer, services

    now = timezone.now()
    site = 12
    lines = ["管号,身份证号,采样点编号,采样时间,方式"]
    in_memory = []
    for i in range(n):
        at = now - dt.timedelta(seconds=(i * 7919) % 28800)
        number, tube = _id(i), f"V{site}-s-{i // 10}"
        lines.append(f"{tube},{number},{site},{timezone.localtime(at):%Y-%m-%d %H:%M:%S},现场")
        in_memory.append(services.SampleRow(tube, number, site, at, "site"))
    data = ("\n".join(lines) + "\n").encode()

    def per_row(work) -> float:
        spent = []
        for _ in range(5):
            c = time.process_time()
            work()
            spent.append(time.process_time() - c)
        return statistics.median(spent) / n * 1e6

    from_file = [r for _l, b in importer.sample_batches("t.csv", io.BytesIO(data), n) for r in b]
    refused = []

    def refuse(*args):
        refused.append(args)

    def check(rows):
        return lambda: services._check_rows(rows, {site: 1}, {site}, refuse)

    reading = per_row(lambda: list(importer.sample_batches("t.csv", io.BytesIO(data), n)))
    text = per_row(check(from_file))
    memory = per_row(check(in_memory))
    assert not refused, refused[:3]
    print(f"{n:,} rows, CPU µs a row (median of 5):")
    print(f"  reading the file (sample_batches)          {reading:.2f}")
    print(f"  checks of the file's rows (text times)      {text:.2f}")
    print(f"  checks of in-memory rows (datetimes)        {memory:.2f}")


if __name__ == "__main__":
    main()
