"""How the SQLite store opens its file: one place for the settings both processes use."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

BUSY_TIMEOUT_S = 30.0


def connect(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode with the store's settings.

    WAL plus ``synchronous=FULL``: a transaction that committed survives a crash of the
    process or the machine. Transactions are begun explicitly (``BEGIN IMMEDIATE``).
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                         timeout=BUSY_TIMEOUT_S)
    _enter_wal(db)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _enter_wal(db: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode=WAL``, waiting out other connections as other statements do.

    Switching a new file into WAL needs it to itself, and SQLite answers "database is
    locked" at once instead of calling the busy handler: connections opened together on
    a fresh file (a server and its writer process, test stores in threads) would fail.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def native_lock() -> Any:
    """A lock of the OS, also when ``threading`` is gevent-patched (used across threads)."""
    try:
        from gevent import monkey
        return monkey.get_original("threading", "Lock")()
    except Exception:  # noqa: BLE001 - gevent missing its monkey module: plain threading
        return threading.Lock()
