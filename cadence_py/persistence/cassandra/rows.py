"""Our records <-> the columns of Cadence's ``executions`` rows.

A run's MutableState becomes the ``execution`` UDT plus the ``activity_map``,
``timer_map``, ``child_executions_map``, ``request_cancel_map``, ``signal_map``,
``signal_requested`` and ``buffered_events_list`` columns, with Cadence's meaning and
units for each (seconds for timeouts, ms timestamps, unix-nanos bigints for the decision
times). What has no column, or cannot be held exactly by one, goes into the row's
``data`` blob as JSON (``data_encoding`` "json", see ``layout.Extras``):

* ExecutionInfo: ``completion_event_id`` (Cadence keeps the *batch* id of the completion
  event in ``completion_event_batch_id``; we track the event id, so that column is left
  alone rather than filled with a value of another meaning), ``identity``,
  ``decision_task_list`` and ``decision_identity``.
* ActivityInfo: ``activity_type``, ``input``, ``header``, ``domain_id`` (upstream reads
  them from the scheduled event), ``retry_expiration_seconds`` (activity_info has only
  the absolute ``expiration_time``) and ``scheduled_time`` (the first attempt's schedule
  time; the ``scheduled_time`` column holds ``scheduled_time_of_this_attempt``, as
  upstream's ScheduledTime is updated on every retry).
* Any field added to a record later: the column-less lists are derived (every field not
  mapped to a column), so a new field is kept in the blob until someone maps it.
* ``signals_requested`` order, when it differs from the set column's order.
* Sub-millisecond parts of unix-nanos times stored in ``timestamp`` columns, and request
  ids that are not canonical UUIDs but sit in ``uuid`` columns.

Pending activities, timers, children, cancels and signals are mapped in
``pending_rows``, queue tasks in ``task_rows``.
"""

from __future__ import annotations

from typing import Any

from cadence_py.persistence.cassandra import pending_rows as P
from cadence_py.persistence.cassandra.history import branch_token
from cadence_py.persistence.cassandra.layout import (
    EMPTY_VERSION,
    EVENT_STORE_VERSION_V2,
    Extras,
    UdtPacker,
    columnless,
    field_of as _v,
    get_columnless,
    put_columnless,
    strict_uuid,
    uuid_text,
)
from cadence_py.persistence.records import (
    CurrentExecution,
    ExecutionInfo,
    MutableState,
)

BUFFERED_EVENTS_ENCODING = "thriftrw"


# ---------------------------------------------------------------- execution info
_INFO_COLUMNLESS = columnless(ExecutionInfo, """
    domain_id workflow_id run_id first_run_id parent_domain_id parent_workflow_id
    parent_run_id initiated_id task_list workflow_type workflow_timeout decision_timeout
    state close_status next_event_id last_first_event_id last_processed_event start_time
    last_updated_time create_request_id decision_schedule_id decision_started_id
    decision_request_id decision_task_timeout decision_attempt decision_scheduled_time
    decision_started_time decision_original_scheduled_time cancel_requested
    cancel_request_id sticky_task_list sticky_schedule_to_start_timeout execution_context
    attempt has_retry_policy retry_initial_interval retry_backoff_coefficient
    retry_max_interval retry_max_attempts retry_expiration_seconds
    retry_non_retriable_errors expiration_time cron_schedule signal_count history_size memo
    search_attributes last_event_task_id""")


