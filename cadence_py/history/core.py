"""EngineCore: what every history API builds on.

Every change to a run goes through ``update``: lock the run, load it, let a function
change it through a RunUpdate, write it back atomically, then wake whoever waits (queue
processors, history long polls).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from cadence_py.common import errors
from cadence_py.common.domain_cache import DomainCache
from cadence_py.history.config import HistoryConfig
from cadence_py.history.locks import KeyedLocks
from cadence_py.history.mutations import is_running
from cadence_py.history.notifier import HistoryNotifier
from cadence_py.history.run_update import RunUpdate
from cadence_py.history.shard import TaskIdAllocator
from cadence_py.metrics.client import Metrics
from cadence_py.metrics.gauges import DomainNames
from cadence_py.metrics.history import WorkflowMetrics
from cadence_py.persistence import errors as perr
from cadence_py.persistence.domains import DomainRecord
from cadence_py.persistence.executions import ExecutionStore
from cadence_py.persistence.records import MutableState, TimerTask, TransferTask

log = logging.getLogger(__name__)
T = TypeVar("T")
EMPTY_VERSION = -24
UPDATE_ATTEMPTS = 5


def event_version(domain: DomainRecord) -> int:
    return domain.failover_version if domain.is_global else EMPTY_VERSION


class EngineCore:
    def __init__(self, store: ExecutionStore, domains: DomainCache,
                 config: HistoryConfig | None = None, metrics: Metrics | None = None) -> None:
        self.store = store
        self.domains = domains
        self.config = config or HistoryConfig()
        self.workflow_metrics = WorkflowMetrics(metrics or Metrics(), DomainNames(domains))
        self.ids = TaskIdAllocator(store)
        self.locks = KeyedLocks()
        self.notifier = HistoryNotifier()
        # Set by the queue processors: each committed write hands them its new tasks, so
        # they are picked up at once without reading the queues back from the store.
        self.transfer_listeners: list[Callable[[list[TransferTask]], None]] = []
        self.timer_listeners: list[Callable[[list[TimerTask]], None]] = []

    # ----------------------------------------------------------------- loading
    def current_run_id(self, domain_id: str, workflow_id: str) -> str:
        try:
            return self.store.get_current(domain_id, workflow_id).run_id
        except perr.EntityNotExistsError:
            raise errors.entity_not_exists(
                f"Workflow execution not found (workflowId {workflow_id}).") from None

    def load(self, domain_id: str, workflow_id: str, run_id: str | None) -> MutableState:
        run_id = run_id or self.current_run_id(domain_id, workflow_id)
        try:
            return self.store.get_workflow(domain_id, workflow_id, run_id)
        except perr.EntityNotExistsError:
            raise errors.entity_not_exists(
                "Workflow execution not found "
                f"(workflowId {workflow_id}, runId {run_id}).") from None

    # ---------------------------------------------------------------- updating
    def update(self, domain_id: str, workflow_id: str, run_id: str | None,
               change: Callable[[RunUpdate], T], *, require_running: bool = True) -> T:
        """Apply ``change`` to the run and persist it; retries lost races."""
        run_id = run_id or self.current_run_id(domain_id, workflow_id)
        domain = self.domains.by_id(domain_id)
        with self.locks.hold(domain_id, workflow_id):
            for _ in range(UPDATE_ATTEMPTS):
                state = self.load(domain_id, workflow_id, run_id)
                if require_running and not is_running(state):
                    raise errors.entity_not_exists(errors.WORKFLOW_COMPLETED)
                upd = RunUpdate(state, event_version(domain), self.ids)
                result = change(upd)
                if upd.empty:
                    return result
                try:
                    upd.commit(self.store)
                except perr.ConditionFailedError:
                    log.info("conflicting update of %s/%s; retrying", workflow_id, run_id)
                    continue
                self.committed(upd)
                return result
        raise errors.service_busy("Workflow is being updated by another writer, try again.")

    def committed(self, upd: RunUpdate) -> None:
        """Wake queue processors and history long polls after a successful write."""
        info = upd.info
        transfers = list(upd.transfer_tasks) + (upd.new_run.transfer_tasks if upd.new_run
                                                 else [])
        if transfers:
            for listener in self.transfer_listeners:
                listener(transfers)
        timers = list(upd.timer_tasks) + (upd.new_run.timer_tasks if upd.new_run else [])
        if timers:
            for timer_listener in self.timer_listeners:
                timer_listener(timers)
        self.notifier.notify(info.domain_id, info.workflow_id, info.run_id,
                             closed=not is_running(upd.state))
        self.workflow_metrics.committed(upd)  # never raises

    def new_update(self, state: MutableState, domain: DomainRecord) -> RunUpdate:
        return RunUpdate(state, event_version(domain), self.ids)
