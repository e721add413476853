"""SQLite ExecutionStore and TaskStore, sharing the SQLiteStore's connection.

Each update is one SQLite transaction covering the state row, the current-run row, the
history batch and the queue tasks, guarded by the run's next event id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from cadence_py.persistence.errors import ConditionFailedError, EntityNotExistsError
from cadence_py.persistence.executions import (
    MatchingTask,
    NewRun,
    WorkflowAlreadyExistsError,
)
from cadence_py.persistence.records import (
    CurrentExecution,
    HistoryBatch,
    MutableState,
    TimerTask,
    TransferTask,
    dump_document,
    load_document,
)
from cadence_py.persistence.sqlite.store import SQLiteStore, execute_many


_dump = dump_document  # short: used by every transaction function below


class SQLiteExecutionStore:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def acquire_range(self, shard_id: int) -> int:
        return self.db.write(_acquire_range, shard_id)

    def create_workflow(self, state: MutableState, batch: HistoryBatch,
                        transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                        previous_run_id: str | None = None) -> None:
        self.db.write(_create_workflow, state, batch, transfer_tasks, timer_tasks,
                      previous_run_id)

    def get_workflow(self, domain_id: str, workflow_id: str, run_id: str, *,
                     fenced: bool = False) -> MutableState:
        """(``fenced`` changes nothing here: a SQLite write is committed or not when its
        call returns, also when the writer process died.)"""
        rows = self.db.read("SELECT document FROM executions WHERE domain_id = ? AND "
                            "workflow_id = ? AND run_id = ?", (domain_id, workflow_id, run_id))
        if not rows:
            raise EntityNotExistsError(
                f"Workflow execution not found (workflowId {workflow_id}, runId {run_id}).")
        return load_document(MutableState, rows[0][0])

    def get_current(self, domain_id: str, workflow_id: str) -> CurrentExecution:
        rows = self.db.read("SELECT run_id, create_request_id, state, close_status FROM "
                            "current_executions WHERE domain_id = ? AND workflow_id = ?",
                            (domain_id, workflow_id))
        if not rows:
            raise EntityNotExistsError(f"Workflow execution not found (workflowId {workflow_id}).")
        return CurrentExecution(*rows[0])

    def update_workflow(self, state: MutableState, expected_next_event_id: int,
                        batches: list[HistoryBatch], transfer_tasks: list[TransferTask],
                        timer_tasks: list[TimerTask], new_run: NewRun | None = None) -> None:
        self.db.write(_update_workflow, state, expected_next_event_id, batches,
                      transfer_tasks, timer_tasks, new_run)

    def read_history(self, run_id: str, first_event_id: int, next_event_id: int,
                     max_txn_id: int = 0) -> list[HistoryBatch]:
        rows = self.db.read("SELECT node_id, next_event_id, data, data_encoding, txn_id FROM "
                            "history_node WHERE tree_id = ? AND node_id >= ? AND node_id < ? "
                            "ORDER BY node_id, txn_id DESC", (run_id, first_event_id,
                                                               next_event_id))
        batches: list[HistoryBatch] = []
        for node_id, nxt, data, encoding, txn_id in rows:
            if max_txn_id and txn_id > max_txn_id:
                continue  # written by a write whose state did not land
            if batches and batches[-1].first_event_id == node_id:
                continue  # an older write of the same node
            batches.append(HistoryBatch(node_id, nxt, bytes(data), encoding, txn_id))
        return batches

    def delete_workflow(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        self.db.write(_delete_workflow, domain_id, workflow_id, run_id)

    # ---------------------------------------------------------------- queues
    def get_transfer_tasks(self, limit: int) -> list[TransferTask]:
        rows = self.db.read("SELECT document FROM transfer_tasks ORDER BY task_id LIMIT ?",
                            (limit,))
        return [load_document(TransferTask, r[0]) for r in rows]

    def complete_transfer_tasks(self, tasks: Sequence[TransferTask]) -> None:
        self.db.write(execute_many, "DELETE FROM transfer_tasks WHERE task_id = ?",
                      [(t.task_id,) for t in tasks])

    def get_timer_tasks(self, up_to: int, limit: int) -> list[TimerTask]:
        rows = self.db.read("SELECT document FROM timer_tasks WHERE fire_time <= ? ORDER BY "
                            "fire_time, task_id LIMIT ?", (up_to, limit))
        return [load_document(TimerTask, r[0]) for r in rows]

    def complete_timer_tasks(self, tasks: Sequence[TimerTask]) -> None:
        self.db.write(execute_many,
                      "DELETE FROM timer_tasks WHERE fire_time = ? AND task_id = ?",
                      [(t.fire_time, t.task_id) for t in tasks])

    def close(self) -> None:
        pass  # the connection belongs to the SQLiteStore


class SQLiteTaskStore:
    def __init__(self, db: SQLiteStore) -> None:
        self.db = db

    def create_tasks(self, domain_id: str, task_list: str, task_type: int,
                     tasks: list[MatchingTask]) -> None:
        self.db.write(_create_tasks, domain_id, task_list, task_type, tasks)

    def get_tasks(self, domain_id: str, task_list: str, task_type: int, after_task_id: int,
                  limit: int) -> list[MatchingTask]:
        rows = self.db.read("SELECT document FROM tasks WHERE domain_id = ? AND task_list = ? "
                            "AND task_type = ? AND task_id > ? ORDER BY task_id LIMIT ?",
                            (domain_id, task_list, task_type, after_task_id, limit))
        return [load_document(MatchingTask, r[0]) for r in rows]

    def complete_tasks(self, domain_id: str, task_list: str, task_type: int,
                       task_ids: Sequence[int]) -> None:
        self.db.write(execute_many,
                      "DELETE FROM tasks WHERE domain_id = ? AND task_list = ? AND "
                      "task_type = ? AND task_id = ?",
                      [(domain_id, task_list, task_type, i) for i in task_ids])

    def list_task_lists(self, domain_id: str) -> list[tuple[str, int]]:
        rows = self.db.read("SELECT DISTINCT task_list, task_type FROM tasks WHERE "
                            "domain_id = ?", (domain_id,))
        return [(r[0], r[1]) for r in rows]


# ------------------------------------------------------------------ transactions
# Module-level functions of records, so that a writer process can run them (writer.py);
# then the JSON encoding happens there too (pickling a MutableState costs the server a
# fifth of what encoding its document does).
def _acquire_range(conn: sqlite3.Connection, shard_id: int) -> int:
    row = conn.execute("SELECT range_id FROM shards WHERE shard_id = ?", (shard_id,)).fetchone()
    range_id = (row[0] if row else 0) + 1
    conn.execute("INSERT INTO shards(shard_id, range_id) VALUES (?, ?) ON CONFLICT(shard_id) "
                 "DO UPDATE SET range_id = excluded.range_id", (shard_id, range_id))
    return range_id


def _add(conn: sqlite3.Connection, run_id: str, batches: list[HistoryBatch],
         transfer: list[TransferTask], timers: list[TimerTask]) -> None:
    for batch in batches:  # a rewrite of a node (same txn) replaces it
        conn.execute("INSERT OR REPLACE INTO history_node(tree_id, node_id, txn_id, "
                     "next_event_id, data, data_encoding) VALUES (?, ?, ?, ?, ?, ?)",
                     (run_id, batch.first_event_id, batch.txn_id, batch.next_event_id,
                      batch.data, batch.encoding))
    if transfer:
        conn.executemany("INSERT INTO transfer_tasks(task_id, document) VALUES (?, ?)",
                         [(t.task_id, _dump(t)) for t in transfer])
    if timers:
        conn.executemany("INSERT INTO timer_tasks(fire_time, task_id, document) "
                         "VALUES (?, ?, ?)", [(t.fire_time, t.task_id, _dump(t)) for t in timers])


def _set_current(conn: sqlite3.Connection, state: MutableState) -> None:
    info = state.info
    conn.execute("INSERT INTO current_executions(domain_id, workflow_id, run_id, "
                 "create_request_id, state, close_status) VALUES (?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT(domain_id, workflow_id) DO UPDATE SET run_id = "
                 "excluded.run_id, create_request_id = excluded.create_request_id, "
                 "state = excluded.state, close_status = excluded.close_status",
                 (info.domain_id, info.workflow_id, info.run_id, info.create_request_id,
                  info.state, info.close_status))


def _insert_run(conn: sqlite3.Connection, state: MutableState, batch: HistoryBatch,
                transfer: list[TransferTask], timers: list[TimerTask]) -> None:
    """The run's row, its first history batch, its tasks, and the current-run pointer."""
    info = state.info
    try:
        conn.execute("INSERT INTO executions(domain_id, workflow_id, run_id, next_event_id,"
                     " state, close_status, document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (info.domain_id, info.workflow_id, info.run_id, info.next_event_id,
                      info.state, info.close_status, _dump(state)))
    except sqlite3.IntegrityError:
        raise ConditionFailedError(f"run {info.run_id} already exists") from None
    _add(conn, info.run_id, [batch], transfer, timers)
    _set_current(conn, state)


