"""Signals, cancellation requests and termination from outside the workflow."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.api.start import StartAPI, StartSignal
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
