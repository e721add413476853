"""Shard rows and range-id fencing, as Cadence does it on Cassandra.

Each shard has a row (type 0, task_id -11) whose ``range_id`` says who owns the shard:
taking a shard bumps it with ``UPDATE ... IF range_id = old`` (the row is created with
``IF NOT EXISTS`` first), and every state write carries ``IF range_id = R`` on that row
in its batch, so a writer whose shard was taken over fails instead of overwriting.

This process owns every shard it writes to: the first write to a shard acquires it,
like a history host that is handed the shard. If the range moves on under us, the write
fails with ShardOwnershipLostError and the shard is forgotten, so the next write
acquires it again (there is no membership ring yet to hand it to someone else). A bump
made by this same process (the task-id allocator's ``acquire_range``) is not a loss:
writes that raced with it are retried with the new range.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from cassandra.cluster import Session

from cadence_py.persistence.cassandra.layout import (
    DEFAULT_VISIBILITY_TS,
    ROW_SHARD,
    SHARD_KEY,
    SHARD_TASK_ID,
    UdtPacker,
)
from cadence_py.persistence.errors import PersistenceError

_KEY = ("WHERE shard_id = ? AND type = ? AND domain_id = ? AND workflow_id = ? "
        "AND run_id = ? AND visibility_ts = ? AND task_id = ?")
_SELECT = "SELECT range_id FROM executions " + _KEY
_INSERT = ("INSERT INTO executions (shard_id, type, domain_id, workflow_id, run_id, "
           "visibility_ts, task_id, shard, range_id, created_time, last_updated_time) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS")
_BUMP = "UPDATE executions SET range_id = ?, last_updated_time = ? " + _KEY + " IF range_id = ?"
_ASSERT = "UPDATE executions SET range_id = ? " + _KEY + " IF range_id = ?"
FIRST_RANGE_ID = 1
_ATTEMPTS = 10


class ShardOwnershipLostError(PersistenceError):
    """Another writer took the shard (bumped its range id) since we acquired it."""


def shard_key(shard_id: int) -> tuple[Any, ...]:
    return (shard_id, ROW_SHARD, *SHARD_KEY, DEFAULT_VISIBILITY_TS, SHARD_TASK_ID)


class ShardRanges:
    """The range id this process holds for each shard it has acquired."""

    def __init__(self, session: Session, packer: UdtPacker) -> None:
        self._session = session
        self._packer = packer
        self._select = session.prepare(_SELECT)
        self._insert = session.prepare(_INSERT)
        self._bump = session.prepare(_BUMP)
        self._assert = session.prepare(_ASSERT)
        self._held: dict[int, int] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self._owner = f"cadence-py@{socket.gethostname()}"

    def _lock(self, shard_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(shard_id, threading.Lock())

    def acquire(self, shard_id: int) -> int:
        """Bump the shard's range id (creating the row at 1) and hold the new value."""
        with self._lock(shard_id):
            range_id = self._bump_range(shard_id)
            self._held[shard_id] = range_id
            return range_id

    def _bump_range(self, shard_id: int) -> int:
        key = shard_key(shard_id)
        rows = self._session.execute(self._select, key).all()
        current = rows[0]["range_id"] if rows else None
        for _ in range(_ATTEMPTS):
            now_ms = int(time.time() * 1000)
            if current is None:
                udt = self._packer.pack("shard", {
                    "shard_id": shard_id, "owner": self._owner, "range_id": FIRST_RANGE_ID,
                    "stolen_since_renew": 0, "updated_at": now_ms,
                    "replication_ack_level": 0, "transfer_ack_level": 0,
                    "timer_ack_level": DEFAULT_VISIBILITY_TS,
                    "domain_notification_version": 0})
                result = self._session.execute(self._insert, (*key, udt, FIRST_RANGE_ID,
                                                              now_ms, now_ms))
                if result.was_applied:
                    return FIRST_RANGE_ID
            else:
                result = self._session.execute(self._bump, (current + 1, now_ms, *key,
                                                            current))
                if result.was_applied:
                    return current + 1
            # Lost a race: the returned row carries the value that won.
            row = result.one() or {}
            current = row.get("range_id")
        raise PersistenceError(f"could not acquire shard {shard_id}: too much contention")

    def held(self, shard_id: int) -> int:
        """The range id to assert for a write to this shard (acquiring it if needed)."""
        range_id = self._held.get(shard_id)
        if range_id is not None:
            return range_id
        with self._lock(shard_id):
            range_id = self._held.get(shard_id)
            if range_id is None:
                range_id = self._bump_range(shard_id)
                self._held[shard_id] = range_id
            return range_id

    def assertion(self, shard_id: int, range_id: int) -> tuple[Any, tuple[Any, ...]]:
        """The statement every state-write batch carries: ``IF range_id = R``."""
        return self._assert, (range_id, *shard_key(shard_id), range_id)

    def check(self, shard_id: int, asserted: int, rows: list[dict[str, Any]]) -> bool:
        """After a batch that was not applied: True if only the range moved on because
        this process bumped it (retry), False if the range is fine (the failure was some
        other condition). Raises ShardOwnershipLostError if someone else took the shard."""
        # Cassandra returns every existing row a condition was on, met or not; a missing
        # shard row means it is gone altogether.
        shard_row = next((r for r in rows if r.get("type") == ROW_SHARD), None)
        actual = shard_row.get("range_id") if shard_row is not None else None
        if actual == asserted:
            return False
        with self._lock(shard_id):  # waits for a bump of ours that may be in flight
            held = self._held.get(shard_id)
            if held is not None and held != asserted and held == actual:
                return True
            if held == asserted:
                del self._held[shard_id]
        raise ShardOwnershipLostError(
            f"shard {shard_id} range id is {actual}, this process held {asserted}")
