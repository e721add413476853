"""Batch jobs (cadence_py/worker/batcher.py), started as Cadence CLI 1.4.1's
``workflow batch start`` starts them, run by the server's worker role."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cadence_py.rpc import ThriftClient, idl
from cadence_py.worker import batcher
from tests.frontend.test_workflow_basics import history_types, start
from tests.worker.test_domain_deprecation import History, wait_for

BATCHER = "cadence-batcher"


def start_job(frontend: ThriftClient, shared: Any, domain: str, query: str, kind: str,
              **extra: Any) -> str:
    """What `cadence --do <domain> wf batch start --yes ...` sends (CLI 1.4.1)."""
    params = {"DomainName": domain, "Query": query, "Reason": "tidy up", "BatchType": kind,
              "TerminateParams": {"TerminateChildren": None},
              "CancelParams": {"CancelChildren": None},
              "SignalParams": {"SignalName": "", "Input": ""},
              "ReplicateParams": {"SourceCluster": "", "TargetCluster": ""},
              "RPS": 50, "Concurrency": 5, "PageSize": 2, "AttemptsOnRetryableError": 50,
              "ActivityHeartBeatTimeout": 10_000_000_000, "MaxActivityRetries": 4,
              "NonRetryableErrors": None, "Progress": None}
    params.update(extra)
    job = str(uuid.uuid4())
    frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
        domain=BATCHER, workflowId=job, requestId=str(uuid.uuid4()),
        workflowType=shared.WorkflowType(name="cadence-sys-batch-workflow"),
        taskList=shared.TaskList(name="cadence-sys-batcher-tasklist"),
        executionStartToCloseTimeoutSeconds=630720000, taskStartToCloseTimeoutSeconds=10,
        retryPolicy=shared.RetryPolicy(initialIntervalInSeconds=10, backoffCoefficient=1.7,
                                       maximumIntervalInSeconds=300,
                                       nonRetriableErrorReasons=["non-retriable-error"],
                                       expirationIntervalInSeconds=630720000),
        memo=shared.Memo(fields={"Reason": b'"tidy up"'}),
        searchAttributes=shared.SearchAttributes(indexedFields={
            "CustomDomain": json.dumps(domain).encode(), "Operator": b'"tester"'}),
        input=json.dumps(params).encode()))
    return job


def finished(frontend: ThriftClient, shared: Any, job: str) -> Any:
    def check() -> Any:
        types, events = history_types(frontend, shared, BATCHER, job, None)
        return events if types[-1].startswith("WorkflowExecution") and len(types) > 1 else None
    return wait_for(check, timeout=30)


def open_runs(frontend: ThriftClient, shared: Any, domain: str, count: int) -> list[str]:
    runs = [start(frontend, shared, domain, f"batch-{i}")[0] for i in range(count)]
    wait_for(lambda: frontend.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
        domain=domain, query="CloseTime = missing")).count == count)
    return runs


def new_domain(frontend: ThriftClient, shared: Any) -> str:
    name = "batch-" + uuid.uuid4().hex[:6]
    frontend.call("RegisterDomain", shared.RegisterDomainRequest(
        name=name, workflowExecutionRetentionPeriodInDays=1))
    return name


def test_terminate_job_over_pages(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    domain = new_domain(frontend, shared)
    runs = open_runs(frontend, shared, domain, 5)
    job = start_job(frontend, shared, domain, "WorkflowType = 'hello'", "terminate")
    events = finished(frontend, shared, job)
    result = json.loads(events[-1].workflowExecutionCompletedEventAttributes.result)
    assert result["SuccessCount"] == 5 and result["ErrorCount"] == 0
    assert result["TotalEstimate"] == 5 and result["CurrentPage"] == 3  # pages of 2
    for i, run in enumerate(runs):
        types, history = history_types(frontend, shared, domain, f"batch-{i}", run)
        attrs = history[-1].workflowExecutionTerminatedEventAttributes
        assert (attrs.reason, attrs.identity) == ("tidy up", "cadence-sys-batch-workflow")
    # `wf batch list` finds the domain's jobs by the CustomDomain search attribute.
    listed = wait_for(lambda: frontend.call("ListWorkflowExecutions",
                                            shared.ListWorkflowExecutionsRequest(
                                                domain=BATCHER, pageSize=30,
                                                query=f"CustomDomain = '{domain}'")).executions)
    assert [e.execution.workflowId for e in listed] == [job]


def test_signal_job_and_bad_params(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    domain = new_domain(frontend, shared)
    runs = open_runs(frontend, shared, domain, 2)
    job = start_job(frontend, shared, domain, "CloseTime = missing", "signal",
                    SignalParams={"SignalName": "poke", "Input": '"hi"'})
    finished(frontend, shared, job)
    for i, run in enumerate(runs):
        types, history = history_types(frontend, shared, domain, f"batch-{i}", run)
        signalled = [e.workflowExecutionSignaledEventAttributes for e in history
                     if e.workflowExecutionSignaledEventAttributes]
        assert [(s.signalName, s.input) for s in signalled] == [("poke", b'"hi"')]

    bad = start_job(frontend, shared, domain, "CloseTime = missing", "signal")  # no name
    events = finished(frontend, shared, bad)
    failed = events[-1].workflowExecutionFailedEventAttributes
    assert (failed.reason, failed.details) == ("non-retriable-error", b"must provide signal name")


def test_the_decider() -> None:
    shared = idl.shared()
    history = History()
    history.events[0].workflowExecutionStartedEventAttributes.input = json.dumps({
        "DomainName": "d", "Query": "q", "Reason": "r", "BatchType": "cancel",
        "RPS": 0, "MaxActivityRetries": 0, "ActivityHeartBeatTimeout": 3_000_000_000}).encode()
    scheduled = batcher.decide(history.events)[0].scheduleActivityTaskDecisionAttributes
    params = json.loads(scheduled.input)
    assert (params["RPS"], params["Concurrency"], params["PageSize"]) == (50, 5, 1000)
    assert params["TerminateParams"] == {"TerminateChildren": True}
    assert scheduled.heartbeatTimeoutSeconds == 3
    assert scheduled.retryPolicy.maximumAttempts == 0  # 0 stays: unlimited
    assert scheduled.retryPolicy.nonRetriableErrorReasons == ["non-retriable-error"]
    history.activity("cadence-sys-batch-activity", {"SuccessCount": 1})
    done = batcher.decide(history.events)[0]
    assert done.decisionType == shared.DecisionType.CompleteWorkflowExecution
    assert json.loads(done.completeWorkflowExecutionDecisionAttributes.result) == \
        {"SuccessCount": 1}
    assert batcher.params_problem({"BatchType": "replicate", "Reason": "r", "DomainName": "d",
                                   "Query": "q"}) == "must provide source cluster"
    assert batcher.params_problem({"Reason": "r"}) == \
        "must provide required parameters: BatchType/Reason/DomainName/Query"


class FakeContext:
    """An ActivityContext stand-in: the details of an earlier attempt, heartbeats kept."""

    def __init__(self, client: ThriftClient, details: Any) -> None:
        self.client, self.details, self.beats = client, json.dumps(details).encode(), []

    def heartbeat(self, details: Any) -> None:
        self.beats.append(details)

    def check(self) -> None:
        pass

    def keep_alive(self, details: Any) -> Any:
        import contextlib
        return contextlib.nullcontext()


def test_a_retried_attempt_resumes_from_its_heartbeat(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    import base64
    domain = new_domain(frontend, shared)
    open_runs(frontend, shared, domain, 5)
    first = frontend.call("ScanWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
        domain=domain, pageSize=2, query="CloseTime = missing"))
    done_before = {e.execution.workflowId for e in first.executions}
    ctx = FakeContext(frontend, {"PageToken": base64.b64encode(first.nextPageToken).decode(),
                                 "CurrentPage": 1, "TotalEstimate": 5, "SuccessCount": 2,
                                 "ErrorCount": 0, "RPS": 0, "Concurrency": 0})
    result = batcher.run(ctx, {"DomainName": domain, "Query": "CloseTime = missing",
                               "Reason": "resume", "BatchType": "terminate", "PageSize": 2})
    assert (result["CurrentPage"], result["SuccessCount"], result["ErrorCount"]) == (3, 5, 0)
    assert [beat["CurrentPage"] for beat in ctx.beats] == [2, 3]
    still_open = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
        domain=domain, pageSize=10, query="CloseTime = missing")).executions
    assert {e.execution.workflowId for e in still_open} == done_before  # page 1 was done
