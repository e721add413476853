"""Listing workflows from basic visibility (the main store).

ListOpen/ListClosed with their filters read basic visibility (the main store);
ListWorkflowExecutions, ScanWorkflowExecutions and CountWorkflowExecutions take Cadence's
query language and run on the configured ``QueryBackend`` (Elasticsearch, or the main
store's records filtered in memory).
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from cadence_py.common import errors
from cadence_py.frontend.workflows.base import WorkflowAPIBase
from cadence_py.persistence.visibility import OPEN, ListFilter, VisibilityRecord
from cadence_py.rpc import idl
from cadence_py.rpc.context import RequestContext
from cadence_py.visibility.query import ast
from cadence_py.visibility.query.parser import QueryError
from cadence_py.visibility.query.validate import compile_query

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 10000
ARCHIVAL_MAX_PAGE_SIZE = 10000  # frontend.visibilityArchivalQueryMaxPageSize


def execution_status(record: VisibilityRecord) -> int:
    """Upstream's executionStatus (the CLI's EXECUTION STATUS column): STARTED while open,
    then the close status's counterpart (WorkflowExecutionCloseStatus COMPLETED..TIMED_OUT
    are 0..5, WorkflowExecutionStatus COMPLETED..TIMED_OUT are 2..7)."""
    status = idl.shared().WorkflowExecutionStatus
    return status.STARTED if record.close_status == OPEN else status.COMPLETED + \
        record.close_status


def execution_info(record: VisibilityRecord) -> Any:
    shared = idl.shared()
    closed = record.close_status != OPEN
    return shared.WorkflowExecutionInfo(
        execution=shared.WorkflowExecution(workflowId=record.workflow_id, runId=record.run_id),
        type=shared.WorkflowType(name=record.workflow_type), startTime=record.start_time,
        closeTime=record.close_time if closed else None,
        closeStatus=record.close_status if closed else None,
        historyLength=record.history_length if closed else None,
        executionTime=record.execution_time, taskList=record.task_list,
        isCron=record.is_cron, updateTime=record.update_time,
        executionStatus=execution_status(record),
        memo=shared.Memo(fields=dict(record.memo)) if record.memo else None,
        searchAttributes=shared.SearchAttributes(indexedFields=dict(record.search_attributes))
        if record.search_attributes else None,
        parentExecution=shared.WorkflowExecution(workflowId=record.parent_workflow_id,
                                                 runId=record.parent_run_id)
        if record.parent_workflow_id else None)


class VisibilityAPIs(WorkflowAPIBase):
    visibility: Any
    queries: Any  # visibility.backends.QueryBackend
    search_attributes: Any  # visibility.attributes.SearchAttributes

    def _page(self, domain_id: str, open_runs: bool, where: ListFilter, page_size: int,
              token: bytes | None) -> tuple[list[Any], bytes | None]:
        if page_size > MAX_PAGE_SIZE:
            raise errors.bad_request(f"Pagesize is larger than allow {MAX_PAGE_SIZE}")
        try:
            records, nxt = self.visibility.list(domain_id, open_runs, where,
                                                _page_size(page_size), token)
        except (ValueError, binascii.Error, json.JSONDecodeError):
            raise errors.bad_request(errors.INVALID_NEXT_PAGE_TOKEN) from None
        return [execution_info(r) for r in records], nxt

    def _filter(self, request: Any, closed: bool) -> ListFilter:
        time_filter = request.StartTimeFilter
        if time_filter is None:
            raise errors.bad_request("StartTimeFilter is required")
        if time_filter.earliestTime is None:
            raise errors.bad_request("EarliestTime in StartTimeFilter is required")
        if time_filter.latestTime is None:
            raise errors.bad_request("LatestTime in StartTimeFilter is required")
        if time_filter.earliestTime > time_filter.latestTime:
            raise errors.bad_request(
                "EarliestTime in StartTimeFilter should not be larger than LatestTime")
        filters = [request.executionFilter, request.typeFilter]
        if closed:
            filters.append(request.statusFilter)
        if sum(f is not None for f in filters) > 1:
            raise errors.bad_request("Only one of ExecutionFilter, TypeFilter or StatusFilter "
                                     "is allowed")
        return ListFilter(
            earliest=time_filter.earliestTime, latest=time_filter.latestTime,
            workflow_id=request.executionFilter.workflowId if request.executionFilter else None,
            workflow_type=request.typeFilter.name if request.typeFilter else None,
            close_status=request.statusFilter if closed else None)

    def ListOpenWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        executions, token = self._page(domain.info.id, True, self._filter(request, False),
                                       request.maximumPageSize or 0, request.nextPageToken)
        return idl.shared().ListOpenWorkflowExecutionsResponse(executions=executions,
                                                               nextPageToken=token)

    def ListClosedWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        executions, token = self._page(domain.info.id, False, self._filter(request, True),
                                       request.maximumPageSize or 0, request.nextPageToken)
        return idl.shared().ListClosedWorkflowExecutionsResponse(executions=executions,
                                                                 nextPageToken=token)

    def _query(self, request: Any) -> tuple[Any, ast.Query, dict[str, int]]:
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        domain = self._domain(request.domain)
        valid = self.search_attributes.valid()
        try:
            return domain, compile_query(request.query or "", valid), valid
        except QueryError as e:
            raise errors.bad_request(str(e)) from None

    def ListWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        domain, query, valid = self._query(request)
        size = _page_size(request.pageSize)
        if size > MAX_PAGE_SIZE:
            raise errors.bad_request(f"Pagesize is larger than allow {MAX_PAGE_SIZE}")
        try:
            records, token = self.queries.list(domain.info.id, query, valid, size,
                                               request.nextPageToken)
        except (ValueError, binascii.Error, json.JSONDecodeError):
            raise errors.bad_request(errors.INVALID_NEXT_PAGE_TOKEN) from None
        return idl.shared().ListWorkflowExecutionsResponse(
            executions=[execution_info(r) for r in records], nextPageToken=token)

    def ScanWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        return self.ListWorkflowExecutions(ctx, request)

    def CountWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        domain, query, valid = self._query(request)
        return idl.shared().CountWorkflowExecutionsResponse(
            count=self.queries.count(domain.info.id, query, valid))

    def ListArchivedWorkflowExecutions(self, ctx: RequestContext, request: Any) -> Any:
        """Archival is not built: the answer of an upstream cluster without it, after the
        checks that come first there."""
        if request is None:
            raise errors.bad_request(errors.REQUEST_NOT_SET)
        if not request.domain:
            raise errors.bad_request(errors.DOMAIN_NOT_SET)
        if (request.pageSize or 0) > ARCHIVAL_MAX_PAGE_SIZE:
            raise errors.bad_request(f"Pagesize is larger than allowed {ARCHIVAL_MAX_PAGE_SIZE}")
        raise errors.bad_request("Cluster is not configured for visibility archival")


def _page_size(requested: int | None) -> int:
    """A page size of zero or less means the default, as upstream (a negative one made the
    query back end index an empty page)."""
    return requested if requested and requested > 0 else DEFAULT_PAGE_SIZE
