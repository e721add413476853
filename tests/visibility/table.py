"""The query table: workflows with known attributes, and queries with their expected ids.

``populate`` starts workflows through a frontend (real RPCs, real history, real transfer
queue) in several domains, each with search attributes derived from its index, and
terminates some. Each ``Case`` pairs a query with a predicate over the generated
``Spec``s, written independently of the server's evaluator, so a back end is checked
against plain Python, not against itself.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gevent

BASE_NANOS = 1_700_000_000 * 10**9  # CustomDatetimeField of workflow 0
MINUTE = 60 * 10**9


def rfc3339(nanos: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(nanos // 10**9))


@dataclass
class Spec:
    domain: str
    index: int
    workflow_id: str
    workflow_type: str
    task_list: str
    keyword: str
    number: int
    double: float
    flag: bool
    moment: int  # CustomDatetimeField, unix nanos
    text: str
    cron: bool
    closed: bool
    run_id: str = ""
    started_after_mark: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def spec_for(domain: str, i: int) -> Spec:
    return Spec(domain=domain, index=i, workflow_id=f"{domain}-wf-{i:04d}",
                workflow_type=f"type-{i % 4}", task_list="tl-a" if i % 3 else "tl-b",
                keyword=f"kw-{i % 10}", number=i, double=i / 4, flag=i % 2 == 0,
                moment=BASE_NANOS + i * MINUTE, text=f"hello world number {i % 7}",
                cron=i % 50 == 7, closed=i % 5 == 0)


def populate(frontend: Any, shared: Any, domains: dict[str, int]) -> list[Spec]:
    """Start (and close some of) ``domains[name]`` workflows per domain, concurrently."""
    specs: list[Spec] = []
    for domain, count in domains.items():
        mark_at = count // 2
        for i in range(count):
            specs.append(spec_for(domain, i))
            specs[-1].started_after_mark = i >= mark_at

    def start(spec: Spec) -> None:
        fields = {"CustomKeywordField": spec.keyword, "CustomIntField": spec.number,
                  "CustomDoubleField": spec.double, "CustomBoolField": spec.flag,
                  "CustomDatetimeField": rfc3339(spec.moment),
                  "CustomStringField": spec.text}
        spec.run_id = frontend.call("StartWorkflowExecution",
                                    shared.StartWorkflowExecutionRequest(
            domain=spec.domain, workflowId=spec.workflow_id,
            workflowType=shared.WorkflowType(name=spec.workflow_type),
            taskList=shared.TaskList(name=spec.task_list),
            executionStartToCloseTimeoutSeconds=3600, taskStartToCloseTimeoutSeconds=10,
            requestId=str(uuid.uuid4()), cronSchedule="0 0 1 1 *" if spec.cron else None,
            searchAttributes=shared.SearchAttributes(indexedFields={
                k: json.dumps(v).encode() for k, v in fields.items()})), ttl_ms=30000).runId

    _each([s for s in specs if not s.started_after_mark], start)
    time.sleep(0.002)
    mark = time.time_ns()  # every run of the first halves started before, the rest after
    time.sleep(0.002)
    _each([s for s in specs if s.started_after_mark], start)
    for spec in specs:
        spec.extra["mark"] = mark

    def close(spec: Spec) -> None:
        if not spec.cron:  # a cron run terminates into a closed run of the same id
            frontend.call("TerminateWorkflowExecution",
                          shared.TerminateWorkflowExecutionRequest(
                              domain=spec.domain, workflowExecution=shared.WorkflowExecution(
                                  workflowId=spec.workflow_id, runId=spec.run_id),
                              reason="table"), ttl_ms=30000)
    for spec in specs:
        spec.closed = spec.closed and not spec.cron
    _each([s for s in specs if s.closed], close)
    return specs


def _each(items: list[Spec], fn: Callable[[Spec], None], width: int = 16) -> None:
    pool = gevent.pool.Pool(width)
    for item in items:
        pool.spawn(fn, item)
    pool.join(raise_error=True)


@dataclass(frozen=True)
class Case:
    query: str
    expect: Callable[[Spec], bool]
    order: Callable[[Spec], Any] | None = None  # sort key (ascending) the result must follow
    descending: bool = False


def cases(sample: Spec) -> list[Case]:
    """The table; ``sample`` is one workflow whose ids some queries name."""
    mark = sample.extra["mark"]
    t100 = rfc3339(BASE_NANOS + 100 * MINUTE)
    t150 = rfc3339(BASE_NANOS + 150 * MINUTE)
    return [
        Case("", lambda s: True),
        Case("WorkflowType = 'type-1'", lambda s: s.workflow_type == "type-1"),
        Case("WorkflowType != 'type-1'", lambda s: s.workflow_type != "type-1"),
        Case("CloseTime = missing", lambda s: not s.closed),
        Case("CloseTime != missing", lambda s: s.closed),
        Case("CloseStatus = 3", lambda s: s.closed),
        Case("CloseStatus = 'terminated'", lambda s: s.closed),
        Case("CloseStatus = 'completed'", lambda s: False),
        Case("CustomIntField > 100", lambda s: s.number > 100),
        Case("CustomIntField >= 100 AND CustomIntField < 200",
             lambda s: 100 <= s.number < 200),
        Case("CustomIntField BETWEEN 10 AND 20", lambda s: 10 <= s.number <= 20),
        Case("CustomIntField IN (1, 2, 3, 250)", lambda s: s.number in (1, 2, 3, 250)),
        Case("CustomIntField NOT IN (1, 2, 3)", lambda s: s.number not in (1, 2, 3)),
        Case("CustomKeywordField = 'kw-3'", lambda s: s.keyword == "kw-3"),
        Case('CustomKeywordField IN ("kw-1", "kw-2")', lambda s: s.keyword in ("kw-1", "kw-2")),
        Case("CustomKeywordField = 'kw-3' OR CustomKeywordField = 'kw-4'",
             lambda s: s.keyword in ("kw-3", "kw-4")),
        Case("(CustomKeywordField = 'kw-3' OR CustomKeywordField = 'kw-4') AND "
             "CustomBoolField = true", lambda s: s.keyword in ("kw-3", "kw-4") and s.flag),
        Case("CustomBoolField = false", lambda s: not s.flag),
        Case("CustomDoubleField > 50.5", lambda s: s.double > 50.5),
        Case("CustomDoubleField <= 10", lambda s: s.double <= 10),
        Case(f"CustomDatetimeField > '{t100}'",
             lambda s: s.moment > BASE_NANOS + 100 * MINUTE),
        Case(f"CustomDatetimeField BETWEEN '{t100}' AND '{t150}'",
             lambda s: BASE_NANOS + 100 * MINUTE <= s.moment <= BASE_NANOS + 150 * MINUTE),
        Case("CustomStringField = 'number 3'", lambda s: s.text.endswith("number 3")),
        Case(f"WorkflowID = '{sample.workflow_id}'",
             lambda s: s.workflow_id == sample.workflow_id),
        Case(f"RunID = '{sample.run_id}'", lambda s: s.run_id == sample.run_id),
        Case(f"StartTime > {mark}", lambda s: s.started_after_mark),
        Case(f"StartTime <= {mark} AND CloseTime = missing",
             lambda s: not s.started_after_mark and not s.closed),
        Case("StartTime > '2001-01-01T00:00:00Z'", lambda s: True),
        Case("StartTime < '2001-01-01T00:00:00+01:00'", lambda s: False),
        Case("ExecutionTime > 0", lambda s: True),
        Case("IsCron = true", lambda s: s.cron),
        Case("TaskList = 'tl-b'", lambda s: s.task_list == "tl-b"),
        Case("HistoryLength > 0", lambda s: s.closed),
        Case("WorkflowType = 'type-2' AND CloseTime = missing AND CustomIntField < 300",
             lambda s: s.workflow_type == "type-2" and not s.closed and s.number < 300),
        Case("CustomIntField < 40 ORDER BY CustomIntField", lambda s: s.number < 40,
             order=lambda s: s.number),
        Case("CustomBoolField = true AND CustomIntField < 60 ORDER BY CustomIntField DESC",
             lambda s: s.flag and s.number < 60, order=lambda s: s.number, descending=True),
        Case("CustomKeywordField = 'kw-5' order by CustomDatetimeField asc",
             lambda s: s.keyword == "kw-5", order=lambda s: s.moment),
    ]


def expected_ids(specs: list[Spec], domain: str, case: Case) -> list[str]:
    hits = [s for s in specs if s.domain == domain and case.expect(s)]
    if case.order is not None:
        hits.sort(key=case.order, reverse=case.descending)
    return [s.workflow_id for s in hits]


def list_all(frontend: Any, shared: Any, domain: str, query: str,
             page_size: int = 1000) -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        response = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain=domain, query=query, pageSize=page_size, nextPageToken=token), ttl_ms=30000)
        ids += [e.execution.workflowId for e in response.executions]
        token = response.nextPageToken
        if not token:
            return ids


def count(frontend: Any, shared: Any, domain: str, query: str) -> int:
    return frontend.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
        domain=domain, query=query), ttl_ms=30000).count


def wait_indexed(frontend: Any, shared: Any, specs: list[Spec], timeout: float) -> None:
    """Until every domain shows all its runs and all its closed runs (writes are async)."""
    deadline = time.monotonic() + timeout
    for domain in {s.domain for s in specs}:
        want = (sum(s.domain == domain for s in specs),
                sum(s.domain == domain and s.closed for s in specs))
        while True:
            got = (count(frontend, shared, domain, ""),
                   count(frontend, shared, domain, "CloseTime != missing"))
            if got == want:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{domain}: visibility shows {got} (all, closed) runs, "
                                     f"expected {want}")
            gevent.sleep(0.2)