def _info_udt(info: ExecutionInfo, ex: Extras) -> dict[str, Any]:
    put_columnless(ex, info, _INFO_COLUMNLESS)
    return {
        "domain_id": strict_uuid(info.domain_id, "domain id"),
        "workflow_id": info.workflow_id,
        "run_id": strict_uuid(info.run_id, "run id"),
        "first_run_id": ex.uuid("first_run_id", info.first_run_id),
        "parent_domain_id": ex.uuid("parent_domain_id", info.parent_domain_id),
        "parent_workflow_id": info.parent_workflow_id,
        "parent_run_id": ex.uuid("parent_run_id", info.parent_run_id),
        "initiated_id": info.initiated_id,
        "task_list": info.task_list,
        "workflow_type_name": info.workflow_type,
        "workflow_timeout": info.workflow_timeout,
        "decision_task_timeout": info.decision_timeout,  # the workflow's task timeout
        "execution_context": info.execution_context,
        "state": info.state,
        "close_status": info.close_status,
        "last_first_event_id": info.last_first_event_id,
        "last_event_task_id": info.last_event_task_id,
        "next_event_id": info.next_event_id,
        "last_processed_event": info.last_processed_event,
        "start_time": ex.time_ms("start_time", info.start_time),
        "last_updated_time": ex.time_ms("last_updated_time", info.last_updated_time),
        "create_request_id": ex.uuid("create_request_id", info.create_request_id),
        "signal_count": info.signal_count,
        "history_size": info.history_size,
        "decision_version": EMPTY_VERSION,
        "decision_schedule_id": info.decision_schedule_id,
        "decision_started_id": info.decision_started_id,
        "decision_request_id": info.decision_request_id,
        "decision_timeout": info.decision_task_timeout,  # the pending decision's timeout
        "decision_attempt": info.decision_attempt,
        "decision_timestamp": info.decision_started_time,
        "decision_scheduled_timestamp": info.decision_scheduled_time,
        "decision_original_scheduled_timestamp": info.decision_original_scheduled_time,
        "cancel_requested": info.cancel_requested,
        "cancel_request_id": info.cancel_request_id,
        "sticky_task_list": info.sticky_task_list,
        "sticky_schedule_to_start_timeout": info.sticky_schedule_to_start_timeout,
        "attempt": info.attempt,
        "has_retry_policy": info.has_retry_policy,
        "init_interval": info.retry_initial_interval,
        "backoff_coefficient": info.retry_backoff_coefficient,
        "max_interval": info.retry_max_interval,
        "expiration_time": ex.time_ms("expiration_time", info.expiration_time),
        "max_attempts": info.retry_max_attempts,
        "non_retriable_errors": list(info.retry_non_retriable_errors),
        "expiration_seconds": info.retry_expiration_seconds,
        "event_store_version": EVENT_STORE_VERSION_V2,
        "branch_token": branch_token(info.run_id),
        "cron_schedule": info.cron_schedule,
        "search_attributes": dict(info.search_attributes),
        "memo": dict(info.memo),
    }


def _info_from(e: Any, ex: Extras) -> ExecutionInfo:
    d = ExecutionInfo(domain_id="", workflow_id="", run_id="")
    return ExecutionInfo(
        domain_id=uuid_text(_v(e, "domain_id", None)),
        workflow_id=_v(e, "workflow_id", ""),
        run_id=uuid_text(_v(e, "run_id", None)),
        first_run_id=ex.uuid_str("first_run_id", _v(e, "first_run_id", None)),
        parent_domain_id=ex.uuid_str("parent_domain_id", _v(e, "parent_domain_id", None)),
        parent_workflow_id=_v(e, "parent_workflow_id", ""),
        parent_run_id=ex.uuid_str("parent_run_id", _v(e, "parent_run_id", None)),
        initiated_id=_v(e, "initiated_id", d.initiated_id),
        task_list=_v(e, "task_list", ""),
        workflow_type=_v(e, "workflow_type_name", ""),
        workflow_timeout=_v(e, "workflow_timeout", 0),
        decision_timeout=_v(e, "decision_task_timeout", 0),
        state=_v(e, "state", d.state),
        close_status=_v(e, "close_status", d.close_status),
        next_event_id=_v(e, "next_event_id", d.next_event_id),
        last_first_event_id=_v(e, "last_first_event_id", d.last_first_event_id),
        last_event_task_id=_v(e, "last_event_task_id", 0) or 0,
        last_processed_event=_v(e, "last_processed_event", d.last_processed_event),
        start_time=ex.time_ns("start_time", _v(e, "start_time", None)),
        last_updated_time=ex.time_ns("last_updated_time", _v(e, "last_updated_time", None)),
        create_request_id=ex.uuid_str("create_request_id", _v(e, "create_request_id", None)),
        decision_schedule_id=_v(e, "decision_schedule_id", d.decision_schedule_id),
        decision_started_id=_v(e, "decision_started_id", d.decision_started_id),
        decision_request_id=_v(e, "decision_request_id", ""),
        decision_task_timeout=_v(e, "decision_timeout", 0),
        decision_attempt=_v(e, "decision_attempt", 0),
        decision_scheduled_time=_v(e, "decision_scheduled_timestamp", 0),
        decision_started_time=_v(e, "decision_timestamp", 0),
        decision_original_scheduled_time=_v(e, "decision_original_scheduled_timestamp", 0),
        cancel_requested=bool(_v(e, "cancel_requested", False)),
        cancel_request_id=_v(e, "cancel_request_id", ""),
        sticky_task_list=_v(e, "sticky_task_list", ""),
        sticky_schedule_to_start_timeout=_v(e, "sticky_schedule_to_start_timeout", 0),
        execution_context=bytes(_v(e, "execution_context", b"")),
        attempt=_v(e, "attempt", 0),
        has_retry_policy=bool(_v(e, "has_retry_policy", False)),
        retry_initial_interval=_v(e, "init_interval", 0),
        retry_backoff_coefficient=_v(e, "backoff_coefficient", 0.0),
        retry_max_interval=_v(e, "max_interval", 0),
        retry_max_attempts=_v(e, "max_attempts", 0),
        retry_expiration_seconds=_v(e, "expiration_seconds", 0),
        retry_non_retriable_errors=list(_v(e, "non_retriable_errors", [])),
        expiration_time=ex.time_ns("expiration_time", _v(e, "expiration_time", None)),
        cron_schedule=_v(e, "cron_schedule", ""),
        signal_count=_v(e, "signal_count", 0),
        history_size=_v(e, "history_size", 0),
        memo={k: bytes(v) for k, v in _v(e, "memo", {}).items()},
        search_attributes={k: bytes(v) for k, v in _v(e, "search_attributes", {}).items()},
        **get_columnless(ex, ExecutionInfo, _INFO_COLUMNLESS),
    )


