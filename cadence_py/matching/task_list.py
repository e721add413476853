"""One task list (domain, name, type): a durable backlog plus waiting pollers.

A task is written to the store before anyone can take it, and deleted only after history
recorded it as started: a crash in between means it is offered again, and history
recognises the duplicate.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass
from typing import Any

import gevent
from gevent.event import AsyncResult

from cadence_py.metrics.matching import MatchingMetrics, TaskListMetrics
from cadence_py.persistence.executions import MatchingTask, TaskStore


@dataclass
class PollerInfo:
    identity: str
    last_access_time: int  # unix nanos
    rate_per_second: float = 100000.0


class TaskListManager:
    def __init__(self, store: TaskStore, domain_id: str, name: str, task_type: int,
                 metrics: TaskListMetrics | None = None) -> None:
        self.store = store
        self.metrics = metrics or MatchingMetrics().task_list(domain_id, name, task_type)
        self.domain_id = domain_id
        self.name = name
        self.task_type = task_type
        self.backlog: collections.deque[MatchingTask] = collections.deque()
        self.waiters: collections.deque[AsyncResult] = collections.deque()
        self.pollers: dict[str, PollerInfo] = {}
        self.queries: collections.deque[Any] = collections.deque()
        self._known: set[int] = set()
        self._load()

    def _load(self) -> None:
        after = -1
        while True:
            tasks = self.store.get_tasks(self.domain_id, self.name, self.task_type, after, 1000)
            if not tasks:
                return
            for task in tasks:
                self._known.add(task.task_id)
                self.backlog.append(task)
            after = tasks[-1].task_id

    def add(self, task: MatchingTask) -> None:
        if task.task_id in self._known:
            return  # re-delivered transfer task: already in the backlog
        self.store.create_tasks(self.domain_id, self.name, self.task_type, [task])
        self._known.add(task.task_id)
        self._offer(task)

    def offer_query(self, query: Any) -> None:
        """Hand a query to a waiting poller, else put it ahead of the backlog."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.ready():
                waiter.set(query)
                return
        self.queries.append(query)

    def _offer(self, task: MatchingTask) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.ready():
                waiter.set(task)
                return
        self.backlog.append(task)

    def poll(self, timeout: float, identity: str = "") -> Any:
        """A MatchingTask, a QueryTask, or None when ``timeout`` passes."""
        result, handed_over = self._poll(timeout, identity)
        self.metrics.polled(result, handed_over)
        return result

    def backlog_size(self) -> int:
        return len(self.backlog)

    def _poll(self, timeout: float, identity: str) -> tuple[Any, bool]:
        """(what the poll gets, whether it was handed over rather than taken from the
        backlog)."""
        if identity:
            self.pollers[identity] = PollerInfo(identity, time.time_ns())
        if self.queries:
            return self.queries.popleft(), True
        if self.backlog:
            return self.backlog.popleft(), False
        if timeout <= 0:
            return None, False
        waiter: AsyncResult = AsyncResult()
        self.waiters.append(waiter)
        try:
            return waiter.get(timeout=timeout), True
        except gevent.Timeout:
            if waiter.ready():
                return waiter.get(), True
            waiter.set(None)  # nobody may hand a task to this expired poll
            return None, False
        finally:
            if identity:
                self.pollers[identity] = PollerInfo(identity, time.time_ns())

    def release_waiters(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.ready():
                waiter.set(None)

    def complete(self, task: MatchingTask) -> None:
        self.store.complete_task(self.domain_id, self.name, self.task_type, task.task_id)
        self._known.discard(task.task_id)

    def give_back(self, task: MatchingTask) -> None:
        """A task that was taken but could not be started: offer it again."""
        self._offer(task)

    def recent_pollers(self, within_seconds: float = 300) -> list[PollerInfo]:
        cutoff = time.time_ns() - int(within_seconds * 1e9)
        return [p for p in self.pollers.values() if p.last_access_time >= cutoff]
