"""One task list (domain, name, type): a durable backlog plus waiting pollers.

A task that finds a poller waiting is handed to it directly (a "sync match", as upstream
matching does): ``add`` returns only once the poller had history record the task as
started, and the caller (the transfer queue) completes its transfer task only then, so a
crash in between leaves the transfer task to deliver it again. Nothing is written for such
a task. If the poller could not start it, the task goes the durable way.

Any other task is written to the store before anyone can take it, and deleted only after
history recorded it as started: a crash in between means it is offered again, and history
recognises the duplicate. Deletions are written in batches, one store call per
``COMPLETE_DELAY`` per task list (upstream deletes by ack level every so often), not one
per task on the poll's path.

A poll whose caller went away (its ``cancelled`` event: the connection closed, as when a
worker is killed) stops waiting at once, so no task is handed to it; a task or query
handed to it in the same moment is given back, ahead of the others, as upstream matching
drops a poller whose context was cancelled.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass
from typing import Any

import gevent
from gevent.event import AsyncResult, Event

from cadence_py.metrics.matching import MatchingMetrics, TaskListMetrics
from cadence_py.persistence.errors import log_failure
from cadence_py.persistence.executions import MatchingTask, TaskStore

#: Seconds an adder waits for its sync-matched poller to report (it reports within one
#: history call; this only bounds a poller that vanished): then the task is stored.
SYNC_MATCH_WAIT = 10.0
COMPLETE_DELAY = 1.0  # seconds a started task's deletion waits for others to join it
RETRY_WAIT = 1.0
log = logging.getLogger(__name__)


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
        self._handed: dict[int, AsyncResult] = {}  # sync-matched tasks: started or not
        self._done: list[int] = []  # started tasks whose deletion is not written yet
        self._deleter: gevent.Greenlet | None = None
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
        handed = self._handed.get(task.task_id)
        if handed is not None:  # re-delivered while its sync match is under way
            handed.wait(SYNC_MATCH_WAIT)
            return  # the first adder stores it if the poller could not start it
        if self._sync_match(task):
            return
        self.store.create_tasks(self.domain_id, self.name, self.task_type, [task])
        self._known.add(task.task_id)
        self._offer(task)

    def _sync_match(self, task: MatchingTask) -> bool:
        """Hand ``task`` to a waiting poller; True once history recorded it started."""
        waiter = self._waiting_poller()
        if waiter is None:
            return False
        outcome: AsyncResult = AsyncResult()
        self._handed[task.task_id] = outcome
        try:
            waiter.set(task)
            started = outcome.get(timeout=SYNC_MATCH_WAIT)
        except gevent.Timeout:
            started = False
        finally:
            self._handed.pop(task.task_id, None)
        return bool(started)

    def _waiting_poller(self) -> AsyncResult | None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.ready():
                return waiter
        return None

    def offer_query(self, query: Any) -> None:
        """Hand a query to a waiting poller, else put it ahead of the backlog."""
        self._hand_or_queue(query, self.queries)

    def _offer(self, task: MatchingTask, first: bool = False) -> None:
        self._hand_or_queue(task, self.backlog, first)

    def _hand_or_queue(self, item: Any, queue: collections.deque[Any],
                       first: bool = False) -> None:
        waiter = self._waiting_poller()
        if waiter is not None:
            waiter.set(item)
        elif first:
            queue.appendleft(item)
        else:
            queue.append(item)

    def poll(self, timeout: float, identity: str = "", cancelled: Event | None = None) -> Any:
        """A MatchingTask, a QueryTask, or None when ``timeout`` passes or ``cancelled``
        is set (then nothing was taken)."""
        result, handed_over = self._poll(timeout, identity, cancelled)
        if result is not None and cancelled is not None and cancelled.is_set():
            self._return(result)
            result = None
        self.metrics.polled(result, handed_over)
        return result

    def _return(self, item: Any) -> None:
        """Put back what a cancelled poll got: a task as ``give_back``, a query ahead of
        the other queries."""
        if isinstance(item, MatchingTask):
            self.give_back(item, first=True)
        else:
            self._hand_or_queue(item, self.queries, first=True)

    def backlog_size(self) -> int:
        return len(self.backlog)

    def _poll(self, timeout: float, identity: str, cancelled: Event | None = None
              ) -> tuple[Any, bool]:
        """(what the poll gets, whether it was handed over rather than taken from the
        backlog)."""
        if identity:
            self.pollers[identity] = PollerInfo(identity, time.time_ns())
        if cancelled is not None and cancelled.is_set():
            return None, False
        if self.queries:
            return self.queries.popleft(), True
        if self.backlog:
            return self.backlog.popleft(), False
        if timeout <= 0:
            return None, False
        waiter: AsyncResult = AsyncResult()
        self.waiters.append(waiter)

        def cancel(_: Event) -> None:  # in the hub: no task can be handed in between
            if not waiter.ready():
                waiter.set(None)  # nobody may hand a task to this poll any more

        if cancelled is not None:
            cancelled.rawlink(cancel)
        try:
            return waiter.get(timeout=timeout), True
        except gevent.Timeout:
            if waiter.ready():
                return waiter.get(), True
            waiter.set(None)  # nobody may hand a task to this expired poll
            return None, False
        finally:
            if cancelled is not None:
                cancelled.unlink(cancel)
            if identity:
                self.pollers[identity] = PollerInfo(identity, time.time_ns())

    def release_waiters(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.ready():
                waiter.set(None)

    def complete(self, task: MatchingTask) -> None:
        """The poller is done with ``task`` (started, or history says it is stale)."""
        handed = self._handed.pop(task.task_id, None)
        if handed is not None:
            handed.set(True)  # never stored: its adder completes the transfer task
            return
        self._known.discard(task.task_id)
        self._done.append(task.task_id)
        if self._deleter is None:
            self._deleter = gevent.spawn_later(COMPLETE_DELAY, self._delete_done)

    def finish_deletions(self, timeout: float = 5.0) -> None:
        """Wait for pending deletions to be written (at shutdown); a store that keeps
        failing is given up on (those tasks are offered again after the restart)."""
        deleter = self._deleter
        if deleter is not None:
            deleter.join(timeout=timeout)
            deleter.kill(block=False)

    def _delete_done(self) -> None:
        """Write the pending deletions; a failed write is tried again (until then a crash
        only means those tasks are offered once more, and history turns them away)."""
        try:
            while self._done:
                ids, self._done = self._done, []
                try:
                    self.store.complete_tasks(self.domain_id, self.name, self.task_type, ids)
                except Exception:  # noqa: BLE001 - the rows stay; try again
                    log_failure(log, "could not delete %d started tasks of task list %s",
                                len(ids), self.name)
                    self._done = ids + self._done
                    gevent.sleep(RETRY_WAIT)
        finally:
            self._deleter = None

    def give_back(self, task: MatchingTask, first: bool = False) -> None:
        """A task that was taken but could not be started: offer it again. ``first``
        (a poll cancelled as it took the task) puts it ahead of the backlog; a task whose
        start failed goes behind it, so one that fails every time cannot starve the rest."""
        handed = self._handed.pop(task.task_id, None)
        if handed is not None:
            handed.set(False)  # its adder stores it and offers it again
            return
        self._offer(task, first=first)

    def recent_pollers(self, within_seconds: float = 300) -> list[PollerInfo]:
        cutoff = time.time_ns() - int(within_seconds * 1e9)
        return [p for p in self.pollers.values() if p.last_access_time >= cutoff]
