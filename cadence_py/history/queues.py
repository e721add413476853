"""The durable queues' processors: transfer tasks (dispatch to matching, visibility)
and timer tasks (timeouts, user timers, retention).

A task is deleted only after it was handled, so a crash at any point means it is
handled again after restart (handlers are idempotent: stale tasks are no-ops).
"""

from __future__ import annotations

import logging
import time
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


class _Processor:
    name = "queue"
    metrics: QueueMetrics

    def __init__(self, concurrency: int = 16) -> None:
        self.wake = Event()
        self.pool = Pool(concurrency)
        self.in_flight: set[Any] = set()
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

    def notify(self, *_: Any) -> None:
        self.wake.set()

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
            else:
                self.metrics.finished(key, task, started, None)
            finally:
                self.in_flight.discard(key)
                if not self.in_flight:
                    self.wake.set()  # the batch is done: read the next one
        self.pool.spawn(run)


class TransferQueueProcessor(_Processor):
    name = "transfer"

    def __init__(self, engine: Any, matching: Any, visibility: Any = None,
                 metrics: Metrics | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.matching = matching
        self.visibility = visibility
        self.metrics = transfer_queue_metrics(metrics or Metrics(), DomainNames(engine.domains))
        engine.transfer_listeners.append(self.notify)

    def _round(self) -> float:
        tasks = [t for t in self.engine.store.get_transfer_tasks(BATCH)
                 if t.task_id not in self.in_flight]
        for task in tasks:
            self._spawn(task.task_id, task, lambda task=task: self._process(task))
        return 0 if tasks else IDLE_WAIT

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
        engine.timer_listeners.append(self.notify)

    def _round(self) -> float:
        now = time.time_ns()
        tasks = [t for t in self.engine.store.get_timer_tasks(now, BATCH)
                 if (t.fire_time, t.task_id) not in self.in_flight]
        for task in tasks:
            self._spawn((task.fire_time, task.task_id), task,
                        lambda task=task: self._process(task))
        if tasks:
            return 0
        upcoming = self.engine.store.next_timer_time()
        if upcoming is None or (upcoming <= now and self.in_flight):
            return IDLE_WAIT  # due tasks are being handled; their batch end wakes us
        return max(min((upcoming - now) / 1e9, IDLE_WAIT), 0.001)

    def _process(self, task: r.TimerTask) -> None:
        timers.fire(self.engine, task)
        self.engine.store.complete_timer_task(task.fire_time, task.task_id)
