"""`hotline backup` / `hotline restore` on SQLite: a copy taken while another connection keeps
writing holds every row committed before it started and passes the integrity check; a restore
brings it back; bad input is refused with a clear message. (PostgreSQL's round trip, through
the server under writes, is in bench/bench_durability.py.)"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from hotline.common.backup import BackupError, backup, restore


def _db(path) -> dict:
    return {"ENGINE": "hotline.common.sqlite_backend", "NAME": str(path)}


def test_backup_while_writing_then_restore(tmp_path):
    live = tmp_path / "live.sqlite3"
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE appeal (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    stop = threading.Event()
    written = []

    def writer():
        w = sqlite3.connect(live, timeout=30)
        i = 0
        while not stop.is_set() and i < 20000:
            w.execute("INSERT INTO appeal (text) VALUES (?)", (f"家里缺药 {i}",))
            w.commit()
            written.append(i)
            i += 1
        w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 200:
        time.sleep(0.01)
    committed_before = len(written)
    result = backup(tmp_path / "copy.sqlite3", db=_db(live))
    stop.set()
    thread.join()
    assert result.engine == "sqlite" and result.size > 0
    assert not (tmp_path / "copy.sqlite3.partial").exists()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    in_copy = copy.execute("SELECT count(*) FROM appeal").fetchone()[0]
    assert committed_before <= in_copy <= len(written)
    copy.close()

    target = tmp_path / "restored.sqlite3"
    restore(tmp_path / "copy.sqlite3", db=_db(target))
    back = sqlite3.connect(target)
    assert back.execute("SELECT count(*) FROM appeal").fetchone()[0] == in_copy


def test_restore_refuses_a_missing_or_broken_file(tmp_path):
    with pytest.raises(BackupError, match="备份文件不存在"):
        restore(tmp_path / "nope.sqlite3", db=_db(tmp_path / "t.sqlite3"))
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(BackupError, match=r"不是有效的 SQLite 备份文件|已损坏"):
        restore(junk, db=_db(tmp_path / "t.sqlite3"))


def test_restore_command_needs_confirmation(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.sqlite3"))
