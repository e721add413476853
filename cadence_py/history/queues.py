"""The durable queues' processors: transfer tasks (dispatch to matching, visibility)
and timer tasks (timeouts, user timers, retention).

A task is deleted only after it was handled, so a crash at any point means it is
handled again after restart (handlers are idempotent: stale tasks are no-ops). Handled
tasks are deleted in batches, one store call per ``FLUSH_DELAY`` (as upstream completes
its queues by ack level every so often rather than per task): on Cassandra a deletion per
task was a third of all statements per workflow. Until its deletion is written, a handled
task is remembered (``completing``) so that a read of the queue does not run it again.

The engine hands each committed write's new tasks to the processors (``hand_over``), so in
steady state they do not read their queue back from the store after every write (that
re-read, and decoding up to a batch of rows each time, showed in the benchmark's profile,
and on Cassandra it scans the queue partition's tombstones). The store is still the truth:
the transfer processor reads its queue at start and every ``RESCAN_SECONDS``, which picks up
whatever was not handed over (tasks from before a restart, or a retry). The timer processor
reads every timer due in the next ``LOOKAHEAD_SECONDS`` and keeps them until they fire; a
new timer due within that window is handed over; it reads again when its window runs out
(and at least every ``RESCAN_SECONDS``), not each time a timer fires.
"""

from __future__ import annotations

import heapq
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
from cadence_py.persistence.errors import log_failure

log = logging.getLogger(__name__)
IDLE_WAIT = 5.0
RETRY_WAIT = 1.0
BATCH = 200
RESCAN_SECONDS = 5.0
_FAR = 1 << 63
RECENTLY_DONE = 4096  # keys of finished tasks remembered, so a late hand-off is ignored
FLUSH_DELAY = 1.0  # seconds a handled task waits for its batch of deletions (upstream: 30 s)
LOOKAHEAD_SECONDS = 5.0


class _Processor:
    name = "queue"
    metrics: QueueMetrics

    def __init__(self, concurrency: int = 16) -> None:
        self.wake = Event()
        self.pool = Pool(concurrency)
        self.in_flight: set[Any] = set()
        self.recently_done: OrderedDict[Any, None] = OrderedDict()
        self.completing: dict[Any, Any] = {}  # handled; deletion not yet written
        self._have_completed = Event()
        self._runner: gevent.Greenlet | None = None
        self._completer: gevent.Greenlet | None = None
        self._stopping = False

    def start(self) -> None:
        self._runner = gevent.spawn(self._run)
        self._completer = gevent.spawn(self._complete_loop)

    def stop(self) -> None:
        """Stop taking tasks, let running ones finish, then write the pending deletions."""
        self._stopping = True
        self.wake.set()
        if self._runner is not None:
            self._runner.join(timeout=5)
        self.pool.join(timeout=5)
        self._have_completed.set()  # the running tasks are done: write their deletions
        if self._completer is not None:
            self._completer.join(timeout=5)
        gevent.killall([g for g in (self._runner, self._completer) if g], timeout=1)

    def _run(self) -> None:
        while not self._stopping:
            self.wake.clear()
            try:
                waited = self._round()
            except Exception:  # noqa: BLE001 - a store hiccup must not stop the queue
                log_failure(log, "%s processor round failed", self.name)
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
                log_failure(log, "%s task %s failed; will retry", self.name, key)
                gevent.sleep(RETRY_WAIT)
                self._retry(key, task)
            else:
                self.metrics.finished(key, task, started, None)
                self.recently_done[key] = None
                if len(self.recently_done) > RECENTLY_DONE:
                    self.recently_done.popitem(last=False)
                self.completing[key] = task
                self._have_completed.set()
            finally:
                self.in_flight.discard(key)
                if not self.in_flight:
                    self.wake.set()  # the batch is done: read the next one
        self.pool.spawn(run)

    def _seen(self, key: Any) -> bool:
        """Taken already: running, handled, or handled and waiting for deletion."""
        return key in self.in_flight or key in self.recently_done or key in self.completing

    def _complete_loop(self) -> None:
        """Delete handled tasks in batches; a failed batch is tried again (its tasks stay
        in ``completing``, so they are not run again meanwhile)."""
        while True:
            if not self.completing:  # the truth; the event only saves polling
                if self._stopping:
                    return
                self._have_completed.wait(timeout=IDLE_WAIT)
                self._have_completed.clear()
                continue
            if not self._stopping:
                gevent.sleep(FLUSH_DELAY)  # let the batch gather
            batch = dict(self.completing)
            try:
                self._complete(list(batch.values()))
            except Exception:  # noqa: BLE001 - the rows stay; deletion is tried again
                log_failure(log, "%s processor could not delete %d handled tasks", self.name,
                            len(batch))
                if self._stopping:
                    return  # they run again after the restart, as after a crash
                gevent.sleep(RETRY_WAIT)
                continue
            for key in batch:
                self.completing.pop(key, None)
            self.wake.set()  # a read held back by rows awaiting deletion can go on

    def _complete(self, tasks: list[Any]) -> None:
        raise NotImplementedError

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
        if not self._seen(task.task_id):
            self.known[task.task_id] = task

    def _retry(self, key: Any, task: Any) -> None:
        self.known[key] = task
        self.wake.set()

    def _round(self) -> float:
        now = time.monotonic()
        if now >= self._next_scan or (self._scan_was_full and not self.known
                                      and not self.in_flight and not self.completing):
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

    def _complete(self, tasks: list[r.TransferTask]) -> None:
        self.engine.store.complete_transfer_tasks(tasks)