# ---------------------------------------------------------------- whole state
def state_columns(state: MutableState, packer: UdtPacker) -> dict[str, Any]:
    """Every column of the run's row that MutableState determines (maps in full)."""
    ex = Extras()
    info = state.info
    cols: dict[str, Any] = {
        "execution": packer.pack("workflow_execution", _info_udt(info, ex.sub("info"))),
        "next_event_id": info.next_event_id,
        "activity_map": {k: packer.pack("activity_info", P.activity_udt(a, ex.sub("a", str(k))))
                         for k, a in state.activities.items()},
        "timer_map": {k: packer.pack("timer_info", P.timer_udt(t, ex.sub("t", k)))
                      for k, t in state.timers.items()},
        "child_executions_map": {
            k: packer.pack("child_execution_info", P.child_udt(c, ex.sub("c", str(k))))
            for k, c in state.children.items()},
        "request_cancel_map": {
            k: packer.pack("request_cancel_info", P.cancel_udt(r, ex.sub("r", str(k))))
            for k, r in state.request_cancels.items()},
        "signal_map": {k: packer.pack("signal_info", P.signal_udt(s, ex.sub("s", str(k))))
                       for k, s in state.signals.items()},
        "signal_requested": P.signals_requested(state.signals_requested, ex),
        "buffered_events_list": [
            packer.pack("serialized_event_batch", {
                "encoding_type": BUFFERED_EVENTS_ENCODING, "version": 0, "data": blob})
            for blob in state.buffered_events],
        "workflow_state": info.state,
        "workflow_last_write_version": EMPTY_VERSION,
    }
    cols["data"], cols["data_encoding"] = ex.dump()
    return cols


def state_from_row(row: dict[str, Any]) -> MutableState:
    ex = Extras.load(row.get("data"), row.get("data_encoding"))
    info = _info_from(row.get("execution"), ex.sub("info"))
    if row.get("next_event_id") is not None:  # the LWT column is the authority
        info.next_event_id = row["next_event_id"]
    return MutableState(
        info=info,
        activities={k: P.activity_from(k, u, ex.sub("a", str(k)))
                    for k, u in (row.get("activity_map") or {}).items()},
        timers={k: P.timer_from(k, u, ex.sub("t", k))
                for k, u in (row.get("timer_map") or {}).items()},
        children={k: P.child_from(k, u, ex.sub("c", str(k)))
                  for k, u in (row.get("child_executions_map") or {}).items()},
        request_cancels={k: P.cancel_from(k, u, ex.sub("r", str(k)))
                         for k, u in (row.get("request_cancel_map") or {}).items()},
        signals={k: P.signal_from(k, u, ex.sub("s", str(k)))
                 for k, u in (row.get("signal_map") or {}).items()},
        signals_requested=P.signals_requested_from(row.get("signal_requested"), ex),
        buffered_events=[bytes(b.data or b"") for b in (row.get("buffered_events_list") or [])],
    )


# ---------------------------------------------------------------- current-run pointer
def current_columns(state: MutableState, packer: UdtPacker) -> dict[str, Any]:
    """The pointer row's values: Cadence keeps only these four execution fields there."""
    info = state.info
    ex = Extras()
    execution = packer.pack("workflow_execution", {
        "run_id": strict_uuid(info.run_id, "run id"),
        "create_request_id": ex.uuid("create_request_id", info.create_request_id),
        "state": info.state, "close_status": info.close_status})
    data, encoding = ex.dump()
    return {"current_run_id": strict_uuid(info.run_id, "run id"), "execution": execution,
            "workflow_state": info.state, "workflow_last_write_version": EMPTY_VERSION,
            "data": data, "data_encoding": encoding}


def current_from_row(row: dict[str, Any]) -> CurrentExecution:
    ex = Extras.load(row.get("data"), row.get("data_encoding"))
    e = row.get("execution")
    return CurrentExecution(
        run_id=uuid_text(row.get("current_run_id")),
        create_request_id=ex.uuid_str("create_request_id", _v(e, "create_request_id", None)),
        state=_v(e, "state", row.get("workflow_state") or 0),
        close_status=_v(e, "close_status", 0))
