"""cadence-py -> real statsd daemon -> real carbon whisper files and graphite-web.

The real Cadence CLI registers a domain, asks for a missing one and starts a workflow
that no worker polls; a small Python worker then runs another workflow to completion
(an activity and a 2 s timer). The series Cadence's dashboards expect then exist in
carbon with the right counts, for the frontend, history and matching roles, and every
panel of config/graphite-dashboard.json loads into graphite-web and renders.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, require
from tests.e2e.pyworker import TASK_LIST as WORKER_TASK_LIST
from tests.e2e.pyworker import PyWorker
from tests.harness import graphite as harness
from tests.harness.server import ServerProcess

FRONTEND = "cadence_service.cadence-frontend"
HISTORY = "cadence_service.cadence-history"
MATCHING = "cadence_service.cadence-matching"
DOMAIN = "metrics-e2e"

CONFIG = """\
log: {{level: info, format: json}}
persistence:
  defaultStore: sqlite-default
  datastores:
    sqlite-default:
      sqlite: {{path: cadence.db}}
services:
  frontend:
    metrics:
      statsd: {{hostPort: "{host_port}", prefix: cadence, flushInterval: 100ms}}
  history:
    metrics:
      statsd: {{hostPort: "{host_port}", prefix: cadence, flushInterval: 100ms}}
  matching:
    metrics:
      statsd: {{hostPort: "{host_port}", prefix: cadence, flushInterval: 100ms}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.GraphiteStack]:
    gaps = harness.missing()
    if gaps == [f"statsd@{harness.STATSD_VERSION} (npm; run `make graphite`)"]:
        try:
            harness.fetch_statsd()
            gaps = []
        except Exception as exc:  # noqa: BLE001 - reported as skip/fail reason
            gaps = [f"cannot npm install statsd: {exc}"]
    require(not gaps, f"metrics pipeline not installed: {', '.join(gaps)}")
    stack = harness.GraphiteStack(tmp_path_factory.mktemp("graphite"))
    try:
        stack.start()
    except harness.GraphiteError as exc:
        stack.stop()
        require(False, f"cannot start statsd/carbon/graphite-web: {exc}")
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def server(stack: harness.GraphiteStack, cadence_cli_bin: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """cadence-py reporting to the stack, after the CLI ran against it."""
    workdir = tmp_path_factory.mktemp("cadence")
    config = workdir / "config.yaml"
    config.write_text(CONFIG.format(host_port=stack.statsd.host_port))
    proc = ServerProcess(config, workdir / "data").start()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(cadence_cli_bin), "--address", proc.address, *args],
                              capture_output=True, text=True, timeout=60)

    try:
        registered = cli("--do", DOMAIN, "domain", "register")
        assert registered.returncode == 0, registered.stdout + registered.stderr
        assert cli("--do", "no-such-domain", "domain", "describe").returncode != 0
        started = cli("--do", DOMAIN, "workflow", "start", "--tl", "metrics-tl",
                      "--wt", "metrics-type", "--et", "60", "--wid", "metrics-wf")
        assert started.returncode == 0, started.stdout + started.stderr
        run_to_completion(proc, "metrics-worker-wf")
        yield proc
    finally:
        proc.stop()


