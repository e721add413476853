"""How the SQLite store opens its file: one place for the settings both processes use."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any


def connect(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode with the store's settings.

    WAL plus ``synchronous=FULL``: a transaction that committed survives a crash of the
    process or the machine. Transactions are begun explicitly (``BEGIN IMMEDIATE``).
    """
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def native_lock() -> Any:
    """A lock of the OS, also when ``threading`` is gevent-patched (used across threads)."""
    try:
        from gevent import monkey
        return monkey.get_original("threading", "Lock")()
    except Exception:  # noqa: BLE001 - gevent missing its monkey module: plain threading
        return threading.Lock()
