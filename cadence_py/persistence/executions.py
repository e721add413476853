"""Interfaces of the stores behind the history and matching roles.

ExecutionStore keeps runs (mutable state + current-run pointer), their histories and
the durable transfer/timer queues; every state change and the tasks it creates are one
atomic write, conditional on the run's next event id, so that nothing is lost or applied
twice. TaskStore keeps matching's task-list backlogs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.records import (
    CurrentExecution,
    HistoryBatch,
    MutableState,
    TimerTask,
    TransferTask,
)


class WorkflowAlreadyExistsError(PersistenceError):
    """create_workflow found a current run it was not told to replace."""

    def __init__(self, current: CurrentExecution) -> None:
        super().__init__(f"workflow already has current run {current.run_id}")
        self.current = current

    def __reduce__(self) -> tuple:  # pickles (SQLite writer process) with its argument
        return type(self), (self.current,)


@dataclass
class NewRun:
    """A run created together with an update (continue-as-new, cron, retry)."""

    state: MutableState
    batch: HistoryBatch
    transfer_tasks: list[TransferTask]
    timer_tasks: list[TimerTask]


@dataclass
class MatchingTask:
    """One task in a task list's backlog."""

    task_id: int
    domain_id: str
    workflow_id: str
    run_id: str
    schedule_id: int
    created_time: int
    expiry_time: int = 0  # unix nanos; 0 = never


class ExecutionStore(Protocol):
    def acquire_range(self, shard_id: int) -> int:
        """Bump and return the shard's range id; task ids come from that range."""

    def create_workflow(self, state: MutableState, batch: HistoryBatch,
                        transfer_tasks: list[TransferTask], timer_tasks: list[TimerTask],
                        previous_run_id: str | None = None) -> None:
        """Insert a new run and make it current.

        With ``previous_run_id`` None there must be no current run; otherwise the current
        run must be that one (it is replaced). WorkflowAlreadyExistsError otherwise.
        """

    def get_workflow(self, domain_id: str, workflow_id: str, run_id: str, *,
                     fenced: bool = False) -> MutableState:
        """EntityNotExistsError if the run is unknown.

        ``fenced``: a read that no write left in doubt can contradict later. A write whose
        call failed (timeout, node down) may still be applied afterwards; on Cassandra a
        conditional write accepted but not committed when the node died is invisible to
        ordinary reads until the next conditional write on the partition finishes it, so a
        plain read can return the state before it. A fenced read (Cassandra: at serial
        consistency) finishes or voids such a write first. Stores whose writes are never
        left in doubt (SQLite) read as usual.
        """

    def get_current(self, domain_id: str, workflow_id: str) -> CurrentExecution:
        """EntityNotExistsError if the workflow id was never started."""

    def update_workflow(self, state: MutableState, expected_next_event_id: int,
                        batches: list[HistoryBatch], transfer_tasks: list[TransferTask],
                        timer_tasks: list[TimerTask], new_run: NewRun | None = None) -> None:
        """Replace the run's state, append history, add tasks: all or nothing.

        ConditionFailedError if the stored next event id is not the expected one (another
        writer got there first). The current-run pointer follows the state (and moves to
        ``new_run`` if one is given).
        """

    def read_history(self, run_id: str, first_event_id: int, next_event_id: int,
                     max_txn_id: int = 0) -> list[HistoryBatch]:
        """Batches whose events fall in [first_event_id, next_event_id), in order; of the
        rows of one node, the one with the highest txn id, none above ``max_txn_id`` (the
        state's ``last_event_task_id``; 0: no bound). A row above it belongs to a write
        whose state did not land: a write in doubt that lost its condition later, whose
        row no one deleted, would otherwise replace a batch already served."""

    def get_transfer_tasks(self, limit: int) -> list[TransferTask]:
        """The oldest pending transfer tasks."""

    def complete_transfer_tasks(self, tasks: Sequence[TransferTask]) -> None:
        """Delete these handled tasks, in as few writes as the store can (the queue
        processors complete in batches: one call per flush, not one per task). Tasks
        already gone are ignored."""

    def get_timer_tasks(self, up_to: int, limit: int) -> list[TimerTask]:
        """Pending timer tasks due at or before ``up_to`` (unix nanos), oldest first."""

    def complete_timer_tasks(self, tasks: Sequence[TimerTask]) -> None:
        """As complete_transfer_tasks, for timer tasks (keyed by fire time and task id)."""

    def delete_workflow(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        """Remove a closed run and its history (retention)."""

    def close(self) -> None: ...


class TaskStore(Protocol):
    def create_tasks(self, domain_id: str, task_list: str, task_type: int,
                     tasks: list[MatchingTask]) -> None: ...

    def get_tasks(self, domain_id: str, task_list: str, task_type: int, after_task_id: int,
                  limit: int) -> list[MatchingTask]: ...

    def complete_tasks(self, domain_id: str, task_list: str, task_type: int,
                       task_ids: Sequence[int]) -> None:
        """Delete these tasks of one task list (matching completes in batches); tasks
        already gone are ignored."""

    def list_task_lists(self, domain_id: str) -> list[tuple[str, int]]:
        """(name, type) of task lists with a backlog in this domain."""
