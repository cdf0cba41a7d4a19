"""Knowledge-base search: quality on the evaluation sets, latency and index build time at
10,000 articles, each against a baseline measured in the same run.

    .venv/bin/python -m bench.bench_knowledge [--articles 10000] [--queries 2000] [--no-write]

* Quality: Recall@1/@3 of every evaluation set (``evaluation.EVAL_SETS``: the main set, the
  held-out set and two blind sets) on the demo articles at the evaluation time, with the full
  pipeline and without synonyms.
* Latency: the full search (tokenise, synonyms, three BM25 views, validity mask, top-k,
  snippets and highlights) over 10,000 generated articles plus the demo ones, against the
  BM25 scoring alone (the three views' scores of the already-parsed query, and its top 5).
* Build, in process (rows as ``search.load_rows`` returns them, no database): from the stored
  tokens, from nothing (tokenising every article, as before tokens were stored), after one
  publish; and the BM25 matrix step against bm25s's own ``index()`` of the same token ids.
* Build in a fresh process: a temporary SQLite database holding the same articles (versions
  written with their tokens, as the services write them); a new Python process reads the stamp
  and the rows and builds the index, then answers its first query. Baseline: the same after
  the stored tokens are cleared (the fallback tokenises every article).

The per-search stamp check (one primary-key read) is not in the latency figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")

import django

django.setup()

import bm25s  # noqa: E402
import numpy as np  # noqa: E402

from bench.report import write_section  # noqa: E402
from hotline.knowledge import analysis, search  # noqa: E402
from hotline.knowledge.evaluation import (  # noqa: E402
    DATA,
    DEMO_ARTICLES,
    EVAL_AT,
    EVAL_QUESTIONS,
    EVAL_SETS,
    load_jsonl,
    recall,
)
from hotline.knowledge.models import split_terms  # noqa: E402
from hotline.knowledge.services import clean_import_row  # noqa: E402
from hotline.triage.tokenize import normalize  # noqa: E402

_TOPICS_TEXT = (
    "核酸采样点调整 出入卡发放 物资配送 上门采样 健康码转码 通行证办理 隔离酒店 透析接送 "
    "停水抢修 快递投放点 考试延期 工资发放 志愿者招募 垃圾清运 价格监测 心理援助 防火巡查 "
    "孕产妇服务 慢病配药 返乡报备 货车查验 学校网课 商户复工 小区消杀"
)
TOPICS = _TOPICS_TEXT.split()
PHRASES = (
    "请居民按通知时间下楼",
    "社区工作人员将逐户登记",
    "有困难可拨打12345热线",
    "具体以最新通告为准",
    "凭出入卡和阴性证明外出",
    "网格员负责统计名单",
    "物业协助维持秩序",
    "请提前预约并带好证件",
    "老人和行动不便者优先",
    "错过时段请联系网格员",
    "费用由政府承担",
    "结果一般12小时内出来",
    "车辆须在卡口登记",
    "请勿聚集和扎堆",
    "药店和超市照常营业",
    "志愿者上岗前统一培训",
)


def synonyms() -> search.Synonyms:
    groups = []
    for line in (DATA / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            groups.append(tuple(normalize(t) for t in split_terms(line)))
    return search.Synonyms(tuple(groups))


def demo_rows(start_id: int = 0) -> list[dict]:
    rows = []
    for i, data in enumerate(load_jsonl(DEMO_ARTICLES)):
        key, content, _ = clean_import_row(data)
        rows.append({"version_id": start_id + i, "key": key, **content})
    return rows


def generated_rows(n: int, start_id: int, rng: random.Random) -> list[dict]:
    from hotline.triage.gazetteer import dictionary_words

    places = [w for w in dictionary_words() if len(w) >= 3][:3000] or ["茂南区"]
    base = dt.datetime(2022, 11, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        place = rng.choice(places)
        topic = rng.choice(TOPICS)
        body = "。".join(
            f"{rng.choice(places)}{rng.choice(PHRASES)}" for _ in range(rng.randint(4, 9))
        )
        start = base + dt.timedelta(days=rng.randint(0, 10))
        rows.append(
            {
                "version_id": start_id + i,
                "key": f"gen-{i:05d}",
                "title": f"{place}{topic}安排",
                "body": f"{place}{topic}。{body}。",
                "tags": [topic, place],
                "category": "control",
                "audience": rng.choice(("agents", "public")),
                "valid_from": start,
                "valid_until": start + dt.timedelta(days=rng.randint(2, 30)),
            }
        )
    return rows


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def with_tokens(rows: list[dict]) -> list[dict]:
    """The rows with the tokens the services store on each version."""
    return [
        {
            **r,
            "search_tokens": analysis.stored_tokens(
                r["title"], r["tags"], r.get("questions") or (), r["body"]
            ),
        }
        for r in rows
    ]


def capture_matrix_inputs(rows: list[dict], syn) -> list[tuple]:
    """The (tokens, docs, n_docs, n_vocab, weights) each BM25 view of one build was computed
    from."""
    captured = []
    original = search.bm25_from_arrays

    def spy(*args):
        captured.append(args)
        return original(*args)

    search.bm25_from_arrays = spy
    try:
        search._token_cache.clear()
        search.build_index(rows, syn, 99)
    finally:
        search.bm25_from_arrays = original
    return captured


def native_index(inputs: list[tuple]) -> float:
    """bm25s's own ``index()`` of the same token ids (one per view; a field weight of 2 as two
    occurrences, bm25s having no weights), in seconds."""
    logging.getLogger("bm25s").setLevel(logging.INFO)  # not a debug line per index()
    total = 0.0
    for tokens, docs, n_docs, n_vocab, weights in inputs:
        tokens = np.repeat(tokens, weights.astype(np.int64))
        docs = np.repeat(docs, weights.astype(np.int64))
        order = np.argsort(docs, kind="stable")
        bounds = np.searchsorted(docs[order], np.arange(n_docs + 1))
        ids = tokens[order].tolist()
        corpus = [ids[bounds[i] : bounds[i + 1]] for i in range(n_docs)]
        vocab = {str(i): i for i in range(max(n_vocab, 1))}
        retriever = bm25s.BM25(k1=search.K1, b=search.B, method="lucene")
        t0 = time.perf_counter()
        retriever.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab), show_progress=False)
        total += time.perf_counter() - t0
    return total


# --- the fresh-process build ---------------------------------------------------------------


def child_fill(n_articles: int) -> dict:
    """(In a child process on the temporary database.) The demo and generated articles, each
    with one published version carrying its stored tokens."""
    from django.core.management import call_command
    from django.utils import timezone

    from hotline.knowledge.models import CONTENT_FIELDS, Article, ArticleVersion, IndexStamp

    call_command("migrate", verbosity=0)
    rows = demo_rows() + generated_rows(n_articles, 1000, random.Random(4409))
    now = timezone.now()
    t0 = time.perf_counter()
    tokens = [
        analysis.stored_tokens(r["title"], r["tags"], r.get("questions") or (), r["body"])
        for r in rows
    ]
    tokenise = time.perf_counter() - t0
    content = [{f: r[f] for f in CONTENT_FIELDS if f in r} for r in rows]
    articles = Article.objects.bulk_create(
        [
            Article(key=r["key"], status="published", created_at=now, updated_at=now, **c)
            for r, c in zip(rows, content, strict=True)
        ],
        batch_size=500,
    )
    versions = ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(article=a, number=1, published_at=now, search_tokens=t, **c)
            for a, t, c in zip(articles, tokens, content, strict=True)
        ],
        batch_size=500,
    )
    for article, version in zip(articles, versions, strict=True):
        article.live_version = version
    Article.objects.bulk_update(articles, ["live_version"], batch_size=500)
    IndexStamp.objects.update_or_create(pk=1, defaults={"version": 1})
    return {"articles": len(rows), "tokenise_s": tokenise}


def child_strip() -> dict:
    from hotline.knowledge.models import ArticleVersion

    return {"cleared": ArticleVersion.objects.update(search_tokens=None)}


def child_build() -> dict:
    """(In a fresh child process.) What the first search of a new worker pays."""
    with search.gc_paused():  # as search.get_index does
        t0 = time.perf_counter()
        stamp = search.current_stamp()
        rows = search.load_rows()
        t1 = time.perf_counter()
        index = search.build_index(rows, search.load_synonyms(), stamp)
        t2 = time.perf_counter()
    index.search("黄码怎样转回绿码", at=EVAL_AT)
    t3 = time.perf_counter()
    return {"docs": len(index), "load_s": t1 - t0, "build_s": t2 - t1, "first_query_s": t3 - t2}


def run_child(mode: str, data_dir: str, arg: str = "") -> dict:
    env = {**os.environ, "HOTLINE_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "bench.bench_knowledge", "--child", mode]
    if arg:
        command += ["--articles", arg]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_process_builds(n_articles: int, repeat: int = 3) -> dict:
    """Median phases of the cold build in new processes: from stored tokens, then (baseline)
    with the stored tokens cleared."""
    data_dir = tempfile.mkdtemp(prefix="bench-kb-")
    try:
        fill = run_child("fill", data_dir, str(n_articles))
        stored = [run_child("build", data_dir) for _ in range(repeat)]
        run_child("strip", data_dir)
        bare = [run_child("build", data_dir) for _ in range(repeat)]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    keys = ("load_s", "build_s", "first_query_s")
    return {
        "docs": stored[0]["docs"],
        "fill": fill,
        "stored": {k: median(stored, k) for k in keys},
        "bare": {k: median(bare, k) for k in keys},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", choices=("fill", "strip", "build"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        call = {
            "fill": lambda: child_fill(args.articles),
            "strip": child_strip,
            "build": child_build,
        }[args.child]
        print(json.dumps(call()))
        return
    rng = random.Random(4409)
    syn = synonyms()
    questions = load_jsonl(EVAL_QUESTIONS)
    eval_sets = {name: load_jsonl(path) for name, path in EVAL_SETS.items() if path.exists()}

    # --- quality on the demo base -------------------------------------------------------
    demo = search.build_index(demo_rows(), syn, 1)
    bare = search.build_index(demo_rows(), search.Synonyms(), 2)

    def ranked(index):
        return lambda t: [h.key for h in index.search(t, at=EVAL_AT).hits]

    quality_rows = []
    for name, qs in eval_sets.items():
        full, nosyn = recall(qs, ranked(demo)), recall(qs, ranked(bare))
        quality_rows.append(
            f"| {name} | {full.questions} | {full.r1:.3f} | {full.r3:.3f} "
            f"| {nosyn.r1:.3f} | {nosyn.r3:.3f} |"
        )
    quality_table = "\n".join(quality_rows)

    # --- the large index, in process -----------------------------------------------------
    plain_rows = demo_rows() + generated_rows(args.articles, 1000, rng)
    rows = with_tokens(plain_rows)
    search._token_cache.clear()
    from_nothing, _ = timed(search.build_index, plain_rows, syn, 3)
    search._token_cache.clear()
    from_stored, index = timed(search.build_index, rows, syn, 4)
    extra = with_tokens(generated_rows(1, 10_000_000, random.Random(1)))
    warm, index = timed(search.build_index, [*rows, *extra], syn, 5)
    inputs = capture_matrix_inputs([*rows, *extra], syn)
    t0 = time.perf_counter()
    for view in inputs:
        search.bm25_from_arrays(*view)
    ours_matrix = time.perf_counter() - t0
    native_matrix = native_index(inputs)

    # --- latency --------------------------------------------------------------------------
    texts = [q["text"] for q in questions]
    queries = [rng.choice(texts) for _ in range(args.queries)]
    at = EVAL_AT
    for q in texts:  # warm-up
        index.search(q, at=at)
    ours, raw = [], []
    for q in queries:
        t0 = time.perf_counter()
        index.search(q, at=at, limit=5)
        ours.append((time.perf_counter() - t0) * 1000)
    parsed = [search.parse_query(q, syn) for q in queries]
    for query in parsed:
        t0 = time.perf_counter()
        scores = index.scores(query)
        top = np.argpartition(-scores, 4)[:5]
        top[np.argsort(-scores[top])]
        raw.append((time.perf_counter() - t0) * 1000)

    # --- the cold build in a fresh process ------------------------------------------------
    fresh = fresh_process_builds(args.articles)
    st, bb = fresh["stored"], fresh["bare"]
    st_total, bb_total = st["load_s"] + st["build_s"], bb["load_s"] + bb["build_s"]

    n_docs = len(index)
    p50, p99 = percentile(ours, 50), percentile(ours, 99)
    r50, r99 = percentile(raw, 50), percentile(raw, 99)
    command = (
        f".venv/bin/python -m bench.bench_knowledge --articles {args.articles} "
        f"--queries {args.queries}"
    )
    mean_ours, mean_raw = statistics.mean(ours), statistics.mean(raw)
    load, build, first = (f"{st[k]:.3f}" for k in ("load_s", "build_s", "first_query_s"))
    stored_row = f"{load} | {build} | **{st_total:.3f}** | {first}"
    bare_row = " | ".join(
        f"{v:.3f}" for v in (bb["load_s"], bb["build_s"], bb_total, bb["first_query_s"])
    )
    per_version_ms = fresh["fill"]["tokenise_s"] * 1000 / fresh["docs"]
    full_row = f"{p50:.3f} | {p99:.3f} | {mean_ours:.3f}"
    raw_row = f"{r50:.3f} | {r99:.3f} | {mean_raw:.3f}"
    md = f"""## Knowledge base search (`bench/bench_knowledge.py`)

