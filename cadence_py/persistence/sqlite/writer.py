"""SQLite's write transactions in a process of their own, beside the server's gevent hub.

Why: the server runs on one thread, and in the hello-world benchmark that thread was
saturated, with a large share of its time in SQLite's write path: the transactions'
statements and COMMIT (writing the WAL frames and waiting for ``fdatasync``, which blocks
the hub without using it). Here the write connection lives in a child process; the
server sends each transaction there and waits on a gevent event, so the hub serves other
calls meanwhile. Reads stay in the server on a connection of their own: WAL lets them run
beside the writer, and a write is answered only after its COMMIT, so a read made after
the answer sees it.

Measured (bench/README.md, session 6): the server's instructions per workflow fell from
15.4 to 11.9 million, but the child used 7 million and throughput on the 2-core machine
did not move, so it is opt-in (``sqlite: {writerProcess: true}``). It is for machines
with cores to spare, and a step toward running the roles as separate processes.

What crosses the socket: ``(request id, module, function name, args)``, pickled, with a
4-byte length in front; the child imports the module, calls ``function(connection,
*args)`` and sends back ``(request id, ok, result or exception)``. Transaction functions
must therefore be module-level functions of cadence_py whose arguments and results pickle
(records, tuples, lists, str, bytes, ints); nothing is shared but the database file.

Group commit works as in-process (group_commit.py): what arrived while the child was
busy with the previous COMMIT runs as one transaction, a savepoint per write.

Failure: if the child dies, every write waiting on it fails with a PersistenceError (its
outcome is unknown, as after a database timeout) and the next write starts a new child.
The child ignores SIGINT and SIGTERM and exits when the server's end of the socket
closes, so the server's own shutdown writes still land and a ``kill -9`` of the server
leaves no writer behind.
"""

from __future__ import annotations

import importlib
import itertools
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import gevent.lock
import gevent.socket
from gevent.event import AsyncResult

from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.sqlite.connection import connect
from cadence_py.persistence.sqlite.group_commit import MAX_BATCH, run_batch

_LEN = struct.Struct(">I")
_READ_SIZE = 1 << 20
#: Seconds the server waits for a new child to open the database.
START_TIMEOUT = 30.0
#: Seconds ``close`` waits for the child to finish and exit before killing it.
STOP_TIMEOUT = 10.0


def frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LEN.pack(len(body)) + body


def unframe(buf: bytearray) -> list[Any]:
    """Remove the complete messages at the front of ``buf`` and return them."""
    messages = []
    pos, end = 0, len(buf)
    while end - pos >= 4:
        size = _LEN.unpack_from(buf, pos)[0]
        if end - pos - 4 < size:
            break
        messages.append(pickle.loads(buf[pos + 4:pos + 4 + size]))
        pos += 4 + size
    del buf[:pos]
    return messages


def function_key(fn: Callable[..., Any]) -> tuple[str, str]:
    """How the child finds ``fn``: its module and name (so it must be module-level)."""
    module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not module or not module.startswith("cadence_py.") or not name or "<" in name:
        raise TypeError(f"{fn!r} cannot run in the SQLite writer process: transactions "
                        "there must be module-level functions of cadence_py")
    return module, name


# ------------------------------------------------------------------ child side
def _resolve(cache: dict[tuple[str, str], Any], key: tuple[str, str]) -> Any:
    fn = cache.get(key)
    if fn is None:
        module, name = key
        if not module.startswith("cadence_py."):
            raise PersistenceError(f"sqlite writer: {module} is not a cadence_py module")
        fn = importlib.import_module(module)
        for part in name.split("."):
            fn = getattr(fn, part)
        cache[key] = fn
    return fn


def _bound(cache: dict[tuple[str, str], Any], module: str, name: str,
           args: tuple[Any, ...]) -> Callable[[Any], Any]:
    try:
        fn = _resolve(cache, (module, name))
    except Exception as exc:  # noqa: BLE001 - this write's error, not the child's
        error = exc if isinstance(exc, PersistenceError) else PersistenceError(
            f"sqlite writer: no transaction {module}.{name}: {exc}")

        def fail(conn: Any) -> Any:
            raise error
        return fail
    return lambda conn: fn(conn, *args)


def _reply(request_id: int, ok: bool, value: Any) -> bytes:
    try:
        return frame((request_id, ok, value))
    except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
        return frame((request_id, False, PersistenceError(
            f"sqlite writer: cannot send back {value!r}: {exc}")))


