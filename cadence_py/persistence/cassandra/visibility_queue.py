"""VisibilityQueue on Cadence's ``queue`` table (keyspace ``cadence``).

``queue`` is upstream's message queue: partition ``queue_type``, clustered by
``message_id``. Upstream uses ``queue_type`` 1 (domain replication) and negative types
for its dead-letter queues; our outbox lives under ``QUEUE_TYPE`` = 0x63707976 (ASCII
"cpyv"), far from both, so the Go server never reads our messages and we never read its.

Message ids: upstream reads the largest id and inserts max+1 ``IF NOT EXISTS``. That
hands an id out again once the newest message was deleted (a drained queue restarts at
the bottom), and a late repeated ack could then delete a newer message. Instead, row
``message_id = -1`` of our partition is a sequence row whose ``message_payload`` holds
the last id handed out (8-byte big-endian). ``enqueue`` is ONE conditional batch on the
partition: bump the sequence ``IF message_payload = <last seen>`` (``IF NOT EXISTS`` the
first time) and insert the messages with the next ids. So ids are never reused, several
processes can enqueue at once (the loser of a race retries with the value Cassandra
returns; within one process, attempts take turns), and a message is visible only
together with every lower id: a reader never sees a gap that fills in later. ``ack`` is
a plain delete. A batch whose outcome is unknown (a timeout) raises; the caller's retry
may then store the messages twice, which the indexer's external versions absorb.

Reads start at the lowest id this process saw last time (everything below it is gone for
good, because new ids are always above the sequence), so acked rows' tombstones at the
head of the partition are not scanned again and again. ``enqueued_at`` is the row's
``created_time``: millisecond precision.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

import gevent
from cassandra import ConsistencyLevel
from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.cassandra.layout import (
    NANOS_PER_MS,
    driver_errors_as_persistence_errors,
    ms_of,
)
from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.visibility_queue import QueuedMessage

log = logging.getLogger(__name__)

QUEUE_TYPE = 0x63707976  # "cpyv": cadence-py visibility outbox
SEQUENCE_ROW_ID = -1
FIRST_MESSAGE_ID = 1
_ENQUEUE_ATTEMPTS = 100  # contention only: each failed attempt means another enqueue won
_ACK_CHUNK = 100

_COLS = "queue_type, message_id, message_payload, created_time"
_CQL = {
    "read": (f"SELECT message_id, message_payload, created_time FROM queue "
             "WHERE queue_type = ? AND message_id >= ? LIMIT ?"),
    "sequence": "SELECT message_payload FROM queue WHERE queue_type = ? AND message_id = ?",
    "create_sequence": f"INSERT INTO queue ({_COLS}) VALUES (?, ?, ?, ?) IF NOT EXISTS",
    "bump_sequence": ("UPDATE queue SET message_payload = ? WHERE queue_type = ? AND "
                      "message_id = ? IF message_payload = ?"),
    "insert": f"INSERT INTO queue ({_COLS}) VALUES (?, ?, ?, ?)",
    "delete": "DELETE FROM queue WHERE queue_type = ? AND message_id IN ?",
}


def _pack(value: int) -> bytes:
    return value.to_bytes(8, "big", signed=True)


def _unpack(blob: Any) -> int:
    return int.from_bytes(bytes(blob), "big", signed=True)


class CassandraVisibilityQueue:
    """The outbox on a session bound to the ``cadence`` keyspace."""

    def __init__(self, session: Session, *, owns_session: bool = False,
                 queue_type: int = QUEUE_TYPE) -> None:
        self._session = session
        self._owns_session = owns_session
        self._type = queue_type
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._q["sequence"].consistency_level = ConsistencyLevel.LOCAL_SERIAL
        self._last: int | None = None  # sequence value as last seen: saves a read
        self._lock = threading.Lock()  # gevent's under monkey-patching
        self._floor = FIRST_MESSAGE_ID  # no message below this will ever exist again

    def _read_sequence(self) -> int | None:
        """The last id handed out, None before the first (LOCAL_SERIAL: this read also
        sees a Paxos write still in flight)."""
        row = self._session.execute(self._q["sequence"], (self._type, SEQUENCE_ROW_ID)).one()
        if row is None or row.get("message_payload") is None:
            return None
        return _unpack(row["message_payload"])

    @driver_errors_as_persistence_errors
    def enqueue(self, payloads: list[bytes]) -> None:
        if not payloads:
            return
        for attempt in range(_ENQUEUE_ATTEMPTS):
            # One attempt at a time per process: callers of this object then never race
            # each other through Paxos, only other processes. Not held while sleeping.
            with self._lock:
                if self._try_enqueue(payloads):
                    return
            gevent.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))  # spread racers
        raise PersistenceError(f"visibility queue: no free message id after "
                               f"{_ENQUEUE_ATTEMPTS} attempts (contention)")

    def _try_enqueue(self, payloads: list[bytes]) -> bool:
        last = self._last if self._last is not None else self._read_sequence()
        start = FIRST_MESSAGE_ID if last is None else last + 1
        new_last = start + len(payloads) - 1
        now_ms = int(time.time() * 1000)
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        if last is None:
            batch.add(self._q["create_sequence"], (self._type, SEQUENCE_ROW_ID,
                                                   _pack(new_last), now_ms))
        else:
            batch.add(self._q["bump_sequence"], (_pack(new_last), self._type,
                                                 SEQUENCE_ROW_ID, _pack(last)))
        for i, payload in enumerate(payloads):
            batch.add(self._q["insert"], (self._type, start + i, bytes(payload), now_ms))
        result = self._session.execute(batch)
        if result.was_applied:
            self._last = new_last
            return True
        self._last = self._seen_sequence(result.current_rows)
        return False

    def _seen_sequence(self, rows: list[dict[str, Any]]) -> int | None:
        """The sequence value a failed batch reported (Cassandra returns the condition's
        row); read it again when the answer does not carry it."""
        for row in rows:
            if row.get("message_id") == SEQUENCE_ROW_ID and row.get("message_payload"):
                return _unpack(row["message_payload"])
        return self._read_sequence()

    @driver_errors_as_persistence_errors
    def read(self, limit: int) -> list[QueuedMessage]:
        if limit <= 0:
            return []
        rows = self._session.execute(self._q["read"], (self._type, self._floor, limit)).all()
        messages = [QueuedMessage(r["message_id"], bytes(r["message_payload"] or b""),
                                  (ms_of(r["created_time"]) or 0) * NANOS_PER_MS)
                    for r in rows]
        if messages:
            self._floor = max(self._floor, messages[0].seq)
        return messages

    @driver_errors_as_persistence_errors
    def ack(self, seqs: list[int]) -> None:
        ids = sorted({int(s) for s in seqs if int(s) >= FIRST_MESSAGE_ID})
        for i in range(0, len(ids), _ACK_CHUNK):
            self._session.execute(self._q["delete"], (self._type, ids[i:i + _ACK_CHUNK]))

    @driver_errors_as_persistence_errors
    def oldest_enqueued_at(self) -> int | None:
        oldest = self.read(1)
        return oldest[0].enqueued_at if oldest else None

    def close(self) -> None:
        if self._owns_session:
            self._session.cluster.shutdown()
