"""StartWorkflowExecution and SignalWithStartWorkflowExecution."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.common.retry_policy import retry_policy_problem
from cadence_py.history import cron
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext
from cadence_py.visibility.attributes import validate_upsert



class StartAPIs(WorkflowAPIBase):
    def _validate_start(self, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        self._require(request.workflowId, "WorkflowId is not set on request.")
        self._length(request.workflowId, "WorkflowID")
        if request.workflowType is None or not request.workflowType.name:
            raise errors.bad_request("WorkflowType is not set on request.")
        self._length(request.workflowType.name, "WorkflowType")
        if request.taskList is None or not request.taskList.name:
            raise errors.bad_request("TaskList is not set on request.")
        self._length(request.taskList.name, "TaskList")
        self._length(request.requestId, "RequestID")
        self._length(request.identity, "Identity")
        if (request.executionStartToCloseTimeoutSeconds or 0) <= 0:
            raise errors.bad_request(
                "A valid ExecutionStartToCloseTimeoutSeconds is not set on request.")
        if (request.taskStartToCloseTimeoutSeconds or 0) <= 0:
            raise errors.bad_request(
                "A valid TaskStartToCloseTimeoutSeconds is not set on request.")
        if (request.delayStartSeconds or 0) < 0:
            raise errors.bad_request("A valid DelayStartSeconds is not set on request.")
        request.taskStartToCloseTimeoutSeconds = min(
            request.taskStartToCloseTimeoutSeconds, self.config.max_decision_start_to_close_seconds)
        self._blob(request.input, "Input")
        if request.searchAttributes is not None and request.searchAttributes.indexedFields:
            registry = getattr(self, "search_attributes", None)
            problem = validate_upsert(dict(request.searchAttributes.indexedFields),
                                      registry.valid() if registry else {})
            if problem:
                raise errors.bad_request(problem)
        problem = retry_policy_problem(request.retryPolicy)
        if problem:
            raise errors.bad_request(problem)
        if request.cronSchedule:
            try:
                cron.validate(request.cronSchedule)
            except cron.InvalidCronSchedule:
                raise errors.bad_request("Invalid CronSchedule.") from None
        return domain

    def StartWorkflowExecution(self, ctx: RequestContext, request: Any) -> Any:
        domain = self._validate_start(request)
        with errors.from_persistence():
            run_id = self.history.start_workflow(domain, request)
        return idl.shared().StartWorkflowExecutionResponse(runId=run_id)

    def SignalWithStartWorkflowExecution(self, ctx: RequestContext, request: Any) -> Any:
        domain = self._validate_start(request)
        self._require(request.signalName, "SignalName is not set on request.")
        self._length(request.signalName, "SignalName")
        self._blob(request.signalInput, "SignalInput")
        with errors.from_persistence():
            run_id = self.history.signal_with_start(domain, request)
        return idl.shared().StartWorkflowExecutionResponse(runId=run_id)
