"""One process per SQLite file (sqlite/file_lock.py), with real processes holding it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cadence_py.persistence.sqlite.file_lock import DatabaseInUseError, lock_path
from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many
from tests.conftest import REPO

INSERT = "INSERT INTO search_attributes VALUES (?, ?)"


@contextmanager
def holder(path: Path, writer_process: bool = False) -> Iterator[tuple[subprocess.Popen[str],
                                                                        int | None]]:
    """Another process with a store open on ``path``; yields it and its writer's pid."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from cadence_py.persistence.sqlite.store import SQLiteStore
        db = SQLiteStore({str(path)!r}, writer_process={writer_process!r})
        print(db._writer.pid if db._writer else 0, flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        writer = int(proc.stdout.readline())  # type: ignore[union-attr]
        yield proc, writer or None
    finally:
        proc.kill()
        proc.wait()


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with holder(path) as (proc, _):
        with pytest.raises(DatabaseInUseError) as caught:
            SQLiteStore(path)
        message = str(caught.value)
        assert "\n" not in message
        assert f"pid {proc.pid}" in message and str(path) in message
        assert "-c" in message  # its command line, from /proc
        assert json.loads(lock_path(path).read_text())["pid"] == proc.pid


def test_kill_9_of_the_holder_frees_the_file(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with holder(path) as (proc, _):
        proc.kill()
        proc.wait()
        store = SQLiteStore(path)  # the kernel dropped the flock with the process
        store.write(execute_many, INSERT, [("a", 1)])
        assert json.loads(lock_path(path).read_text())["pid"] == os.getpid()
        store.close()


def test_the_writer_process_does_not_hold_the_lock(tmp_path: Path) -> None:
    """The lock descriptor is close-on-exec: a writer outliving a killed server (it exits
    when it sees the socket close, but may linger a moment) cannot block the restart."""
    path = tmp_path / "w.db"
    with holder(path, writer_process=True) as (_, writer):
        assert writer is not None
        lock = str(lock_path(path))
        fds = Path(f"/proc/{writer}/fd")
        assert lock not in [os.readlink(fd) for fd in fds.iterdir()]


def test_stores_of_one_process_share_the_lock_until_the_last_closes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first, second = SQLiteStore(path), SQLiteStore(path)
    first.close()
    with pytest.raises(subprocess.CalledProcessError):  # still held by `second`
        _open_in_other_process(path)
    second.close()
    _open_in_other_process(path)
    SQLiteStore(path).close()  # and taken again here


def _open_in_other_process(path: Path) -> None:
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from cadence_py.persistence.sqlite.store import SQLiteStore
        SQLiteStore({str(path)!r}).close()
    """)], check=True, capture_output=True, timeout=60)


def test_in_memory_stores_take_no_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = SQLiteStore(":memory:"), SQLiteStore(":memory:")
    first.close()
    second.close()
    assert list(tmp_path.iterdir()) == []
