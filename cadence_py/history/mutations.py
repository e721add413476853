"""State transitions shared by the history APIs, the decision handlers and the timers.

Each function changes a RunUpdate's state and adds the events and queue tasks upstream
Cadence adds for the same transition.
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r

NANOS = 1_000_000_000
TRANSIENT_EVENT_ID = -124  # upstream common.TransientEventID: started, event not yet written
BUFFERED_EVENT_ID = -125  # ours: the started event is buffered behind a running decision

# Timeout kinds (Thrift TimeoutType) and the bit each uses in ActivityInfo.timer_task_status.
START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE, HEARTBEAT = 0, 1, 2, 3


def schedule_decision(upd: RunUpdate, attempt: int = 0) -> None:
    """Schedule the next decision task (unless one is pending) and queue its dispatch.

    Retries (attempt > 0) are transient, as upstream: no DecisionTaskScheduled event is
    written until the attempt completes, so a failing worker does not grow the history.
    With a sticky task list (first attempts only) the decision goes to that worker's
    list, with a schedule-to-start timer that falls back to the normal list.
    """
    info = upd.info
    if info.decision_schedule_id != r.EMPTY_EVENT_ID:
        return
    sticky = bool(info.sticky_task_list) and attempt == 0
    task_list = info.sticky_task_list if sticky else info.task_list
    if attempt > 0:
        schedule_id = info.next_event_id
    else:
        event = upd.add_event("DecisionTaskScheduled",
                              taskList=_task_list(task_list, STICKY if sticky else NORMAL),
                              startToCloseTimeoutSeconds=info.decision_timeout, attempt=0)
        schedule_id = event.eventId
    info.decision_schedule_id = schedule_id
    info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_request_id = ""
    info.decision_attempt = attempt
    info.decision_task_timeout = info.decision_timeout
    info.decision_scheduled_time = upd.now
    info.decision_task_list = task_list if sticky else ""
    if attempt == 0:
        info.decision_original_scheduled_time = upd.now
    upd.transfer(r.TRANSFER_DECISION, task_list=task_list, schedule_id=schedule_id)
    if sticky:
        upd.timer(r.TIMER_DECISION_TIMEOUT,
                  upd.now + max(info.sticky_schedule_to_start_timeout, 1) * NANOS,
                  event_id=schedule_id, attempt=attempt, timeout_type=SCHEDULE_TO_START)


def is_transient(info: r.ExecutionInfo) -> bool:
    return info.decision_attempt > 0 and info.decision_schedule_id != r.EMPTY_EVENT_ID


def transient_events(info: r.ExecutionInfo, version: int) -> list[Any]:
    """The not-yet-written DecisionTaskScheduled/Started of a transient attempt."""
    from cadence_py.history.events import new_event
    scheduled = new_event("DecisionTaskScheduled", taskList=_task_list(info.task_list, NORMAL),
                          startToCloseTimeoutSeconds=info.decision_task_timeout,
                          attempt=info.decision_attempt)
    scheduled.eventId, scheduled.timestamp = info.decision_schedule_id, info.decision_scheduled_time
    scheduled.version = version
    events = [scheduled]
    if info.decision_started_id != r.EMPTY_EVENT_ID:
        started = new_event("DecisionTaskStarted", scheduledEventId=info.decision_schedule_id,
                            identity=info.decision_identity, requestId=info.decision_request_id)
        started.eventId, started.timestamp = info.decision_started_id, info.decision_started_time
        started.version = version
        events.append(started)
    return events


def write_transient_events(upd: RunUpdate) -> None:
    """Persist a transient attempt's scheduled/started events (it is completing)."""
    info = upd.info
    if not is_transient(info):
        return
    for event in transient_events(info, upd.version):
        expected, event.eventId = event.eventId, None
        upd.append(event)
        if event.eventId != expected:  # ids moved: keep the state pointing at the events
            if event.decisionTaskScheduledEventAttributes is not None:
                info.decision_schedule_id = event.eventId
            else:
                event.decisionTaskStartedEventAttributes.scheduledEventId = \
                    info.decision_schedule_id
                info.decision_started_id = event.eventId


def clear_decision(upd: RunUpdate) -> None:
    info = upd.info
    info.decision_schedule_id = r.EMPTY_EVENT_ID
    info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_request_id = ""
    info.decision_attempt = 0
    info.decision_started_time = 0
    info.decision_task_list = ""
    info.decision_identity = ""


NORMAL, STICKY = 0, 1


def _task_list(name: str, kind: int = NORMAL) -> Any:
    from cadence_py.rpc import idl
    return idl.shared().TaskList(name=name, kind=kind)


