"""Workers reporting back: decision results, activity results and heartbeats."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.history.tokens import TaskToken
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext


class TaskAPIs(WorkflowAPIBase):
    def _checked_token(self, request: Any) -> TaskToken:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        token = self._token(request.taskToken)
        self.domain_cache.by_id(token.domain_id)
        return token

    def RespondDecisionTaskCompleted(self, ctx: RequestContext, request: Any) -> Any:
        token = self._checked_token(request)
        self._length(request.identity, "Identity")
        for decision in request.decisions or []:
            for value in vars(decision).values():
                for blob in ("input", "result", "details"):
                    self._blob(getattr(value, blob, None) if value is not None else None)
        with errors.from_persistence():
            started = self.history.respond_decision_task_completed(token, request)
        shared = idl.shared()
        local = {s.activity.activity_id: shared.ActivityLocalDispatchInfo(
            activityId=s.activity.activity_id, scheduledTimestamp=s.activity.scheduled_time,
            startedTimestamp=s.activity.started_time,
            scheduledTimestampOfThisAttempt=s.activity.scheduled_time_of_this_attempt,
            taskToken=s.token.encode()) for s in started or ()}
        return shared.RespondDecisionTaskCompletedResponse(
            activitiesToDispatchLocally=local or None)

    def RespondDecisionTaskFailed(self, ctx: RequestContext, request: Any) -> None:
        token = self._checked_token(request)
        with errors.from_persistence():
            self.history.respond_decision_task_failed(token, request)

    def _by_id_token(self, request: Any) -> TaskToken:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        self._require(request.workflowID, "WorkflowId is not set on request.")
        self._require(request.activityID, "ActivityID is not set on request.")
        with errors.from_persistence():
            return self.history.activity_token_by_id(domain.info.id, request.workflowID,
                                                     request.runID or None, request.activityID)

    def RecordActivityTaskHeartbeat(self, ctx: RequestContext, request: Any) -> Any:
        token = self._checked_token(request)
        self._blob(request.details, "Details")
        with errors.from_persistence():
            cancel = self.history.record_activity_heartbeat(token, request.details)
        return idl.shared().RecordActivityTaskHeartbeatResponse(cancelRequested=cancel)

    def RecordActivityTaskHeartbeatByID(self, ctx: RequestContext, request: Any) -> Any:
        token = self._by_id_token(request)
        with errors.from_persistence():
            cancel = self.history.record_activity_heartbeat(token, request.details)
        return idl.shared().RecordActivityTaskHeartbeatResponse(cancelRequested=cancel)

    def RespondActivityTaskCompleted(self, ctx: RequestContext, request: Any) -> None:
        token = self._checked_token(request)
        self._blob(request.result, "Result")
        with errors.from_persistence():
            self.history.respond_activity_completed(token, request.result, request.identity)

    def RespondActivityTaskCompletedByID(self, ctx: RequestContext, request: Any) -> None:
        token = self._by_id_token(request)
        with errors.from_persistence():
            self.history.respond_activity_completed(token, request.result, request.identity)

    def RespondActivityTaskFailed(self, ctx: RequestContext, request: Any) -> None:
        token = self._checked_token(request)
        with errors.from_persistence():
            self.history.respond_activity_failed(token, request.reason, request.details,
                                                 request.identity)

    def RespondActivityTaskFailedByID(self, ctx: RequestContext, request: Any) -> None:
        token = self._by_id_token(request)
        with errors.from_persistence():
            self.history.respond_activity_failed(token, request.reason, request.details,
                                                 request.identity)

    def RespondActivityTaskCanceled(self, ctx: RequestContext, request: Any) -> None:
        token = self._checked_token(request)
        with errors.from_persistence():
            self.history.respond_activity_canceled(token, request.details, request.identity)

    def RespondActivityTaskCanceledByID(self, ctx: RequestContext, request: Any) -> None:
        token = self._by_id_token(request)
        with errors.from_persistence():
            self.history.respond_activity_canceled(token, request.details, request.identity)
