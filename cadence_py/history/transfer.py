"""Transfer tasks that act on other workflows: start a child, signal or cancel another
run, and tell a parent its child closed (and apply the parent close policy).

Each step is idempotent: the initiating run's pending-child/signal/cancel records say
whether the work was already done, so a task replayed after a crash is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.api.start import ParentRef
from cadence_py.history.codec import decode_events
from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r
from cadence_py.rpc import idl

log = logging.getLogger(__name__)
ABANDON, REQUEST_CANCEL, TERMINATE = 0, 1, 2
UNKNOWN_EXTERNAL, ALREADY_COMPLETED = 0, 1


def _event(engine: Any, info: r.ExecutionInfo, event_id: int) -> Any:
    for event in engine.read_events(info, event_id, event_id + 1):
        return event
    raise LookupError(f"event {event_id} of run {info.run_id} not found")


def _ignore_closed(fn: Any) -> Any:
    """Run ``fn``; a closed or vanished run means there is nothing left to do."""
    try:
        return fn()
    except errors.shared_exception("EntityNotExistsError"):
        return None


def process(engine: Any, task: r.TransferTask) -> None:
    handler = {r.TRANSFER_START_CHILD: start_child, r.TRANSFER_SIGNAL: signal_external,
               r.TRANSFER_CANCEL: cancel_external, r.TRANSFER_CLOSE: close}.get(task.type)
    if handler is not None:
        handler(engine, task)


def start_child(engine: Any, task: r.TransferTask) -> None:
    try:
        parent = engine.load(task.domain_id, task.workflow_id, task.run_id)
    except errors.shared_exception("EntityNotExistsError"):
        return
    child = parent.children.get(task.schedule_id)
    if child is None or child.started_id != r.EMPTY_EVENT_ID or not m.is_running(parent):
        return
    attrs = _event(engine, parent.info, task.schedule_id).\
        startChildWorkflowExecutionInitiatedEventAttributes
    domain = engine.domains.by_id(task.target_domain_id)
    request = SimpleNamespace(
        workflowId=attrs.workflowId, workflowType=attrs.workflowType, taskList=attrs.taskList,
        input=attrs.input, executionStartToCloseTimeoutSeconds=attrs.
        executionStartToCloseTimeoutSeconds, taskStartToCloseTimeoutSeconds=attrs.
        taskStartToCloseTimeoutSeconds, identity="", requestId=child.create_request_id,
        workflowIdReusePolicy=attrs.workflowIdReusePolicy, retryPolicy=attrs.retryPolicy,
        cronSchedule=attrs.cronSchedule, memo=attrs.memo,
        searchAttributes=attrs.searchAttributes, header=attrs.header, delayStartSeconds=None)
    parent_domain = engine.domains.by_id(task.domain_id)
    ref = ParentRef(task.domain_id, parent_domain.info.name, task.workflow_id, task.run_id,
                    task.schedule_id)
    try:
        run_id = engine.start_workflow(domain, request, parent=ref)
    except errors.shared_exception("WorkflowExecutionAlreadyStartedError"):
        def failed(upd: RunUpdate) -> None:
            if upd.state.children.pop(task.schedule_id, None) is None:
                return
            upd.add_event("StartChildWorkflowExecutionFailed", buffer_if_decision_running=True,
                          domain=attrs.domain, workflowId=attrs.workflowId,
                          workflowType=attrs.workflowType, cause=0, control=attrs.control,
                          initiatedEventId=task.schedule_id,
                          decisionTaskCompletedEventId=attrs.decisionTaskCompletedEventId)
            m.schedule_decision(upd)
        _ignore_closed(lambda: engine.update(task.domain_id, task.workflow_id, task.run_id,
                                             failed))
        return

    def started(upd: RunUpdate) -> None:
        record = upd.state.children.get(task.schedule_id)
        if record is None or record.started_id != r.EMPTY_EVENT_ID:
            return
        shared = idl.shared()
        event = upd.add_event(
            "ChildWorkflowExecutionStarted", buffer_if_decision_running=True,
            domain=attrs.domain, initiatedEventId=task.schedule_id,
            workflowExecution=shared.WorkflowExecution(workflowId=attrs.workflowId,
                                                       runId=run_id),
            workflowType=attrs.workflowType, header=attrs.header)
        record.started_id = event.eventId if event.eventId is not None else m.BUFFERED_EVENT_ID
        record.started_run_id = run_id
        m.schedule_decision(upd)
    _ignore_closed(lambda: engine.update(task.domain_id, task.workflow_id, task.run_id,
                                         started))


def _act_on_external(engine: Any, task: r.TransferTask, pending: str, initiated: str,
                     act: Callable[[Any, Any], None], ok_event: str,
                     ok_fields: Callable[[Any], dict[str, Any]], failed_event: str) -> None:
    """Signal or cancel another run for ``task``, then record the outcome in the source.

    ``pending`` names the source state's map of outstanding requests (signals or
    request_cancels); an entry missing there means the outcome is already recorded.
    """
    try:
        source = engine.load(task.domain_id, task.workflow_id, task.run_id)
    except errors.shared_exception("EntityNotExistsError"):
        return
    info = getattr(source, pending).get(task.schedule_id)
    if info is None:
        return
    attrs = getattr(_event(engine, source.info, task.schedule_id), initiated)
    target = engine.domains.by_id(task.target_domain_id)
    cause = None
    try:
        act(target, info)
    except errors.shared_exception("EntityNotExistsError"):
        cause = UNKNOWN_EXTERNAL

    def record(upd: RunUpdate) -> None:
        if getattr(upd.state, pending).pop(task.schedule_id, None) is None:
            return
        common = dict(buffer_if_decision_running=True, initiatedEventId=task.schedule_id,
                      domain=attrs.domain, workflowExecution=attrs.workflowExecution)
        if cause is None:
            upd.add_event(ok_event, **common, **ok_fields(attrs))
        else:
            upd.add_event(failed_event, cause=cause, control=attrs.control,
                          decisionTaskCompletedEventId=attrs.decisionTaskCompletedEventId,
                          **common)
        m.schedule_decision(upd)
    _ignore_closed(lambda: engine.update(task.domain_id, task.workflow_id, task.run_id, record))


def signal_external(engine: Any, task: r.TransferTask) -> None:
    def act(target: Any, info: r.SignalInfo) -> None:
        engine.signal(target, task.target_workflow_id, task.target_run_id or None,
                      info.signal_name, info.input or None, "", info.signal_request_id)
    _act_on_external(engine, task, "signals",
                     "signalExternalWorkflowExecutionInitiatedEventAttributes", act,
                     "ExternalWorkflowExecutionSignaled", lambda a: dict(control=a.control),
                     "SignalExternalWorkflowExecutionFailed")


def cancel_external(engine: Any, task: r.TransferTask) -> None:
    def act(target: Any, info: r.RequestCancelInfo) -> None:
        try:
            engine.request_cancel(target, task.target_workflow_id,
                                  task.target_run_id or None, "", info.cancel_request_id, None)
        except errors.shared_exception("CancellationAlreadyRequestedError"):
            pass  # upstream counts this as requested
    _act_on_external(engine, task, "request_cancels",
                     "requestCancelExternalWorkflowExecutionInitiatedEventAttributes", act,
                     "ExternalWorkflowExecutionCancelRequested", lambda a: {},
                     "RequestCancelExternalWorkflowExecutionFailed")


CHILD_CLOSE = {
    r.CLOSE_COMPLETED: ("ChildWorkflowExecutionCompleted", "workflowExecutionCompleted",
                        lambda a: dict(result=a.result)),
    r.CLOSE_FAILED: ("ChildWorkflowExecutionFailed", "workflowExecutionFailed",
                     lambda a: dict(reason=a.reason, details=a.details)),
    r.CLOSE_CANCELED: ("ChildWorkflowExecutionCanceled", "workflowExecutionCanceled",
                       lambda a: dict(details=a.details)),
    r.CLOSE_TIMED_OUT: ("ChildWorkflowExecutionTimedOut", "workflowExecutionTimedOut",
                        lambda a: dict(timeoutType=a.timeoutType)),
    r.CLOSE_TERMINATED: ("ChildWorkflowExecutionTerminated", "workflowExecutionTerminated",
                         lambda a: {}),
}


def close(engine: Any, task: r.TransferTask) -> None:
    try:
        state = engine.load(task.domain_id, task.workflow_id, task.run_id)
    except errors.shared_exception("EntityNotExistsError"):
        return
    info = state.info
    if info.parent_workflow_id and info.close_status in CHILD_CLOSE:
        _notify_parent(engine, state)
    for child in list(state.children.values()):
        _apply_parent_close_policy(engine, child)


def _notify_parent(engine: Any, state: r.MutableState) -> None:
    info = state.info
    event_type, field_prefix, pick = CHILD_CLOSE[info.close_status]
    closing = _event(engine, info, info.completion_event_id)
    attrs = getattr(closing, field_prefix + "EventAttributes")
    shared = idl.shared()
    domain = engine.domains.by_id(info.domain_id)

    def record(upd: RunUpdate) -> None:
        child = upd.state.children.pop(info.initiated_id, None)
        if child is None:
            return
        upd.add_event(event_type, buffer_if_decision_running=True, domain=domain.info.name,
                      workflowExecution=shared.WorkflowExecution(workflowId=info.workflow_id,
                                                                 runId=info.run_id),
                      workflowType=shared.WorkflowType(name=info.workflow_type),
                      initiatedEventId=info.initiated_id, startedEventId=child.started_id,
                      **pick(attrs))
        m.schedule_decision(upd)
    _ignore_closed(lambda: engine.update(info.parent_domain_id, info.parent_workflow_id,
                                         info.parent_run_id, record))


def _apply_parent_close_policy(engine: Any, child: r.ChildInfo) -> None:
    if child.parent_close_policy == ABANDON or not child.started_run_id:
        return
    domain = engine.domains.by_name(child.domain_name)
    if child.parent_close_policy == TERMINATE:
        _ignore_closed(lambda: engine.terminate(domain, child.workflow_id, None,
                                                "by parent close policy", None,
                                                "cadence-history"))
    elif child.parent_close_policy == REQUEST_CANCEL:
        try:
            _ignore_closed(lambda: engine.request_cancel(domain, child.workflow_id, None,
                                                         "cadence-history", None, None))
        except errors.shared_exception("CancellationAlreadyRequestedError"):
            pass
