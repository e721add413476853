"""The durable queues' processors: transfer tasks (dispatch to matching, visibility)
and timer tasks (timeouts, user timers, retention).

A task is deleted only after it was handled, so a crash at any point means it is
handled again after restart (handlers are idempotent: stale tasks are no-ops).

The engine hands each committed write's new tasks to the processors (``hand_over``), so in
steady state they do not read their queue back from the store after every write (that
re-read, and decoding up to a batch of rows each time, showed in the benchmark's profile,
and on Cassandra it scans the queue partition's tombstones). The store is still the truth:
the transfer processor reads its queue at start and every ``RESCAN_SECONDS``, which picks up
whatever was not handed over (tasks from before a restart, or a retry); the timer processor
reads due timers whenever the earliest timer it knows of comes due.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import gevent
from gevent.event import Event
from gevent.pool import Pool

from cadence_py.history import timers, transfer
from cadence_py.metrics.client import Metrics
from cadence_py.metrics.gauges import DomainNames
from cadence_py.metrics.history import QueueMetrics, timer_queue_metrics, transfer_queue_metrics
from cadence_py.persistence import records as r

log = logging.getLogger(__name__)
IDLE_WAIT = 5.0
RETRY_WAIT = 1.0
BATCH = 200
RESCAN_SECONDS = 5.0
_FAR = 1 << 63
RECENTLY_DONE = 4096  # keys of finished tasks remembered, so a late hand-off is ignored


class _Processor:
    name = "queue"
    metrics: QueueMetrics

    def __init__(self, concurrency: int = 16) -> None:
        self.wake = Event()
        self.pool = Pool(concurrency)
        self.in_flight: set[Any] = set()
        self.recently_done: OrderedDict[Any, None] = OrderedDict()
        self._greenlet: gevent.Greenlet | None = None
        self._stopping = False

    def start(self) -> None:
        self._greenlet = gevent.spawn(self._run)

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()
        if self._greenlet is not None:
            self._greenlet.join(timeout=5)
        self.pool.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping:
            self.wake.clear()
            try:
                waited = self._round()
            except Exception:  # noqa: BLE001 - a store hiccup must not stop the queue
                log.exception("%s processor round failed", self.name)
                waited = RETRY_WAIT
            if waited:
                self.wake.wait(timeout=waited)

    def _round(self) -> float:
        raise NotImplementedError

    def _spawn(self, key: Any, task: Any, fn: Callable[[], None]) -> None:
        self.in_flight.add(key)
        self.metrics.taken(key, task)

        def run() -> None:
            started = time.monotonic()
            try:
                fn()
            except Exception as exc:  # noqa: BLE001
                self.metrics.finished(key, task, started, exc)
                log.exception("%s task %s failed; will retry", self.name, key)
                gevent.sleep(RETRY_WAIT)
                self._retry(key, task)
            else:
                self.metrics.finished(key, task, started, None)
                self.recently_done[key] = None
                if len(self.recently_done) > RECENTLY_DONE:
                    self.recently_done.popitem(last=False)
            finally:
                self.in_flight.discard(key)
                if not self.in_flight:
                    self.wake.set()  # the batch is done: read the next one
        self.pool.spawn(run)

    def _retry(self, key: Any, task: Any) -> None:
        """A failed task stays in the store; processors may also retry it from memory."""


class TransferQueueProcessor(_Processor):
    name = "transfer"

    def __init__(self, engine: Any, matching: Any, visibility: Any = None,
                 metrics: Metrics | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.matching = matching
        self.visibility = visibility
        self.metrics = transfer_queue_metrics(metrics or Metrics(), DomainNames(engine.domains))
        self.known: dict[int, r.TransferTask] = {}  # handed over or read, not yet taken
        self._next_scan = 0.0  # monotonic; 0: read the store at once (start)
        self._scan_was_full = False
        engine.transfer_listeners.append(self.hand_over)

    def hand_over(self, tasks: list[r.TransferTask]) -> None:
        """Tasks a write just committed: take them without reading the store."""
        for task in tasks:
            self._learn(task)
        self.wake.set()

    def _learn(self, task: r.TransferTask) -> None:
        key = task.task_id
        if key not in self.in_flight and key not in self.recently_done:
            self.known[key] = task

    def _retry(self, key: Any, task: Any) -> None:
        self.known[key] = task
        self.wake.set()

    def _round(self) -> float:
        now = time.monotonic()
        if now >= self._next_scan or (self._scan_was_full and not self.known
                                      and not self.in_flight):
            stored = self.engine.store.get_transfer_tasks(BATCH)
            for task in stored:
                self._learn(task)
            self._scan_was_full = len(stored) >= BATCH  # more behind these: read again
            self._next_scan = now + RESCAN_SECONDS
        tasks = [self.known.pop(key) for key in sorted(self.known)]
        for task in tasks:
            if task.task_id in self.in_flight:
                continue
            self._spawn(task.task_id, task, lambda task=task: self._process(task))
        if tasks:
            return 0
        return max(min(self._next_scan - time.monotonic(), IDLE_WAIT), 0.001)

    def _process(self, task: r.TransferTask) -> None:
        if task.type in (r.TRANSFER_DECISION, r.TRANSFER_ACTIVITY):
            self.matching.add_task(task)
        else:
            transfer.process(self.engine, task)
            if self.visibility is not None:
                self.visibility.process(task)
        self.engine.store.complete_transfer_task(task.task_id)


class TimerQueueProcessor(_Processor):
    name = "timer"

    def __init__(self, engine: Any, metrics: Metrics | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.metrics = timer_queue_metrics(metrics or Metrics(), DomainNames(engine.domains))
        self._wake_at = _FAR  # unix nanos of the next planned round (_FAR: in a round)
        engine.timer_listeners.append(self.hand_over)

    def hand_over(self, tasks: list[r.TimerTask]) -> None:
        """New timers: a round is needed only if one fires before the planned one."""
        if min(t.fire_time for t in tasks) < self._wake_at:
            self.wake.set()

    def _retry(self, key: Any, task: Any) -> None:
        self.wake.set()

    def _round(self) -> float:
        now = time.time_ns()
        self._wake_at = _FAR  # while reading, any new timer wakes the next round
        tasks = [t for t in self.engine.store.get_timer_tasks(now, BATCH)
                 if (t.fire_time, t.task_id) not in self.in_flight]
        for task in tasks:
            self._spawn((task.fire_time, task.task_id), task,
                        lambda task=task: self._process(task))
        if tasks:
            return 0
        upcoming = self.engine.store.next_timer_time()
        if upcoming is None or (upcoming <= now and self.in_flight):
            wait = IDLE_WAIT  # due tasks are being handled; their batch end wakes us
        else:
            wait = max(min((upcoming - now) / 1e9, IDLE_WAIT), 0.001)
        self._wake_at = now + int(wait * 1e9)
        return wait

    def _process(self, task: r.TimerTask) -> None:
        timers.fire(self.engine, task)
        self.engine.store.complete_timer_task(task.fire_time, task.task_id)
