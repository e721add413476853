"""PollForDecisionTask and PollForActivityTask: long polls on matching.

A poll answers (empty) before the caller's deadline: at most 60 s
(matching.longPollExpirationInterval) and 1 s before the TTL, like upstream. A poll on a
worker's sticky task list gets only the events since that worker's previous decision.

A poll whose caller is gone (``ctx.cancelled``: its connection closed, e.g. the worker was
killed) stops waiting and takes nothing, as upstream cancels the poll's context and tells
matching the poller is gone; a task it got but had not started yet goes back to the task
list. It answers empty: nobody reads the answer.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.history import mutations as m
from cadence_py.history.errors import StaleTaskError
from cadence_py.matching.engine import ACTIVITY, DECISION
from cadence_py.matching.queries import QueryTask
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext

log = logging.getLogger(__name__)
MIN_POLL_TIMEOUT = 2.0
STICKY = 1


class PollingAPIs(WorkflowAPIBase):
    def _poll_window(self, ctx: RequestContext) -> float:
        remaining = ctx.remaining()
        if remaining < MIN_POLL_TIMEOUT:
            raise errors.bad_request("Context timeout is too short.")
        return min(self.config.poll_seconds, remaining - 1.0)

    def _poll_target(self, request: Any) -> tuple[Any, str]:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        if request.taskList is None or not request.taskList.name:
            raise errors.bad_request("TaskList is not set on request.")
        self._length(request.taskList.name, "TaskList")
        self._length(request.identity, "Identity")
        return domain, request.taskList.name

    def _poll(self, ctx: RequestContext, domain_id: str, name: str, task_type: int,
              identity: str, start: Any) -> Any:
        """Take tasks until one can be started or the window closes."""
        window_end = time.monotonic() + self._poll_window(ctx)
        while True:
            remaining = window_end - time.monotonic()
            task = self.matching.poll(domain_id, name, task_type, remaining, identity,
                                      ctx.cancelled)
            if task is None:
                return None
            if isinstance(task, QueryTask):
                return task
            try:
                started = start(task)
            except StaleTaskError:
                self.matching.complete(domain_id, name, task_type, task)
                continue
            except BaseException:  # also a poll killed meanwhile: the task must go on
                self.matching.give_back(domain_id, name, task_type, task)
                raise
            self.matching.complete(domain_id, name, task_type, task)
            if ctx.is_cancelled():
                # The caller went away while history recorded the task started. A started
                # task cannot go to another poller (its started event names this poll's
                # request), so, as upstream, it comes back by its start-to-close timeout:
                # DecisionTaskTimedOut and a new decision, or the activity's retry or
                # ActivityTaskTimedOut. Undoing it on a failed write would not close the
                # gap anyway: a write the kernel took may still never reach a dead peer.
                log.info("poll on task list %s: caller gone after task %d was started; "
                         "it returns by its start-to-close timeout", name, task.task_id)
            return started

    def PollForDecisionTask(self, ctx: RequestContext, request: Any) -> Any:
        domain, name = self._poll_target(request)
        shared = idl.shared()
        sticky = request.taskList.kind == STICKY
        identity = request.identity or ""
        started = self._poll(ctx, domain.info.id, name, DECISION, identity, lambda task:
                             self.history.record_decision_task_started(
                                 task.domain_id, task.workflow_id, task.run_id,
                                 task.schedule_id, str(uuid.uuid4()), identity))
        if started is None:
            return shared.PollForDecisionTaskResponse()
        if isinstance(started, QueryTask):
            return self._query_task_response(started)  # type: ignore[attr-defined]
        info = started.state.info
        # A sticky worker has the run cached up to its previous decision: send only what
        # happened since (it fetches the full history itself if its cache was evicted).
        first = info.last_processed_event + 1 if sticky and info.last_processed_event > 0 else 1
        events = self.history.read_events(info, first, info.next_event_id)
        next_event_id = info.next_event_id
        if m.is_transient(info):
            events += m.transient_events(info, events[-1].version if events else -24)
            next_event_id = info.decision_started_id + 1
        return shared.PollForDecisionTaskResponse(
            taskToken=started.token.encode(),
            workflowExecution=shared.WorkflowExecution(workflowId=info.workflow_id,
                                                       runId=info.run_id),
            workflowType=shared.WorkflowType(name=info.workflow_type),
            previousStartedEventId=info.last_processed_event,
            startedEventId=info.decision_started_id, attempt=info.decision_attempt,
            backlogCountHint=0, history=shared.History(events=events),
            WorkflowExecutionTaskList=shared.TaskList(name=info.task_list, kind=0),
            scheduledTimestamp=started.scheduled_time, startedTimestamp=started.started_time,
            nextEventId=next_event_id, totalHistoryBytes=info.history_size)

    def PollForActivityTask(self, ctx: RequestContext, request: Any) -> Any:
        domain, name = self._poll_target(request)
        shared = idl.shared()
        identity = request.identity or ""
        started = self._poll(ctx, domain.info.id, name, ACTIVITY, identity, lambda task:
                             self.history.record_activity_task_started(
                                 task.domain_id, task.workflow_id, task.run_id,
                                 task.schedule_id, str(uuid.uuid4()), identity))
        if started is None:
            return shared.PollForActivityTaskResponse()
        activity, info = started.activity, started.info
        header = shared.Header(fields=dict(activity.header)) if activity.header else None
        return shared.PollForActivityTaskResponse(
            taskToken=started.token.encode(),
            workflowExecution=shared.WorkflowExecution(workflowId=info.workflow_id,
                                                       runId=info.run_id),
            activityId=activity.activity_id,
            activityType=shared.ActivityType(name=activity.activity_type),
            input=activity.input or None, scheduledTimestamp=activity.scheduled_time,
            scheduleToCloseTimeoutSeconds=activity.schedule_to_close_timeout,
            startedTimestamp=activity.started_time,
            startToCloseTimeoutSeconds=activity.start_to_close_timeout,
            heartbeatTimeoutSeconds=activity.heartbeat_timeout, attempt=activity.attempt,
            scheduledTimestampOfThisAttempt=activity.scheduled_time_of_this_attempt,
            heartbeatDetails=activity.details or None,
            workflowType=shared.WorkflowType(name=info.workflow_type),
            workflowDomain=self.domain_cache.by_id(info.domain_id).info.name, header=header)
