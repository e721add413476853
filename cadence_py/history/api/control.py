"""Signals, cancellation requests and termination from outside the workflow."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.api.start import StartAPI, StartSignal
from cadence_py.history.decisions import schedule_activity_dispatch
from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r
from cadence_py.persistence.domains import DomainRecord

FORCE_CLOSE_DECISION = 16
MAX_REMEMBERED_REQUESTS = 1000


def _add_signal(upd: RunUpdate, name: str, payload: bytes | None, identity: str | None,
                request_id: str | None) -> None:
    upd.add_event("WorkflowExecutionSignaled", buffer_if_decision_running=True,
                  signalName=name, input=payload, identity=identity, requestId=request_id)
    upd.info.signal_count += 1
    if request_id:
        upd.state.signals_requested = (upd.state.signals_requested
                                       + [request_id])[-MAX_REMEMBERED_REQUESTS:]
    m.schedule_decision(upd)


class ControlAPI(StartAPI):
    def signal(self, domain: DomainRecord, workflow_id: str, run_id: str | None, name: str,
               payload: bytes | None, identity: str | None, request_id: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            if request_id and request_id in upd.state.signals_requested:
                return  # the same signal, retried by the client
            _add_signal(upd, name, payload, identity, request_id)
        self.update(domain.info.id, workflow_id, run_id, change)

    def signal_with_start(self, domain: DomainRecord, request: Any) -> str:
        """Signal the running run, or start one with the signal as its first event."""
        for _ in range(3):
            try:
                run_id = self.current_run_id(domain.info.id, request.workflowId)
                self.signal(domain, request.workflowId, run_id, request.signalName,
                            request.signalInput, request.identity, request.requestId)
                return run_id
            except errors.shared_exception("EntityNotExistsError"):
                pass  # not running: start it
            signal = StartSignal(request.signalName, request.signalInput, request.identity,
                                 request.requestId)
            try:
                return self.start_workflow(domain, request, signal=signal)
            except errors.shared_exception("WorkflowExecutionAlreadyStartedError"):
                continue  # started concurrently: signal it
        raise errors.service_busy("SignalWithStart raced with another start, try again.")

    def terminate(self, domain: DomainRecord, workflow_id: str, run_id: str | None,
                  reason: str | None, details: bytes | None, identity: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            m.fail_in_flight_decision(upd, FORCE_CLOSE_DECISION, identity or "")
            upd.flush_buffered()
            upd.add_event("WorkflowExecutionTerminated", reason=reason, details=details,
                          identity=identity)
            m.close_workflow(upd, r.CLOSE_TERMINATED, domain.config.retention_days)
        self.update(domain.info.id, workflow_id, run_id, change)

    def reset_sticky(self, domain: DomainRecord, workflow_id: str, run_id: str | None) -> None:
        """Forget the run's sticky worker (it evicted the run from its cache)."""
        def change(upd: RunUpdate) -> None:
            if upd.info.sticky_task_list:
                upd.info.sticky_task_list = ""
                upd.state_changed = True
        self.update(domain.info.id, workflow_id, run_id, change)

    def refresh_tasks(self, domain: DomainRecord, workflow_id: str, run_id: str | None) -> None:
        """Re-create the queue tasks a running run needs (RefreshWorkflowTasks).

        Every task is idempotent, so duplicates of tasks that still exist are harmless;
        this repairs runs whose tasks were lost (e.g. restored from a backup).
        """
        def change(upd: RunUpdate) -> None:
            info = upd.info
            if info.decision_schedule_id != r.EMPTY_EVENT_ID:
                if info.decision_started_id == r.EMPTY_EVENT_ID:
                    upd.transfer(r.TRANSFER_DECISION, task_list=info.task_list,
                                 schedule_id=info.decision_schedule_id)
                else:
                    upd.timer(r.TIMER_DECISION_TIMEOUT,
                              info.decision_started_time + info.decision_task_timeout * m.NANOS,
                              event_id=info.decision_schedule_id, attempt=info.decision_attempt,
                              timeout_type=m.START_TO_CLOSE)
            for activity in upd.state.activities.values():
                if activity.started_id == r.EMPTY_EVENT_ID:
                    schedule_activity_dispatch(upd, activity)
                else:
                    m.activity_timer(upd, activity, m.START_TO_CLOSE, activity.started_time
                                     + activity.start_to_close_timeout * m.NANOS)
            for timer in upd.state.timers.values():
                upd.timer(r.TIMER_USER, timer.expiry_time, event_id=timer.started_id)
            for child in upd.state.children.values():
                if child.started_id == r.EMPTY_EVENT_ID:
                    target = self.domains.by_name(child.domain_name)
                    upd.transfer(r.TRANSFER_START_CHILD, target_domain_id=target.info.id,
                                 target_workflow_id=child.workflow_id,
                                 schedule_id=child.initiated_id)
            upd.timer(r.TIMER_WORKFLOW_TIMEOUT, info.start_time + info.workflow_timeout * m.NANOS)
            upd.state_changed = True
        self.update(domain.info.id, workflow_id, run_id, change)

    def request_cancel(self, domain: DomainRecord, workflow_id: str, run_id: str | None,
                       identity: str | None, request_id: str | None,
                       cause: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            info = upd.info
            if info.cancel_requested:
                if request_id and info.cancel_request_id == request_id:
                    return
                raise errors.cancellation_already_requested(
                    "Cancellation already requested for this workflow execution.")
            info.cancel_requested = True
            info.cancel_request_id = request_id or ""
            upd.add_event("WorkflowExecutionCancelRequested", buffer_if_decision_running=True,
                          cause=cause, identity=identity, requestId=request_id)
            m.schedule_decision(upd)
        self.update(domain.info.id, workflow_id, run_id, change)
