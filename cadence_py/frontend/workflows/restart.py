"""RestartWorkflowExecution: run a workflow again from its first run's start.

As upstream's frontend (v1.4): the given run's (or the current run's) started event is
turned into an ordinary start of the same workflow id with the same type, task list,
input, timeouts, retry policy, cron schedule, header, memo and search attributes, a new
request id, the caller's identity, and the TerminateIfRunning id reuse policy. So a
running current run is terminated first, and a closed one is simply followed. No delay:
upstream stopped copying the first decision's backoff (each restart of a cron workflow
skipped one more scheduled run). Any failure to read that history is the BadRequestError
upstream answers, since it may just have passed retention. ``reason`` is not used by
upstream either.
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.history.api.start import TERMINATE_IF_RUNNING
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext

HISTORY_NOT_FOUND = "Requested workflow history not found, may have passed retention period."


class RestartAPIs(WorkflowAPIBase):
    def RestartWorkflowExecution(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        if not request.domain:
            raise errors.bad_request(errors.DOMAIN_NOT_SET)
        workflow_id, run_id = self._execution(request.workflowExecution)
        domain = self._domain(request.domain)
        try:
            with errors.from_persistence():
                page = self.history.get_history(domain.info.id, workflow_id, run_id, 1, None,
                                                False, 0, float("inf"))
            started = page.events[0].workflowExecutionStartedEventAttributes
            if started is None:
                raise ValueError("the first event is not WorkflowExecutionStarted")
        except Exception:  # noqa: BLE001 - upstream answers this for every failure
            raise errors.bad_request(HISTORY_NOT_FOUND) from None
        start = _start_request(request, domain.info.name, workflow_id, started)
        with errors.from_persistence():
            new_run = self.history.start_workflow(domain, start)
        return idl.shared().RestartWorkflowExecutionResponse(runId=new_run)


def _start_request(request: Any, domain: str, workflow_id: str, started: Any) -> Any:
    shared = idl.shared()
    task_list = started.taskList
    return shared.StartWorkflowExecutionRequest(
        domain=domain, workflowId=workflow_id,
        workflowType=shared.WorkflowType(name=started.workflowType.name),
        taskList=shared.TaskList(name=task_list.name, kind=task_list.kind),
        input=started.input,
        executionStartToCloseTimeoutSeconds=started.executionStartToCloseTimeoutSeconds,
        taskStartToCloseTimeoutSeconds=started.taskStartToCloseTimeoutSeconds,
        identity=request.identity, requestId=str(uuid.uuid4()),
        workflowIdReusePolicy=TERMINATE_IF_RUNNING, retryPolicy=started.retryPolicy,
        cronSchedule=started.cronSchedule, memo=started.memo,
        searchAttributes=started.searchAttributes, header=started.header)
