"""History pages, describing runs and task lists."""

from __future__ import annotations

import socket
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.matching.engine import ACTIVITY, DECISION
from cadence_py.persistence import records as r
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext

PENDING_SCHEDULED, PENDING_STARTED, PENDING_CANCEL_REQUESTED = 0, 1, 2
DECISION_SCHEDULED, DECISION_STARTED = 0, 1


def api_close_status(state: r.MutableState) -> int | None:
    """Persistence close status (1-based) → the API's WorkflowExecutionCloseStatus."""
    status = state.info.close_status
    return status - 1 if status != r.CLOSE_NONE else None


def execution_info(state: r.MutableState) -> Any:
    shared = idl.shared()
    info = state.info
    closed = info.state == r.STATE_COMPLETED
    return shared.WorkflowExecutionInfo(
        execution=shared.WorkflowExecution(workflowId=info.workflow_id, runId=info.run_id),
        type=shared.WorkflowType(name=info.workflow_type), startTime=info.start_time,
        closeTime=info.last_updated_time if closed else None,
        closeStatus=api_close_status(state), historyLength=info.next_event_id - 1,
        executionTime=info.start_time,
        memo=shared.Memo(fields=dict(info.memo)) if info.memo else None,
        searchAttributes=shared.SearchAttributes(indexedFields=dict(info.search_attributes))
        if info.search_attributes else None,
        taskList=info.task_list, isCron=bool(info.cron_schedule),
        updateTime=info.last_updated_time)


class ReadingAPIs(WorkflowAPIBase):
    def GetWorkflowExecutionHistory(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.execution)
        if (request.maximumPageSize or 0) < 0:
            raise errors.bad_request("Invalid MaximumPageSize.")
        with errors.from_persistence():
            page = self.history.get_history(
                domain.info.id, workflow_id, run_id, request.maximumPageSize or 0,
                request.nextPageToken, bool(request.waitForNewEvent),
                request.HistoryEventFilterType or 0, ctx.deadline)
        shared = idl.shared()
        return shared.GetWorkflowExecutionHistoryResponse(
            history=shared.History(events=page.events), nextPageToken=page.next_page_token,
            archived=False)

    def DescribeWorkflowExecution(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.execution)
        with errors.from_persistence():
            state = self.history.describe(domain.info.id, workflow_id, run_id)
        shared = idl.shared()
        info = state.info
        response = shared.DescribeWorkflowExecutionResponse(
            executionConfiguration=shared.WorkflowExecutionConfiguration(
                taskList=shared.TaskList(name=info.task_list),
                executionStartToCloseTimeoutSeconds=info.workflow_timeout,
                taskStartToCloseTimeoutSeconds=info.decision_timeout),
            workflowExecutionInfo=execution_info(state),
            pendingActivities=[self._pending_activity(a) for a in
                               sorted(state.activities.values(), key=lambda a: a.schedule_id)],
            pendingChildren=[shared.PendingChildExecutionInfo(
                domain=c.domain_name, workflowID=c.workflow_id, runID=c.started_run_id or None,
                workflowTypName=c.workflow_type, initiatedID=c.initiated_id,
                parentClosePolicy=c.parent_close_policy)
                for c in sorted(state.children.values(), key=lambda c: c.initiated_id)])
        if info.decision_schedule_id != r.EMPTY_EVENT_ID:
            started = info.decision_started_id != r.EMPTY_EVENT_ID
            response.pendingDecision = shared.PendingDecisionInfo(
                state=DECISION_STARTED if started else DECISION_SCHEDULED,
                scheduledTimestamp=info.decision_scheduled_time,
                startedTimestamp=info.decision_started_time if started else None,
                attempt=info.decision_attempt,
                originalScheduledTimestamp=info.decision_original_scheduled_time,
                scheduleID=info.decision_schedule_id)
        return response

    @staticmethod
    def _pending_activity(activity: r.ActivityInfo) -> Any:
        shared = idl.shared()
        started = activity.started_id != r.EMPTY_EVENT_ID
        state = (PENDING_CANCEL_REQUESTED if activity.cancel_requested
                 else PENDING_STARTED if started else PENDING_SCHEDULED)
        return shared.PendingActivityInfo(
            activityID=activity.activity_id,
            activityType=shared.ActivityType(name=activity.activity_type), state=state,
            heartbeatDetails=activity.details or None,
            lastHeartbeatTimestamp=activity.last_heartbeat_time or None,
            lastStartedTimestamp=activity.started_time or None, attempt=activity.attempt,
            maximumAttempts=activity.retry_max_attempts,
            scheduledTimestamp=activity.scheduled_time_of_this_attempt,
            expirationTimestamp=activity.expiration_time or None,
            lastFailureReason=activity.last_failure_reason or None,
            lastFailureDetails=activity.last_failure_details or None,
            startedWorkerIdentity=activity.started_identity or None,
            scheduleID=activity.schedule_id)

    def DescribeTaskList(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        if request.taskList is None or not request.taskList.name:
            raise errors.bad_request("TaskList is not set on request.")
        if request.taskListType is None:
            raise errors.bad_request("TaskListType is not set on request.")
        manager = self.matching.task_list(domain.info.id, request.taskList.name,
                                          ACTIVITY if request.taskListType == 1 else DECISION)
        shared = idl.shared()
        response = shared.DescribeTaskListResponse(
            pollers=[shared.PollerInfo(lastAccessTime=p.last_access_time, identity=p.identity,
                                       ratePerSecond=p.rate_per_second)
                     for p in manager.recent_pollers()],
            taskList=shared.TaskList(name=request.taskList.name, kind=0))
        if request.includeTaskListStatus:
            response.taskListStatus = shared.TaskListStatus(
                backlogCountHint=len(manager.backlog), readLevel=0, ackLevel=0,
                ratePerSecond=100000.0, empty=not manager.backlog)
        return response

    def GetTaskListsByDomain(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domainName)
        shared = idl.shared()
        decision: dict[str, Any] = {}
        activity: dict[str, Any] = {}
        names = {(m.name, m.task_type) for m in self.matching.known_lists(domain.info.id)}
        names |= set(self.matching.store.list_task_lists(domain.info.id))
        for name, task_type in sorted(names):
            manager = self.matching.task_list(domain.info.id, name, task_type)
            described = shared.DescribeTaskListResponse(
                pollers=[shared.PollerInfo(lastAccessTime=p.last_access_time,
                                           identity=p.identity, ratePerSecond=p.rate_per_second)
                         for p in manager.recent_pollers()],
                taskList=shared.TaskList(name=name, kind=0))
            (activity if task_type == ACTIVITY else decision)[name] = described
        return shared.GetTaskListsByDomainResponse(decisionTaskListMap=decision,
                                                   activityTaskListMap=activity)

    def ListTaskListPartitions(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        self._domain(request.domain)
        if request.taskList is None or not request.taskList.name:
            raise errors.bad_request("TaskList is not set on request.")
        shared = idl.shared()
        host = socket.gethostname()
        partition = [shared.TaskListPartitionMetadata(key=request.taskList.name,
                                                      ownerHostName=host)]
        return shared.ListTaskListPartitionsResponse(activityTaskListPartitions=partition,
                                                     decisionTaskListPartitions=list(partition))

    def ResetStickyTaskList(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.execution)
        with errors.from_persistence():
            self.history.reset_sticky(domain, workflow_id, run_id)
        return idl.shared().ResetStickyTaskListResponse()