def serve(sock: socket.socket, path: str) -> None:
    """The child's loop: run what arrived as one transaction, answer, repeat until EOF."""
    try:
        conn = connect(path)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which raises it
        sock.sendall(frame(("error", f"cannot open {path}: {exc}")))
        return
    sock.sendall(frame(("ready", os.getpid())))
    cache: dict[tuple[str, str], Any] = {}
    buf = bytearray()
    while True:
        chunk = sock.recv(_READ_SIZE)
        if not chunk:
            break
        buf += chunk
        requests = unframe(buf)
        replies = []
        for start in range(0, len(requests), MAX_BATCH):
            part = requests[start:start + MAX_BATCH]
            outcomes = run_batch(conn, [_bound(cache, m, n, a) for _, m, n, a in part])
            replies += [_reply(r[0], ok, value) for r, (ok, value) in zip(part, outcomes)]
        if replies:
            sock.sendall(b"".join(replies))
    conn.close()


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the server shuts down, then closes us
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sock = socket.socket(fileno=int(argv[0]))
    sock.setblocking(True)  # the server's gevent end made the shared descriptor non-blocking
    try:
        serve(sock, argv[1])
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server is gone; what it was not answered it never relied on
    finally:
        sock.close()


# ----------------------------------------------------------------- server side
class WriterProcess:
    """The server's end: sends transactions to the child and waits for their outcome.

    Used from one gevent hub (the server's); the outbox is flushed by one greenlet, so
    the frames of concurrent writers never interleave on the socket.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._ids = itertools.count(1)
        self._waiting: dict[int, AsyncResult] = {}
        self._outbox: list[bytes] = []
        self._sender: gevent.Greenlet | None = None
        self._sock: Any = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: gevent.Greenlet | None = None
        self._starting = gevent.lock.Semaphore()
        self._closed = False
        self._start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> None:
        ours, theirs = gevent.socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno()), self.path],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        ready: AsyncResult = AsyncResult()
        self._sock = ours
        self._reader = gevent.spawn(self._read, ours, ready)
        try:
            ready.get(timeout=START_TIMEOUT)
        except BaseException as exc:
            self._stop_child(kill=True)
            if isinstance(exc, gevent.Timeout):
                raise PersistenceError(f"sqlite writer for {self.path} did not start within "
                                       f"{START_TIMEOUT:.0f} s") from None
            raise

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Run ``fn(connection, *args)`` in the child; its result once committed."""
        module, name = function_key(fn)
        request_id = next(self._ids)
        message = frame((request_id, module, name, args))  # a pickling error: unsent
        if self._sock is None:
            self._restart()
        slot: AsyncResult = AsyncResult()
        self._waiting[request_id] = slot
        self._outbox.append(message)
        if self._sender is None:
            self._sender = gevent.spawn(self._send)
        return slot.get()

    def _restart(self) -> None:
        with self._starting:
            if self._closed:
                raise PersistenceError("the SQLite store is closed")
            if self._sock is None:
                self._start()

    def _send(self) -> None:
        try:
            while self._outbox and self._sock is not None:
                data = b"".join(self._outbox)
                self._outbox.clear()
                self._sock.sendall(data)
        except OSError:
            self._stop_child(kill=True)  # the reader then fails whoever is waiting
        finally:
            self._sender = None

    def _read(self, sock: Any, ready: AsyncResult) -> None:
        buf = bytearray()
        reason = "exited"
        try:
            while True:
                chunk = sock.recv(_READ_SIZE)
                if not chunk:
                    break
                buf += chunk
                for message in unframe(buf):
                    if not ready.ready():
                        if message[0] == "ready":
                            ready.set(message[1])
                        else:
                            ready.set_exception(PersistenceError(f"sqlite writer: {message[1]}"))
                        continue
                    request_id, ok, value = message
                    slot = self._waiting.pop(request_id, None)
                    if slot is not None:
                        slot.set(value) if ok else slot.set_exception(value)
        except OSError as exc:
            reason = f"lost ({exc})"
        finally:
            self._lost(sock, ready, reason)

    def _lost(self, sock: Any, ready: AsyncResult, reason: str) -> None:
        if self._sock is sock:
            self._sock = None
            self._outbox.clear()
        error = PersistenceError(f"sqlite writer process {reason}; the outcome of the "
                                 "write is unknown")
        if not ready.ready():
            ready.set_exception(error)
        waiting, self._waiting = self._waiting, {}
        for slot in waiting.values():
            slot.set_exception(error)
        sock.close()
        if self._proc is not None and self._proc.poll() is None and not self._closed:
            self._stop_child(kill=True)

    def _stop_child(self, kill: bool) -> None:
        proc = self._proc
        if proc is None:
            return
        if kill and proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        """Let the child finish what it was sent, then stop it (it exits on EOF)."""
        self._closed = True
        if self._sender is not None:
            self._sender.join(timeout=STOP_TIMEOUT)
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        self._stop_child(kill=False)
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT)


if __name__ == "__main__":
    main(sys.argv[1:])
