"""Mutable state from history: replay events into a fresh MutableState.

Reset needs it (a new run whose history is a prefix of another's), and it doubles as a
consistency check of what the engine keeps incrementally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadence_py.history import mutations as m
from cadence_py.history.events import attributes_of, event_type_name
from cadence_py.persistence import records as r

Handler = Callable[[r.MutableState, Any, Any], None]
_HANDLERS: dict[str, Handler] = {}
CLOSE_STATUS = {"WorkflowExecutionCompleted": r.CLOSE_COMPLETED,
                "WorkflowExecutionFailed": r.CLOSE_FAILED,
                "WorkflowExecutionTimedOut": r.CLOSE_TIMED_OUT,
                "WorkflowExecutionCanceled": r.CLOSE_CANCELED,
                "WorkflowExecutionTerminated": r.CLOSE_TERMINATED,
                "WorkflowExecutionContinuedAsNew": r.CLOSE_CONTINUED_AS_NEW}


def on(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            _HANDLERS[name] = fn
        return fn
    return register


def rebuild(domain_id: str, workflow_id: str, run_id: str, events: list[Any]) -> r.MutableState:
    state = r.MutableState(info=r.ExecutionInfo(domain_id=domain_id, workflow_id=workflow_id,
                                                run_id=run_id))
    for event in events:
        handler = _HANDLERS.get(event_type_name(event))
        if handler is not None:
            handler(state, event, attributes_of(event))
        state.info.next_event_id = event.eventId + 1
        state.info.last_updated_time = event.timestamp or state.info.last_updated_time
    return state


@on("WorkflowExecutionStarted")
def _started(state: r.MutableState, event: Any, a: Any) -> None:
    info = state.info
    info.workflow_type = a.workflowType.name
    info.task_list = a.taskList.name
    info.workflow_timeout = a.executionStartToCloseTimeoutSeconds or 0
    info.decision_timeout = a.taskStartToCloseTimeoutSeconds or 0
    info.first_run_id = a.firstExecutionRunId or info.run_id
    info.start_time = event.timestamp or 0
    info.state = r.STATE_RUNNING
    info.attempt = a.attempt or 0
    info.cron_schedule = a.cronSchedule or ""
    info.identity = a.identity or ""
    info.create_request_id = a.requestId or ""
    info.expiration_time = a.expirationTimestamp or 0
    if a.memo and a.memo.fields:
        info.memo = dict(a.memo.fields)
    if a.searchAttributes and a.searchAttributes.indexedFields:
        info.search_attributes = dict(a.searchAttributes.indexedFields)
    if a.parentWorkflowExecution is not None:
        info.parent_workflow_id = a.parentWorkflowExecution.workflowId
        info.parent_run_id = a.parentWorkflowExecution.runId
        info.initiated_id = a.parentInitiatedEventId
    m.apply_retry_policy(info, a.retryPolicy)


@on("DecisionTaskScheduled")
def _decision_scheduled(state: r.MutableState, event: Any, a: Any) -> None:
    info = state.info
    info.decision_schedule_id = event.eventId
    info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_attempt = a.attempt or 0
    info.decision_task_timeout = a.startToCloseTimeoutSeconds or info.decision_timeout
    info.decision_scheduled_time = event.timestamp or 0


@on("DecisionTaskStarted")
def _decision_started(state: r.MutableState, event: Any, a: Any) -> None:
    info = state.info
    info.decision_started_id = event.eventId
    info.decision_request_id = a.requestId or ""
    info.decision_started_time = event.timestamp or 0


@on("DecisionTaskCompleted")
def _decision_completed(state: r.MutableState, event: Any, a: Any) -> None:
    state.info.last_processed_event = a.startedEventId
    _clear_decision(state)


@on("DecisionTaskFailed", "DecisionTaskTimedOut")
def _decision_failed(state: r.MutableState, event: Any, a: Any) -> None:
    _clear_decision(state)


def _clear_decision(state: r.MutableState) -> None:
    info = state.info
    info.decision_schedule_id = info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_request_id = ""


@on("ActivityTaskScheduled")
def _activity_scheduled(state: r.MutableState, event: Any, a: Any) -> None:
    activity = r.ActivityInfo(
        schedule_id=event.eventId, activity_id=a.activityId, activity_type=a.activityType.name,
        task_list=a.taskList.name, scheduled_time=event.timestamp or 0, input=a.input or b"",
        header=dict(a.header.fields or {}) if a.header else {},
        domain_id=state.info.domain_id,
        schedule_to_start_timeout=a.scheduleToStartTimeoutSeconds or 0,
        schedule_to_close_timeout=a.scheduleToCloseTimeoutSeconds or 0,
        start_to_close_timeout=a.startToCloseTimeoutSeconds or 0,
        heartbeat_timeout=a.heartbeatTimeoutSeconds or 0,
        scheduled_time_of_this_attempt=event.timestamp or 0)
    m.apply_retry_policy(activity, a.retryPolicy, **m.ACTIVITY_RETRY_DEFAULTS)
    state.activities[event.eventId] = activity


@on("ActivityTaskStarted")
def _activity_started(state: r.MutableState, event: Any, a: Any) -> None:
    activity = state.activities.get(a.scheduledEventId)
    if activity is not None:
        activity.started_id = event.eventId
        activity.started_time = event.timestamp or 0
        activity.started_identity = a.identity or ""
        activity.request_id = a.requestId or ""
        activity.attempt = a.attempt or 0


@on("ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut",
    "ActivityTaskCanceled")
def _activity_closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.activities.pop(a.scheduledEventId, None)


@on("ActivityTaskCancelRequested")
def _activity_cancel_requested(state: r.MutableState, event: Any, a: Any) -> None:
    for activity in state.activities.values():
        if activity.activity_id == a.activityId:
            activity.cancel_requested = True
            activity.cancel_request_id = event.eventId


@on("TimerStarted")
def _timer_started(state: r.MutableState, event: Any, a: Any) -> None:
    expiry = (event.timestamp or 0) + (a.startToFireTimeoutSeconds or 0) * m.NANOS
    state.timers[a.timerId] = r.TimerInfo(a.timerId, event.eventId, expiry, True)


@on("TimerFired", "TimerCanceled")
def _timer_closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.timers.pop(a.timerId, None)


@on("StartChildWorkflowExecutionInitiated")
def _child_initiated(state: r.MutableState, event: Any, a: Any) -> None:
    state.children[event.eventId] = r.ChildInfo(
        initiated_id=event.eventId, workflow_id=a.workflowId,
        workflow_type=a.workflowType.name, domain_name=a.domain or "",
        parent_close_policy=a.parentClosePolicy or 0)


@on("ChildWorkflowExecutionStarted")
def _child_started(state: r.MutableState, event: Any, a: Any) -> None:
    child = state.children.get(a.initiatedEventId)
    if child is not None:
        child.started_id = event.eventId
        child.started_run_id = a.workflowExecution.runId


@on("StartChildWorkflowExecutionFailed", "ChildWorkflowExecutionCompleted",
    "ChildWorkflowExecutionFailed", "ChildWorkflowExecutionCanceled",
    "ChildWorkflowExecutionTimedOut", "ChildWorkflowExecutionTerminated")
def _child_closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.children.pop(a.initiatedEventId, None)


@on("SignalExternalWorkflowExecutionInitiated")
def _signal_initiated(state: r.MutableState, event: Any, a: Any) -> None:
    state.signals[event.eventId] = r.SignalInfo(event.eventId, signal_name=a.signalName,
                                                input=a.input or b"", control=a.control or b"")


@on("ExternalWorkflowExecutionSignaled", "SignalExternalWorkflowExecutionFailed")
def _signal_closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.signals.pop(a.initiatedEventId, None)


@on("RequestCancelExternalWorkflowExecutionInitiated")
def _cancel_initiated(state: r.MutableState, event: Any, a: Any) -> None:
    state.request_cancels[event.eventId] = r.RequestCancelInfo(event.eventId)


@on("ExternalWorkflowExecutionCancelRequested", "RequestCancelExternalWorkflowExecutionFailed")
def _cancel_closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.request_cancels.pop(a.initiatedEventId, None)


@on("WorkflowExecutionSignaled")
def _signaled(state: r.MutableState, event: Any, a: Any) -> None:
    state.info.signal_count += 1


@on("WorkflowExecutionCancelRequested")
def _cancel_requested(state: r.MutableState, event: Any, a: Any) -> None:
    state.info.cancel_requested = True
    state.info.cancel_request_id = a.requestId or ""


@on("UpsertWorkflowSearchAttributes")
def _upsert(state: r.MutableState, event: Any, a: Any) -> None:
    if a.searchAttributes and a.searchAttributes.indexedFields:
        state.info.search_attributes.update(a.searchAttributes.indexedFields)


@on(*CLOSE_STATUS)
def _closed(state: r.MutableState, event: Any, a: Any) -> None:
    state.info.state = r.STATE_COMPLETED
    state.info.close_status = CLOSE_STATUS[event_type_name(event)]
    state.info.completion_event_id = event.eventId
