"""Matching role metrics, with Cadence's per-task-list names and scopes.

Per task list, tagged ``domain``, ``tasklist`` and ``tasklistType`` (``decision`` or
``activity``), each rolled up under its operation alone as Cadence's metricsScope does:

- API calls (``AddDecisionTask``, ``AddActivityTask``, ``PollForDecisionTask``,
  ``PollForActivityTask``, ``QueryWorkflow``): ``cadence_requests_per_tl``,
  ``cadence_latency_per_tl``, ``cadence_errors_per_tl``;
- polls (operation ``TaskListMgr``): ``poll_success_per_tl``, ``poll_timeouts_per_tl``,
  ``poll_success_sync_per_tl`` (handed over to a waiting poll, or a query),
  ``asyncmatch_latency_per_tl`` (how long a task waited in the backlog);
- gauges, sampled periodically: ``task_backlog_per_tl`` and ``tasklist_managers``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from cadence_py.metrics import names
from cadence_py.metrics.client import Metrics, Scope
from cadence_py.metrics.gauges import DomainNames

log = logging.getLogger(__name__)
TASK_LIST_TYPES = {0: names.DECISION, 1: names.ACTIVITY}
ADD_OPERATIONS = {0: names.MATCHING_ADD_DECISION_TASK, 1: names.MATCHING_ADD_ACTIVITY_TASK}
POLL_OPERATIONS = {0: names.MATCHING_POLL_FOR_DECISION_TASK,
                   1: names.MATCHING_POLL_FOR_ACTIVITY_TASK}


class TaskListMetrics:
    """What one task list manager reports; every method is a no-op when disabled."""

    def __init__(self, owner: "MatchingMetrics", domain_id: str, name: str,
                 task_type: int) -> None:
        self.owner = owner
        self.enabled = owner.enabled
        self.domain_id = domain_id
        self.name = name
        self.task_type = task_type
        self._tags: dict[str, str] | None = None
        self._last_backlog: int | None = None

    def tags(self) -> dict[str, str]:
        if self._tags is None:
            self._tags = {
                names.DOMAIN: self.owner.domain_name(self.domain_id),
                names.TASK_LIST: self.name or names.UNKNOWN,
                names.TASK_LIST_TYPE: TASK_LIST_TYPES.get(self.task_type, names.UNKNOWN)}
        return self._tags

    def scope(self, operation: str) -> Scope:
        return self.owner.metrics.scope(operation, **self.tags())

    def polled(self, result: Any, sync: bool) -> None:
        """A poll ended: with a task or query (``sync``: handed over while it waited,
        not taken from the backlog), or with nothing (timeout)."""
        if not self.enabled:
            return
        try:
            scope = self.scope(names.TASK_LIST_MGR)
            if result is None:
                scope.inc(names.POLL_TIMEOUTS_PER_TL, rollup=names.POLL_TIMEOUTS)
                return
            scope.inc(names.POLL_SUCCESS_PER_TL, rollup=names.POLL_SUCCESS)
            created = getattr(result, "created_time", 0)
            if sync or not created:  # queries have no creation time: always handed over
                scope.inc(names.POLL_SUCCESS_SYNC_PER_TL, rollup=names.POLL_SUCCESS_SYNC)
            else:
                scope.timing(names.ASYNCMATCH_LATENCY_PER_TL,
                             max(time.time_ns() - created, 0) / 1e9,
                             rollup=names.ASYNCMATCH_LATENCY)
        except Exception:  # noqa: BLE001
            self.owner.warn("poll metrics")

    def backlog(self, size: int) -> None:
        """The backlog gauge, sent when it changed (statsd repeats the last value)."""
        if not self.enabled or size == self._last_backlog:
            return
        self._last_backlog = size
        self.scope(names.TASK_LIST_MGR).gauge(names.TASK_BACKLOG_PER_TL, size)


class MatchingMetrics:
    """The matching engine's metrics: per-API counters and per-task-list metrics."""

    def __init__(self, metrics: Metrics | None = None, domains: Any = None) -> None:
        self.metrics = metrics or Metrics()
        self.enabled = self.metrics.enabled
        self.domains = DomainNames(domains) if domains is not None else None
        self._warned = False

    def domain_name(self, domain_id: str) -> str:
        return self.domains.name(domain_id) if self.domains is not None else names.UNKNOWN

    def warn(self, what: str) -> None:
        if not self._warned:
            self._warned = True
            log.exception("metrics: %s failed (further failures are not logged)", what)

    def task_list(self, domain_id: str, name: str, task_type: int) -> TaskListMetrics:
        return TaskListMetrics(self, domain_id, name, task_type)

    @contextmanager
    def call(self, operation: str, task_list: TaskListMetrics) -> Iterator[None]:
        """Count and time one matching API call on ``task_list``; errors pass through."""
        if not self.enabled:
            yield
            return
        started = time.monotonic()
        failed = False
        try:
            yield
        except Exception:  # a poll ended by shutdown (GreenletExit) is not an error
            failed = True
            raise
        finally:
            try:
                scope = task_list.scope(operation)
                scope.inc(names.REQUESTS_PER_TL, rollup=names.REQUESTS)
                scope.timing(names.LATENCY_PER_TL, time.monotonic() - started,
                             rollup=names.LATENCY)
                if failed:
                    scope.inc(names.ERRORS_PER_TL, rollup=names.ERRORS)
            except Exception:  # noqa: BLE001
                self.warn("matching call metrics")

    def gauges(self, managers: Callable[[], Iterable[Any]]) -> Callable[[], None]:
        """A GaugeReporter source: manager count and each task list's backlog.

        ``managers()`` yields objects with ``metrics`` (TaskListMetrics) and
        ``backlog_size()``.
        """
        def report() -> None:
            if not self.enabled:
                return
            found = list(managers())
            self.metrics.scope(names.TASK_LIST_MGR).gauge(names.TASKLIST_MANAGERS, len(found))
            for manager in found:
                manager.metrics.backlog(manager.backlog_size())
        return report
