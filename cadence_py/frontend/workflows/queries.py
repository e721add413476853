"""QueryWorkflow and RespondQueryTaskCompleted (legacy query tasks).

The query rides a decision poll (PollForDecisionTaskResponse.query) with the run's full
history; the worker replays and answers with RespondQueryTaskCompleted.
"""

from __future__ import annotations

import time
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.frontend.workflows.reading import api_close_status
from cadence_py.matching.queries import QueryTask, query_id_of
from cadence_py.persistence import records as r
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext

NOT_OPEN, NOT_COMPLETED_CLEANLY = 0, 1
QUERY_FAILED = 1
MAX_QUERY_WAIT = 20.0


class QueryAPIs(WorkflowAPIBase):
    def QueryWorkflow(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        workflow_id, run_id = self._execution(request.execution)
        if request.query is None:
            raise errors.bad_request("WorkflowQuery is not set on request.")
        if not request.query.queryType:
            raise errors.bad_request("QueryType is not set on request.")
        with errors.from_persistence():
            state = self._settled(ctx, domain.info.id, workflow_id, run_id)
        shared = idl.shared()
        info = state.info
        closed = info.state == r.STATE_COMPLETED
        condition = request.queryRejectCondition
        if closed and (condition == NOT_OPEN or (condition == NOT_COMPLETED_CLEANLY
                                                 and info.close_status != r.CLOSE_COMPLETED)):
            return shared.QueryWorkflowResponse(
                queryRejected=shared.QueryRejected(closeStatus=api_close_status(state)))
        query = QueryTask(domain.info.id, workflow_id, info.run_id, request.query.queryType,
                          request.query.queryArgs)
        answer = self.matching.query(info.task_list, query,
                                     min(MAX_QUERY_WAIT, ctx.remaining() - 1.0))
        if answer is None:
            raise errors.query_failed("query timed out: no worker answered "
                                      f"on task list {info.task_list}")
        if answer.completedType == QUERY_FAILED:
            raise errors.query_failed(answer.errorMessage or "query failed")
        return shared.QueryWorkflowResponse(queryResult=answer.queryResult)

    def _settled(self, ctx: RequestContext, domain_id: str, workflow_id: str,
                 run_id: str | None) -> Any:
        """The run's state once no decision task is running.

        A worker that caches the run (sticky) would replay the query's history into its
        cache; doing that while one of its decisions is in flight corrupts the cache, so
        a query waits for the running decision to finish, as upstream's consistent
        queries do.
        """
        deadline = time.monotonic() + min(MAX_QUERY_WAIT, ctx.remaining() - 1.0)
        while True:
            state = self.history.describe(domain_id, workflow_id, run_id)
            info = state.info
            if info.decision_started_id == r.EMPTY_EVENT_ID or info.state == r.STATE_COMPLETED:
                return state
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return state
            self.history.notifier.wait(domain_id, workflow_id, info.run_id, remaining)

    def RespondQueryTaskCompleted(self, ctx: RequestContext, request: Any) -> None:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        query_id = query_id_of(request.taskToken)
        if query_id is None:
            raise errors.bad_request("Invalid TaskToken.")
        if request.completedType is None:
            raise errors.bad_request("CompletedType is not set on request.")
        self._blob(request.queryResult, "QueryResult")
        if not self.matching.queries.answer(query_id, request):
            raise errors.entity_not_exists("Query task not found, or already expired.")

    def _query_task_response(self, query: QueryTask) -> Any:
        shared = idl.shared()
        with errors.from_persistence():
            state = self.history.describe(query.domain_id, query.workflow_id, query.run_id)
        info = state.info
        # Only what the worker has already decided on (through the last
        # DecisionTaskCompleted): its cached state must not move ahead of its decisions.
        last = info.last_processed_event + 2 if info.last_processed_event > 0 else \
            info.next_event_id
        events = self.history.read_events(info, 1, min(last, info.next_event_id))
        return shared.PollForDecisionTaskResponse(
            taskToken=query.token(),
            workflowExecution=shared.WorkflowExecution(workflowId=info.workflow_id,
                                                       runId=info.run_id),
            workflowType=shared.WorkflowType(name=info.workflow_type),
            previousStartedEventId=info.last_processed_event,
            startedEventId=info.last_processed_event, attempt=0, backlogCountHint=0,
            history=shared.History(events=events),
            query=shared.WorkflowQuery(queryType=query.query_type, queryArgs=query.query_args),
            WorkflowExecutionTaskList=shared.TaskList(name=info.task_list, kind=0),
            nextEventId=events[-1].eventId + 1 if events else info.next_event_id,
            totalHistoryBytes=info.history_size)
