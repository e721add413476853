"""A run's pending items <-> the map/set columns of its ``executions`` row.

Activities, timers, child workflows, cancel requests and signals each map to Cadence's
UDT for them (``activity_info``, ``timer_info``, ...), keyed as upstream keys the maps
(schedule id, timer id, initiated id). Fields without a column are kept in the row's
data blob under the item's own sub-document (see ``rows`` for the list and why).
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.persistence.cassandra.layout import (
    EMPTY_RUN_ID,
    EMPTY_VERSION,
    Extras,
    columnless,
    field_of as _v,
    get_columnless,
    put_columnless,
)
from cadence_py.persistence.records import (
    EMPTY_EVENT_ID,
    ActivityInfo,
    ChildInfo,
    RequestCancelInfo,
    SignalInfo,
    TimerInfo,
)

TIMER_TASK_CREATED = 1  # timer_info.task_id is a status flag upstream, not an id


_ACTIVITY_COLUMNLESS = columnless(ActivityInfo, """
    schedule_id activity_id task_list scheduled_time_of_this_attempt started_id
    started_time request_id started_identity schedule_to_start_timeout
    schedule_to_close_timeout start_to_close_timeout heartbeat_timeout details
    last_heartbeat_time cancel_requested cancel_request_id timer_task_status attempt
    has_retry_policy retry_initial_interval retry_backoff_coefficient retry_max_interval
    retry_max_attempts retry_non_retriable_errors expiration_time last_failure_reason
    last_failure_details""")


def activity_udt(a: ActivityInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, a, _ACTIVITY_COLUMNLESS)
    return {
        "version": EMPTY_VERSION,
        "schedule_id": a.schedule_id,
        "scheduled_time": ex.time_ms("scheduled_time_of_this_attempt",
                                     a.scheduled_time_of_this_attempt),
        "started_id": a.started_id,
        "started_time": ex.time_ms("started_time", a.started_time),
        "activity_id": a.activity_id,
        "request_id": a.request_id,
        "details": a.details,
        "schedule_to_start_timeout": a.schedule_to_start_timeout,
        "schedule_to_close_timeout": a.schedule_to_close_timeout,
        "start_to_close_timeout": a.start_to_close_timeout,
        "heart_beat_timeout": a.heartbeat_timeout,
        "cancel_requested": a.cancel_requested,
        "cancel_request_id": a.cancel_request_id,
        "last_hb_updated_time": ex.time_ms("last_heartbeat_time", a.last_heartbeat_time),
        "timer_task_status": a.timer_task_status,
        "attempt": a.attempt,
        "task_list": a.task_list,
        "started_identity": a.started_identity,
        "has_retry_policy": a.has_retry_policy,
        "init_interval": a.retry_initial_interval,
        "backoff_coefficient": a.retry_backoff_coefficient,
        "max_interval": a.retry_max_interval,
        "expiration_time": ex.time_ms("expiration_time", a.expiration_time),
        "max_attempts": a.retry_max_attempts,
        "non_retriable_errors": list(a.retry_non_retriable_errors),
        "last_failure_reason": a.last_failure_reason,
        "last_failure_details": a.last_failure_details,
    }


def activity_from(schedule_id: int, u: Any, ex: Extras) -> ActivityInfo:
    return ActivityInfo(
        schedule_id=_v(u, "schedule_id", schedule_id),
        activity_id=_v(u, "activity_id", ""),
        task_list=_v(u, "task_list", ""),
        scheduled_time_of_this_attempt=ex.time_ns("scheduled_time_of_this_attempt",
                                                  _v(u, "scheduled_time", None)),
        started_id=_v(u, "started_id", EMPTY_EVENT_ID),
        started_time=ex.time_ns("started_time", _v(u, "started_time", None)),
        request_id=_v(u, "request_id", ""),
        started_identity=_v(u, "started_identity", ""),
        schedule_to_start_timeout=_v(u, "schedule_to_start_timeout", 0),
        schedule_to_close_timeout=_v(u, "schedule_to_close_timeout", 0),
        start_to_close_timeout=_v(u, "start_to_close_timeout", 0),
        heartbeat_timeout=_v(u, "heart_beat_timeout", 0),
        details=bytes(_v(u, "details", b"")),
        last_heartbeat_time=ex.time_ns("last_heartbeat_time", _v(u, "last_hb_updated_time",
                                                                  None)),
        cancel_requested=bool(_v(u, "cancel_requested", False)),
        cancel_request_id=_v(u, "cancel_request_id", EMPTY_EVENT_ID),
        timer_task_status=_v(u, "timer_task_status", 0),
        attempt=_v(u, "attempt", 0),
        has_retry_policy=bool(_v(u, "has_retry_policy", False)),
        retry_initial_interval=_v(u, "init_interval", 0),
        retry_backoff_coefficient=_v(u, "backoff_coefficient", 0.0),
        retry_max_interval=_v(u, "max_interval", 0),
        retry_max_attempts=_v(u, "max_attempts", 0),
        retry_non_retriable_errors=list(_v(u, "non_retriable_errors", [])),
        expiration_time=ex.time_ns("expiration_time", _v(u, "expiration_time", None)),
        last_failure_reason=_v(u, "last_failure_reason", ""),
        last_failure_details=bytes(_v(u, "last_failure_details", b"")),
        **{"activity_type": "", **get_columnless(ex, ActivityInfo, _ACTIVITY_COLUMNLESS)},
    )


# ---------------------------------------------------------------- other pending items
_TIMER_COLUMNLESS = columnless(TimerInfo, "timer_id started_id expiry_time task_created")
_CHILD_COLUMNLESS = columnless(ChildInfo, """initiated_id workflow_id workflow_type
    domain_name create_request_id started_id started_run_id parent_close_policy""")
_SIGNAL_COLUMNLESS = columnless(SignalInfo,
                                 "initiated_id signal_request_id signal_name input control")
_CANCEL_COLUMNLESS = columnless(RequestCancelInfo, "initiated_id cancel_request_id")


def timer_udt(t: TimerInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, t, _TIMER_COLUMNLESS)
    return {"version": EMPTY_VERSION, "timer_id": t.timer_id, "started_id": t.started_id,
            "expiry_time": ex.time_ms("expiry_time", t.expiry_time),
            "task_id": TIMER_TASK_CREATED if t.task_created else 0}


def timer_from(timer_id: str, u: Any, ex: Extras) -> TimerInfo:
    return TimerInfo(timer_id=_v(u, "timer_id", timer_id),
                     started_id=_v(u, "started_id", EMPTY_EVENT_ID),
                     expiry_time=ex.time_ns("expiry_time", _v(u, "expiry_time", None)),
                     task_created=_v(u, "task_id", 0) == TIMER_TASK_CREATED,
                     **get_columnless(ex, TimerInfo, _TIMER_COLUMNLESS))


def child_udt(c: ChildInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, c, _CHILD_COLUMNLESS)
    return {"version": EMPTY_VERSION, "initiated_id": c.initiated_id,
            "started_id": c.started_id, "started_workflow_id": c.workflow_id,
            "started_run_id": ex.uuid("started_run_id", c.started_run_id, EMPTY_RUN_ID),
            "create_request_id": ex.uuid("create_request_id", c.create_request_id),
            "domain_name": c.domain_name, "workflow_type_name": c.workflow_type,
            "parent_close_policy": c.parent_close_policy}


def child_from(initiated_id: int, u: Any, ex: Extras) -> ChildInfo:
    return ChildInfo(initiated_id=_v(u, "initiated_id", initiated_id),
                     workflow_id=_v(u, "started_workflow_id", ""),
                     workflow_type=_v(u, "workflow_type_name", ""),
                     domain_name=_v(u, "domain_name", ""),
                     create_request_id=ex.uuid_str("create_request_id",
                                                   _v(u, "create_request_id", None)),
                     started_id=_v(u, "started_id", EMPTY_EVENT_ID),
                     started_run_id=ex.uuid_str("started_run_id", _v(u, "started_run_id", None)),
                     parent_close_policy=_v(u, "parent_close_policy", 0),
                     **get_columnless(ex, ChildInfo, _CHILD_COLUMNLESS))


def signal_udt(s: SignalInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, s, _SIGNAL_COLUMNLESS)
    return {"version": EMPTY_VERSION, "initiated_id": s.initiated_id,
            "signal_request_id": ex.uuid("signal_request_id", s.signal_request_id),
            "signal_name": s.signal_name, "input": s.input, "control": s.control}


def signal_from(initiated_id: int, u: Any, ex: Extras) -> SignalInfo:
    return SignalInfo(initiated_id=_v(u, "initiated_id", initiated_id),
                      signal_request_id=ex.uuid_str("signal_request_id",
                                                    _v(u, "signal_request_id", None)),
                      signal_name=_v(u, "signal_name", ""),
                      input=bytes(_v(u, "input", b"")), control=bytes(_v(u, "control", b"")),
                      **get_columnless(ex, SignalInfo, _SIGNAL_COLUMNLESS))


def cancel_udt(r: RequestCancelInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, r, _CANCEL_COLUMNLESS)
    return {"version": EMPTY_VERSION, "initiated_id": r.initiated_id,
            "cancel_request_id": r.cancel_request_id}


def cancel_from(initiated_id: int, u: Any, ex: Extras) -> RequestCancelInfo:
    return RequestCancelInfo(initiated_id=_v(u, "initiated_id", initiated_id),
                             cancel_request_id=_v(u, "cancel_request_id", ""),
                             **get_columnless(ex, RequestCancelInfo, _CANCEL_COLUMNLESS))


def signals_requested(ids: list[str], ex: Extras) -> set[uuid.UUID]:
    """The set column holds the ids that are UUIDs; the exact list (order, duplicates,
    other spellings) is kept aside only when the set alone cannot give it back."""
    column: set[uuid.UUID] = set()
    for request_id in ids:
        try:
            column.add(uuid.UUID(request_id))
        except ValueError:
            pass
    if ids != sorted(str(u) for u in column):
        ex.put("signals_requested", list(ids))
    return column


def signals_requested_from(column: Any, ex: Extras) -> list[str]:
    in_column = {str(u) for u in (column or ())}
    exact = ex.get("signals_requested")
    if isinstance(exact, list):
        parsed = set()
        for request_id in exact:
            try:
                parsed.add(str(uuid.UUID(request_id)))
            except ValueError:
                pass
        if parsed == in_column:
            return [str(i) for i in exact]
    return sorted(in_column)
