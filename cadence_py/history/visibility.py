"""Keeps visibility records in step with runs (from the transfer queue)."""

from __future__ import annotations

from typing import Any

from cadence_py.common import errors
from cadence_py.persistence import records as r
from cadence_py.persistence.visibility import OPEN, VisibilityRecord, VisibilityStore

VISIBILITY_TASKS = (r.TRANSFER_RECORD_STARTED, r.TRANSFER_CLOSE,
                    r.TRANSFER_UPSERT_SEARCH_ATTRIBUTES)


def record_of(state: r.MutableState) -> VisibilityRecord:
    info = state.info
    closed = info.state == r.STATE_COMPLETED
    return VisibilityRecord(
        domain_id=info.domain_id, workflow_id=info.workflow_id, run_id=info.run_id,
        workflow_type=info.workflow_type, start_time=info.start_time,
        execution_time=info.start_time, task_list=info.task_list,
        is_cron=bool(info.cron_schedule),
        close_time=info.last_updated_time if closed else 0,
        close_status=info.close_status - 1 if closed else OPEN,
        history_length=info.next_event_id - 1 if closed else 0,
        update_time=info.last_updated_time, memo=dict(info.memo),
        search_attributes=dict(info.search_attributes),
        parent_workflow_id=info.parent_workflow_id, parent_run_id=info.parent_run_id,
        parent_domain_id=info.parent_domain_id)


class VisibilityWriter:
    def __init__(self, engine: Any, store: VisibilityStore) -> None:
        self.engine = engine
        self.store = store

    def process(self, task: r.TransferTask) -> None:
        if task.type not in VISIBILITY_TASKS:
            return
        try:
            state = self.engine.load(task.domain_id, task.workflow_id, task.run_id)
        except errors.shared_exception("EntityNotExistsError"):
            return  # deleted by retention already
        self.store.upsert(record_of(state))
