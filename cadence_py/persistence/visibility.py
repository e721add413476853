"""Basic visibility: one record per run, for listing open and closed workflows.

Written by history's transfer queue (run started, closed, search attributes upserted);
read by the List*WorkflowExecutions APIs. Advanced visibility (Elasticsearch, the query
language) builds on the same records later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

OPEN = -1  # close_status of a run that is still open


@dataclass
class VisibilityRecord:
    domain_id: str
    workflow_id: str
    run_id: str
    workflow_type: str
    start_time: int  # unix nanos
    execution_time: int
    task_list: str = ""
    is_cron: bool = False
    close_time: int = 0
    close_status: int = OPEN  # API WorkflowExecutionCloseStatus once closed
    history_length: int = 0
    update_time: int = 0
    memo: dict[str, bytes] = field(default_factory=dict)
    search_attributes: dict[str, bytes] = field(default_factory=dict)
    parent_workflow_id: str = ""
    parent_run_id: str = ""
    parent_domain_id: str = ""
    # For stores that expire rows (Cassandra's TTLs); SQLite ignores both. 0 = unknown:
    # an open row then never expires (it is deleted at close anyway), and a closed row
    # lives as long as its domain's retention, which the store looks up itself.
    workflow_timeout_seconds: int = 0
    retention_seconds: int = 0


@dataclass
class ListFilter:
    earliest: int = 0
    latest: int = 2**63 - 1
    workflow_id: str | None = None
    workflow_type: str | None = None
    close_status: int | None = None


class VisibilityStore(Protocol):
    def upsert(self, record: VisibilityRecord) -> None:
        """Insert or replace the run's record (a closed record is never reopened)."""

    def list(self, domain_id: str, open_runs: bool, where: ListFilter, page_size: int,
             token: bytes | None) -> tuple[list[VisibilityRecord], bytes | None]:
        """Newest start first; ``token`` continues a previous page."""

    def delete(self, domain_id: str, run_id: str, workflow_id: str | None = None) -> None:
        """Forget the run (retention). ``workflow_id`` is optional but lets stores whose
        rows are not keyed by run id find them cheaply (Cassandra's index)."""
