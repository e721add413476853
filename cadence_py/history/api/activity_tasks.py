"""Activity tasks: started (from matching's poll), heartbeat, completed, failed, canceled.

Activities with a retry policy get their ActivityTaskStarted event only when the attempt
ends (upstream's "transient" started event), so retries do not grow the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.core import EngineCore
from cadence_py.history.decisions import schedule_activity_dispatch
from cadence_py.history.errors import StaleTaskError
from cadence_py.history.run_update import RunUpdate
from cadence_py.history.tokens import TaskToken
from cadence_py.persistence import records as r

ACTIVITY_NOT_FOUND = "Activity task not found."


@dataclass
class StartedActivity:
    token: TaskToken
    activity: r.ActivityInfo
    info: r.ExecutionInfo


def _started_activity(upd: RunUpdate, token: TaskToken) -> r.ActivityInfo:
    activity = upd.state.activities.get(token.schedule_id)
    if (activity is None or activity.started_id == r.EMPTY_EVENT_ID
            or activity.attempt != token.schedule_attempt):
        raise errors.entity_not_exists(ACTIVITY_NOT_FOUND)
    return activity


def write_started_event(upd: RunUpdate, activity: r.ActivityInfo) -> int:
    """Add the deferred ActivityTaskStarted event if it is still pending; its id."""
    if activity.started_id == m.TRANSIENT_EVENT_ID:
        event = upd.add_event("ActivityTaskStarted", buffer_if_decision_running=True,
                              scheduledEventId=activity.schedule_id,
                              identity=activity.started_identity,
                              requestId=activity.request_id, attempt=activity.attempt,
                              lastFailureReason=activity.last_failure_reason or None,
                              lastFailureDetails=activity.last_failure_details or None)
        activity.started_id = (event.eventId if event.eventId is not None
                               else m.BUFFERED_EVENT_ID)
    return activity.started_id


def _finish(upd: RunUpdate, activity: r.ActivityInfo, event_type: str, **attrs: Any) -> None:
    started_id = write_started_event(upd, activity)
    upd.add_event(event_type, buffer_if_decision_running=True,
                  scheduledEventId=activity.schedule_id, startedEventId=started_id, **attrs)
    del upd.state.activities[activity.schedule_id]
    m.schedule_decision(upd)


def retry_activity(upd: RunUpdate, activity: r.ActivityInfo, reason: str,
                   details: bytes | None) -> bool:
    """Schedule the next attempt if the retry policy allows; True if it did."""
    if not activity.has_retry_policy:
        return False
    backoff = m.retry_backoff_seconds(
        activity.attempt, activity.retry_initial_interval,
        activity.retry_backoff_coefficient, activity.retry_max_interval,
        activity.retry_max_attempts, activity.expiration_time, upd.now, reason,
        activity.retry_non_retriable_errors)
    if backoff is None:
        return False
    activity.attempt += 1
    activity.started_id = r.EMPTY_EVENT_ID
    activity.started_time = 0
    activity.request_id = ""
    activity.last_failure_reason = reason
    activity.last_failure_details = details or b""
    # The heartbeat details stay, as upstream keeps them: the next attempt resumes from them.
    activity.scheduled_time_of_this_attempt = upd.now + backoff * m.NANOS
    upd.timer(r.TIMER_ACTIVITY_RETRY, activity.scheduled_time_of_this_attempt,
              event_id=activity.schedule_id, attempt=activity.attempt)
    upd.state_changed = True
    return True


class ActivityTaskAPI(EngineCore):
    def record_activity_task_started(self, domain_id: str, workflow_id: str, run_id: str,
                                     schedule_id: int, request_id: str,
                                     identity: str) -> StartedActivity:
        def change(upd: RunUpdate) -> StartedActivity:
            activity = upd.state.activities.get(schedule_id)
            if activity is None:
                raise StaleTaskError("activity not found")
            if activity.started_id != r.EMPTY_EVENT_ID:
                if activity.request_id != request_id:
                    raise StaleTaskError("activity already started")
            else:
                m.start_activity(upd, activity, request_id, identity)
            token = TaskToken(domain_id, workflow_id, run_id, schedule_id, activity.attempt,
                              activity.activity_id, upd.info.workflow_type)
            return StartedActivity(token, activity, upd.info)
        try:
            return self.update(domain_id, workflow_id, run_id, change)
        except errors.shared_exception("EntityNotExistsError"):
            raise StaleTaskError("run not found or closed") from None

    def record_activity_heartbeat(self, token: TaskToken, details: bytes | None) -> bool:
        """Store progress details; returns whether cancellation was requested."""
        def change(upd: RunUpdate) -> bool:
            activity = _started_activity(upd, token)
            activity.details = details or b""
            activity.last_heartbeat_time = upd.now
            upd.state_changed = True
            return activity.cancel_requested
        return self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def respond_activity_completed(self, token: TaskToken, result: bytes | None,
                                   identity: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            activity = _started_activity(upd, token)
            _finish(upd, activity, "ActivityTaskCompleted", result=result, identity=identity)
        self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def respond_activity_failed(self, token: TaskToken, reason: str | None,
                                details: bytes | None, identity: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            activity = _started_activity(upd, token)
            if retry_activity(upd, activity, reason or "", details):
                return  # the retry timer dispatches the next attempt
            _finish(upd, activity, "ActivityTaskFailed", reason=reason, details=details,
                    identity=identity)
        self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def respond_activity_canceled(self, token: TaskToken, details: bytes | None,
                                  identity: str | None) -> None:
        def change(upd: RunUpdate) -> None:
            activity = _started_activity(upd, token)
            _finish(upd, activity, "ActivityTaskCanceled", details=details, identity=identity,
                    latestCancelRequestedEventId=activity.cancel_request_id)
        self.update(token.domain_id, token.workflow_id, token.run_id, change)

    def activity_token_by_id(self, domain_id: str, workflow_id: str, run_id: str | None,
                             activity_id: str) -> TaskToken:
        """The token of a started activity named by id (the *ByID APIs)."""
        state = self.load(domain_id, workflow_id, run_id)
        for activity in state.activities.values():
            if activity.activity_id == activity_id:
                return TaskToken(domain_id, workflow_id, state.info.run_id,
                                 activity.schedule_id, activity.attempt, activity_id)
        raise errors.entity_not_exists(ACTIVITY_NOT_FOUND)


__all__ = ["ActivityTaskAPI", "retry_activity", "schedule_activity_dispatch"]
