"""The SQLite writer process: outcomes come back typed, and its failures never lose an answer.

The contract tests run every store over a writer process too ("sqlite-writer"); these
cover what only the process has: what may cross to it, and what happens when it dies.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import gevent
import pytest

from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many
from cadence_py.server.config import load_config
from tests.conftest import REPO

INSERT = "INSERT INTO search_attributes(name, value_type) VALUES (?, ?)"


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = SQLiteStore(tmp_path / "w.db", writer_process=True)
    yield db
    db.close()


def names(db: SQLiteStore) -> list[str]:
    return [r[0] for r in db.read("SELECT name FROM search_attributes ORDER BY name")]


def wait_until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        gevent.sleep(0.02)


def test_writes_run_in_another_process_and_are_durable_when_answered(
        store: SQLiteStore, tmp_path: Path) -> None:
    assert store._writer is not None and store._writer.pid != os.getpid()
    store.write(execute_many, INSERT, [("a", 1)])
    other = sqlite3.connect(tmp_path / "w.db")
    assert other.execute("SELECT name FROM search_attributes").fetchall() == [("a",)]
    other.close()


def test_concurrent_writes_keep_their_own_outcomes(store: SQLiteStore) -> None:
    jobs = [gevent.spawn(store.write, execute_many, INSERT, [(f"k{i % 50}", 1)])
            for i in range(100)]  # the second write of each name breaks the unique key
    gevent.joinall(jobs)
    failed = [j for j in jobs if j.exception is not None]
    assert len(failed) == 50
    assert all(isinstance(j.exception, PersistenceError) for j in failed)
    assert "UNIQUE constraint failed" in str(failed[0].exception)
    assert names(store) == sorted(f"k{i}" for i in range(50))


def test_a_closure_is_refused_before_anything_is_sent(store: SQLiteStore) -> None:
    with pytest.raises(TypeError, match="module-level functions"):
        store.write(lambda conn: conn.execute("DELETE FROM search_attributes"))
    with pytest.raises(Exception):  # noqa: B017 - pickle's own error for an open file
        store.write(execute_many, INSERT, [(open(os.devnull), 1)])
    store.write(execute_many, INSERT, [("after", 1)])  # the channel is still in step
    assert names(store) == ["after"]


def test_a_write_waiting_on_a_dead_writer_fails_and_the_next_write_starts_a_new_one(
        store: SQLiteStore) -> None:
    writer = store._writer
    assert writer is not None
    first = writer.pid
    os.kill(first, signal.SIGSTOP)  # the write below is sent and left waiting
    job = gevent.spawn(store.write, execute_many, INSERT, [("lost?", 1)])
    gevent.sleep(0.2)
    assert not job.ready()
    os.kill(first, signal.SIGKILL)
    job.join(10)
    assert isinstance(job.exception, PersistenceError)
    assert "outcome of the write is unknown" in str(job.exception)
    store.write(execute_many, INSERT, [("next", 1)])
    assert writer.pid != first
    assert names(store) == ["next"]  # the stopped writer never committed the first


def test_close_lets_the_writer_exit_and_later_writes_fail(tmp_path: Path) -> None:
    db = SQLiteStore(tmp_path / "c.db", writer_process=True)
    db.write(execute_many, INSERT, [("a", 1)])
    writer = db._writer
    assert writer is not None
    db.close()
    assert writer._proc is not None and writer._proc.returncode == 0
    with pytest.raises(PersistenceError, match="closed"):
        writer.call(execute_many, (INSERT, [("b", 1)]))


def test_the_writer_exits_when_the_server_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many
        db = SQLiteStore({str(tmp_path / "k.db")!r}, writer_process=True)
        db.write(execute_many, "INSERT INTO search_attributes VALUES ('a', 1)", [()])
        print(db._writer.pid, flush=True)
        time.sleep(60)
    """)
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        child = int(server.stdout.readline())  # type: ignore[union-attr]
        server.kill()  # kill -9: no close(), no atexit
        server.wait()
        wait_until(lambda: not _alive(child))
    finally:
        server.kill()
        server.wait()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_an_in_memory_database_cannot_have_a_writer_process() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        SQLiteStore(":memory:", writer_process=True)


def test_writer_process_is_opt_in(tmp_path: Path) -> None:
    assert load_config(REPO / "config" / "development.yaml").sqlite_writer_process is False
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent("""
        persistence:
          defaultStore: sqlite-default
          datastores:
            sqlite-default:
              sqlite: {path: x.db, writerProcess: true}
    """))
    assert load_config(path).sqlite_writer_process is True
