"""Hostile input over a real connection (issue 15, part 5), on SQLite and on Cassandra.

Each hostile call must get its declared answer:
- a ``string`` field that is not valid UTF-8: BadRequestError naming the field;
- a page token the server did not issue, on every list API: BadRequestError
  "Invalid NextPageToken." (on Cassandra, ListDomains used to hand it to the node as a
  paging state; the node's protocol error made the driver close the shared connection);
- a request over 4 MiB: a BAD_REQUEST error frame, sent before the rest of it is read;
  a field over its limit in a smaller request: BadRequestError with upstream's kind of
  message; a request of too many values: a BAD_REQUEST error frame.

Meanwhile a victim client on another connection (its own process) calls DescribeDomain
in a loop, and Meta::health, which needs no store: none of its calls may fail or take
over 100 ms (DescribeDomain on Cassandra: 1 s, see hostile.DESCRIBE_LIMIT_MS). After the
oversize cases the server's RSS must be back within 50 MiB of where it started, and its
log must hold no traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cadence_py.rpc import idl
from cadence_py.rpc.codec import encode
from cadence_py.transport.errors import ErrorCode
from tests.faults.hostile import (
    DESCRIBE_LIMIT_MS,
    Outcome,
    RawClient,
    Victim,
    register_domain,
    rss_mib,
    serve,
    tracebacks,
    unique,
    victim_problems,
    victim_summary,
)
from tests.harness.server import ServerProcess

S = idl.shared()
BAD = b"bad-\xff\xfe-utf8"
MiB = 1 << 20
INVALID_TOKEN = "Invalid NextPageToken."
OTHER_RUN = "RunID in the request does not match the NextPageToken."
#: A Cassandra paging state of the shape the driver hands out (a partition key and a
#: clustering row of a domains page), and garbage of other shapes.
TOKENS = [b"\xff\xfe", b"\x00" * 40, bytes(range(256)),
          b"\x00\x04\x00\x00\x00\x00\x00\x0e\x00\x0ccadence-xyz\x7f\xff\xff\xfe\xf0\x07\xff",
          b"eyJ4IjogMX0=", b"A" * 20_000]


@pytest.fixture(params=["sqlite", pytest.param("cassandra", marks=pytest.mark.cassandra)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def server(backend: str, request: pytest.FixtureRequest, tmp_path: Path
           ) -> Iterator[ServerProcess]:
    with serve(backend, tmp_path, request) as proc:
        yield proc


def args(client: RawClient, method: str, service: str = "WorkflowService", **fields: Any
         ) -> bytes:
    return encode(client.specs[service][method].args_cls(**fields))


def declared(name: str, message: str, prefix: bool = False) -> Callable[[Outcome], bool]:
    def check(outcome: Outcome) -> bool:
        text = getattr(outcome.value, "message", "")
        return (outcome.kind == "declared" and type(outcome.value).__name__ == name
                and (text.startswith(message) if prefix else text == message))
    check.__doc__ = f"{name}({message!r}{'...' if prefix else ''})"
    return check


def frame(code: ErrorCode) -> Callable[[Outcome], bool]:
    def check(outcome: Outcome) -> bool:
        return outcome.kind == "frame" and outcome.value.code == code
    check.__doc__ = f"error frame {code!r}"
    return check


def utf8_cases(c: RawClient, domain: str) -> list[tuple[str, bytes, str]]:
    """(method, arg3, field path) with the path's string not valid UTF-8."""
    start = dict(domain=domain, workflowId="wf", workflowType=S.WorkflowType(name="t"),
                 taskList=S.TaskList(name="tl"), executionStartToCloseTimeoutSeconds=60,
                 taskStartToCloseTimeoutSeconds=10, requestId="r")
    decision = S.Decision(decisionType=0, scheduleActivityTaskDecisionAttributes=(
        S.ScheduleActivityTaskDecisionAttributes(activityId=BAD)))
    window = S.StartTimeFilter(earliestTime=0, latestTime=2**62)
    return [
        ("DescribeDomain", args(c, "DescribeDomain",
                               describeRequest=S.DescribeDomainRequest(name=BAD)),
         "describeRequest.name"),
        ("RegisterDomain", args(c, "RegisterDomain", registerRequest=S.RegisterDomainRequest(
            name=BAD, workflowExecutionRetentionPeriodInDays=1)), "registerRequest.name"),
        ("UpdateDomain", args(c, "UpdateDomain", updateRequest=S.UpdateDomainRequest(
            name=domain, updatedInfo=S.UpdateDomainInfo(description=BAD))),
         "updateRequest.updatedInfo.description"),
        ("UpdateDomain", args(c, "UpdateDomain", updateRequest=S.UpdateDomainRequest(
            name=domain, updatedInfo=S.UpdateDomainInfo(data={BAD: "v"}))),
         "updateRequest.updatedInfo.data[key]"),
        ("StartWorkflowExecution", args(c, "StartWorkflowExecution", startRequest=(
            S.StartWorkflowExecutionRequest(**{**start, "workflowId": BAD}))),
         "startRequest.workflowId"),
        ("StartWorkflowExecution", args(c, "StartWorkflowExecution", startRequest=(
            S.StartWorkflowExecutionRequest(**start, searchAttributes=S.SearchAttributes(
                indexedFields={BAD: b'"x"'})))),
         "startRequest.searchAttributes.indexedFields[key]"),
        ("SignalWithStartWorkflowExecution", args(
            c, "SignalWithStartWorkflowExecution",
            signalWithStartRequest=S.SignalWithStartWorkflowExecutionRequest(
                **start, signalName=BAD)), "signalWithStartRequest.signalName"),
        ("ListWorkflowExecutions", args(c, "ListWorkflowExecutions", listRequest=(
            S.ListWorkflowExecutionsRequest(domain=domain, query=BAD))), "listRequest.query"),
        ("ListOpenWorkflowExecutions", args(c, "ListOpenWorkflowExecutions", listRequest=(
            S.ListOpenWorkflowExecutionsRequest(
                domain=domain, StartTimeFilter=window,
                executionFilter=S.WorkflowExecutionFilter(workflowId=BAD)))),
         "listRequest.executionFilter.workflowId"),
        ("PollForDecisionTask", args(c, "PollForDecisionTask", pollRequest=(
            S.PollForDecisionTaskRequest(domain=domain, taskList=S.TaskList(name=BAD)))),
         "pollRequest.taskList.name"),
        ("RespondDecisionTaskCompleted", args(
            c, "RespondDecisionTaskCompleted",
            completeRequest=S.RespondDecisionTaskCompletedRequest(
                taskToken=b"{}", decisions=[S.Decision(), decision])),
         "completeRequest.decisions[1].scheduleActivityTaskDecisionAttributes.activityId"),
        ("GetWorkflowExecutionHistory", args(
            c, "GetWorkflowExecutionHistory", getRequest=S.GetWorkflowExecutionHistoryRequest(
                domain=domain, execution=S.WorkflowExecution(workflowId="wf", runId=BAD))),
         "getRequest.execution.runId"),
    ]


