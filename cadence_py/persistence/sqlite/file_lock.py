"""One process per SQLite file: an exclusive ``flock`` on ``<file>.lock`` beside it.

Why: every cadence-py server keeps what it wrote in memory (the state cache, the task
lists, the queue processors' read levels). Two servers on one file each miss the other's
writes and serve stale reads, and SQLite's own locking does not stop them: it orders
their transactions and lets both run. So a store takes this lock before it touches the
file, and a second process gets a ``DatabaseInUseError`` naming the holder.

Why ``flock``: the kernel drops it when the holder's last descriptor closes, also after
a ``kill -9``, so a crashed server never blocks the next start and no stale-lock cleanup
is needed. The descriptor is close-on-exec (Python's default), so the writer process
(writer.py, started with ``subprocess``) does not hold it: a writer lingering after its
server was killed cannot block a restart.

Within one process the lock is shared: stores opened on the same file (tests do that,
also from threads) count references, and the last ``release`` unlocks.

The file holds the holder's pid, start time and command line as JSON, for the message;
it is never deleted (unlinking a lock file races with a process that just opened it).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cadence_py.persistence.sqlite.connection import native_lock

#: The longest command line quoted in the message.
MAX_COMMAND = 300


class DatabaseInUseError(OSError):
    """Another process holds the SQLite file. An OSError, as other "cannot open" causes,
    so the command line reports it in its one-line "cannot start" form."""


@dataclass
class _Held:
    fd: int
    refs: int


_held: dict[str, _Held] = {}
_guard = native_lock()  # also across threads whose hubs open stores at once


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


def acquire(db_path: str | Path) -> str:
    """Take (or share, in this process) the lock of ``db_path``; return the key for
    ``release``. Raises DatabaseInUseError when another process holds it."""
    key = os.path.realpath(db_path)
    path = lock_path(key)
    with _guard:  # a native lock: nothing inside may yield to the hub
        held = _held.get(key)
        if held is not None:
            held.refs += 1
            return key
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)  # held elsewhere: the message is built below, outside the guard
        except BaseException:
            os.close(fd)
            raise
        else:
            _write_note(fd)
            _held[key] = _Held(fd, 1)
            return key
    raise DatabaseInUseError(_in_use_message(Path(key), path))


def release(key: str) -> None:
    """Drop one reference; the last one empties the note and unlocks."""
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.refs -= 1
        if held.refs > 0:
            return
        del _held[key]
        try:
            os.ftruncate(held.fd, 0)
        finally:
            os.close(held.fd)  # closing the only descriptor releases the flock


def _write_note(fd: int) -> None:
    note = {"pid": os.getpid(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": _command_line(os.getpid())}
    data = json.dumps(note).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _command_line(pid: int) -> str:
    """The process's command line from /proc, or ours from sys.argv; "" if unknown."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().rstrip(b"\0").split(b"\0")
        text = " ".join(a.decode(errors="replace") for a in args)
    except OSError:
        text = " ".join([sys.executable, *sys.argv]) if pid == os.getpid() else ""
    return " ".join(text.split())  # one line, whatever the arguments held


def _in_use_message(db_path: Path, path: Path) -> str:
    """Names the holder from its note (written right after it took the lock; a holder
    caught between the two is "another process")."""
    try:
        note = json.loads(path.read_text())
    except (OSError, ValueError):
        note = {}
    pid = note.get("pid") if isinstance(note, dict) else None
    if pid is None:
        holder = f"another process (see {path})"
    else:
        command = str(note.get("command") or "")
        if len(command) > MAX_COMMAND:
            command = command[:MAX_COMMAND] + "..."
        holder = f"pid {pid}"
        if note.get("started"):
            holder += f", started {note['started']}"
        if command:
            holder += f": {command}"
    return (f"{db_path} is in use by {holder}; two servers on one SQLite file serve stale "
            "reads: stop that one or use another --data-dir")