Command: `{command}`

**Quality** — evaluation questions in callers' wording, on the {len(demo)} demo articles at
{EVAL_AT.isoformat()}; a question counts when a relevant article is in the top k. Only a
blind set's first score is an honest estimate for new questions; those first scores, and what
was tuned on which set, are in docs/KNOWLEDGE.md ("Evaluation sets"). Main and held-out: the
synonyms and the scoring weights were chosen while reading their misses.

| set | questions | R@1 | R@3 | R@1 without synonyms (baseline) | R@3 without synonyms |
|---|---|---|---|---|---|
{quality_table}

**Latency** — {n_docs:,} articles, {args.queries:,} queries, in process, one thread.

| | p50 ms | p99 ms | mean ms |
|---|---|---|---|
| full search (tokenise, synonyms, 3 BM25 views, validity mask, top 5, snippets) | {full_row} |
| BM25 scoring alone: 3 views of the parsed query, top 5 (baseline) | {raw_row} |
| ratio full / raw | {p50 / r50:.1f}× | {p99 / r99:.1f}× | |

**Index build, in process** — {n_docs:,} articles, rows already in memory.

| | seconds |
|---|---|
| from the stored tokens (words loaded, characters cut with numpy) | {from_stored:.3f} |
| tokenising every article (baseline: before tokens were stored) | {from_nothing:.3f} |
| rebuild after one publish (unchanged versions cached) | {warm:.3f} |
| BM25 matrices of the three views, ours (numpy + scipy) | {ours_matrix:.3f} |
| the same token ids through bm25s's own `index()` (baseline) | {native_matrix:.3f} |
| ratio bm25s `index()` / ours | {native_matrix / ours_matrix:.1f}× |

**Cold build in a fresh process** — {fresh["docs"]:,} articles in a temporary SQLite database;
a new Python process reads the stamp and the live rows, builds the index, then answers one
query. Median of 3 processes each.

| | read rows s | build s | total s | first query s |
|---|---|---|---|---|
| stored tokens | {stored_row} |
| tokens cleared: tokenise every article (baseline) | {bare_row} |
| ratio baseline / stored | | | {bb_total / st_total:.1f}× | |

The build from stored tokens never loads the tokeniser, so the first query pays for it (rjieba
and its dictionary of place names); the baseline loaded it while tokenising. Cutting the
stored tokens costs {per_version_ms:.2f} ms per version, once, when the version is written.
"""
    print(md)
    if not args.no_write:
        write_section("knowledge", md)


if __name__ == "__main__":
    main()