def _create_workflow(conn: sqlite3.Connection, state: MutableState, batch: HistoryBatch,
                     transfer: list[TransferTask], timers: list[TimerTask],
                     previous_run_id: str | None) -> None:
    info = state.info
    row = conn.execute("SELECT run_id, create_request_id, state, close_status FROM "
                       "current_executions WHERE domain_id = ? AND workflow_id = ?",
                       (info.domain_id, info.workflow_id)).fetchone()
    if row is not None and row[0] != previous_run_id:
        raise WorkflowAlreadyExistsError(CurrentExecution(*row))
    if row is None and previous_run_id is not None:
        raise ConditionFailedError("previous run is no longer current")
    _insert_run(conn, state, batch, transfer, timers)


def _update_workflow(conn: sqlite3.Connection, state: MutableState,
                     expected_next_event_id: int, batches: list[HistoryBatch],
                     transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                     new_run: NewRun | None) -> None:
    info = state.info
    cursor = conn.execute(
        "UPDATE executions SET next_event_id = ?, state = ?, close_status = ?, document = ? "
        "WHERE domain_id = ? AND workflow_id = ? AND run_id = ? AND next_event_id = ?",
        (info.next_event_id, info.state, info.close_status, _dump(state), info.domain_id,
         info.workflow_id, info.run_id, expected_next_event_id))
    if cursor.rowcount != 1:
        raise ConditionFailedError(
            f"run {info.run_id} changed (expected next event {expected_next_event_id})")
    _add(conn, info.run_id, batches, transfer_tasks, timer_tasks)
    row = conn.execute("SELECT run_id, create_request_id, state, close_status FROM "
                       "current_executions WHERE domain_id = ? AND workflow_id = ?",
                       (info.domain_id, info.workflow_id)).fetchone()
    # Rewrite the current row only when it changes (start, close): an UPDATE to the same
    # values still dirties its page, and every update would pay for it.
    if row is not None and row[0] == info.run_id and row[1:] != (
            info.create_request_id, info.state, info.close_status):
        _set_current(conn, state)
    if new_run is not None:
        _insert_run(conn, new_run.state, new_run.batch, new_run.transfer_tasks,
                    new_run.timer_tasks)


def _delete_workflow(conn: sqlite3.Connection, domain_id: str, workflow_id: str,
                     run_id: str) -> None:
    conn.execute("DELETE FROM executions WHERE domain_id = ? AND workflow_id = ? AND "
                 "run_id = ?", (domain_id, workflow_id, run_id))
    conn.execute("DELETE FROM history_node WHERE tree_id = ?", (run_id,))
    conn.execute("DELETE FROM current_executions WHERE domain_id = ? AND workflow_id = ? "
                 "AND run_id = ?", (domain_id, workflow_id, run_id))


def _create_tasks(conn: sqlite3.Connection, domain_id: str, task_list: str, task_type: int,
                  tasks: list[MatchingTask]) -> None:
    conn.executemany("INSERT OR IGNORE INTO tasks(domain_id, task_list, task_type, task_id, "
                     "document) VALUES (?, ?, ?, ?, ?)",
                     [(domain_id, task_list, task_type, t.task_id, _dump(t)) for t in tasks])
