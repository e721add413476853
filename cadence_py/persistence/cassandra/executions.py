"""ExecutionStore on Cassandra, in Cadence's own ``executions`` layout.

Semantics are those of the SQLite store (the reference); the layout is upstream's, so the
rows mean the same to the Go server (see ``layout`` for the row kinds and ``rows`` for
the column mapping). Each state write is ONE logged batch on the shard's partition:

* create: current-run row ``IF NOT EXISTS`` (or ``IF current_run_id = previous`` when it
  replaces a run), the run row ``IF NOT EXISTS``, the queue task rows, and the shard's
  ``IF range_id = R`` assertion;
* update: the run row ``IF next_event_id = expected``, the current row ``IF
  current_run_id = <this run>`` when the run is current, a continue-as-new run's rows,
  the task rows, and the range assertion.

The run's maps (activities, timers, ...) are written whole on every update: the store
is handed the new state, not a diff (upstream writes per-entry changes). That costs one
collection tombstone per map per update, purged by compaction like any other.

Whether the run being updated is current is not known up front; the batch first assumes
it (the usual case, no extra read) and, if only that condition failed, is sent again
without touching the pointer, as SQLite leaves a pointer to another run alone.

History nodes live in other tables, so they cannot join the conditional batch: they are
written just before it (a state that is visible always has its history), and deleted
again if the batch loses its condition. The queues (scans across shards, completion)
are in ``queues``; every write tells them which task keys it adds, so their scan floors
never pass a task that is about to appear. Driver failures surface as PersistenceError.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.cassandra.history import HistoryTable
from cadence_py.persistence.cassandra.layout import (
    CURRENT_RUN_KEY,
    DEFAULT_NUM_SHARDS,
    DEFAULT_VISIBILITY_TS,
    EXECUTION_TASK_ID,
    ROW_EXECUTION,
    UdtPacker,
    driver_errors_as_persistence_errors,
    shard_of,
    strict_uuid,
)
from cadence_py.persistence.cassandra import rows as R
from cadence_py.persistence.cassandra.queues import TaskQueues
from cadence_py.persistence.cassandra.shards import ShardOwnershipLostError, ShardRanges
from cadence_py.persistence.errors import ConditionFailedError, EntityNotExistsError
from cadence_py.persistence.executions import NewRun, WorkflowAlreadyExistsError
from cadence_py.persistence.records import (
    CurrentExecution,
    HistoryBatch,
    MutableState,
    TimerTask,
    TransferTask,
)

__all__ = ["CassandraExecutionStore", "ShardOwnershipLostError"]

_PK = "shard_id, type, domain_id, workflow_id, run_id, visibility_ts, task_id"
_KEY = ("WHERE shard_id = ? AND type = ? AND domain_id = ? AND workflow_id = ? "
        "AND run_id = ? AND visibility_ts = ? AND task_id = ?")
_STATE_COLS = ("execution", "next_event_id", "activity_map", "timer_map",
               "child_executions_map", "request_cancel_map", "signal_map", "signal_requested",
               "buffered_events_list", "workflow_state", "workflow_last_write_version", "data",
               "data_encoding")
_CURRENT_COLS = ("current_run_id", "execution", "workflow_state", "workflow_last_write_version",
                 "data", "data_encoding")


def _insert(cols: tuple[str, ...], suffix: str = "") -> str:
    names = f"{_PK}, {', '.join(cols)}"
    marks = ", ".join("?" * (7 + len(cols)))
    return f"INSERT INTO executions ({names}) VALUES ({marks}){suffix}"


def _update(cols: tuple[str, ...], condition: str) -> str:
    sets = ", ".join(f"{c} = ?" for c in cols)
    return f"UPDATE executions SET {sets} {_KEY} IF {condition} = ?"


_CQL = {
    "insert_run": _insert(_STATE_COLS + ("created_time", "last_updated_time"), " IF NOT EXISTS"),
    "update_run": _update(_STATE_COLS + ("last_updated_time",), "next_event_id"),
    "select_run": f"SELECT {', '.join(_STATE_COLS)} FROM executions {_KEY}",
    "delete_row": f"DELETE FROM executions {_KEY}",
    "insert_current": _insert(_CURRENT_COLS + ("created_time", "last_updated_time"),
                              " IF NOT EXISTS"),
    "update_current": _update(_CURRENT_COLS + ("last_updated_time",), "current_run_id"),
    "select_current": f"SELECT {', '.join(_CURRENT_COLS)} FROM executions {_KEY}",
    "delete_current": f"DELETE FROM executions {_KEY} IF current_run_id = ?",
}
_WRITE_ATTEMPTS = 3
# Failures that prove a write was not applied (others leave it uncertain).
_NOT_APPLIED = (ConditionFailedError, WorkflowAlreadyExistsError, ShardOwnershipLostError,
                ValueError)


def _run_key(shard: int, domain_id: str, workflow_id: str, run_id: Any) -> tuple[Any, ...]:
    run = run_id if not isinstance(run_id, str) else strict_uuid(run_id, "run id")
    return (shard, ROW_EXECUTION, strict_uuid(domain_id, "domain id"), workflow_id, run,
            DEFAULT_VISIBILITY_TS, EXECUTION_TASK_ID)


def _is_row(row: dict[str, Any], run_id: Any) -> bool:
    return row.get("type") == ROW_EXECUTION and row.get("run_id") == run_id


class CassandraExecutionStore:
    """Cadence's ExecutionManager/ShardManager on a session bound to the keyspace."""

    def __init__(self, session: Session, num_shards: int = DEFAULT_NUM_SHARDS, *,
                 owns_session: bool = False) -> None:
        if num_shards < 1:
            raise ValueError("numHistoryShards must be at least 1")
        self._session = session
        self._owns_session = owns_session
        self.num_shards = num_shards
        self._packer = UdtPacker(session, session.keyspace)
        self._q = {name: session.prepare(cql) for name, cql in _CQL.items()}
        self._shards = ShardRanges(session, self._packer)
        self._history = HistoryTable(session)
        self._queues = TaskQueues(session, num_shards, self._packer)
        # One conditional batch in flight per shard, as upstream's shard context holds
        # its lock across the write: LWTs on one partition that race each other make
        # Paxos retry (measured: 4.3 Paxos writes per LWT when they raced, 3 otherwise).
        # threading locks: gevent's once the server has patched, real ones for the tests'
        # threads (a gevent semaphore must not be shared between OS threads).
        self._shard_locks = [threading.Lock() for _ in range(num_shards)]
        profile = session.cluster.profile_manager.profiles[EXEC_PROFILE_DEFAULT]
        self._serial_consistency = profile.serial_consistency_level or \
            ConsistencyLevel.LOCAL_SERIAL

    def shard_of(self, workflow_id: str) -> int:
        return shard_of(workflow_id, self.num_shards)

    # ---------------------------------------------------------------- shards
    @driver_errors_as_persistence_errors
    def acquire_range(self, shard_id: int) -> int:
        return self._shards.acquire(shard_id)

    def _write(self, shard: int, statements: list[tuple[Any, tuple[Any, ...]]]
               ) -> list[dict[str, Any]] | None:
        """Run the statements as one logged batch with the range assertion; None when it
        was applied, else the rows Cassandra returned for the conditions."""
        for _ in range(_WRITE_ATTEMPTS):
            with self._shard_locks[shard]:  # the range id as of the write, not of the wait
                range_id = self._shards.held(shard)
                batch = BatchStatement(batch_type=BatchType.LOGGED)
                for stmt, params in statements:
                    batch.add(stmt, params)
                batch.add(*self._shards.assertion(shard, range_id))
                result = self._session.execute(batch)
            if result.was_applied:
                return None
            rows = list(result.current_rows)
            if not self._shards.check(shard, range_id, rows):
                return rows
        raise ShardOwnershipLostError(f"shard {shard}: range id kept moving during a write")

    # ------------------------------------------------------------- statements
    def _run_insert(self, shard: int, state: MutableState, now_ms: int
                    ) -> tuple[Any, tuple[Any, ...]]:
        info = state.info
        cols = R.state_columns(state, self._packer)
        values = tuple(cols[c] for c in _STATE_COLS)
        return self._q["insert_run"], (*_run_key(shard, info.domain_id, info.workflow_id,
                                                 info.run_id), *values, now_ms, now_ms)

    def _current_write(self, shard: int, state: MutableState, now_ms: int,
                       if_current: Any) -> tuple[Any, tuple[Any, ...]]:
        """Point the workflow at ``state``'s run: ``if_current`` None inserts the pointer
        (IF NOT EXISTS), else it must currently point at that run id."""
        info = state.info
        cols = R.current_columns(state, self._packer)
        values = tuple(cols[c] for c in _CURRENT_COLS)
        key = _run_key(shard, info.domain_id, info.workflow_id, CURRENT_RUN_KEY)
        if if_current is None:
            return self._q["insert_current"], (*key, *values, now_ms, now_ms)
        return self._q["update_current"], (*values, now_ms, *key, if_current)

    # ------------------------------------------------------------- workflows
    @driver_errors_as_persistence_errors
    def create_workflow(self, state: MutableState, batch: HistoryBatch,
                        transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                        previous_run_id: str | None = None) -> None:
        shard = self.shard_of(state.info.workflow_id)
        with self._queues.adding(shard, transfer_tasks, timer_tasks, _NOT_APPLIED):
            self._create(shard, state, batch, transfer_tasks, timer_tasks, previous_run_id)

    def _create(self, shard: int, state: MutableState, batch: HistoryBatch,
                transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                previous_run_id: str | None) -> None:
        info = state.info
        now_ms = int(time.time() * 1000)
        previous = strict_uuid(previous_run_id, "run id") if previous_run_id else None
        statements = [self._current_write(shard, state, now_ms, previous),
                      self._run_insert(shard, state, now_ms),
                      *self._queues.inserts(shard, transfer_tasks, timer_tasks, now_ms)]
        self._history.append(info.domain_id, info.workflow_id, info.run_id, [batch],
                             new_tree=True)
        try:
            rows = self._write(shard, statements)
        except ShardOwnershipLostError:
            self._history.delete(info.run_id)  # not applied: nothing refers to it
            raise
        if rows is None:
            return
        if not any(_is_row(r, strict_uuid(info.run_id, "run id")) for r in rows):
            self._history.delete(info.run_id)  # no state refers to it: drop the history
        current = next((r for r in rows if _is_row(r, CURRENT_RUN_KEY)), None)
        if previous is None and current is not None:
            raise WorkflowAlreadyExistsError(R.current_from_row(current))
        if previous is not None and current is None:
            raise ConditionFailedError("previous run is no longer current")
        if previous is not None and current is not None and \
                current.get("current_run_id") != previous:
            # An UPDATE's failed condition returns only the condition columns.
            raise WorkflowAlreadyExistsError(self.get_current(info.domain_id,
                                                              info.workflow_id))
        raise ConditionFailedError(f"run {info.run_id} already exists")

    @driver_errors_as_persistence_errors
    def get_workflow(self, domain_id: str, workflow_id: str, run_id: str, *,
                     fenced: bool = False) -> MutableState:
        missing = EntityNotExistsError(
            f"Workflow execution not found (workflowId {workflow_id}, runId {run_id}).")
        try:
            key = _run_key(self.shard_of(workflow_id), domain_id, workflow_id, run_id)
        except ValueError:
            raise missing from None
        stmt = self._q["select_run"].bind(key)
        if fenced:  # a Paxos read: finishes (or voids) a conditional write left in progress
            stmt.consistency_level = self._serial_consistency
        rows = self._session.execute(stmt).all()
        if not rows or rows[0].get("execution") is None:
            raise missing
        return R.state_from_row(rows[0])

    @driver_errors_as_persistence_errors
    def get_current(self, domain_id: str, workflow_id: str) -> CurrentExecution:
        missing = EntityNotExistsError(f"Workflow execution not found (workflowId {workflow_id}).")
        try:
            key = _run_key(self.shard_of(workflow_id), domain_id, workflow_id, CURRENT_RUN_KEY)
        except ValueError:
            raise missing from None
        rows = self._session.execute(self._q["select_current"], key).all()
        if not rows or rows[0].get("current_run_id") is None:
            raise missing
        return R.current_from_row(rows[0])

    @driver_errors_as_persistence_errors
    def update_workflow(self, state: MutableState, expected_next_event_id: int,
                        batches: list[HistoryBatch], transfer_tasks: list[TransferTask],
                        timer_tasks: list[TimerTask], new_run: NewRun | None = None) -> None:
        shard = self.shard_of(state.info.workflow_id)  # a new run has the same workflow id
        transfer = transfer_tasks + (new_run.transfer_tasks if new_run else [])
        timers = timer_tasks + (new_run.timer_tasks if new_run else [])
        with self._queues.adding(shard, transfer, timers, _NOT_APPLIED):
            self._update(shard, state, expected_next_event_id, batches, transfer_tasks,
                         timer_tasks, new_run)

    def _update(self, shard: int, state: MutableState, expected_next_event_id: int,
                batches: list[HistoryBatch], transfer_tasks: list[TransferTask],
                timer_tasks: list[TimerTask], new_run: NewRun | None) -> None:
        info = state.info
        run_id = strict_uuid(info.run_id, "run id")
        self._history.append(info.domain_id, info.workflow_id, info.run_id, batches)
        if new_run is not None:
            n = new_run.state.info
            self._history.append(n.domain_id, n.workflow_id, n.run_id, [new_run.batch],
                                 new_tree=True)
        # Who the pointer must name for our write to touch it; "unknown" first = assume
        # this run is current (one round trip in the usual case).
        pointer: Any = run_id
        for _ in range(_WRITE_ATTEMPTS):
            now_ms = int(time.time() * 1000)
            cols = R.state_columns(state, self._packer)
            values = tuple(cols[c] for c in _STATE_COLS)
            statements = [(self._q["update_run"], (
                *values, now_ms, *_run_key(shard, info.domain_id, info.workflow_id, run_id),
                expected_next_event_id))]
            target = new_run.state if new_run is not None else state
            if new_run is not None:
                statements.append(self._run_insert(shard, new_run.state, now_ms))
                statements += self._queues.inserts(shard, new_run.transfer_tasks,
                                                new_run.timer_tasks, now_ms)
            if pointer is not False and (pointer is not None or new_run is not None):
                statements.append(self._current_write(shard, target, now_ms, pointer))
            statements += self._queues.inserts(shard, transfer_tasks, timer_tasks, now_ms)
            try:
                rows = self._write(shard, statements)
            except ShardOwnershipLostError:
                self._lost(info.run_id, batches, new_run)  # definitely not applied
                raise
            if rows is None:
                return
            new_run_exists = new_run is not None and any(
                _is_row(r, strict_uuid(new_run.state.info.run_id, "run id")) for r in rows)
            run_row = next((r for r in rows if _is_row(r, run_id)), None)
            if run_row is None or run_row.get("next_event_id") != expected_next_event_id:
                self._lost(info.run_id, batches, None if new_run_exists else new_run)
                raise ConditionFailedError(
                    f"run {info.run_id} changed (expected next event {expected_next_event_id})")
            if new_run is not None and new_run_exists:
                self._lost(info.run_id, batches, None)  # its history is the existing run's
                raise ConditionFailedError(f"run {new_run.state.info.run_id} already exists")
            # Only the pointer condition failed: it names another run (or none).
            current = next((r for r in rows if _is_row(r, CURRENT_RUN_KEY)), None)
            actual = current.get("current_run_id") if current is not None else None
            if new_run is not None:
                pointer = actual  # the new run becomes current whatever it was (as SQLite)
            else:
                pointer = False  # not current: leave the pointer alone
        self._lost(info.run_id, batches, new_run)
        raise ConditionFailedError(f"run {info.run_id}: current-run pointer kept moving")

    def _lost(self, run_id: str, batches: list[HistoryBatch], new_run: NewRun | None) -> None:
        """Undo the history writes of an update that lost its condition (``new_run``:
        a run whose row was not written, so nothing refers to its tree)."""
        self._history.discard(run_id, batches)
        if new_run is not None:
            self._history.delete(new_run.state.info.run_id)

    @driver_errors_as_persistence_errors
    def read_history(self, run_id: str, first_event_id: int, next_event_id: int,
                     max_txn_id: int = 0) -> list[HistoryBatch]:
        return self._history.read(run_id, first_event_id, next_event_id, max_txn_id)

    @driver_errors_as_persistence_errors
    def delete_workflow(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        shard = self.shard_of(workflow_id)
        run = strict_uuid(run_id, "run id")
        with self._shard_locks[shard]:  # conditional too: no racing LWTs on the shard
            self._session.execute(self._q["delete_current"], (
                *_run_key(shard, domain_id, workflow_id, CURRENT_RUN_KEY), run))
        self._session.execute(self._q["delete_row"], _run_key(shard, domain_id, workflow_id,
                                                              run))
        self._history.delete(run_id)

    # ---------------------------------------------------------------- queues
    @driver_errors_as_persistence_errors
    def get_transfer_tasks(self, limit: int) -> list[TransferTask]:
        return self._queues.get_transfer_tasks(limit)

    @driver_errors_as_persistence_errors
    def complete_transfer_tasks(self, tasks: Sequence[TransferTask]) -> None:
        self._queues.complete_transfer_tasks(tasks)

    @driver_errors_as_persistence_errors
    def get_timer_tasks(self, up_to: int, limit: int) -> list[TimerTask]:
        return self._queues.get_timer_tasks(up_to, limit)

    @driver_errors_as_persistence_errors
    def complete_timer_tasks(self, tasks: Sequence[TimerTask]) -> None:
        self._queues.complete_timer_tasks(tasks)

    def close(self) -> None:
        if self._owns_session:
            self._session.cluster.shutdown()
