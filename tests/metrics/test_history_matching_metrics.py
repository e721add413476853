"""History and matching metrics from an in-process server (SQLite, real TChannel client)
running real workflows, received as statsd lines on loopback UDP sockets."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import gevent
import pytest

from cadence_py.metrics import MetricsConfig, StatsdConfig
from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ServerConfig
from cadence_py.transport import TChannelClient
from tests.frontend.conftest import CLI_HEADERS
from tests.frontend.test_workflow_basics import decision, poll_activity, poll_decision, start
from tests.metrics.conftest import UdpSink

SHARED = idl.shared()
HISTORY = "cadence_service.cadence-history"
MATCHING = "cadence_service.cadence-matching"
DOMAIN = "orders"


def statsd(sink: UdpSink, **kwargs: Any) -> MetricsConfig:
    return MetricsConfig(statsd=StatsdConfig(port=sink.port, flush_interval=0), **kwargs)


@pytest.fixture
def server_with(tmp_path: Path) -> Iterator[Any]:
    servers: list[CadenceServer] = []
    channels: list[TChannelClient] = []

    def make(config: ServerConfig) -> tuple[CadenceServer, ThriftClient]:
        config.system_worker = False  # its polls would add task lists to what is counted
        app = CadenceServer(config)
        app.start()
        servers.append(app)
        channel = TChannelClient("127.0.0.1", app.address[1], caller="metrics-test")
        channels.append(channel)
        frontend = ThriftClient(channel, idl.workflow_service().WorkflowService,
                                "WorkflowService", headers=CLI_HEADERS)
        frontend.call("RegisterDomain", SHARED.RegisterDomainRequest(
            name=DOMAIN, workflowExecutionRetentionPeriodInDays=1))
        return app, frontend

    yield make
    for channel in channels:
        channel.close()
    for app in servers:
        app.stop(grace=1)


class Received:
    """Every line a sink got, read while the in-process server's greenlets run."""

    def __init__(self, sink: UdpSink) -> None:
        self.sink = sink
        self.lines: list[str] = []

    def read(self) -> list[str]:
        self.lines.extend(line for line in self.sink.pending() if line)
        return self.lines

    def keys(self) -> set[str]:
        return {line.split(":")[0] for line in self.read()}

    def wait_for(self, keys: Iterable[str], timeout: float = 15.0) -> set[str]:
        wanted = set(keys)
        deadline = time.monotonic() + timeout
        while not wanted <= self.keys():
            if time.monotonic() > deadline:
                missing = sorted(wanted - self.keys())
                raise AssertionError(f"never received {missing}; got {sorted(self.keys())}")
            gevent.sleep(0.05)
        return self.keys()

    def values(self, key: str) -> list[str]:
        return [line.split(":", 1)[1] for line in self.read() if line.split(":")[0] == key]

    def timers(self, key: str) -> list[float]:
        values = self.values(key)
        assert all(value.endswith("|ms") for value in values), values
        return [float(value[:-3]) for value in values]

    def count(self, key: str) -> int:
        return sum(int(value.split("|")[0]) for value in self.values(key))


def hello_world(frontend: ThriftClient, workflow_id: str = "wf1") -> None:
    """Start, one activity, complete: what tests/frontend does, as a worker would."""
    start(frontend, SHARED, DOMAIN, workflow_id)
    task = poll_decision(frontend, SHARED, DOMAIN)
    frontend.call("RespondDecisionTaskCompleted", SHARED.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker", decisions=[decision(
            SHARED, "ScheduleActivityTask", activityId="0",
            activityType=SHARED.ActivityType(name="greet"), taskList=SHARED.TaskList(name="tl"),
            input=b"world", scheduleToCloseTimeoutSeconds=30, startToCloseTimeoutSeconds=20)]))
    activity = poll_activity(frontend, SHARED, DOMAIN)
    frontend.call("RespondActivityTaskCompleted", SHARED.RespondActivityTaskCompletedRequest(
        taskToken=activity.taskToken, result=b"hello world", identity="worker"))
    task = poll_decision(frontend, SHARED, DOMAIN)
    frontend.call("RespondDecisionTaskCompleted", SHARED.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker", decisions=[decision(
            SHARED, "CompleteWorkflowExecution", result=b"hello world")]))


def per_domain(metric: str, operation: str) -> str:
    return f"cadence.{metric}.{HISTORY}.domain.{DOMAIN}.operation.{operation}"


