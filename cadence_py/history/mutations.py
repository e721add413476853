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
    """Add DecisionTaskScheduled (unless one is pending) and the task that dispatches it."""
    info = upd.info
    if info.decision_schedule_id != r.EMPTY_EVENT_ID:
        return
    event = upd.add_event("DecisionTaskScheduled",
                          taskList=_task_list(info.task_list),
                          startToCloseTimeoutSeconds=info.decision_timeout, attempt=attempt)
    info.decision_schedule_id = event.eventId
    info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_request_id = ""
    info.decision_attempt = attempt
    info.decision_task_timeout = info.decision_timeout
    info.decision_scheduled_time = upd.now
    if attempt == 0:
        info.decision_original_scheduled_time = upd.now
    upd.transfer(r.TRANSFER_DECISION, task_list=info.task_list, schedule_id=event.eventId)


def clear_decision(upd: RunUpdate) -> None:
    info = upd.info
    info.decision_schedule_id = r.EMPTY_EVENT_ID
    info.decision_started_id = r.EMPTY_EVENT_ID
    info.decision_request_id = ""
    info.decision_attempt = 0
    info.decision_started_time = 0


def _task_list(name: str) -> Any:
    from cadence_py.rpc import idl
    return idl.shared().TaskList(name=name, kind=0)


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
    upd.add_event("DecisionTaskFailed", scheduledEventId=info.decision_schedule_id,
                  startedEventId=info.decision_started_id, cause=cause, identity=identity,
                  requestId=str(uuid.uuid4()))
    clear_decision(upd)
    upd.flush_buffered()


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
