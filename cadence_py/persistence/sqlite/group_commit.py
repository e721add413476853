"""Group commit: the write transactions that queued up meanwhile share one ``COMMIT``.

Why: with ``synchronous=FULL`` every COMMIT writes the changed pages to the WAL and waits for
``fdatasync``; a hello-world workflow takes about twenty write transactions, and the COMMIT
line was a third of the server's time (bench/README.md).

How: a caller queues its transaction function and waits. A drainer greenlet, spawned by the
first caller and run when the hub next gets to it, takes everything queued by then: ``BEGIN
IMMEDIATE``, each function inside its own ``SAVEPOINT`` (one that raises rolls back only its
own changes, and only its caller sees the error), one ``COMMIT``. A caller is answered only
after the COMMIT that holds its writes returned, so an answered write is on disk as before.
Pages touched by several writes of a batch (indexes, the queue tables) are written once.

The batch runs on the hub without yielding. Running it on a pool thread, to free the hub
during the fsync, was measured slower: the thread hand-offs and GIL switches cost more than
the sync (about 0.3 ms here) they hid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import gevent
from gevent.event import AsyncResult

from cadence_py.persistence.errors import PersistenceError

TxFn = Callable[[sqlite3.Connection], Any]

#: Writes per COMMIT at most, so one batch never holds the write lock for long.
MAX_BATCH = 256


def run_one(conn: sqlite3.Connection, fn: TxFn) -> Any:
    """One transaction of its own (the caller holds the write lock)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
    except sqlite3.Error as exc:
        raise PersistenceError(f"sqlite: {exc}") from exc


def run_batch(conn: sqlite3.Connection, fns: list[TxFn]) -> list[tuple[bool, Any]]:
    """Run ``fns`` in one transaction, each in a savepoint; ``(ok, result or error)`` each."""
    if len(fns) == 1:  # the common case when idle: no savepoint needed
        try:
            return [(True, run_one(conn, fns[0]))]
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            return [(False, exc)]
    outcomes: list[tuple[bool, Any]] = []
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        err = PersistenceError(f"sqlite: {exc}")
        return [(False, err)] * len(fns)
    try:
        for fn in fns:
            conn.execute("SAVEPOINT w")
            try:
                result = fn(conn)
            except Exception as exc:  # noqa: BLE001 - handed to its caller only
                conn.execute("ROLLBACK TO w")
                conn.execute("RELEASE w")
                if isinstance(exc, sqlite3.Error):
                    exc = PersistenceError(f"sqlite: {exc}")
                outcomes.append((False, exc))
                continue
            conn.execute("RELEASE w")
            outcomes.append((True, result))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:  # the batch as a whole failed: nobody's write is durable
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        err = PersistenceError(f"sqlite: {exc}")
        return [(False, err)] * len(fns)
    return outcomes


class GroupCommitter:
    """Queues the writes of one gevent hub and commits what queued up in one transaction."""

    def __init__(self, conn: sqlite3.Connection, lock: Any) -> None:
        self._conn = conn
        self._lock = lock
        self._pending: list[tuple[TxFn, AsyncResult]] = []
        self._drainer: gevent.Greenlet | None = None

    def submit(self, fn: TxFn) -> Any:
        """Queue ``fn``; return its result once committed (or raise its error)."""
        slot = AsyncResult()
        self._pending.append((fn, slot))
        if self._drainer is None:
            self._drainer = gevent.spawn(self._drain)
        return slot.get()

    def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
                with self._lock:
                    outcomes = run_batch(self._conn, [fn for fn, _ in batch])
                for (_, slot), (ok, value) in zip(batch, outcomes):
                    if ok:
                        slot.set(value)
                    else:
                        slot.set_exception(value)
        finally:
            self._drainer = None
