"""Benchmark: triage ``assess()`` against tokenisation alone; DuplicateFinder against a scan.

* assess(): appeals per second on one core over the project's labelled appeals (train + held-out,
  repeated), with ``tokenize()`` of the same texts as the baseline measured in the same run.
  Also the one-off costs: loading the model file and the first call (dictionary, gazetteer).
* DuplicateFinder: 30,000 recent orders spread over the city's towns and 72 hours; time per new
  appeal with blocking (town + window) against an unblocked scan of all 30,000 as the baseline.

No Django needed.

    .venv/bin/python -m bench.bench_triage
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "triage"
ROUNDS = 5


def _texts() -> list[str]:
    texts = []
    for name in ("train.jsonl", "heldout.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def _rate(func, items) -> float:
    from hotline.triage.tokenize import normalize

    best = []
    for _ in range(ROUNDS):
        normalize.cache_clear()  # each pass meets its texts for the first time, as traffic does
        start = time.perf_counter()
        for item in items:
            func(item)
        best.append(len(items) / (time.perf_counter() - start))
    return statistics.median(best)


def bench_assess() -> dict:
    t0 = time.perf_counter()
    from hotline.triage.model import DEFAULT_MODEL_PATH, TextModel

    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    TextModel.load(DEFAULT_MODEL_PATH)
    load_s = time.perf_counter() - t0
    from hotline.triage import assess
    from hotline.triage.tokenize import tokenize

    texts = _texts()
    t0 = time.perf_counter()
    assess(texts[0])
    first_s = time.perf_counter() - t0
    tokenize_rate = _rate(tokenize, texts)
    assess_rate = _rate(assess, texts)
    # Typed appeals are often longer than the labelled ones: join 2 and 4 of them into one text.
    longer = {}
    for k in (2, 4):
        joined = ["，".join(texts[i : i + k]) for i in range(0, len(texts) - k + 1, k)]
        longer[k] = {
            "mean_chars": statistics.mean(len(t) for t in joined),
            "tokenize_rate": _rate(tokenize, joined),
            "assess_rate": _rate(assess, joined),
        }
    return {
        "n": len(texts),
        "import_s": import_s,
        "load_s": load_s,
        "first_s": first_s,
        "tokenize_rate": tokenize_rate,
        "assess_rate": assess_rate,
        "mean_chars": statistics.mean(len(t) for t in texts),
        "longer": longer,
    }


def bench_duplicates(n_orders: int = 30_000, n_queries: int = 300) -> dict:
    from rapidfuzz import fuzz, process

    from hotline.triage.duplicates import (
        DuplicateFinder,
        RecentOrder,
        _bigrams,
        normalize_for_repeats,
    )
    from hotline.triage.gazetteer import Gazetteer

    rng = random.Random(4409)
    towns = [d.code for d in Gazetteer.for_city().by_code.values() if d.level == "town"]
    texts = _texts()
    now = dt.datetime(2022, 11, 5, 12, 0)
    orders = [
        RecentOrder(
            i,
            rng.choice(texts),
            now - dt.timedelta(minutes=rng.randrange(72 * 60)),
            rng.choice(towns),
            f"138{rng.randrange(10**8):08d}",
        )
        for i in range(n_orders)
    ]
    t0 = time.perf_counter()
    finder = DuplicateFinder(orders)
    index_s = time.perf_counter() - t0
    queries = [
        (rng.choice(texts), rng.choice(towns), f"138{rng.randrange(10**8):08d}")
        for _ in range(n_queries)
    ]

    def blocked(q):
        return finder.find(q[0], when=now, town_code=q[1], caller_phone=q[2])

    all_grams = [_bigrams(normalize_for_repeats(o.text)) for o in orders]

    def scan(q):  # baseline: the same scorer over every recent order, no blocking
        return process.extract(
            _bigrams(normalize_for_repeats(q[0])),
            all_grams,
            scorer=fuzz.token_set_ratio,
            score_cutoff=60,
            limit=5,
        )

    blocked_rate = _rate(blocked, queries)
    scan_rate = _rate(scan, queries[:30])
    return {
        "n_orders": n_orders,
        "index_s": index_s,
        "blocked_ms": 1000 / blocked_rate,
        "scan_ms": 1000 / scan_rate,
    }


def main() -> None:
    a = bench_assess()
    d = bench_duplicates()
    ratio = a["assess_rate"] / a["tokenize_rate"]
    n, chars = a["n"], a["mean_chars"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    tok, ass = f"{a['tokenize_rate']:,.0f}/s", f"{a['assess_rate']:,.0f}/s"
    load_ms, first_ms = a["load_s"] * 1000, a["first_s"] * 1000
    scan_ms, blocked_ms = d["scan_ms"], d["blocked_ms"]
    lines = [
        "## Triage (`assess()` and `DuplicateFinder`)",
        "",
        f"{n} labelled appeals (mean {chars:.0f} characters), one core, median of {ROUNDS} "
        "passes. Baseline: `tokenize()` alone over the same texts in the same run. "
        f"Load average while measuring: {load}.",
        "",
        "| measure | baseline | triage | ratio |",
        "|---|---|---|---|",
        f"| appeals per second | tokenize: {tok} | assess: {ass} | {ratio:.2f}× |",
        *(
            f"| appeals per second, {k} joined (mean {v['mean_chars']:.0f} characters) "
            f"| tokenize: {v['tokenize_rate']:,.0f}/s | assess: {v['assess_rate']:,.0f}/s "
            f"| {v['assess_rate'] / v['tokenize_rate']:.2f}× |"
            for k, v in a["longer"].items()
        ),
        f"| one-off | import (numpy, rjieba): {a['import_s'] * 1000:.0f} ms; "
        f"model file load: {load_ms:.0f} ms "
        f"| first call (dictionary + gazetteer): {first_ms:.0f} ms | |",
        "",
        f"`DuplicateFinder` over {d['n_orders']:,} recent orders (random towns, 72 h). "
        "Baseline: the same scorer over all recent orders without blocking.",
        "",
        "| measure | unblocked scan | blocked (town + 72 h + phone) | speed-up |",
        "|---|---|---|---|",
        f"| per new appeal | {scan_ms:.2f} ms | {blocked_ms:.3f} ms "
        f"| {scan_ms / blocked_ms:.0f}× |",
        f"| building the index | | {d['index_s'] * 1000:.0f} ms | |",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    from bench.report import write_section

    write_section("triage", markdown)


if __name__ == "__main__":
    main()
