"""The real Cadence CLI drives workflows on cadence-py (a Python test worker decides)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator

import gevent
import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from tests.e2e.conftest import CliResult
from tests.harness.server import ServerProcess

Cli = Callable[..., CliResult]


@pytest.fixture
def wf_domain(cli: Cli) -> str:
    assert cli("--do", "wf-cli", "d", "re").code == 0
    return "wf-cli"


@pytest.fixture
def frontend(server: ServerProcess) -> Iterator[ThriftClient]:
    channel = TChannelClient("127.0.0.1", server.port, caller="test-worker")
    yield ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService")
    channel.close()


def complete_next_decision(frontend: ThriftClient, domain: str, result: bytes) -> None:
    """A one-shot worker: take one decision task and complete the workflow with result."""
    shared = idl.shared()
    task = frontend.call("PollForDecisionTask", shared.PollForDecisionTaskRequest(
        domain=domain, taskList=shared.TaskList(name="cli-tl"), identity="py-worker"),
        ttl_ms=20000)
    assert task.taskToken, "no decision task arrived"
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="py-worker", decisions=[shared.Decision(
            decisionType=shared.DecisionType.CompleteWorkflowExecution,
            completeWorkflowExecutionDecisionAttributes=shared.
            CompleteWorkflowExecutionDecisionAttributes(result=result))]))


def start(cli: Cli, wid: str) -> str:
    started = cli("--do", "wf-cli", "wf", "start", "--tl", "cli-tl", "--wt", "MyWorkflow",
                  "--et", "60", "--wid", wid, "-i", '"hi"')
    assert started.code == 0, started.output
    match = re.search(r"Started Workflow Id: (\S+), run Id: (\S+)", started.output)
    assert match and match.group(1) == wid
    return match.group(2)


def test_start_describe_signal_show_terminate(cli: Cli, wf_domain: str) -> None:
    run_id = start(cli, "cli-wf-1")
    described = cli("--do", wf_domain, "wf", "describe", "--wid", "cli-wf-1")
    assert described.code == 0, described.output
    assert run_id in described.output and '"name": "MyWorkflow"' in described.output
    assert "PendingDecision" in described.output
    signal = cli("--do", wf_domain, "wf", "signal", "--wid", "cli-wf-1", "--name", "ping",
                 "-i", '"pong"')
    assert signal.code == 0 and "Signal workflow succeeded." in signal.output
    cancel = cli("--do", wf_domain, "wf", "cancel", "--wid", "cli-wf-1")
    assert cancel.code == 0 and "Cancel workflow succeeded." in cancel.output
    term = cli("--do", wf_domain, "wf", "terminate", "--wid", "cli-wf-1", "--reason", "done")
    assert term.code == 0 and "Terminate workflow succeeded." in term.output
    show = cli("--do", wf_domain, "wf", "show", "--wid", "cli-wf-1")
    assert show.code == 0, show.output
    order = ["WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled",
             "WorkflowExecutionCancelRequested", "WorkflowExecutionTerminated"]
    positions = [show.output.index(name) for name in order]
    assert positions == sorted(positions)
    again = cli("--do", wf_domain, "wf", "signal", "--wid", "cli-wf-1", "--name", "late")
    assert again.code != 0


def test_workflow_run_then_result_in_show(cli: Cli, wf_domain: str,
                                          frontend: ThriftClient) -> None:
    """`workflow run` of CLI 1.4.1 starts the run and returns at once: its history wait
    uses a context the CLI itself has already cancelled, so it never calls
    GetWorkflowExecutionHistory (seen with CADENCE_PY_CAPTURE_DIR; the same happens
    against the upstream server). The result is then read with `workflow show`."""
    worker = gevent.spawn(complete_next_decision, frontend, wf_domain, b'"the answer"')
    result = cli("--do", wf_domain, "wf", "run", "--tl", "cli-tl", "--wt", "MyWorkflow",
                 "--et", "30", "--wid", "cli-run-1", "-i", '"q"', timeout=60)
    assert result.code == 0, result.output
    assert "Workflow Id : cli-run-1" in result.output
    worker.get(timeout=15)
    show = cli("--do", wf_domain, "wf", "show", "--wid", "cli-run-1")
    assert "WorkflowExecutionCompleted" in show.output and "the answer" in show.output


def test_start_validation_errors(cli: Cli, wf_domain: str) -> None:
    missing = cli("--do", "no-such-domain", "wf", "start", "--tl", "t", "--wt", "w", "--et", "5")
    assert missing.code != 0 and "no-such-domain" in missing.output
    start(cli, "cli-dup")
    dup = cli("--do", wf_domain, "wf", "start", "--tl", "cli-tl", "--wt", "MyWorkflow",
              "--et", "60", "--wid", "cli-dup")
    assert dup.code != 0
    assert "already running" in dup.output.lower() or "AlreadyStarted" in dup.output


def test_list_open_closed_and_count(cli: Cli, wf_domain: str) -> None:
    start(cli, "cli-list-open")
    start(cli, "cli-list-closed")
    assert cli("--do", wf_domain, "wf", "terminate", "--wid", "cli-list-closed",
               "--reason", "x").code == 0
    import time
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # visibility records are written asynchronously
        closed = cli("--do", wf_domain, "wf", "list")
        if "cli-list-closed" in closed.output:
            break
        time.sleep(0.2)
    assert "cli-list-closed" in closed.output and "TERMINATED" in closed.output
    assert "cli-list-open" not in closed.output
    opened = cli("--do", wf_domain, "wf", "list", "--open")
    assert "cli-list-open" in opened.output and "cli-list-closed" not in opened.output
    everything = cli("--do", wf_domain, "wf", "listall")
    assert everything.code == 0 and "cli-list-closed" in everything.output
    count = cli("--do", wf_domain, "wf", "count")
    assert count.code == 0 and count.output.strip().splitlines()[0] == "2"


def test_query_reset_and_tasklist_describe(cli: Cli, wf_domain: str,
                                           frontend: ThriftClient) -> None:
    shared = idl.shared()
    start(cli, "cli-q")
    complete = shared.RespondDecisionTaskCompletedRequest  # first decision: no decisions
    task = frontend.call("PollForDecisionTask", shared.PollForDecisionTaskRequest(
        domain=wf_domain, taskList=shared.TaskList(name="cli-tl"), identity="py-worker"),
        ttl_ms=20000)
    frontend.call("RespondDecisionTaskCompleted", complete(taskToken=task.taskToken,
                                                           decisions=[]))

    def answer_query() -> None:
        query = frontend.call("PollForDecisionTask", shared.PollForDecisionTaskRequest(
            domain=wf_domain, taskList=shared.TaskList(name="cli-tl"), identity="py-worker"),
            ttl_ms=20000)
        assert query.query is not None and query.query.queryType == "state"
        frontend.call("RespondQueryTaskCompleted", shared.RespondQueryTaskCompletedRequest(
            taskToken=query.taskToken, completedType=0, queryResult=b'"all good"'))
    answering = gevent.spawn(answer_query)
    queried = cli("--do", wf_domain, "wf", "query", "--wid", "cli-q", "--qt", "state")
    answering.get(timeout=10)
    assert queried.code == 0, queried.output
    assert "all good" in queried.output

    described = cli("--do", wf_domain, "tl", "desc", "--tl", "cli-tl")
    assert described.code == 0, described.output
    assert "py-worker" in described.output

    reset = cli("--do", wf_domain, "wf", "reset", "--wid", "cli-q", "--reason", "again",
                "--reset_type", "FirstDecisionCompleted")
    assert reset.code == 0, reset.output
    assert '"runId"' in reset.output
    show = cli("--do", wf_domain, "wf", "show", "--wid", "cli-q")
    assert "DecisionTaskFailed" in show.output and "again" in show.output


def test_restart(cli: Cli, wf_domain: str) -> None:
    first = start(cli, "cli-restart")
    restarted = cli("--do", wf_domain, "wf", "restart", "--wid", "cli-restart", "--rid", first)
    assert restarted.code == 0, restarted.output
    match = re.search(r"Restarted Workflow Id: cli-restart, run Id: (\S+)", restarted.output)
    assert match and match.group(1) != first
    show = cli("--do", wf_domain, "wf", "show", "--wid", "cli-restart", "--rid", first)
    assert "WorkflowExecutionTerminated" in show.output, show.output
    described = cli("--do", wf_domain, "wf", "describe", "--wid", "cli-restart")
    assert match.group(1) in described.output and '"name": "MyWorkflow"' in described.output
    missing = cli("--do", wf_domain, "wf", "restart", "--wid", "never-started")
    assert missing.code != 0
    assert "Requested workflow history not found" in missing.output


def test_batch_terminate(cli: Cli, wf_domain: str) -> None:
    for wid in ("batch-a", "batch-b"):
        start(cli, wid)
    deadline = time.monotonic() + 30
    query = "WorkflowType = 'MyWorkflow' AND CloseTime = missing"
    while "2" not in cli("--do", wf_domain, "wf", "count", "-q", query).output:
        assert time.monotonic() < deadline, "the runs never showed in visibility"
        time.sleep(0.2)
    started = cli("--do", wf_domain, "wf", "batch", "start", "--query", query, "--reason",
                  "clean up", "--bt", "terminate", "--yes")
    assert started.code == 0, started.output
    assert "This batch job will be operating on 2 workflows." in started.output
    job = json.loads(started.output[started.output.index("{"):])
    assert job["msg"] == "batch job is started"
    deadline = time.monotonic() + 30
    while True:
        described = cli("--do", wf_domain, "wf", "batch", "describe", "--jid", job["jobID"])
        if "batch job is finished successfully" in described.output:
            break
        assert time.monotonic() < deadline, described.output
        time.sleep(0.3)
    for wid in ("batch-a", "batch-b"):
        show = cli("--do", wf_domain, "wf", "show", "--wid", wid)
        assert "WorkflowExecutionTerminated" in show.output, show.output
    listed = cli("--do", wf_domain, "wf", "batch", "list")
    assert listed.code == 0 and job["jobID"] in listed.output, listed.output
    assert '"status": "COMPLETED"' in listed.output
