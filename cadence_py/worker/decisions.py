"""What the system workflows' deciders share: reading a history, making decisions.

A system workflow's decider is a pure function of its run's history (events in, decisions
out), so a decision task that is lost, timed out or retried decides the same again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence_py.rpc import idl

GENERIC_FAILURE = "cadenceInternal:Generic"
TIMEOUT_FAILURE = "cadenceInternal:Timeout"


class ActivityFailure(Exception):
    """An activity's failure reason (and details), as RespondActivityTaskFailed carries."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


class ActivityStopped(Exception):
    """The activity's run is gone or asked it to stop: give up quietly."""


@dataclass
class Progress:
    """What the history says has happened so far."""

    completed: dict[str, list[bytes]]  # activity type -> results, in order
    failure: tuple[str, str] | None  # (reason, details) of a failed or timed-out activity
    pending: bool  # an activity or timer is still outstanding
    timers_fired: int


def read_progress(events: list[Any]) -> Progress:
    kinds = idl.shared().EventType
    scheduled: dict[int, str] = {}
    open_ids: set[int] = set()
    completed: dict[str, list[bytes]] = {}
    failure = None
    timers_started = timers_fired = 0
    for event in events:
        kind = event.eventType
        if kind == kinds.ActivityTaskScheduled:
            scheduled[event.eventId] = event.activityTaskScheduledEventAttributes.activityType.name
            open_ids.add(event.eventId)
        elif kind == kinds.ActivityTaskCompleted:
            attrs = event.activityTaskCompletedEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            completed.setdefault(scheduled[attrs.scheduledEventId], []).append(
                attrs.result or b"")
        elif kind == kinds.ActivityTaskFailed:
            attrs = event.activityTaskFailedEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            failure = (attrs.reason or GENERIC_FAILURE,
                       (attrs.details or b"").decode(errors="replace"))
        elif kind == kinds.ActivityTaskTimedOut:
            attrs = event.activityTaskTimedOutEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            failure = (TIMEOUT_FAILURE, f"activity {scheduled[attrs.scheduledEventId]} timed out")
        elif kind == kinds.TimerStarted:
            timers_started += 1
        elif kind == kinds.TimerFired:
            timers_fired += 1
    return Progress(completed, failure, bool(open_ids) or timers_started > timers_fired,
                    timers_fired)


def started_input(events: list[Any]) -> bytes:
    return events[0].workflowExecutionStartedEventAttributes.input or b"{}"


def decision(kind: str, **attributes: Any) -> Any:
    shared = idl.shared()
    field = kind[0].lower() + kind[1:] + "DecisionAttributes"
    return shared.Decision(decisionType=getattr(shared.DecisionType, kind),
                           **{field: getattr(shared, f"{kind}DecisionAttributes")(**attributes)})


def schedule(activity: str, task_list: str, params: bytes, activity_id: str, *,
             start_to_close: int, schedule_to_close: int, retry: Any,
             heartbeat: int = 0) -> Any:
    shared = idl.shared()
    return decision("ScheduleActivityTask", activityId=activity_id,
                    activityType=shared.ActivityType(name=activity),
                    taskList=shared.TaskList(name=task_list), input=params,
                    scheduleToStartTimeoutSeconds=300,
                    startToCloseTimeoutSeconds=start_to_close,
                    scheduleToCloseTimeoutSeconds=schedule_to_close,
                    heartbeatTimeoutSeconds=heartbeat or None, retryPolicy=retry)


def timer(timer_id: str, seconds: int) -> Any:
    return decision("StartTimer", timerId=timer_id, startToFireTimeoutSeconds=seconds)


def complete(result: bytes | None = None) -> Any:
    return decision("CompleteWorkflowExecution", result=result)


def fail(reason: str, details: str) -> Any:
    return decision("FailWorkflowExecution", reason=reason, details=details.encode())
