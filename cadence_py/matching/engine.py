"""MatchingEngine: task lists by (domain id, name, type), created on first use."""

from __future__ import annotations

import time
from typing import Any

import gevent
from gevent.event import Event

from cadence_py.matching.queries import QueryRegistry, QueryTask
from cadence_py.matching.task_list import TaskListManager
from cadence_py.metrics.matching import ADD_OPERATIONS, POLL_OPERATIONS, MatchingMetrics
from cadence_py.metrics.names import MATCHING_QUERY_WORKFLOW
from cadence_py.persistence import records as r
from cadence_py.persistence.executions import MatchingTask, TaskStore

DECISION, ACTIVITY = 0, 1


class MatchingEngine:
    def __init__(self, store: TaskStore, metrics: MatchingMetrics | None = None) -> None:
        self.store = store
        self.metrics = metrics or MatchingMetrics()
        self._lists: dict[tuple[str, str, int], TaskListManager] = {}
        self.queries = QueryRegistry()
        self.stopping = Event()

    def task_list(self, domain_id: str, name: str, task_type: int) -> TaskListManager:
        key = (domain_id, name, task_type)
        manager = self._lists.get(key)
        if manager is None:
            # Creating a manager loads its backlog, which may yield (Cassandra): two
            # greenlets can get here for one key; the first stored manager wins.
            manager = self._lists.setdefault(key, TaskListManager(
                self.store, domain_id, name, task_type,
                self.metrics.task_list(domain_id, name, task_type)))
        return manager

    def add_task(self, task: r.TransferTask) -> None:
        """Called by history's transfer queue for decision and activity tasks."""
        task_type = DECISION if task.type == r.TRANSFER_DECISION else ACTIVITY
        manager = self.task_list(task.domain_id, task.task_list, task_type)
        with self.metrics.call(ADD_OPERATIONS[task_type], manager.metrics):
            manager.add(MatchingTask(
                task_id=task.task_id, domain_id=task.domain_id, workflow_id=task.workflow_id,
                run_id=task.run_id, schedule_id=task.schedule_id,
                created_time=time.time_ns()))

    def poll(self, domain_id: str, name: str, task_type: int, timeout: float,
             identity: str = "", cancelled: Event | None = None) -> Any:
        """A task or query, or None (``timeout`` passed, or ``cancelled``: the poller
        is gone, and nothing was taken for it)."""
        if self.stopping.is_set():
            timeout = 0
        manager = self.task_list(domain_id, name, task_type)
        with self.metrics.call(POLL_OPERATIONS.get(task_type, "Poll"), manager.metrics):
            return manager.poll(timeout, identity, cancelled)

    def query(self, task_list: str, query: QueryTask, timeout: float) -> Any:
        """Dispatch a query to the decision pollers of ``task_list``; wait for the answer.

        Returns the RespondQueryTaskCompletedRequest, or None if no worker answered.
        """
        result = self.queries.register(query)
        manager = self.task_list(query.domain_id, task_list, DECISION)
        try:
            with self.metrics.call(MATCHING_QUERY_WORKFLOW, manager.metrics):
                manager.offer_query(query)
                return result.get(timeout=max(timeout, 0))
        except gevent.Timeout:
            return None
        finally:
            self.queries.forget(query.query_id)

    def complete(self, domain_id: str, name: str, task_type: int, task: MatchingTask) -> None:
        self.task_list(domain_id, name, task_type).complete(task)

    def give_back(self, domain_id: str, name: str, task_type: int, task: MatchingTask,
                  first: bool = False) -> None:
        self.task_list(domain_id, name, task_type).give_back(task, first)

    def shutdown(self) -> None:
        """Answer every waiting poll now (empty), and any later one at once."""
        self.stopping.set()
        for manager in self._lists.values():
            manager.release_waiters()
        for manager in list(self._lists.values()):
            manager.finish_deletions()

    def managers(self) -> list[TaskListManager]:
        return list(self._lists.values())

    def known_lists(self, domain_id: str) -> list[TaskListManager]:
        return [m for (d, _, _), m in self._lists.items() if d == domain_id]
