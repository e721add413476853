"""StartWorkflowExecution (and the start half of SignalWithStart)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from cadence_py.common import errors
from cadence_py.history import cron
from cadence_py.history import mutations as m
from cadence_py.history.core import EngineCore
from cadence_py.persistence import records as r
from cadence_py.persistence.domains import DOMAIN_STATUS_REGISTERED, DomainRecord
from cadence_py.persistence.executions import WorkflowAlreadyExistsError

# WorkflowIdReusePolicy
ALLOW_DUPLICATE_FAILED_ONLY, ALLOW_DUPLICATE, REJECT_DUPLICATE, TERMINATE_IF_RUNNING = 0, 1, 2, 3
FORCE_CLOSE_DECISION = 16


@dataclass
class ParentRef:
    """The parent of a child workflow, as its started event and state record it."""

    domain_id: str
    domain_name: str
    workflow_id: str
    run_id: str
    initiated_id: int


@dataclass
class StartSignal:
    name: str
    input: bytes | None
    identity: str | None
    request_id: str | None


def _already_started(current: r.CurrentExecution, workflow_id: str, message: str) -> Any:
    return errors.workflow_already_started(message, current.create_request_id, current.run_id)


class StartAPI(EngineCore):
    def start_workflow(self, domain: DomainRecord, request: Any,
                       signal: StartSignal | None = None, parent: ParentRef | None = None) -> str:
        """Create a run (honouring the id reuse policy and request-id dedup); its run id.

        The create is tried first as if the id were new, and the current run is looked at
        only when the store refuses it (its error carries that run), as upstream's
        "brand new" create mode does: a start of a fresh id, the common case, costs no read.
        """
        if parent is None and domain.info.status != DOMAIN_STATUS_REGISTERED:
            # Upstream refuses child starts there too; ours would retry its transfer task.
            raise errors.bad_request("Domain is deprecated.")
        previous: str | None = None
        for _ in range(3):
            try:
                return self._create(domain, request, previous, signal, parent)
            except WorkflowAlreadyExistsError as exc:
                current = exc.current  # someone holds the id: decide, then try again
            if request.requestId and current.create_request_id == request.requestId:
                return current.run_id  # the same start, retried by the client
            previous = self._check_reuse(domain, request, current)
        raise errors.service_busy("Workflow start raced with another start, try again.")

    def _check_reuse(self, domain: DomainRecord, request: Any,
                     current: r.CurrentExecution) -> str:
        policy = request.workflowIdReusePolicy or ALLOW_DUPLICATE_FAILED_ONLY
        wid, rid = request.workflowId, current.run_id
        if current.state in (r.STATE_CREATED, r.STATE_RUNNING):
            if policy == TERMINATE_IF_RUNNING:
                self.terminate(domain, wid, rid, reason="TerminateIfRunning Policy",
                               details=None, identity=request.identity or "")
                return rid
            raise _already_started(current, wid, "Workflow execution is already running. "
                                   f"WorkflowId: {wid}, RunId: {rid}.")
        if policy == REJECT_DUPLICATE:
            raise _already_started(current, wid, "Workflow execution already finished. "
                                   f"WorkflowId: {wid}, RunId: {rid}. Workflow ID reuse "
                                   "policy: reject duplicate workflow ID.")
        if policy == ALLOW_DUPLICATE_FAILED_ONLY and current.close_status in (
                r.CLOSE_COMPLETED, r.CLOSE_CONTINUED_AS_NEW):
            raise _already_started(current, wid, "Workflow execution already finished "
                                   f"successfully. WorkflowId: {wid}, RunId: {rid}. Workflow "
                                   "ID reuse policy: allow duplicate workflow ID if last run "
                                   "failed.")
        return rid

    def _create(self, domain: DomainRecord, request: Any, previous_run_id: str | None,
                signal: StartSignal | None, parent: ParentRef | None = None) -> str:
        run_id = str(uuid.uuid4())
        state = initial_state(domain, request, run_id)
        upd = self.new_update(state, domain)
        extra: dict[str, Any] = {}
        if parent is not None:
            info = state.info
            info.parent_domain_id, info.parent_workflow_id = parent.domain_id, parent.workflow_id
            info.parent_run_id, info.initiated_id = parent.run_id, parent.initiated_id
            from cadence_py.rpc import idl
            extra = dict(parentWorkflowDomain=parent.domain_name,
                         parentWorkflowExecution=idl.shared().WorkflowExecution(
                             workflowId=parent.workflow_id, runId=parent.run_id),
                         parentInitiatedEventId=parent.initiated_id)
        add_started_event(upd, request, run_id, **extra)
        if signal is not None:
            upd.add_event("WorkflowExecutionSignaled", signalName=signal.name,
                          input=signal.input, identity=signal.identity,
                          requestId=signal.request_id)
            state.info.signal_count += 1
        backoff = max(request.delayStartSeconds or 0, 0)
        if request.cronSchedule:
            backoff += cron.backoff_seconds(request.cronSchedule, upd.now, upd.now)
        if backoff:
            upd.timer(r.TIMER_WORKFLOW_BACKOFF, upd.now + backoff * m.NANOS)
        else:
            m.schedule_decision(upd)
        state.info.state = r.STATE_RUNNING
        upd.timer(r.TIMER_WORKFLOW_TIMEOUT,
                  upd.now + (backoff + state.info.workflow_timeout) * m.NANOS)
        upd.transfer(r.TRANSFER_RECORD_STARTED)
        state.info.last_updated_time = upd.now
        batches, _ = upd.history_batch()
        self.store.create_workflow(state, batches[0], upd.transfer_tasks, upd.timer_tasks,
                                   previous_run_id=previous_run_id)
        self.committed(upd)
        return run_id


def initial_state(domain: DomainRecord, request: Any, run_id: str) -> r.MutableState:
    retry = request.retryPolicy
    info = r.ExecutionInfo(
        domain_id=domain.info.id, workflow_id=request.workflowId, run_id=run_id,
        first_run_id=run_id, task_list=request.taskList.name,
        workflow_type=request.workflowType.name,
        workflow_timeout=request.executionStartToCloseTimeoutSeconds,
        decision_timeout=request.taskStartToCloseTimeoutSeconds,
        create_request_id=request.requestId or str(uuid.uuid4()),
        cron_schedule=request.cronSchedule or "",
        identity=request.identity or "",
        memo=dict(request.memo.fields or {}) if request.memo else {},
        search_attributes=dict(request.searchAttributes.indexedFields or {})
        if request.searchAttributes else {},
    )
    info.start_time = 0  # set from the started event's timestamp by the caller's update
    m.apply_retry_policy(info, retry)
    return r.MutableState(info=info)


def add_started_event(upd: Any, request: Any, run_id: str, **extra: Any) -> Any:
    from cadence_py.rpc import idl
    shared = idl.shared()
    info = upd.info
    info.start_time = upd.now
    if info.has_retry_policy and info.retry_expiration_seconds:
        info.expiration_time = upd.now + info.retry_expiration_seconds * m.NANOS
    attributes = dict(
        workflowType=shared.WorkflowType(name=info.workflow_type),
        taskList=shared.TaskList(name=info.task_list),
        input=request.input,
        executionStartToCloseTimeoutSeconds=info.workflow_timeout,
        taskStartToCloseTimeoutSeconds=info.decision_timeout,
        identity=request.identity,
        originalExecutionRunId=run_id,
        firstExecutionRunId=info.first_run_id or run_id,
        attempt=info.attempt,
        retryPolicy=request.retryPolicy,
        cronSchedule=request.cronSchedule or None,
        memo=request.memo,
        searchAttributes=request.searchAttributes,
        header=request.header,
        requestId=request.requestId,
        firstScheduledTimeNano=upd.now,
    )
    if info.expiration_time:
        attributes["expirationTimestamp"] = info.expiration_time
    backoff = (request.delayStartSeconds or 0) + (
        cron.backoff_seconds(request.cronSchedule, upd.now, upd.now)
        if request.cronSchedule and "continuedExecutionRunId" not in extra else 0)
    if backoff:
        attributes["firstDecisionTaskBackoffSeconds"] = backoff
    attributes.update(extra)
    return upd.add_event("WorkflowExecutionStarted", **attributes)