def rollup(metric: str, operation: str, service: str = HISTORY) -> str:
    return f"cadence.{metric}.{service}.operation.{operation}"


def per_tl(metric: str, operation: str, task_list_type: str) -> str:
    return (f"cadence.{metric}.{MATCHING}.domain.{DOMAIN}.operation.{operation}"
            f".tasklist.tl.tasklistType.{task_list_type}")


def test_a_workflow_run_emits_history_and_matching_series(server_with: Any, sink: UdpSink,
                                                          tmp_path: Path) -> None:
    app, frontend = server_with(ServerConfig(port=0, data_dir=tmp_path, metrics=statsd(sink)))
    got = Received(sink)
    hello_world(frontend)
    transfer_ops = ["TransferActiveTaskDecision", "TransferActiveTaskActivity",
                    "TransferActiveTaskRecordWorkflowStarted",
                    "TransferActiveTaskCloseExecution"]
    task_series = [key for op in transfer_ops for key in (
        per_domain("task_requests_per_domain", op), rollup("task_requests", op),
        per_domain("task_latency_per_domain", op), rollup("task_latency", op),
        rollup("task_latency_processing", op), rollup("task_latency_queue", op),
        rollup("task_attempt", op))]
    completed = (f"cadence.workflow_success.{HISTORY}.domain.{DOMAIN}.operation"
                 ".CompletionStats.stats_type.count.tasklist.tl.workflowType.hello")
    started = per_domain("workflow_started_count", "TransferActiveTaskRecordWorkflowStarted")
    matching = [
        per_tl("cadence_requests_per_tl", "AddDecisionTask", "decision"),
        per_tl("cadence_latency_per_tl", "AddActivityTask", "activity"),
        per_tl("cadence_requests_per_tl", "PollForDecisionTask", "decision"),
        rollup("cadence_requests", "PollForActivityTask", MATCHING),
        rollup("cadence_latency", "AddDecisionTask", MATCHING),
        per_tl("poll_success_per_tl", "TaskListMgr", "decision"),
        per_tl("poll_success_per_tl", "TaskListMgr", "activity"),
        rollup("poll_success", "TaskListMgr", MATCHING)]
    # No GetWorkflowExecution: after the create, the run's state comes from the state cache.
    # No GetCurrentExecution either: a start of a new id creates first (history/api/start.py).
    # No ReadHistoryBranch: poll responses read the batches this process just wrote from the
    # history cache (history/history_cache.py).
    stores = [rollup("persistence_requests", op) for op in (
        "CreateWorkflowExecution", "UpdateWorkflowExecution", "UpdateShard", "GetTransferTasks",
        "CompleteTransferTask", "GetTimerIndexTasks")] + [
        rollup("persistence_requests", op, MATCHING) for op in ("CreateTask", "CompleteTask")]
    got.wait_for([*task_series, completed, started, *matching, *stores])

    assert got.values(completed) == ["1|c"]
    assert got.values(started) == ["1|c"]
    # Every transfer task succeeded at its first attempt (two decisions, one of the rest).
    for op in transfer_ops:
        tasks = 2 if op == "TransferActiveTaskDecision" else 1
        assert got.count(rollup("task_requests", op)) == tasks, op
        assert got.timers(rollup("task_attempt", op)) == [0.0] * tasks, op
        assert got.timers(per_domain("task_attempt_per_domain", op)) == [0.0] * tasks
        assert all(0 <= ms < 10_000 for ms in got.timers(rollup("task_latency", op)))
    assert got.count(rollup("poll_success", "TaskListMgr", MATCHING)) == 3
    assert not any(".task_errors" in key or ".cadence_errors" in key for key in got.keys())
    # Persistence series carry the service of the role that made the call.
    assert rollup("persistence_requests", "CreateTask") not in got.keys()
    assert rollup("persistence_requests", "GetDomain", MATCHING) not in got.keys()
    assert rollup("persistence_requests", "GetCurrentExecution") not in got.keys()
    assert rollup("persistence_requests", "ReadHistoryBranch") not in got.keys()

    # Gauges come from the periodic reporter; ask it now rather than waiting a second.
    app.gauges.report()
    gauges = {line.split(":")[0]: line.split(":")[1] for line in got.read()
              if line.endswith("|g")}
    assert gauges[per_tl("task_backlog_per_tl", "TaskListMgr", "decision")] == "0|g"
    assert gauges[per_tl("task_backlog_per_tl", "TaskListMgr", "activity")] == "0|g"
    assert gauges[rollup("tasklist_managers", "TaskListMgr", MATCHING)] == "2|g"
    for name in ("shardinfo_transfer_lag", "shardinfo_transfer_active_pending_task"):
        assert gauges[rollup(name, "ShardInfo")] == "0|g", name
    assert rollup("shardinfo_timer_lag", "ShardInfo") in gauges


