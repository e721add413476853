"""Continue-as-new: close a run and start its successor in the same write.

Used by the ContinueAsNewWorkflowExecution decision, and by cron schedules and workflow
retry policies, which upstream implements the same way (initiator CronSchedule /
RetryPolicy): the closed run gets WorkflowExecutionContinuedAsNew, the new run starts
with WorkflowExecutionStarted pointing back at it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from cadence_py.history import cron
from cadence_py.history import mutations as m
from cadence_py.history.api.start import add_started_event, initial_state
from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r
from cadence_py.persistence.domains import DomainRecord
from cadence_py.persistence.executions import NewRun
from cadence_py.rpc import idl

DECIDER, RETRY_POLICY, CRON_SCHEDULE = 0, 1, 2


@dataclass
class Successor:
    """What the next run looks like (defaults: same as the current run)."""

    initiator: int = DECIDER
    input: bytes | None = None
    workflow_type: str | None = None
    task_list: str | None = None
    workflow_timeout: int | None = None
    decision_timeout: int | None = None
    backoff_seconds: int = 0
    retry_policy: Any = None
    cron_schedule: str | None = None
    header: Any = None
    memo: Any = None
    search_attributes: Any = None
    failure_reason: str | None = None
    failure_details: bytes | None = None
    last_completion_result: bytes | None = None
    attempt: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def retry_policy_of(info: r.ExecutionInfo) -> Any:
    if not info.has_retry_policy:
        return None
    return idl.shared().RetryPolicy(
        initialIntervalInSeconds=info.retry_initial_interval,
        backoffCoefficient=info.retry_backoff_coefficient,
        maximumIntervalInSeconds=info.retry_max_interval,
        maximumAttempts=info.retry_max_attempts,
        nonRetriableErrorReasons=list(info.retry_non_retriable_errors),
        expirationIntervalInSeconds=info.retry_expiration_seconds)


def continue_as_new(engine: Any, upd: RunUpdate, domain: DomainRecord, nxt: Successor,
                    completed_id: int | None) -> str:
    """Close ``upd``'s run as continued-as-new and attach its successor; the new run id."""
    shared = idl.shared()
    old = upd.info
    new_run_id = str(uuid.uuid4())
    workflow_type = nxt.workflow_type or old.workflow_type
    task_list = nxt.task_list or old.task_list
    workflow_timeout = nxt.workflow_timeout or old.workflow_timeout
    decision_timeout = nxt.decision_timeout or old.decision_timeout
    retry_policy = nxt.retry_policy if nxt.retry_policy is not None else retry_policy_of(old)
    cron_schedule = old.cron_schedule if nxt.cron_schedule is None else nxt.cron_schedule
    memo = nxt.memo if nxt.memo is not None else (
        shared.Memo(fields=dict(old.memo)) if old.memo else None)
    search = nxt.search_attributes if nxt.search_attributes is not None else (
        shared.SearchAttributes(indexedFields=dict(old.search_attributes))
        if old.search_attributes else None)
    upd.add_event("WorkflowExecutionContinuedAsNew", newExecutionRunId=new_run_id,
                  workflowType=shared.WorkflowType(name=workflow_type),
                  taskList=shared.TaskList(name=task_list), input=nxt.input,
                  executionStartToCloseTimeoutSeconds=workflow_timeout,
                  taskStartToCloseTimeoutSeconds=decision_timeout,
                  decisionTaskCompletedEventId=completed_id,
                  backoffStartIntervalInSeconds=nxt.backoff_seconds, initiator=nxt.initiator,
                  failureReason=nxt.failure_reason, failureDetails=nxt.failure_details,
                  lastCompletionResult=nxt.last_completion_result, header=nxt.header,
                  memo=memo, searchAttributes=search)
    m.close_workflow(upd, r.CLOSE_CONTINUED_AS_NEW, domain.config.retention_days)

    request = SimpleNamespace(
        workflowId=old.workflow_id, workflowType=shared.WorkflowType(name=workflow_type),
        taskList=shared.TaskList(name=task_list), input=nxt.input,
        executionStartToCloseTimeoutSeconds=workflow_timeout,
        taskStartToCloseTimeoutSeconds=decision_timeout, identity=old.identity,
        requestId=str(uuid.uuid4()), retryPolicy=retry_policy,
        cronSchedule=cron_schedule or None, memo=memo, searchAttributes=search,
        header=nxt.header, delayStartSeconds=nxt.backoff_seconds)
    state = initial_state(domain, request, new_run_id)
    info = state.info
    info.first_run_id = old.first_run_id or old.run_id
    info.parent_domain_id, info.parent_workflow_id = old.parent_domain_id, old.parent_workflow_id
    info.parent_run_id, info.initiated_id = old.parent_run_id, old.initiated_id
    info.attempt = nxt.attempt
    if nxt.initiator == RETRY_POLICY:
        info.expiration_time = old.expiration_time
    new = engine.new_update(state, domain)
    new.now = upd.now
    parent = {}
    if old.parent_workflow_id:
        parent = dict(parentWorkflowDomain=engine.domains.by_id(old.parent_domain_id).info.name,
                      parentWorkflowExecution=shared.WorkflowExecution(
                          workflowId=old.parent_workflow_id, runId=old.parent_run_id),
                      parentInitiatedEventId=old.initiated_id)
    add_started_event(new, request, new_run_id, continuedExecutionRunId=old.run_id,
                      initiator=nxt.initiator, continuedFailureReason=nxt.failure_reason,
                      continuedFailureDetails=nxt.failure_details,
                      lastCompletionResult=nxt.last_completion_result, **parent, **nxt.extra)
    if nxt.backoff_seconds:
        new.timer(r.TIMER_WORKFLOW_BACKOFF, new.now + nxt.backoff_seconds * m.NANOS)
    else:
        m.schedule_decision(new)
    info.state = r.STATE_RUNNING
    new.timer(r.TIMER_WORKFLOW_TIMEOUT,
              new.now + (nxt.backoff_seconds + workflow_timeout) * m.NANOS)
    new.transfer(r.TRANSFER_RECORD_STARTED)
    info.last_updated_time = new.now
    batches, _ = new.history_batch()
    upd.new_run = NewRun(state, batches[0], new.transfer_tasks, new.timer_tasks)
    return new_run_id


def cron_successor(info: r.ExecutionInfo, now: int, **fields: Any) -> Successor | None:
    """The next cron run, if the run has a schedule."""
    if not info.cron_schedule:
        return None
    backoff = cron.backoff_seconds(info.cron_schedule, info.start_time, now)
    return Successor(initiator=CRON_SCHEDULE, backoff_seconds=backoff, **fields)


def retry_successor(info: r.ExecutionInfo, now: int, reason: str,
                    details: bytes | None, input_: bytes | None) -> Successor | None:
    """The next attempt under the workflow's retry policy, if it allows one."""
    if not info.has_retry_policy:
        return None
    backoff = m.retry_backoff_seconds(
        info.attempt, info.retry_initial_interval, info.retry_backoff_coefficient,
        info.retry_max_interval, info.retry_max_attempts, info.expiration_time, now, reason,
        info.retry_non_retriable_errors)
    if backoff is None:
        return None
    return Successor(initiator=RETRY_POLICY, backoff_seconds=backoff, failure_reason=reason,
                     failure_details=details, input=input_, attempt=info.attempt + 1)
