"""Django's SQLite backend with one addition: write transactions queue on a file lock.

SQLite lets one writer in at a time. A second writer's ``BEGIN IMMEDIATE`` is told the database
is busy and SQLite's busy handler *sleeps* and retries (1, 2, 5, 10 … 100 ms), so under load a
writer often sleeps well past the moment the lock came free: that was most of the p99 of
receive over HTTP with two workers. Here each write transaction first takes an exclusive
``flock`` on ``<database>.writelock``; a waiting process blocks in the kernel and wakes the
moment the holder commits. Reads (WAL) take no lock. The busy timeout stays as the safety net
for writes made outside a transaction and for other programs using the file.

Written by hand because the behaviour sits in the backend's transaction hooks and no
maintained package provides it.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
            return None
        return name + ".writelock"

    def _acquire_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._lock_held:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._lock_held = True

    def _release_write_lock(self) -> None:
        if self._lock_held and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._lock_held = False

    def _start_transaction_under_autocommit(self):
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