def test_timer_queue_and_close_counters(server_with: Any, sink: UdpSink,
                                        tmp_path: Path) -> None:
    _, frontend = server_with(ServerConfig(port=0, data_dir=tmp_path, metrics=statsd(sink)))
    got = Received(sink)
    request = SHARED.StartWorkflowExecutionRequest(
        domain=DOMAIN, workflowId="times-out", workflowType=SHARED.WorkflowType(name="slow"),
        taskList=SHARED.TaskList(name="tl"), executionStartToCloseTimeoutSeconds=1,
        taskStartToCloseTimeoutSeconds=1, identity="test", requestId=str(uuid.uuid4()))
    frontend.call("StartWorkflowExecution", request)
    start(frontend, SHARED, DOMAIN, "terminated")
    frontend.call("TerminateWorkflowExecution", SHARED.TerminateWorkflowExecutionRequest(
        domain=DOMAIN, workflowExecution=SHARED.WorkflowExecution(workflowId="terminated"),
        reason="test"))
    stats = f".{HISTORY}.domain.{DOMAIN}.operation.CompletionStats.stats_type.count.tasklist.tl"
    timed_out = f"cadence.workflow_timeout{stats}.workflowType.slow"
    terminated = f"cadence.workflow_terminate{stats}.workflowType.hello"
    timer = "TimerActiveTaskWorkflowTimeout"
    got.wait_for([timed_out, terminated, rollup("task_requests", timer),
                  per_domain("task_requests_per_domain", timer),
                  rollup("task_latency_queue", timer)])
    assert got.values(timed_out) == ["1|c"] and got.values(terminated) == ["1|c"]
    # Queue latency counts from the fire time: the timer was handled soon after it.
    assert all(0 <= ms < 5_000 for ms in got.timers(rollup("task_latency_queue", timer)))


def test_each_service_reports_to_its_own_statsd(server_with: Any, sink: UdpSink,
                                                tmp_path: Path) -> None:
    matching_sink = UdpSink()
    try:
        # Cadence's layout: services.<name>.metrics; the frontend has none here.
        config = ServerConfig(port=0, data_dir=tmp_path, service_metrics={
            "history": statsd(sink), "matching": statsd(matching_sink)})
        _, frontend = server_with(config)
        history, matching = Received(sink), Received(matching_sink)
        hello_world(frontend)
        history.wait_for([rollup("task_requests", "TransferActiveTaskCloseExecution")])
        matching.wait_for([rollup("poll_success", "TaskListMgr", MATCHING)])
        assert all(f".{HISTORY}." in key for key in history.keys())
        assert all(f".{MATCHING}." in key for key in matching.keys())
    finally:
        matching_sink.close()


def test_sampled_operations(server_with: Any, sink: UdpSink, tmp_path: Path) -> None:
    """A hot operation can be sampled (``sampleRates``); statsd scales it back up."""
    rates = {"TransferActiveTaskDecision": 1e-9, "TaskListMgr": 0.5}
    _, frontend = server_with(ServerConfig(port=0, data_dir=tmp_path,
                                           metrics=statsd(sink, sample_rates=rates)))
    got = Received(sink)
    for i in range(8):
        hello_world(frontend, f"wf-{i}")
        got.read()  # drain the socket as we go: a full receive buffer drops datagrams
    got.wait_for([rollup("task_requests", "TransferActiveTaskCloseExecution")])
    assert not any(".TransferActiveTaskDecision" in key for key in got.keys())
    counters = [line for line in got.read()
                if ".operation.TaskListMgr" in line and "|c" in line]
    assert counters and all(line.endswith("|c|@0.5") for line in counters)
    polls = [line for line in counters if line.startswith("cadence.poll_success.")]
    assert 0 < len(polls) < 8 * 3  # 24 successful polls, about half of them sent