def run_to_completion(proc: ServerProcess, workflow_id: str, timeout: float = 60) -> None:
    """The Python worker's workflow: a decision, an activity, a 2 s timer, a decision."""
    worker = PyWorker(proc.port, DOMAIN)
    try:
        worker.start(workflow_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while worker.decide_once(ttl_ms=2500):
                pass
            activity = worker.take_activity(ttl_ms=2500)
            if activity is not None:
                worker.complete_activity(activity)
            last = worker.history(workflow_id)[-1]
            if last.eventType == worker.shared.EventType.WorkflowExecutionCompleted:
                return
        raise AssertionError(f"{workflow_id} did not complete")
    finally:
        worker.close()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Poll until ``check()`` is truthy: statsd flushes every second, carbon writes then."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {what}"
            return value
        time.sleep(0.25)


def one_series(stack: harness.GraphiteStack, pattern: str) -> str:
    found = wait_for(lambda: stack.series(pattern), pattern)
    assert len(found) == 1, found
    return found[0]


def total(stack: harness.GraphiteStack, metric: str, expected: float) -> float:
    """Sum of a counter's points, once it has reached ``expected`` (or the deadline)."""
    wait_for(lambda: sum(stack.values(metric)) >= expected, f"{metric} >= {expected}")
    return sum(stack.values(metric))


def rpc(metric: str, domain: str, operation: str, caller: str = "*") -> str:
    return (f"{metric}.{FRONTEND}.caller.{caller}.domain.{domain}.operation.{operation}"
            f".transport.tchannel")


def test_request_counter_and_latency_series(stack: harness.GraphiteStack,
                                            server: ServerProcess) -> None:
    count = one_series(stack, "stats.counters.cadence." +
                       rpc("cadence_requests", "_unknown_", "RegisterDomain") + ".count")
    assert total(stack, count, 1) == 1
    assert stack.whisper_file(count[:-len("count")] + "rate").exists()
    for domain in ("_unknown_", "all"):  # every domain-tagged timer also goes to "all"
        mean = one_series(stack, "stats.timers.cadence." +
                          rpc("cadence_latency", domain, "RegisterDomain") + ".mean")
        values = wait_for(lambda: stack.values(mean), mean)
        assert all(0 < v < 10_000 for v in values), values  # milliseconds
        for stat in ("upper_90", "median", "count"):
            assert stack.whisper_file(mean[:-len("mean")] + stat).exists()


def test_domain_tagged_series_of_a_started_workflow(stack: harness.GraphiteStack,
                                                    server: ServerProcess) -> None:
    for caller in ("cadence-client", "py-worker"):  # the CLI's start, the worker's start
        count = one_series(stack, "stats.counters.cadence." + rpc(
            "cadence_requests", DOMAIN, "StartWorkflowExecution", caller) + ".count")
        assert total(stack, count, 1) == 1
        for domain in (DOMAIN, "all"):
            one_series(stack, "stats.timers.cadence." + rpc(
                "cadence_latency", domain, "StartWorkflowExecution", caller) + ".upper_90")


def test_errors_are_counted_by_type(stack: harness.GraphiteStack,
                                    server: ServerProcess) -> None:
    missing = one_series(stack, "stats.counters.cadence." +
                         rpc("cadence_errors_entity_not_exists", "_unknown_",
                             "DescribeDomain") + ".count")
    assert total(stack, missing, 1) == 1
    # Not found is the caller's problem: no internal-error series exists at all.
    assert stack.series("stats.counters.cadence.cadence_errors.*.*.*.*.*.*.*.*.*.*.count") \
        == []


def test_persistence_series(stack: harness.GraphiteStack, server: ServerProcess) -> None:
    base = f"stats.counters.cadence.persistence_requests.{FRONTEND}.operation."
    assert total(stack, base + "CreateDomain.count", 1) == 1
    latency = f"stats.timers.cadence.persistence_latency.{FRONTEND}.operation.CreateDomain"
    values = wait_for(lambda: stack.values(latency + ".upper_90"), latency)
    assert all(0 <= v < 10_000 for v in values)


def test_dashboard_loads_and_every_panel_renders(stack: harness.GraphiteStack,
                                                 server: ServerProcess) -> None:
    web = stack.web
    assert web is not None
    state = json.loads((REPO / "config" / "graphite-dashboard.json").read_text())
    status, body = web.request("/dashboard/save/cadence-py",
                               form={"state": json.dumps(state)})
    assert (status, json.loads(body)) == (200, {"success": True})
    status, body = web.request("/dashboard/load/cadence-py")
    assert status == 200 and json.loads(body)["state"] == state
    status, page = web.request("/dashboard/cadence-py")
    assert status == 200 and b"initialState" in page

    rendered: dict[str, list[dict[str, Any]]] = {}
    for _, params, _ in state["graphs"]:
        status, series = web.render(params["target"])
        assert status == 200, (params["title"], series)
        assert isinstance(series, list), series
        rendered[params["title"]] = series

    def points(title: str, name: str) -> list[float]:
        status, series = web.render(next(p["target"] for _, p, _ in state["graphs"]
                                         if p["title"] == title))
        return [v for s in series if s["target"] == name for v, _ in s["datapoints"]
                if v is not None]

    # The panels show what the CLI did (rates are per second; statsd flushes each second).
    assert sum(wait_for(lambda: points("Frontend requests/s by API", "RegisterDomain"),
                        "RegisterDomain on the requests panel")) == 1
    assert sum(wait_for(lambda: points("Frontend errors/s by type",
                                       "cadence_errors_entity_not_exists"),
                        "entity_not_exists on the error panel")) == 1
    assert sum(wait_for(lambda: points("Workflows started/s", "started"),
                        "the started workflows")) == 2
    assert sum(wait_for(lambda: points("Workflows started/s", "runs started"),
                        "the runs history started")) == 2
    assert sum(wait_for(lambda: points("Workflows completed/s by close status",
                                       "workflow_success"), "the completed workflow")) == 1
    # The CLI's workflow has no worker: its first decision waits in the task list.
    backlog = f"{DOMAIN}.metrics-tl.decision"
    assert wait_for(lambda: points("Task list backlog (domain.tasklist.type)", backlog),
                    "the decision backlog")[-1] == 1
    assert wait_for(lambda: points("Persistence latency p90 by operation", "CreateDomain"),
                    "CreateDomain on the persistence latency panel")
    assert {s["target"] for s in rendered["Frontend latency p90 by API"]} >= {
        "RegisterDomain", "DescribeDomain"}


def test_history_and_matching_series(stack: harness.GraphiteStack,
                                     server: ServerProcess) -> None:
    counters = "stats.counters.cadence."
    # Workflow lifecycle (history's CompletionStats scope).
    done = one_series(stack, f"{counters}workflow_success.{HISTORY}.domain.{DOMAIN}.operation"
                             f".CompletionStats.stats_type.count.tasklist.{WORKER_TASK_LIST}"
                             ".workflowType.crashy.count")
    assert total(stack, done, 1) == 1
    started = f"{counters}workflow_started_count.{HISTORY}.domain.{DOMAIN}.operation" \
              ".TransferActiveTaskRecordWorkflowStarted.count"
    assert total(stack, started, 2) == 2
    # Queue processing, rolled up per task type, with Cadence's operation names.
    for operation, tasks in (("TransferActiveTaskDecision", 4), ("TransferActiveTaskActivity", 1),
                             ("TimerActiveTaskUserTimer", 1)):
        assert total(stack, f"{counters}task_requests.{HISTORY}.operation.{operation}.count",
                     tasks) >= tasks, operation
    latency = f"stats.timers.cadence.task_latency.{HISTORY}.operation.TimerActiveTaskUserTimer"
    values = wait_for(lambda: stack.values(latency + ".upper_90"), latency)
    assert all(0 <= v < 10_000 for v in values)
    assert stack.series(f"{counters}task_errors.*.*.*.*.count") == []
    # Matching: polls and adds, per task list and rolled up.
    polls = f"{counters}poll_success.{MATCHING}.operation.TaskListMgr.count"
    assert total(stack, polls, 4) >= 4  # three decisions and an activity, at least
    add = one_series(stack, f"{counters}cadence_requests_per_tl.{MATCHING}.domain.{DOMAIN}"
                            ".operation.AddActivityTask.tasklist.*.tasklistType.activity.count")
    assert total(stack, add, 1) == 1
    # Gauges: the unpolled decision of the CLI's workflow is backlog; the queues drained.
    backlog = (f"stats.gauges.cadence.task_backlog_per_tl.{MATCHING}.domain.{DOMAIN}"
               ".operation.TaskListMgr.tasklist.metrics-tl.tasklistType.decision")
    assert wait_for(lambda: stack.values(backlog), backlog)[-1] == 1
    lag = f"stats.gauges.cadence.shardinfo_transfer_lag.{HISTORY}.operation.ShardInfo"
    assert wait_for(lambda: stack.values(lag), lag)[-1] < 10_000
    # The stores are metered under the role that uses them.
    for service, operation in ((HISTORY, "CreateWorkflowExecution"), (MATCHING, "CreateTask")):
        assert total(stack, f"{counters}persistence_requests.{service}.operation.{operation}"
                     ".count", 2) >= 2, operation


def test_json_logs_carry_request_fields(server: ServerProcess) -> None:
    lines = [json.loads(line) for line in Path(server.log_path).read_text().splitlines()
             if line.startswith("{")]
    registered = [line for line in lines if line["msg"] == f"registered domain {DOMAIN}"]
    assert len(registered) == 1, lines[-10:]
    line = registered[0]
    assert {"ts", "level", "logger", "msg", "request_id", "operation"} <= set(line)
    assert line["operation"] == "RegisterDomain" and len(line["request_id"]) == 16
