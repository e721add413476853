"""SQLite implementation of the stores.

WAL mode plus ``synchronous=FULL`` means a write that returned survives a crash of the
process or the machine ("nothing accepted is ever lost"). Writes are group-committed
(group_commit.py), so the fsync is shared by every write that queued up meanwhile.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from pathlib import Path

import gevent

from cadence_py.persistence.domains import DomainRecord
from cadence_py.persistence.errors import (
    ConditionFailedError,
    DomainAlreadyExistsError,
    EntityNotExistsError,
    PersistenceError,
)
from cadence_py.persistence.serialization import record_from_dict, record_to_dict
from cadence_py.persistence.sqlite.group_commit import GroupCommitter, native_lock

SCHEMA_VERSION = "0.2"


def schema_file() -> Path:
    here = Path(__file__).resolve()
    return here.parents[3] / "schema" / "sqlite" / "schema.sql"


class SQLiteStore:
    """All of cadence-py's tables in one SQLite file (``:memory:`` works for tests).

    One connection. Writes from a gevent hub are group-committed (group_commit.py); a batch
    runs without yielding, so a read between batches sees exactly the committed state.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = native_lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._db.executescript(schema_file().read_text())
            self._db.execute(
                "INSERT OR REPLACE INTO schema_version(name, curr_version, updated_at) "
                "VALUES ('cadence', ?, datetime('now'))", (SCHEMA_VERSION,))
        self._committers: dict[object, GroupCommitter] = {}  # one per gevent hub (thread)

    # ------------------------------------------------------------------ helpers
    def write(self, fn):  # type: ignore[no-untyped-def]
        """Run ``fn(connection)`` in a transaction; return its result once it is durable."""
        hub = gevent.get_hub()
        committer = self._committers.get(hub)
        if committer is None:
            committer = self._committers[hub] = GroupCommitter(self._db, self._lock)
        return committer.submit(fn)

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise PersistenceError(f"sqlite: {exc}") from exc

    @staticmethod
    def _metadata(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT notification_version FROM domain_metadata WHERE id = 0"
                         ).fetchone()
        return row[0] if row else 0

    @staticmethod
    def _set_metadata(db: sqlite3.Connection, version: int) -> None:
        db.execute("INSERT INTO domain_metadata(id, notification_version) VALUES (0, ?) "
                   "ON CONFLICT(id) DO UPDATE SET notification_version = excluded."
                   "notification_version", (version,))

    # ------------------------------------------------------------ DomainStore
    def create_domain(self, record: DomainRecord) -> None:
        def tx(db: sqlite3.Connection) -> None:
            if db.execute("SELECT 1 FROM domains WHERE name = ?", (record.info.name,)
                          ).fetchone():
                raise DomainAlreadyExistsError(f"Domain {record.info.name} already exists.")
            version = self._metadata(db)
            record.notification_version = version
            try:
                db.execute("INSERT INTO domains(id, name, record, notification_version, "
                           "created_time) VALUES (?, ?, ?, ?, ?)",
                           (record.info.id, record.info.name,
                            json.dumps(record_to_dict(record)), version, time.time_ns()))
            except sqlite3.IntegrityError:
                raise DomainAlreadyExistsError(
                    f"Domain {record.info.name} already exists.") from None
            self._set_metadata(db, version + 1)
        self.write(tx)

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
        def tx(db: sqlite3.Connection) -> None:
            current = self._metadata(db)
            if current != expected_notification_version:
                raise ConditionFailedError(
                    f"domain metadata version is {current}, expected "
                    f"{expected_notification_version}")
            record.notification_version = expected_notification_version
            cursor = db.execute("UPDATE domains SET record = ?, notification_version = ? "
                                "WHERE id = ? AND name = ?",
                                (json.dumps(record_to_dict(record)),
                                 expected_notification_version, record.info.id,
                                 record.info.name))
            if cursor.rowcount != 1:
                raise EntityNotExistsError(f"Domain {record.info.name} does not exist.")
            self._set_metadata(db, current + 1)
        self.write(tx)

    def list_domains(self, page_size: int, next_page_token: bytes | None
                     ) -> tuple[list[DomainRecord], bytes | None]:
        after = ""
        if next_page_token:  # strict: a mangled token is the caller's error, not page 1
            after = base64.b64decode(next_page_token, validate=True).decode()
        rows = self.read("SELECT name, record FROM domains WHERE name > ? ORDER BY name "
                          "LIMIT ?", (after, page_size + 1))
        records = [record_from_dict(json.loads(r[1])) for r in rows[:page_size]]
        token = None
        if len(rows) > page_size:
            token = base64.b64encode(rows[page_size - 1][0].encode())
        return records, token

    def get_metadata(self) -> int:
        rows = self.read("SELECT notification_version FROM domain_metadata WHERE id = 0")
        return rows[0][0] if rows else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
