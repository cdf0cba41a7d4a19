import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hotline.knowledge import services
from hotline.knowledge.evaluation import DEMO_ARTICLES
from hotline.knowledge.models import Article

from .factories import article_data

ROOT = Path(__file__).resolve().parents[3]
HOTLINE = [sys.executable, "-m", "hotline.cli"]


def write_jsonl(path: Path, rows) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    return path


ROW = {"key": "reserve-closed", "title": "云开山保护区暂停预约", "body": "暂停预约进入。"}


@pytest.mark.django_db
def test_import_on_an_empty_database_then_export_round_trip(tmp_path, capsys):
    assert not Article.objects.exists()
    call_command("kb", "import", "--input", str(DEMO_ARTICLES))
    assert Article.objects.published().count() >= 40
    out = tmp_path / "export.jsonl"
    call_command("kb", "export", "--output", str(out))
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == Article.objects.count()
    assert {"key", "title", "body", "tags", "source", "valid_from", "status"} <= set(exported[0])
    capsys.readouterr()
    call_command("kb", "import", "--input", str(out))
    assert "未变 48" in capsys.readouterr().out


@pytest.mark.django_db
def test_bad_lines_are_reported_by_number_and_nothing_is_imported(tmp_path, capsys):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            ROW,
            "{not json",
            {"key": "no-title", "body": "x"},
            {**ROW, "key": "late", "valid_from": "2022-11-09", "valid_until": "2022-11-01"},
            {**ROW, "colour": "red"},
            ROW,
        ],
    )
    with pytest.raises(CommandError, match="5 行有误"):
        call_command("kb", "import", "--input", str(path))
    err = capsys.readouterr().err
    for number in (2, 3, 4, 5, 6):
        assert f"第 {number} 行" in err
    assert "\n第 1 行" not in "\n" + err
    assert not Article.objects.exists()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("kb", "import", "--input", str(tmp_path / "missing.jsonl"))


@pytest.mark.django_db
def test_batch_search_with_time(tmp_path):
    call_command("kb", "import", "--input", str(DEMO_ARTICLES))
    queries = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": 1, "text": "封控还要延长吗"},
            {"id": "b", "text": "行程卡有星号"},
        ],
    )
    out = tmp_path / "out.jsonl"
    call_command(
        "kb",
        "search",
        "--input",
        str(queries),
        "--at",
        "2022-11-07T12:00:00+08:00",
        "--limit",
        "2",
        "--output",
        str(out),
    )
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == 1 and lines[0]["results"][0]["key"] == "control-period-extension"
    assert len(lines[0]["results"]) <= 2
    assert {"key", "title", "score"} == set(lines[0]["results"][0])
    assert lines[1]["results"][0]["key"] == "travel-card-star"
    with pytest.raises(CommandError):
        call_command("kb", "search", "--input", str(queries), "--at", "yesterday")
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": 1}])
    with pytest.raises(CommandError, match="1 行有误"):
        call_command("kb", "search", "--input", str(bad))


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HOTLINE_DATA_DIR")}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


class Searcher:
    """A second process with its own index (hotline/knowledge/tests/searcher.py)."""

    def __init__(self, env):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("searcher.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )

    def keys(self, query: str) -> list[str]:
        self.proc.stdin.write(query + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _second_process_env(tmp_path) -> dict:
    """The environment of a second process on this test's database (PostgreSQL: the test
    database itself; SQLite: a file database in a temporary data directory, migrated here,
    since the test database lives in memory)."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        url = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}"
        )
        return _env(DATABASE_URL=url)
    env = _env(HOTLINE_DATA_DIR=str(tmp_path))
    subprocess.run([*HOTLINE, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return env


@pytest.mark.django_db(transaction=True)
def test_another_process_sees_a_new_article_at_once(tmp_path, people):
    """Publish in one process; a process that already built its index finds the article on its
    next search (PostgreSQL: the test database itself; SQLite: a file database in a temporary
    data directory, since the test database lives in memory)."""
    env = _second_process_env(tmp_path)
    if connection.vendor == "postgresql":

        def publish():
            article = services.create_draft(
                people.author, key=ROW["key"], data=article_data(title=ROW["title"])
            )
            services.submit(people.author, article.key)
            services.approve(people.reviewer, article.key)

        def retire():
            services.retire(people.reviewer, ROW["key"])
    else:
        path = write_jsonl(tmp_path / "new.jsonl", [ROW])
        gone = write_jsonl(tmp_path / "gone.jsonl", [{**ROW, "status": "retired"}])

        def publish():
            subprocess.run(
                [*HOTLINE, "kb", "import", "--input", str(path)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )

        def retire():
            subprocess.run(
                [*HOTLINE, "kb", "import", "--input", str(gone)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )

    searcher = Searcher(env)
    try:
        assert searcher.keys("云开山保护区") == []
        publish()
        assert searcher.keys("云开山保护区") == [ROW["key"]]
        retire()
        assert searcher.keys("云开山保护区") == []
    finally:
        searcher.close()


def _cold_build(env, query: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("coldbuild.py")), query],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run(env, *args):
    return subprocess.run(
        [*HOTLINE, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_a_fresh_process_builds_from_stored_tokens(tmp_path):
    """A new process tokenises no article whose version carries tokens of the current scheme;
    after a scheme change it tokenises them once, stores them, and the next process again
    tokenises nothing. ``hotline kb tokens`` stores them for every version at once."""
    env = _second_process_env(tmp_path)
    _run(env, "kb", "import", "--input", str(DEMO_ARTICLES))
    first = _cold_build(env, "黄码怎样转回绿码")
    assert first == {"tokenised": 0, "keys": first["keys"]}
    assert first["keys"][0] == "yellow-code-to-green"
    stale = "UPDATE knowledge_articleversion SET search_tokens = NULL WHERE id IN " + (
        "(SELECT id FROM knowledge_articleversion ORDER BY id LIMIT 5)"
    )
    _sql(env, stale)
    assert _cold_build(env, "黄码怎样转回绿码")["tokenised"] == 5
    assert _cold_build(env, "黄码怎样转回绿码")["tokenised"] == 0  # stored by the first
    _sql(env, "UPDATE knowledge_articleversion SET search_tokens = NULL")
    assert "已更新 48 个版本" in _run(env, "kb", "tokens")
    assert "已更新 0 个版本" in _run(env, "kb", "tokens")
    assert _cold_build(env, "黄码怎样转回绿码")["tokenised"] == 0


def _sql(env, statement: str) -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'hotline.config.settings'); django.setup(); from django.db import connection; "
        f"connection.cursor().execute({statement!r})"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
