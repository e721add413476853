"""Group commit in the SQLite store: batched writes keep each caller's outcome its own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import gevent
import pytest

from cadence_py.persistence.errors import ConditionFailedError, PersistenceError
from cadence_py.persistence.sqlite import group_commit
from cadence_py.persistence.sqlite.store import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    db = SQLiteStore(tmp_path / "g.db")
    db.write(lambda c: c.execute("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)"))
    return db


def _count_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    real = group_commit.run_batch

    def spy(conn: sqlite3.Connection, fns: list) -> list:  # type: ignore[type-arg]
        sizes.append(len(fns))
        return real(conn, fns)
    monkeypatch.setattr(group_commit, "run_batch", spy)
    return sizes


def test_concurrent_writes_share_a_commit_and_fail_alone(
        store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = _count_batches(monkeypatch)

    def put(k: int) -> int:
        def tx(c: sqlite3.Connection) -> int:
            c.execute("INSERT INTO kv VALUES (?, ?)", (k, f"v{k}"))
            if k == 3:  # its insert must be undone, the others' kept
                raise ConditionFailedError("no 3")
            if k == 5:  # a SQL error: PersistenceError for this caller only
                c.execute("INSERT INTO kv VALUES (1, 'duplicate')")
            return k * 10
        return store.write(tx)

    jobs = [gevent.spawn(put, k) for k in range(10)]
    gevent.joinall(jobs)
    assert sizes == [10]  # all ten queued before the drainer ran: one COMMIT
    for k, job in enumerate(jobs):
        if k == 3:
            assert isinstance(job.exception, ConditionFailedError)
        elif k == 5:
            assert isinstance(job.exception, PersistenceError)
        else:
            assert job.value == k * 10
    rows = store.read("SELECT k, v FROM kv ORDER BY k")
    assert rows == [(k, f"v{k}") for k in range(10) if k not in (3, 5)]


def test_write_is_durable_when_answered(tmp_path: Path, store: SQLiteStore) -> None:
    store.write(lambda c: c.execute("INSERT INTO kv VALUES (1, 'one')"))
    other = sqlite3.connect(tmp_path / "g.db")  # another connection sees it committed
    assert other.execute("SELECT v FROM kv").fetchall() == [("one",)]
    other.close()


def test_a_failed_commit_fails_every_caller_of_the_batch(
        store: SQLiteStore, tmp_path: Path) -> None:
    blocker = sqlite3.connect(tmp_path / "g.db", timeout=0, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: BEGIN IMMEDIATE fails
    store._db.execute("PRAGMA busy_timeout = 50")
    jobs = [gevent.spawn(store.write, lambda c, k=k: c.execute(
        "INSERT INTO kv VALUES (?, 'x')", (k,))) for k in range(3)]
    gevent.joinall(jobs)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert all(isinstance(j.exception, PersistenceError) for j in jobs)
    assert store.read("SELECT COUNT(*) FROM kv") == [(0,)]
    store.write(lambda c: c.execute("INSERT INTO kv VALUES (7, 'after')"))  # still serving
    assert store.read("SELECT k FROM kv") == [(7,)]
