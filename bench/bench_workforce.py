"""Benchmark: the staffing searches of a surge day (96 quarter hours, peaking at 600 calls per
quarter hour with a 300-second handle time, i.e. 200 erlangs and about 210 agents).

Baseline, measured in the same run: the plain search that tries N = ⌊a⌋+1, ⌊a⌋+2, … and
computes Erlang C afresh for each candidate (``erlang_c_figures``, an O(N) recurrence each
time). Against it: ``agents_erlang_c`` (Erlang B carried forward one agent at a time) and
``agents_erlang_a`` (bisection below the Erlang C answer, incomplete gamma in logarithms).
No database.

    .venv/bin/python -m bench.bench_workforce
"""

from __future__ import annotations

import math
import os
import statistics
import time

REPEATS = int(os.environ.get("BENCH_REPEATS", 5))
PEAK_CALLS = 600
AHT = 300.0
PATIENCE = 120.0


def day_shape() -> list[float]:
    """Calls per quarter hour over a day: quiet at night, peaks at 10:00 and 15:00."""
    out = []
    for i in range(96):
        hour = i / 4
        level = 0.08 + math.exp(-((hour - 10) ** 2) / 6) + 0.8 * math.exp(-((hour - 15) ** 2) / 8)
        out.append(PEAK_CALLS * min(1.0, level))
    return out


def naive_agents(rate: float, aht: float, target: float, t: float) -> int:
    from hotline.workforce.erlang import erlang_c_figures

    n = math.floor(rate * aht) + 1
    while erlang_c_figures(n, rate, aht, t).service_level < target:
        n += 1
    return n


def timed(fn, calls) -> tuple[float, list[int]]:
    best, result = math.inf, []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = [fn(c / 900) for c in calls]
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    from bench.report import write_section
    from hotline.workforce import erlang

    calls = day_shape()
    load = os.getloadavg()
    base, plain = timed(lambda r: naive_agents(r, AHT, 0.8, 20), calls)
    fast, needed_c = timed(lambda r: erlang.agents_erlang_c(r, AHT, 0.8, 20), calls)
    abandon, needed_a = timed(lambda r: erlang.agents_erlang_a(r, AHT, PATIENCE, 0.8, 20), calls)
    assert plain == needed_c, "the two Erlang C searches disagree"
    rows = [
        ("plain search, Erlang C recomputed per candidate (baseline)", base),
        ("agents_erlang_c, Erlang B carried forward", fast),
        ("agents_erlang_a, bisection with log incomplete gamma", abandon),
    ]
    lines = [
        "## Workforce: staffing searches for a surge day",
        "",
        f"96 quarter hours peaking at {PEAK_CALLS} calls (AHT {AHT:.0f} s, 80 % in 20 s, "
        f"patience {PATIENCE:.0f} s); peak need {max(needed_c)} agents by Erlang C, "
        f"{max(needed_a)} by Erlang A. Best of {REPEATS}. `python -m bench.bench_workforce`.",
        "",
        "| computation | time for the day | ratio to baseline |",
        "|---|---|---|",
    ]
    for label, seconds in rows:
        lines.append(f"| {label} | {seconds * 1000:.1f} ms | {seconds / base:.3f} |")
    lines += [
        "",
        f"Load average while measuring: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(a shared machine; the ratios are what to read, not the times).",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("workforce", text)
    print(f"median need (Erlang C): {statistics.median(needed_c)}")


if __name__ == "__main__":
    main()