def close_workflow(upd: RunUpdate, close_status: int, retention_days: int) -> None:
    """Mark the run closed; queue the visibility close record and the retention delete."""
    info = upd.info
    info.state = r.STATE_COMPLETED
    info.close_status = close_status
    info.completion_event_id = upd.events[-1].eventId if upd.events else r.EMPTY_EVENT_ID
    upd.transfer(r.TRANSFER_CLOSE)
    upd.timer(r.TIMER_DELETE_HISTORY, upd.now + max(retention_days, 0) * 86400 * NANOS)


def is_running(state: r.MutableState) -> bool:
    return state.info.state in (r.STATE_CREATED, r.STATE_RUNNING)


def fail_in_flight_decision(upd: RunUpdate, cause: int, identity: str = "") -> None:
    """Close a running decision so buffered events can be flushed (terminate, reset...)."""
    info = upd.info
    if info.decision_started_id == r.EMPTY_EVENT_ID:
        return
    if is_transient(info):
        clear_decision(upd)  # its events were never written; nothing to fail in history
        upd.flush_buffered()
        return
    upd.add_event("DecisionTaskFailed", scheduledEventId=info.decision_schedule_id,
                  startedEventId=info.decision_started_id, cause=cause, identity=identity,
                  requestId=str(uuid.uuid4()))
    clear_decision(upd)
    upd.flush_buffered()


def start_activity(upd: RunUpdate, activity: r.ActivityInfo, request_id: str,
                   identity: str) -> None:
    """Mark a scheduled activity started (a worker has its task), with its running
    timeouts. Without a retry policy the ActivityTaskStarted event is written now (behind
    a running decision, if any); with one it waits for the attempt's end (transient)."""
    activity.request_id = request_id
    activity.started_identity = identity
    activity.started_time = upd.now
    activity.last_heartbeat_time = upd.now
    if activity.has_retry_policy:
        activity.started_id = TRANSIENT_EVENT_ID
        upd.state_changed = True
    else:
        event = upd.add_event("ActivityTaskStarted", buffer_if_decision_running=True,
                              scheduledEventId=activity.schedule_id, identity=identity,
                              requestId=request_id, attempt=activity.attempt)
        activity.started_id = event.eventId if event.eventId is not None else BUFFERED_EVENT_ID
    activity_timer(upd, activity, START_TO_CLOSE,
                   upd.now + activity.start_to_close_timeout * NANOS)
    if activity.heartbeat_timeout > 0:
        activity_timer(upd, activity, HEARTBEAT, upd.now + activity.heartbeat_timeout * NANOS)


def activity_timer(upd: RunUpdate, activity: r.ActivityInfo, timeout_type: int, at: int) -> None:
    """A timeout timer of the activity's current attempt, firing at ``at`` (unix nanos)."""
    upd.timer(r.TIMER_ACTIVITY_TIMEOUT, at, event_id=activity.schedule_id,
              timeout_type=timeout_type, attempt=activity.attempt)


def apply_retry_policy(target: r.ExecutionInfo | r.ActivityInfo, policy: Any, *,
                       default_initial: int = 0, default_coefficient: float = 0.0) -> None:
    """Copy a Thrift RetryPolicy into a run's or an activity's retry fields (same names)."""
    if policy is None:
        return
    target.has_retry_policy = True
    target.retry_initial_interval = policy.initialIntervalInSeconds or default_initial
    target.retry_backoff_coefficient = policy.backoffCoefficient or default_coefficient
    target.retry_max_interval = policy.maximumIntervalInSeconds or 0
    target.retry_max_attempts = policy.maximumAttempts or 0
    target.retry_expiration_seconds = policy.expirationIntervalInSeconds or 0
    target.retry_non_retriable_errors = list(policy.nonRetriableErrorReasons or [])


# Activities: upstream's client defaults for a retry policy left partly empty.
ACTIVITY_RETRY_DEFAULTS = dict(default_initial=1, default_coefficient=2.0)


def retry_backoff_seconds(attempt: int, initial: int, coefficient: float, maximum: int,
                          max_attempts: int, expiration_time: int, now: int,
                          reason: str, non_retriable: list[str]) -> int | None:
    """Seconds until the next attempt, or None when the policy says stop.

    ``attempt`` is the attempt that just failed (0-based), as upstream counts.
    """
    if reason in non_retriable:
        return None
    if max_attempts > 0 and attempt + 1 >= max_attempts:
        return None
    interval = initial * (coefficient if coefficient > 0 else 2.0) ** attempt
    if maximum > 0:
        interval = min(interval, maximum)
    seconds = max(int(interval), 1)
    if expiration_time and now + seconds * NANOS > expiration_time:
        return None
    return seconds
