"""Transfer and timer tasks <-> their ``executions`` rows (types 2 and 3).

Every field of our tasks has a column in Cadence's ``transfer_task`` / ``timer_task``
UDTs; the row's ``data`` blob (JSON, see ``layout.Extras``) only ever carries what a
column cannot hold exactly: the sub-millisecond part of ``visibility_time`` /
``fire_time`` and target ids that are not canonical UUIDs. A timer row's clustering
``visibility_ts`` is its fire time in ms, which is what orders the timer queue.
"""

from __future__ import annotations

from typing import Any

from cadence_py.persistence.cassandra.layout import (
    EMPTY_VERSION,
    Extras,
    UdtPacker,
    field_of as _v,
    ms_of,
    strict_uuid,
    uuid_text,
)
from cadence_py.persistence.records import EMPTY_EVENT_ID, TimerTask, TransferTask


def transfer_columns(t: TransferTask, packer: UdtPacker) -> dict[str, Any]:
    ex = Extras()
    udt = packer.pack("transfer_task", {
        "domain_id": strict_uuid(t.domain_id, "domain id"), "workflow_id": t.workflow_id,
        "run_id": strict_uuid(t.run_id, "run id"), "task_id": t.task_id,
        "visibility_ts": ex.time_ms("visibility_time", t.visibility_time),
        "target_domain_id": ex.uuid("target_domain_id", t.target_domain_id),
        "target_workflow_id": t.target_workflow_id,
        "target_run_id": ex.uuid("target_run_id", t.target_run_id),
        "target_child_workflow_only": t.target_child_workflow_only,
        "task_list": t.task_list, "type": t.type, "schedule_id": t.schedule_id,
        "version": EMPTY_VERSION, "record_visibility": t.record_visibility})
    data, encoding = ex.dump()
    return {"transfer": udt, "data": data, "data_encoding": encoding}


def transfer_from_row(row: dict[str, Any]) -> TransferTask:
    ex = Extras.load(row.get("data"), row.get("data_encoding"))
    u = row["transfer"]
    return TransferTask(
        type=_v(u, "type", 0), domain_id=uuid_text(_v(u, "domain_id", None)),
        workflow_id=_v(u, "workflow_id", ""), run_id=uuid_text(_v(u, "run_id", None)),
        task_id=row.get("task_id", _v(u, "task_id", 0)),
        visibility_time=ex.time_ns("visibility_time", _v(u, "visibility_ts", None)),
        task_list=_v(u, "task_list", ""), schedule_id=_v(u, "schedule_id", EMPTY_EVENT_ID),
        target_domain_id=ex.uuid_str("target_domain_id", _v(u, "target_domain_id", None)),
        target_workflow_id=_v(u, "target_workflow_id", ""),
        target_run_id=ex.uuid_str("target_run_id", _v(u, "target_run_id", None)),
        target_child_workflow_only=bool(_v(u, "target_child_workflow_only", False)),
        record_visibility=bool(_v(u, "record_visibility", False)))


def timer_columns(t: TimerTask, packer: UdtPacker) -> dict[str, Any]:
    ex = Extras()
    fire_ms = ex.time_ms("fire_time", t.fire_time) or 0
    udt = packer.pack("timer_task", {
        "domain_id": strict_uuid(t.domain_id, "domain id"), "workflow_id": t.workflow_id,
        "run_id": strict_uuid(t.run_id, "run id"), "visibility_ts": fire_ms,
        "task_id": t.task_id, "type": t.type, "timeout_type": t.timeout_type,
        "event_id": t.event_id, "schedule_attempt": t.attempt, "version": EMPTY_VERSION})
    data, encoding = ex.dump()
    return {"timer": udt, "visibility_ts": fire_ms, "data": data, "data_encoding": encoding}


def timer_from_row(row: dict[str, Any]) -> TimerTask:
    ex = Extras.load(row.get("data"), row.get("data_encoding"))
    u = row["timer"]
    fire = row.get("visibility_ts", _v(u, "visibility_ts", None))
    return TimerTask(
        type=_v(u, "type", 0), domain_id=uuid_text(_v(u, "domain_id", None)),
        workflow_id=_v(u, "workflow_id", ""), run_id=uuid_text(_v(u, "run_id", None)),
        fire_time=ex.time_ns("fire_time", fire) if ms_of(fire) else 0,
        task_id=row.get("task_id", _v(u, "task_id", 0)),
        event_id=_v(u, "event_id", EMPTY_EVENT_ID), timeout_type=_v(u, "timeout_type", 0),
        attempt=_v(u, "schedule_attempt", 0))
