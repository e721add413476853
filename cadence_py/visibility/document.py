"""One run's visibility record in the shape of Cadence's Elasticsearch document.

Both query back ends read this shape: Elasticsearch indexes it as is, and the main-store
evaluator checks queries against it, so one query means the same thing on both. Times are
unix nanoseconds; CloseTime, CloseStatus and HistoryLength exist only once the run closed
(``CloseTime = missing`` means open); custom search attributes live under ``Attr`` as
their decoded JSON values.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from cadence_py.persistence.visibility import OPEN, VisibilityRecord
from cadence_py.visibility import attributes as sa

log = logging.getLogger(__name__)
MEMO_ENCODING = "cadence-py-json"  # Memo: {key: base64(value)}; stored, never indexed


def document_id(workflow_id: str, run_id: str) -> str:
    return f"{workflow_id}~{run_id}"


def document_of(record: VisibilityRecord, valid: dict[str, int]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "DomainID": record.domain_id, "WorkflowID": record.workflow_id,
        "RunID": record.run_id, "WorkflowType": record.workflow_type,
        "StartTime": record.start_time, "ExecutionTime": record.execution_time,
        "UpdateTime": record.update_time, "TaskList": record.task_list,
        "IsCron": record.is_cron, "NumClusters": 1,
    }
    if record.close_status != OPEN:
        doc.update(CloseTime=record.close_time, CloseStatus=record.close_status,
                   HistoryLength=record.history_length)
    if record.memo:
        doc["Memo"] = {k: base64.b64encode(v).decode() for k, v in record.memo.items()}
        doc["Encoding"] = MEMO_ENCODING
    attrs: dict[str, Any] = {}
    for key, raw in record.search_attributes.items():
        kind = valid.get(key)
        if kind is None or sa.is_system_key(key):
            continue  # not (or no longer) a valid custom key: not indexed, as upstream
        try:
            attrs[key] = sa.decode_value(raw, kind)
        except ValueError:
            log.warning("search attribute %s of run %s is not a valid %s; not indexed",
                        key, record.run_id, sa.TYPE_NAMES.get(kind))
    if attrs:
        doc["Attr"] = attrs
    return doc


def record_of(doc: dict[str, Any]) -> VisibilityRecord:
    """The VisibilityRecord a list response is built from (inverse of document_of)."""
    closed = "CloseTime" in doc
    memo = {k: base64.b64decode(v) for k, v in (doc.get("Memo") or {}).items()} \
        if doc.get("Encoding") == MEMO_ENCODING else {}
    attrs = {k: sa.encode_json(v) for k, v in (doc.get("Attr") or {}).items()}
    return VisibilityRecord(
        domain_id=doc.get("DomainID", ""), workflow_id=doc.get("WorkflowID", ""),
        run_id=doc.get("RunID", ""), workflow_type=doc.get("WorkflowType", ""),
        start_time=int(doc.get("StartTime", 0)),
        execution_time=int(doc.get("ExecutionTime", 0)),
        task_list=doc.get("TaskList", ""), is_cron=bool(doc.get("IsCron", False)),
        close_time=int(doc.get("CloseTime", 0)) if closed else 0,
        close_status=int(doc.get("CloseStatus", OPEN)) if closed else OPEN,
        history_length=int(doc.get("HistoryLength", 0)) if closed else 0,
        update_time=int(doc.get("UpdateTime", 0)), memo=memo, search_attributes=attrs)
