"""Backups of the database while the platform runs, and their restore.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while the server keeps writing; the copy is checked with ``PRAGMA integrity_check`` before it
is kept. PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot in one transaction) and
``pg_restore --clean --if-exists``. Either way the file lands under a temporary name and is
renamed only when complete, so a backup killed halfway never looks like a good one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupError(Exception):
    """A backup or restore that could not be made; the message is for people."""


@dataclass
class BackupResult:
    path: Path
    engine: str
    size: int


def _db(alias: str = "default", db: dict | None = None) -> dict:
    return db if db is not None else settings.DATABASES[alias]


def engine_of(alias: str = "default", db: dict | None = None) -> str:
    engine = _db(alias, db)["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持此数据库引擎的备份：{engine}")


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端工具（Debian：postgresql-client）。"
        )
    return path


def backup(target: Path, alias: str = "default", *, db: dict | None = None) -> BackupResult:
    """Write a consistent copy of the database to ``target`` while it is in use (``db``: a
    settings dict of another database than ``alias``'s)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    db = _db(alias, db)
    engine = engine_of(alias, db)
    if engine == "sqlite":
        source = sqlite3.connect(str(db["NAME"]), timeout=30)
        dest = sqlite3.connect(str(partial))
        try:
            # pages=0: one step, so the snapshot is of one moment; a writer that commits during
            # the copy makes the API restart it, which a busy server tolerates at this size.
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
            ok = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
            source.close()
        if ok != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"备份文件完整性检查未通过：{ok}")
    else:
        cmd = [
            _tool("pg_dump"), *_pg_args(db), "--format=custom", "--no-owner",
            "--file", str(partial), str(db["NAME"]),
        ]  # fmt: skip
        done = subprocess.run(cmd, env=_pg_env(db), capture_output=True, text=True)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return BackupResult(path=target, engine=engine, size=target.stat().st_size)


def restore(source: Path, alias: str = "default", *, db: dict | None = None) -> None:
    """Replace the database's contents with the backup ``source``. Stop the server and the
    worker first: requests running during a restore would see a half-restored database."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if db is None:
        connections[alias].close()
    db = _db(alias, db)
    engine = engine_of(alias, db)
    if engine == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"备份文件已损坏：{ok}")
            dest = sqlite3.connect(str(db["NAME"]), timeout=30)
            try:
                # The backup API writes every page of the target under its lock, WAL included.
                src.backup(dest)
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"不是有效的 SQLite 备份文件：{exc}") from exc
        finally:
            src.close()
        return
    cmd = [
        _tool("pg_restore"), *_pg_args(db), "--clean", "--if-exists", "--no-owner",
        "--single-transaction", "--dbname", str(db["NAME"]), str(source),
    ]  # fmt: skip
    done = subprocess.run(cmd, env=_pg_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败：{done.stderr.strip()[:500]}")
