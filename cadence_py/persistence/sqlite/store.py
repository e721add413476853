"""SQLite implementation of the stores.

WAL mode plus ``synchronous=FULL`` means a write that returned survives a crash of the
process or the machine ("nothing accepted is ever lost"). Writes are group-committed
(group_commit.py), so the fsync is shared by every write that queued up meanwhile. They
can run in a writer process instead (writer.py, ``writerProcess: true``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import gevent

from cadence_py.persistence import page_tokens
from cadence_py.persistence.domains import DomainRecord
from cadence_py.persistence.errors import (
    ConditionFailedError,
    DomainAlreadyExistsError,
    EntityNotExistsError,
    PersistenceError,
)
from cadence_py.persistence.serialization import record_from_dict, record_to_dict
from cadence_py.persistence.sqlite import file_lock
from cadence_py.persistence.sqlite.connection import connect, native_lock
from cadence_py.persistence.sqlite.group_commit import GroupCommitter

SCHEMA_VERSION = "0.2"
T = TypeVar("T")


def schema_file() -> Path:
    here = Path(__file__).resolve()
    return here.parents[3] / "schema" / "sqlite" / "schema.sql"


class SQLiteStore:
    """All of cadence-py's tables in one SQLite file (``:memory:`` works for tests).

    Inline (the default): one connection; writes from a gevent hub are group-committed
    (group_commit.py), and a batch runs without yielding, so a read between batches sees
    exactly the committed state. With ``writer_process=True`` (config ``writerProcess``) the
    writes run in a child process (writer.py) and this connection only reads; a write
    returns after its COMMIT, so reads made after it see it.

    A file is served by one process at a time (file_lock.py): a store on a file that
    another process holds raises DatabaseInUseError before touching it.
    """

    def __init__(self, path: str | Path, *, writer_process: bool = False) -> None:
        self.path = str(path)
        self._file_lock: str | None = None
        if self.path in (":memory:", ""):
            if writer_process:
                raise ValueError("an in-memory SQLite database cannot have a writer process")
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._file_lock = file_lock.acquire(self.path)
        self._writer = None
        try:
            self._open(writer_process)
        except BaseException:
            db = getattr(self, "_db", None)
            if db is not None:
                db.close()  # no connection may outlive the lock it was opened under
            self._release_file()
            raise

    def _open(self, writer_process: bool) -> None:
        self._lock = native_lock()
        self._db = connect(self.path)
        with self._lock:
            self._db.executescript(schema_file().read_text())
            self._db.execute(
                "INSERT OR REPLACE INTO schema_version(name, curr_version, updated_at) "
                "VALUES ('cadence', ?, datetime('now'))", (SCHEMA_VERSION,))
        self._committers: dict[object, GroupCommitter] = {}  # one per gevent hub (thread)
        if writer_process:
            from cadence_py.persistence.sqlite.writer import WriterProcess
            self._writer = WriterProcess(self.path)
            self._writer_hub = gevent.get_hub()

    def _release_file(self) -> None:
        if self._file_lock is not None:
            file_lock.release(self._file_lock)
            self._file_lock = None

    # ------------------------------------------------------------------ helpers
    def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(connection, *args)`` in a transaction; return its result once durable.

        With a writer process (writer.py) ``fn`` runs there: it must be a module-level
        function, and ``args`` and its result must pickle. The stores keep to that in
        both modes, so one code path serves both.
        """
        hub = gevent.get_hub()
        if self._writer is not None and hub is self._writer_hub:
            return self._writer.call(fn, args)
        # Inline; also another thread's writes when there is a writer process (its socket
        # belongs to the hub that started it): SQLite's file lock orders the two writers.
        committer = self._committers.get(hub)
        if committer is None:
            committer = self._committers[hub] = GroupCommitter(self._db, self._lock)
        if args:
            return committer.submit(lambda conn: fn(conn, *args))
        return committer.submit(fn)

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise PersistenceError(f"sqlite: {exc}") from exc

    # ------------------------------------------------------------ DomainStore
    def create_domain(self, record: DomainRecord) -> None:
        record.notification_version = self.write(
            _create_domain, record.info.id, record.info.name, record_to_dict(record))

    def get_domain(self, *, name: str | None = None, domain_id: str | None = None) -> DomainRecord:
        if name is not None:
            rows = self.read("SELECT record FROM domains WHERE name = ?", (name,))
            missing = f"Domain {name} does not exist."
        elif domain_id is not None:
            rows = self.read("SELECT record FROM domains WHERE id = ?", (domain_id,))
            missing = f"Domain {domain_id} does not exist."
        else:
            raise ValueError("get_domain needs a name or an id")
        if not rows:
            raise EntityNotExistsError(missing)
        return record_from_dict(json.loads(rows[0][0]))

    def update_domain(self, record: DomainRecord, expected_notification_version: int) -> None:
        document = dict(record_to_dict(record),
                        notification_version=expected_notification_version)
        self.write(_update_domain, record.info.id, record.info.name, document,
                   expected_notification_version)
        record.notification_version = expected_notification_version

    def list_domains(self, page_size: int, next_page_token: bytes | None
                     ) -> tuple[list[DomainRecord], bytes | None]:
        after = ""
        if next_page_token:  # strict: a mangled token is the caller's error, not page 1
            after, = page_tokens.open_token(page_tokens.DOMAIN_TOKEN_KIND, next_page_token,
                                            str)
        rows = self.read("SELECT name, record FROM domains WHERE name > ? ORDER BY name "
                          "LIMIT ?", (after, page_size + 1))
        records = [record_from_dict(json.loads(r[1])) for r in rows[:page_size]]
        token = None
        if len(rows) > page_size:
            token = page_tokens.seal(page_tokens.DOMAIN_TOKEN_KIND, rows[page_size - 1][0])
        return records, token

    def delete_domain(self, name: str) -> None:
        self.write(_delete_domain, name)

    def get_metadata(self) -> int:
        rows = self.read("SELECT notification_version FROM domain_metadata WHERE id = 0")
        return rows[0][0] if rows else 0

    def close(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            with self._lock:
                self._db.close()
        finally:
            self._release_file()  # after the last write: the next process may take over


# Transactions: module-level, so that a writer process can run them too (writer.py).
def execute_many(db: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    """One statement over many rows, as a transaction of its own."""
    db.executemany(sql, rows)


def _metadata(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT notification_version FROM domain_metadata WHERE id = 0").fetchone()
    return row[0] if row else 0


def _set_metadata(db: sqlite3.Connection, version: int) -> None:
    db.execute("INSERT INTO domain_metadata(id, notification_version) VALUES (0, ?) "
               "ON CONFLICT(id) DO UPDATE SET notification_version = excluded."
               "notification_version", (version,))


def _create_domain(db: sqlite3.Connection, domain_id: str, name: str,
                   document: dict[str, Any]) -> int:
    """Insert the domain at the current metadata version; return that version."""
    if db.execute("SELECT 1 FROM domains WHERE name = ?", (name,)).fetchone():
        raise DomainAlreadyExistsError(f"Domain {name} already exists.")
    version = _metadata(db)
    try:
        db.execute("INSERT INTO domains(id, name, record, notification_version, "
                   "created_time) VALUES (?, ?, ?, ?, ?)",
                   (domain_id, name, json.dumps(dict(document, notification_version=version)),
                    version, time.time_ns()))
    except sqlite3.IntegrityError:
        raise DomainAlreadyExistsError(f"Domain {name} already exists.") from None
    _set_metadata(db, version + 1)
    return version


def _delete_domain(db: sqlite3.Connection, name: str) -> None:
    db.execute("DELETE FROM domains WHERE name = ?", (name,))


def _update_domain(db: sqlite3.Connection, domain_id: str, name: str,
                   document: dict[str, Any], expected_notification_version: int) -> None:
    current = _metadata(db)
    if current != expected_notification_version:
        raise ConditionFailedError(f"domain metadata version is {current}, expected "
                                   f"{expected_notification_version}")
    cursor = db.execute("UPDATE domains SET record = ?, notification_version = ? "
                        "WHERE id = ? AND name = ?",
                        (json.dumps(document), expected_notification_version, domain_id, name))
    if cursor.rowcount != 1:
        raise EntityNotExistsError(f"Domain {name} does not exist.")
    _set_metadata(db, current + 1)
