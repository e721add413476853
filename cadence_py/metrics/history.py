"""History role metrics: queue task processing, queue lag, workflow lifecycle counters.

- ``QueueMetrics``: one per queue processor. Each task attempt counts under the task
  type's operation (``TransferActiveTaskDecision``, ``TimerActiveTaskUserTimer``...)
  with its domain, as Cadence's ``*_per_domain`` metrics, rolled up without the domain
  (``task_requests``, ``task_errors``, ``task_latency``, ``task_latency_processing``,
  ``task_latency_queue``, ``task_attempt``). ``report`` sends the processor's lag gauges
  in the ``ShardInfo`` scope.
- ``WorkflowMetrics``: after each committed run update, the close counters Cadence's
  ``emitWorkflowCompletionStats`` bumps (``workflow_success``, ``workflow_failed``...).

Nothing here raises into the caller: a metrics bug costs one log line, never a task
retry or a failed request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cadence_py.history.events import event_type_name
from cadence_py.metrics import names
from cadence_py.metrics.client import Metrics
from cadence_py.metrics.gauges import DomainNames

log = logging.getLogger(__name__)
_MAX_TRACKED = 10_000  # tasks tracked for attempts/latency; beyond it new ones are not


class _Warn:
    """Log the first failure of a metrics helper, then stay quiet."""

    def __init__(self) -> None:
        self.warned = False

    def __call__(self, what: str) -> None:
        if not self.warned:
            self.warned = True
            log.exception("metrics: %s failed (further failures are not logged)", what)


@dataclass
class _Pending:
    first_seen: float  # monotonic seconds: when the processor first took the task
    due: int  # unix nanos the task became due (created / fire time); 0 if unknown
    attempts: int = 0  # failed attempts so far


class QueueMetrics:
    """Metrics of one queue processor (transfer or timer)."""

    def __init__(self, metrics: Metrics, domains: DomainNames | None, processor: str,
                 operations: Mapping[int, str], lag: str, pending: str,
                 due: Callable[[Any], int],
                 counters: Mapping[int, str] | None = None) -> None:
        self.metrics = metrics
        self.enabled = metrics.enabled
        self.domains = domains
        self.processor = processor
        self.operations = dict(operations)
        self.lag_name = lag
        self.pending_name = pending
        self.due = due
        self.counters = dict(counters or {})  # task type -> counter bumped on success
        self._pending: dict[Any, _Pending] = {}
        self._warn = _Warn()

    def _domain(self, domain_id: str) -> str:
        return self.domains.name(domain_id) if self.domains is not None else names.UNKNOWN

    def taken(self, key: Any, task: Any) -> None:
        """The processor took ``task`` (first time, or again after a failure)."""
        if not self.enabled or key in self._pending or len(self._pending) >= _MAX_TRACKED:
            return
        try:
            self._pending[key] = _Pending(time.monotonic(), int(self.due(task) or 0))
        except Exception:  # noqa: BLE001
            self._warn("queue task tracking")

    def finished(self, key: Any, task: Any, started: float,
                 error: BaseException | None) -> None:
        """One attempt of ``task`` ended (``started``: monotonic time it began)."""
        if not self.enabled:
            return
        try:
            now = time.monotonic()
            operation = self.operations.get(task.type, self.processor)
            scope = self.metrics.scope(operation).tagged(
                **{names.DOMAIN: self._domain(task.domain_id)})
            scope.inc(names.TASK_REQUESTS_PER_DOMAIN, rollup=names.TASK_REQUESTS)
            scope.timing(names.TASK_LATENCY_PROCESSING_PER_DOMAIN, now - started,
                         rollup=names.TASK_LATENCY_PROCESSING)
            pending = self._pending.get(key)
            if error is not None:
                scope.inc(names.TASK_ERRORS_PER_DOMAIN, rollup=names.TASK_ERRORS)
                if pending is not None:
                    pending.attempts += 1
                return
            self._pending.pop(key, None)
            if pending is not None:
                # Cadence records the attempt count as a timer: its mean is the average
                # number of failed attempts before a task succeeded.
                scope.record_ms(names.TASK_ATTEMPT_PER_DOMAIN, pending.attempts,
                                rollup=names.TASK_ATTEMPT)
                scope.timing(names.TASK_LATENCY_PER_DOMAIN, now - pending.first_seen,
                             rollup=names.TASK_LATENCY)
                if pending.due > 0:
                    queued = max(time.time_ns() - pending.due, 0) / 1e9
                    scope.timing(names.TASK_LATENCY_QUEUE_PER_DOMAIN, queued,
                                 rollup=names.TASK_LATENCY_QUEUE)
            counter = self.counters.get(task.type)
            if counter is not None:
                scope.inc(counter)
        except Exception:  # noqa: BLE001
            self._warn("queue task metrics")

    def report(self) -> None:
        """Gauges: tasks taken and not yet done, and how late the oldest of them is (ms)."""
        if not self.enabled:
            return
        pending = list(self._pending.values())
        oldest = min((p.due for p in pending if p.due > 0), default=0)
        lag_ms = max(time.time_ns() - oldest, 0) // 1_000_000 if oldest else 0
        scope = self.metrics.scope(names.SHARD_INFO)
        scope.gauge(self.pending_name, len(pending))
        scope.gauge(self.lag_name, lag_ms)


def transfer_queue_metrics(metrics: Metrics, domains: DomainNames | None) -> QueueMetrics:
    from cadence_py.persistence import records as r
    return QueueMetrics(
        metrics, domains, names.TRANSFER_ACTIVE_QUEUE_PROCESSOR,
        names.TRANSFER_TASK_OPERATIONS, names.SHARDINFO_TRANSFER_LAG,
        names.SHARDINFO_TRANSFER_PENDING, lambda task: task.visibility_time,
        counters={r.TRANSFER_RECORD_STARTED: names.WORKFLOW_STARTED_COUNT})


def timer_queue_metrics(metrics: Metrics, domains: DomainNames | None) -> QueueMetrics:
    return QueueMetrics(
        metrics, domains, names.TIMER_ACTIVE_QUEUE_PROCESSOR, names.TIMER_TASK_OPERATIONS,
        names.SHARDINFO_TIMER_LAG, names.SHARDINFO_TIMER_PENDING,
        lambda task: task.fire_time)


class WorkflowMetrics:
    """Close counters per domain, workflow type and task list (Cadence's CompletionStats)."""

    def __init__(self, metrics: Metrics, domains: DomainNames | None) -> None:
        self.metrics = metrics
        self.enabled = metrics.enabled
        self.domains = domains
        self._warn = _Warn()

    def committed(self, upd: Any) -> None:
        """Called with every run update that was written."""
        if not self.enabled:
            return
        try:
            for event in upd.events:
                counter = names.CLOSE_EVENT_COUNTERS.get(event_type_name(event))
                if counter is None:
                    continue
                info = upd.info
                domain = (self.domains.name(info.domain_id) if self.domains is not None
                          else names.UNKNOWN)
                self.metrics.scope(names.COMPLETION_STATS, **{
                    names.STATS_TYPE: names.COUNT, names.DOMAIN: domain,
                    names.WORKFLOW_TYPE: info.workflow_type or names.UNKNOWN,
                    names.TASK_LIST: info.task_list or names.UNKNOWN}).inc(counter)
        except Exception:  # noqa: BLE001
            self._warn("workflow completion metrics")
