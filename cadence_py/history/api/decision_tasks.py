"""Decision tasks: started (from matching's poll), completed, failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.api.activity_tasks import StartedActivity
from cadence_py.history.core import EngineCore
from cadence_py.history.decisions import DecisionFailure, DecisionHandler
from cadence_py.history.errors import StaleTaskError
from cadence_py.history.run_update import RunUpdate
from cadence_py.history.tokens import TaskToken
from cadence_py.persistence import records as r

UNHANDLED_DECISION = 0
HISTORY_LIMIT_REASON = "Workflow history size / count exceeds limit."


@dataclass
class StartedDecision:
    """What PollForDecisionTask needs to answer."""

    token: TaskToken
    state: r.MutableState
    scheduled_time: int
    started_time: int


def _check_token(upd: RunUpdate, token: TaskToken) -> None:
    info = upd.info
    if (info.decision_schedule_id != token.schedule_id
            or info.decision_started_id == r.EMPTY_EVENT_ID
            or info.decision_attempt != token.schedule_attempt):
        raise errors.entity_not_exists("Decision task not found.")


class DecisionTaskAPI(EngineCore):
    def record_decision_task_started(self, domain_id: str, workflow_id: str, run_id: str,
                                     schedule_id: int, request_id: str,
                                     identity: str) -> StartedDecision:
        def change(upd: RunUpdate) -> StartedDecision:
            info = upd.info
            if info.decision_schedule_id != schedule_id:
                raise StaleTaskError("decision task not found")
            if info.decision_started_id != r.EMPTY_EVENT_ID:
                if info.decision_request_id != request_id:
                    raise StaleTaskError("decision task already started")
            else:
                if m.is_transient(info) and info.decision_schedule_id != info.next_event_id:
                    # events arrived since the retry was scheduled: make it a real one
                    event = upd.add_event(
                        "DecisionTaskScheduled",
                        taskList=m._task_list(info.task_list),
                        startToCloseTimeoutSeconds=info.decision_task_timeout, attempt=0)
                    info.decision_schedule_id = event.eventId
                    info.decision_attempt = 0
                if m.is_transient(info):
                    info.decision_started_id = info.decision_schedule_id + 1
                else:
                    event = upd.add_event("DecisionTaskStarted",
                                          scheduledEventId=info.decision_schedule_id,
                                          identity=identity, requestId=request_id)
                    info.decision_started_id = event.eventId
                info.decision_request_id = request_id
                info.decision_identity = identity
                info.decision_started_time = upd.now
                upd.state_changed = True
                upd.timer(r.TIMER_DECISION_TIMEOUT,
                          upd.now + info.decision_task_timeout * m.NANOS,
                          event_id=info.decision_schedule_id, attempt=info.decision_attempt,
                          timeout_type=m.START_TO_CLOSE)
            token = TaskToken(domain_id, workflow_id, run_id, info.decision_schedule_id,
                              info.decision_attempt, workflow_type=info.workflow_type)
            return StartedDecision(token, upd.state, info.decision_scheduled_time,
                                   info.decision_started_time)
        try:
            return self.update(domain_id, workflow_id, run_id, change)
        except errors.shared_exception("EntityNotExistsError"):
            raise StaleTaskError("run not found or closed") from None

    def respond_decision_task_completed(self, token: TaskToken, request: Any
                                        ) -> list[StartedActivity]:
        """Apply the decisions; the activities started for the worker to run itself
        (requestLocalDispatch), which the response hands back with their task tokens."""
        domain = self.domains.by_id(token.domain_id)

        def change(upd: RunUpdate) -> list[StartedActivity]:
            _check_token(upd, token)
            info = upd.info
            decisions = list(request.decisions or [])
            handler = DecisionHandler(self, upd, domain, request.identity or "")
            try:
                handler.validate(decisions)
                if upd.has_buffered and handler.closes_workflow(decisions):
                    raise DecisionFailure(UNHANDLED_DECISION, "")
            except DecisionFailure as failure:
                self._fail_decision(upd, failure.cause, failure.details.encode(),
                                    request.identity, request.binaryChecksum)
                return []
            m.write_transient_events(upd)
            completed = upd.add_event(
                "DecisionTaskCompleted", scheduledEventId=info.decision_schedule_id,
                startedEventId=info.decision_started_id, identity=request.identity,
                binaryChecksum=request.binaryChecksum,
                executionContext=request.executionContext)
            info.last_processed_event = info.decision_started_id
            info.execution_context = request.executionContext or b""
            sticky = request.stickyAttributes
            if sticky is not None and sticky.workerTaskList is not None:
                info.sticky_task_list = sticky.workerTaskList.name or ""
                info.sticky_schedule_to_start_timeout = sticky.scheduleToStartTimeoutSeconds or 0
            m.clear_decision(upd)
            handler.apply(decisions, completed.eventId)
            flushed = upd.flush_buffered()
            if m.is_running(upd.state) and self._over_limits(upd):
                upd.add_event("WorkflowExecutionTerminated", reason=HISTORY_LIMIT_REASON,
                              identity="cadence-history-server")
                m.close_workflow(upd, r.CLOSE_TERMINATED, domain.config.retention_days)
                return []
            if m.is_running(upd.state) and (flushed or handler.needs_decision
                                            or request.forceCreateNewDecisionTask):
                m.schedule_decision(upd)
            return [StartedActivity(TaskToken(info.domain_id, info.workflow_id, info.run_id,
                                              a.schedule_id, a.attempt, a.activity_id,
                                              info.workflow_type), a, info)
                    for a in handler.local_dispatches]
        return self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def _over_limits(self, upd: RunUpdate) -> bool:
        """History past limit.historyCount.error / limit.historySize.error (upstream
        terminates such a workflow rather than let it grow without bound)."""
        info = upd.info  # history_size lags one batch behind: fine for a 200 MB limit
        return (info.next_event_id - 1 > self.config.history_count_limit_error
                or info.history_size > self.config.history_size_limit_error)

    def respond_decision_task_failed(self, token: TaskToken, request: Any) -> None:
        def change(upd: RunUpdate) -> None:
            _check_token(upd, token)
            self._fail_decision(upd, request.cause, request.details, request.identity,
                                request.binaryChecksum)
        self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def _fail_decision(self, upd: RunUpdate, cause: int, details: bytes | None,
                       identity: str | None, binary_checksum: str | None) -> None:
        info = upd.info
        attempt = info.decision_attempt + 1
        if not m.is_transient(info):  # only the first failure is recorded, as upstream
            upd.add_event("DecisionTaskFailed", scheduledEventId=info.decision_schedule_id,
                          startedEventId=info.decision_started_id, cause=cause,
                          details=details, identity=identity, binaryChecksum=binary_checksum,
                          requestId=str(uuid.uuid4()))
        else:
            upd.state_changed = True
        m.clear_decision(upd)
        upd.flush_buffered()
        m.schedule_decision(upd, attempt=attempt)
