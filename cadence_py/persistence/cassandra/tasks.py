"""TaskStore on Cadence's ``tasks`` table (matching's task-list backlogs).

A partition per task list ``(domain_id, task_list_name, task_list_type)``: task rows
(``type`` 0, keyed by ``task_id``, the ``task`` UDT) and one task-list row (``type`` 1,
``task_id`` -12345) holding ``range_id`` and the ``task_list`` UDT. Upstream creates the
task-list row with ``IF NOT EXISTS`` at ``range_id`` 1 when a host first leases the list;
we create it the same way on the first write to a list (once per process), so the Go
server finds a well-formed partition. Matching here keeps no lease (one process owns all
lists), so task inserts are a plain logged batch without the ``IF range_id`` guard.

Differences from the SQLite store, forced by the table having no free-form column:

* ``created_time`` is a CQL timestamp: stored and returned at millisecond precision.
* ``expiry_time`` becomes the row's TTL (as upstream turns a schedule-to-start timeout
  into ``USING TTL``): Cassandra drops the task when it expires, and a read gives the
  expiry back from ``TTL(task)``, i.e. at one-second precision.
* ``list_task_lists`` scans the partition keys of the whole table (upstream does not
  offer it on Cassandra at all); it is an admin operation, not a hot path.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.cassandra.layout import (
    NANOS_PER_MS,
    UdtPacker,
    delete_in_one_partition,
    driver_errors_as_persistence_errors,
    ms_of,
    uuid_text,
)
from cadence_py.persistence.executions import MatchingTask

ROW_TASK, ROW_TASK_LIST = 0, 1
TASK_LIST_TASK_ID = -12345
FIRST_RANGE_ID = 1
TASK_LIST_KIND_NORMAL = 0
MAX_TTL_SECONDS = 157_680_000  # upstream maxCassandraTTL (5 years)

_PARTITION = "domain_id = ? AND task_list_name = ? AND task_list_type = ?"
_CQL = {
    "insert": ("INSERT INTO tasks (domain_id, task_list_name, task_list_type, type, task_id, "
               "task, created_time) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    "insert_ttl": ("INSERT INTO tasks (domain_id, task_list_name, task_list_type, type, "
                   "task_id, task, created_time) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?"),
    "select": (f"SELECT task_id, task, TTL(task) AS ttl FROM tasks WHERE {_PARTITION} "
               "AND type = ? AND task_id > ? LIMIT ?"),
    "delete": f"DELETE FROM tasks WHERE {_PARTITION} AND type = ? AND task_id = ?",
    "insert_list": ("INSERT INTO tasks (domain_id, task_list_name, task_list_type, type, "
                    "task_id, range_id, task_list, created_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "IF NOT EXISTS"),
    "has_task": f"SELECT task_id FROM tasks WHERE {_PARTITION} AND type = ? LIMIT 1",
    "partitions": "SELECT DISTINCT domain_id, task_list_name, task_list_type FROM tasks",
}


class CassandraTaskStore:
    """Matching's backlog store; the session is borrowed (the execution store owns it)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._packer = UdtPacker(session, session.keyspace)
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._known_lists: set[tuple[uuid.UUID, str, int]] = set()
        self._lock = threading.Lock()

    def _ensure_list(self, partition: tuple[uuid.UUID, str, int]) -> None:
        with self._lock:
            if partition in self._known_lists:
                return
        now_ms = int(time.time() * 1000)
        domain_id, name, task_type = partition
        task_list = self._packer.pack("task_list", {
            "domain_id": domain_id, "name": name, "type": task_type, "ack_level": 0,
            "kind": TASK_LIST_KIND_NORMAL, "last_updated": now_ms})
        # Not applied = the row exists already, which is all we need.
        self._session.execute(self._q["insert_list"], (*partition, ROW_TASK_LIST,
                                                       TASK_LIST_TASK_ID, FIRST_RANGE_ID,
                                                       task_list, now_ms))
        with self._lock:
            self._known_lists.add(partition)

    @driver_errors_as_persistence_errors
    def create_tasks(self, domain_id: str, task_list: str, task_type: int,
                     tasks: list[MatchingTask]) -> None:
        if not tasks:
            return
        partition = (uuid.UUID(domain_id), task_list, task_type)
        self._ensure_list(partition)
        now_ns = time.time_ns()
        batch = BatchStatement(batch_type=BatchType.LOGGED)
        for t in tasks:
            created_ms = t.created_time // NANOS_PER_MS if t.created_time else None
            udt = self._packer.pack("task", {
                "domain_id": uuid.UUID(t.domain_id), "workflow_id": t.workflow_id,
                "run_id": uuid.UUID(t.run_id), "schedule_id": t.schedule_id,
                "created_time": created_ms})
            params: tuple[Any, ...] = (*partition, ROW_TASK, t.task_id, udt, created_ms)
            if t.expiry_time:
                ttl = -(-(t.expiry_time - now_ns) // 1_000_000_000)  # ceil, whole seconds
                batch.add(self._q["insert_ttl"], (*params, min(max(ttl, 1), MAX_TTL_SECONDS)))
            else:
                batch.add(self._q["insert"], params)
        self._session.execute(batch)

    @driver_errors_as_persistence_errors
    def get_tasks(self, domain_id: str, task_list: str, task_type: int, after_task_id: int,
                  limit: int) -> list[MatchingTask]:
        try:
            partition = (uuid.UUID(domain_id), task_list, task_type)
        except ValueError:
            return []
        now_ns = time.time_ns()
        rows = self._session.execute(self._q["select"], (*partition, ROW_TASK, after_task_id,
                                                         limit))
        tasks = []
        for row in rows:
            u = row["task"]
            created_ms = ms_of(getattr(u, "created_time", None))
            ttl = row.get("ttl")
            tasks.append(MatchingTask(
                task_id=row["task_id"], domain_id=uuid_text(getattr(u, "domain_id", None)),
                workflow_id=getattr(u, "workflow_id", None) or "",
                run_id=uuid_text(getattr(u, "run_id", None)),
                schedule_id=getattr(u, "schedule_id", None) or 0,
                created_time=created_ms * NANOS_PER_MS if created_ms else 0,
                expiry_time=now_ns + ttl * 1_000_000_000 if ttl else 0))
        return tasks

    @driver_errors_as_persistence_errors
    def complete_tasks(self, domain_id: str, task_list: str, task_type: int,
                       task_ids: Sequence[int]) -> None:
        partition = (uuid.UUID(domain_id), task_list, task_type)
        for future in delete_in_one_partition(self._session, self._q["delete"], [
                (*partition, ROW_TASK, task_id) for task_id in task_ids]):
            future.result()

    @driver_errors_as_persistence_errors
    def list_task_lists(self, domain_id: str) -> list[tuple[str, int]]:
        try:
            wanted = uuid.UUID(domain_id)
        except ValueError:
            return []
        found = []
        for row in self._session.execute(self._q["partitions"]):
            if row["domain_id"] != wanted:
                continue
            key = (wanted, row["task_list_name"], row["task_list_type"])
            if self._session.execute(self._q["has_task"], (*key, ROW_TASK)).all():
                found.append((row["task_list_name"], row["task_list_type"]))
        return found

    def close(self) -> None:
        pass  # the session belongs to the execution store