def token_cases(c: RawClient, domain: str, run: Any) -> Iterator[tuple[str, bytes]]:
    """(method, arg3) for every list API with each garbage token, and a real token of
    each with one byte changed."""
    window = S.StartTimeFilter(earliestTime=0, latestTime=2**62)
    lists: list[tuple[str, Callable[[bytes | None], bytes]]] = [
        ("ListDomains", lambda t: args(c, "ListDomains", listRequest=S.ListDomainsRequest(
            pageSize=1, nextPageToken=t))),
        ("ListOpenWorkflowExecutions", lambda t: args(
            c, "ListOpenWorkflowExecutions", listRequest=S.ListOpenWorkflowExecutionsRequest(
                domain=domain, maximumPageSize=1, StartTimeFilter=window, nextPageToken=t))),
        ("ListClosedWorkflowExecutions", lambda t: args(
            c, "ListClosedWorkflowExecutions",
            listRequest=S.ListClosedWorkflowExecutionsRequest(
                domain=domain, maximumPageSize=1, StartTimeFilter=window, nextPageToken=t))),
        ("ListWorkflowExecutions", lambda t: args(
            c, "ListWorkflowExecutions", listRequest=S.ListWorkflowExecutionsRequest(
                domain=domain, pageSize=1, nextPageToken=t))),
        ("ScanWorkflowExecutions", lambda t: args(
            c, "ScanWorkflowExecutions", listRequest=S.ListWorkflowExecutionsRequest(
                domain=domain, pageSize=1, nextPageToken=t))),
        ("GetWorkflowExecutionHistory", lambda t: args(
            c, "GetWorkflowExecutionHistory", getRequest=S.GetWorkflowExecutionHistoryRequest(
                domain=domain, execution=run, maximumPageSize=1, nextPageToken=t))),
    ]
    for method, build in lists:
        for token in TOKENS:
            yield method, build(token)
        first = c.call("WorkflowService", method, build(None))
        assert first.kind == "ok", (method, first.describe())
        real = first.value.nextPageToken
        assert real, f"{method}: the setup should leave a second page"
        for i in (0, len(real) // 2, len(real) - 1):
            yield method, build(real[:i] + bytes([real[i] ^ 0x01]) + real[i + 1:])


def invalid_token(outcome: Outcome) -> bool:
    """BadRequestError "Invalid NextPageToken.", or for a history token whose run id
    changed, upstream's own message for a token of another run."""
    return outcome.kind == "declared" and type(outcome.value).__name__ == "BadRequestError" \
        and outcome.value.message in (INVALID_TOKEN, OTHER_RUN)


def oversize_cases(c: RawClient, domain: str
                   ) -> list[tuple[str, bytes, Callable[[Outcome], bool]]]:
    def update(info: Any) -> bytes:
        return args(c, "UpdateDomain", updateRequest=S.UpdateDomainRequest(
            name=domain, updatedInfo=info))

    start = S.StartWorkflowExecutionRequest(
        domain=domain, workflowId=unique("big"), workflowType=S.WorkflowType(name="t"),
        taskList=S.TaskList(name="tl"), executionStartToCloseTimeoutSeconds=60,
        taskStartToCloseTimeoutSeconds=10, requestId=unique("r"), input=b"i" * (3 * MiB))
    too_many = args(c, "RespondDecisionTaskCompleted",
                    completeRequest=S.RespondDecisionTaskCompletedRequest(
                        taskToken=b"{}", decisions=[S.Decision()] * 300_000))
    return [
        ("UpdateDomain", update(S.UpdateDomainInfo(description="d" * (19 * MiB))),
         frame(ErrorCode.BAD_REQUEST)),
        ("RegisterDomain", args(c, "RegisterDomain", registerRequest=S.RegisterDomainRequest(
            name=unique("big"), description="d" * 10_000_000,
            workflowExecutionRetentionPeriodInDays=1)), frame(ErrorCode.BAD_REQUEST)),
        ("UpdateDomain", update(S.UpdateDomainInfo(description="d" * (3 * MiB))),
         declared("BadRequestError", "Domain description length exceeds limit.")),
        ("UpdateDomain", update(S.UpdateDomainInfo(ownerEmail="o" * 5000)),
         declared("BadRequestError", "Owner email length exceeds limit.")),
        ("UpdateDomain", update(S.UpdateDomainInfo(data={"k": "v" * 100_000})),
         declared("BadRequestError", "Domain data size exceeds limit.")),
        ("StartWorkflowExecution", args(c, "StartWorkflowExecution", startRequest=start),
         declared("BadRequestError", "Input data size exceeds limit.")),
        ("RespondDecisionTaskCompleted", too_many, frame(ErrorCode.BAD_REQUEST)),
    ]


def setup_lists(c: RawClient, domain: str) -> Any:
    """Two domains more and four runs, two of them closed, so that every list has a second
    page; returns one run's execution (its history has more than one event)."""
    for _ in range(2):
        register_domain(c.channel.port, unique("extra"))
    for i in range(4):
        workflow_id = unique("wf")
        c.frontend.call("StartWorkflowExecution", S.StartWorkflowExecutionRequest(
            domain=domain, workflowId=workflow_id, workflowType=S.WorkflowType(name="t"),
            taskList=S.TaskList(name="tl"), executionStartToCloseTimeoutSeconds=60,
            taskStartToCloseTimeoutSeconds=10, requestId=unique("r")), ttl_ms=30_000)
        if i % 2:
            c.frontend.call("TerminateWorkflowExecution", S.TerminateWorkflowExecutionRequest(
                domain=domain, workflowExecution=S.WorkflowExecution(workflowId=workflow_id)),
                ttl_ms=30_000)
    closed = S.ListClosedWorkflowExecutionsRequest(
        domain=domain, StartTimeFilter=S.StartTimeFilter(earliestTime=0, latestTime=2**62))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # visibility records are written by the queue
        page = c.frontend.call("ListWorkflowExecutions", S.ListWorkflowExecutionsRequest(
            domain=domain, pageSize=10))
        if (len(page.executions) >= 4
                and len(c.frontend.call("ListClosedWorkflowExecutions", closed).executions) >= 2):
            return page.executions[0].execution
        time.sleep(0.2)
    raise AssertionError("the runs never showed up in visibility")


def run_checked(c: RawClient, cases: list[tuple[str, bytes, Callable[[Outcome], bool]]]
                ) -> list[str]:
    wrong = []
    for method, arg3, expect in cases:
        outcome = c.call("WorkflowService", method, arg3)
        if not expect(outcome):
            wrong.append(f"{method}: got {outcome.describe()}, want {expect.__doc__}")
    return wrong


def test_hostile_input_gets_declared_errors_and_spares_others(server: ServerProcess,
                                                              backend: str) -> None:
    domain = unique("hostile")
    register_domain(server.port, domain)
    client = RawClient(server.port)
    run = setup_lists(client, domain)
    cases = [(m, a, declared("BadRequestError", f"{path} is not valid UTF-8."))
             for m, a, path in utf8_cases(client, domain)]
    cases += [(m, a, invalid_token) for m, a in token_cases(client, domain, run)]
    oversize = oversize_cases(client, domain)
    for method, arg3, _ in oversize[:2]:  # warm up the big-buffer paths before measuring
        client.call("WorkflowService", method, arg3)
    time.sleep(1)
    rss_before = rss_mib(server.proc.pid)  # type: ignore[union-attr]
    victim = Victim(server.port, domain)
    try:
        wrong = run_checked(client, cases)
        for _ in range(3):
            wrong += run_checked(client, oversize)
    finally:
        report = victim.stop()
    # Memory: the big buffers are gone once the calls are answered (give it a moment).
    deadline = time.monotonic() + 10
    while (rss := rss_mib(server.proc.pid)) > rss_before + 50 and time.monotonic() < deadline:
        time.sleep(0.5)
    described = client.frontend.call("DescribeDomain", S.DescribeDomainRequest(name=domain))
    client.close()
    print(f"\n{len(cases) + 3 * len(oversize)} hostile calls; victim: "
          f"{victim_summary(report)}; RSS {rss_before:.0f} -> {rss:.0f} MiB")
    assert not wrong, "\n".join(wrong)
    problems = victim_problems(report, DESCRIBE_LIMIT_MS[backend])
    assert not problems, problems
    assert rss <= rss_before + 50, f"RSS {rss_before:.0f} -> {rss:.0f} MiB"
    assert len(described.domainInfo.description or "") == 0
    assert not tracebacks(server), "\n\n".join(tracebacks(server))
