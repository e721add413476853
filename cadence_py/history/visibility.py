"""Keeps visibility records in step with runs (from the transfer queue).

Every record change goes to basic visibility (the main store) and, when Elasticsearch is
configured, into the durable outbox the indexer drains (``visibility_queue``). The
outbox message carries the transfer task id as the document's external version, so
Elasticsearch keeps the newest state whatever order messages arrive in.
"""

from __future__ import annotations

import json
import time
from typing import Any

from cadence_py.common import errors
from cadence_py.persistence import records as r
from cadence_py.persistence.visibility import OPEN, VisibilityRecord, VisibilityStore
from cadence_py.persistence.visibility_queue import VisibilityQueue
from cadence_py.visibility.document import document_id, document_of

# A deletion outranks every state write: its version is above any task id.
DELETE_VERSION = 2**62
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
        parent_domain_id=info.parent_domain_id,
        workflow_timeout_seconds=info.workflow_timeout)


class VisibilityWriter:
    def __init__(self, engine: Any, store: VisibilityStore,
                 queue: VisibilityQueue | None = None, search_attributes: Any = None,
                 on_enqueue: Any = None) -> None:
        self.engine = engine
        self.store = store
        self.queue = queue
        self.search_attributes = search_attributes
        self.on_enqueue = on_enqueue  # wakes the indexer

    def process(self, task: r.TransferTask) -> None:
        if task.type not in VISIBILITY_TASKS:
            return
        try:
            state = self.engine.load(task.domain_id, task.workflow_id, task.run_id)
        except errors.shared_exception("EntityNotExistsError"):
            return  # deleted by retention already
        record = record_of(state)
        self.store.upsert(record)
        if self.queue is not None:
            valid = self.search_attributes.valid() if self.search_attributes else {}
            self._enqueue({"op": "index", "id": document_id(record.workflow_id,
                                                            record.run_id),
                           "version": task.task_id, "doc": document_of(record, valid)})

    def delete(self, domain_id: str, workflow_id: str, run_id: str) -> None:
        """Retention: forget the run in every visibility store."""
        self.store.delete(domain_id, run_id, workflow_id=workflow_id)
        if self.queue is not None:
            self._enqueue({"op": "delete", "id": document_id(workflow_id, run_id),
                           "version": DELETE_VERSION})

    def _enqueue(self, message: dict[str, Any]) -> None:
        assert self.queue is not None
        message["at"] = time.time_ns()
        self.queue.enqueue([json.dumps(message, separators=(",", ":")).encode()])
        if self.on_enqueue is not None:
            self.on_enqueue()