class TimerQueueProcessor(_Processor):
    name = "timer"

    def __init__(self, engine: Any, metrics: Metrics | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.metrics = timer_queue_metrics(metrics or Metrics(), DomainNames(engine.domains))
        self.known: dict[tuple[int, int], r.TimerTask] = {}  # read or handed over, not taken
        # The keys of ``known`` by fire time, so a round finds the due ones without a scan
        # of all (a burst keeps hundreds known). May hold keys already taken: skipped.
        self._by_time: list[tuple[int, int]] = []
        self._read_to = -1  # unix nanos: every timer due by then has been read or handed over
        self._next_read = 0.0  # monotonic: read the store again by then in any case
        self._read_was_full = False  # the last read stopped at BATCH: more are due behind
        self._wake_at = _FAR  # unix nanos of the next planned round (_FAR: in a round)
        engine.timer_listeners.append(self.hand_over)

    def hand_over(self, tasks: list[r.TimerTask]) -> None:
        """New timers. Those due within the lookahead window are kept (a read that ran
        while they were written may have missed them); later ones are read when due."""
        horizon = time.time_ns() + int(LOOKAHEAD_SECONDS * 1e9)
        for task in tasks:
            if task.fire_time <= horizon:
                self._learn(task)
        if min(t.fire_time for t in tasks) < self._wake_at:
            self.wake.set()

    def _learn(self, task: r.TimerTask) -> None:
        key = (task.fire_time, task.task_id)
        if not self._seen(key) and key not in self.known:
            self.known[key] = task
            heapq.heappush(self._by_time, key)

    def _retry(self, key: Any, task: Any) -> None:
        if key not in self.known:
            heapq.heappush(self._by_time, key)
        self.known[key] = task
        self.wake.set()

    def _take_due(self, now: int) -> list[tuple[tuple[int, int], r.TimerTask]]:
        """The known timers due by ``now``, oldest first, removed from ``known``."""
        heap, due = self._by_time, []
        while heap and heap[0][0] <= now:
            key = heapq.heappop(heap)
            task = self.known.pop(key, None)
            if task is not None:
                due.append((key, task))
        return due

    def _next_known(self) -> int:
        """Fire time of the earliest known timer (_FAR when none)."""
        heap = self._by_time
        while heap and heap[0] not in self.known:
            heapq.heappop(heap)
        return heap[0][0] if heap else _FAR

    def _read(self, now: int) -> None:
        """Read the timers due within the lookahead window."""
        horizon = now + int(LOOKAHEAD_SECONDS * 1e9)
        stored = self.engine.store.get_timer_tasks(horizon, BATCH)
        for task in stored:
            self._learn(task)
        self._read_was_full = len(stored) >= BATCH
        if self._read_was_full:  # more behind: covered only up to the last millisecond seen
            last_ms = max(t.fire_time for t in stored) // 1_000_000
            self._read_to = last_ms * 1_000_000 - 1
        else:
            self._read_to = horizon
        self._next_read = time.monotonic() + RESCAN_SECONDS

    def _held_back(self) -> bool:
        """A full read's timers are still running or awaiting deletion: reading again now
        would return them again, so wait for their batch to end."""
        return self._read_was_full and bool(self.in_flight or self.completing)

    def _round(self) -> float:
        now = time.time_ns()
        self._wake_at = _FAR  # while reading, any new timer wakes the next round
        backlog = self._read_to < now
        if (backlog and not self._held_back()) or time.monotonic() >= self._next_read:
            self._read(now)
            backlog = self._read_to < now
        due = self._take_due(now)
        for key, task in due:
            if key not in self.in_flight:
                self._spawn(key, task, lambda task=task: self._process(task))
        if due:
            return 0
        if backlog:  # more due than one read holds: the batch's end (or flush) wakes us
            wait = IDLE_WAIT if self._held_back() else 0.001
        else:
            until = min(self._read_to, self._next_known())
            wait = min((until - now) / 1e9, self._next_read - time.monotonic(), IDLE_WAIT)
            wait = max(wait, 0.001)
        self._wake_at = now + int(wait * 1e9)
        return wait

    def _process(self, task: r.TimerTask) -> None:
        timers.fire(self.engine, task)

    def _complete(self, tasks: list[r.TimerTask]) -> None:
        self.engine.store.complete_timer_tasks(tasks)
