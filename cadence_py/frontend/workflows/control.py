"""SignalWorkflowExecution, RequestCancelWorkflowExecution, TerminateWorkflowExecution."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.rpc.context import RequestContext


class ControlAPIs(WorkflowAPIBase):
    def SignalWorkflowExecution(self, ctx: RequestContext, request: Any) -> None:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.workflowExecution)
        self._require(request.signalName, "SignalName is not set on request.")
        self._length(request.signalName, "SignalName")
        self._length(request.requestId, "RequestID")
        self._blob(request.input, "Input")
        with errors.from_persistence():
            self.history.signal(domain, workflow_id, run_id, request.signalName,
                                request.input, request.identity, request.requestId)

    def RequestCancelWorkflowExecution(self, ctx: RequestContext, request: Any) -> None:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.workflowExecution)
        with errors.from_persistence():
            self.history.request_cancel(domain, workflow_id, run_id, request.identity,
                                        request.requestId, request.cause)

    def TerminateWorkflowExecution(self, ctx: RequestContext, request: Any) -> None:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.workflowExecution)
        with errors.from_persistence():
            self.history.terminate(domain, workflow_id, run_id, request.reason,
                                   request.details, request.identity)

    def RefreshWorkflowTasks(self, ctx: RequestContext, request: Any) -> None:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.execution)
        with errors.from_persistence():
            self.history.refresh_tasks(domain, workflow_id, run_id)

    def ResetWorkflowExecution(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.workflowExecution)
        if (request.decisionFinishEventId or 0) <= 0:
            raise errors.bad_request("Decision finish event ID must be > 0.")
        self._length(request.requestId, "RequestID")
        with errors.from_persistence():
            new_run = self.history.reset(domain, workflow_id, run_id, request.reason or "",
                                         request.decisionFinishEventId, request.requestId,
                                         bool(request.skipSignalReapply), "")
        from cadence_py.rpc import idl
        return idl.shared().ResetWorkflowExecutionResponse(runId=new_run)
