"""The history queue and matching task list metrics, piece by piece, on a real SQLite task
store and a loopback UDP socket: retries, lag and backlog gauges, poll outcomes, and that
a metrics failure never reaches the caller."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
import pytest

from cadence_py.matching import MatchingEngine
from cadence_py.metrics import Metrics, MetricsConfig, StatsdConfig, StatsdMetrics, names
from cadence_py.metrics.gauges import DomainNames, GaugeReporter
from cadence_py.metrics.history import (WorkflowMetrics, timer_queue_metrics,
                                        transfer_queue_metrics)
from cadence_py.metrics.matching import MatchingMetrics
from cadence_py.persistence import records as r
from cadence_py.persistence.sqlite.executions import SQLiteTaskStore
from cadence_py.persistence.sqlite.store import SQLiteStore
from tests.metrics.conftest import UdpSink

HISTORY = "cadence_service.cadence-history"
MATCHING = "cadence_service.cadence-matching"


class Domains:
    """A domain cache with one domain; any other id is not found."""

    def by_id(self, domain_id: str) -> Any:
        if domain_id != "d-1":
            raise LookupError(domain_id)
        return SimpleNamespace(info=SimpleNamespace(name="orders"))


def statsd(sink: UdpSink, service: str) -> StatsdMetrics:
    return StatsdMetrics(service, MetricsConfig(
        statsd=StatsdConfig(port=sink.port, flush_interval=0)))


def parsed(lines: list[str]) -> list[tuple[str, str]]:
    return [(line.split(":")[0], line.split(":")[1]) for line in lines]


def transfer(task_type: int, task_id: int = 1, domain_id: str = "d-1",
             age: float = 0.0) -> r.TransferTask:
    return r.TransferTask(type=task_type, domain_id=domain_id, workflow_id="wf",
                          run_id="run", task_id=task_id,
                          visibility_time=time.time_ns() - int(age * 1e9))


def test_a_retried_task_counts_errors_then_its_attempts(sink: UdpSink) -> None:
    queue = transfer_queue_metrics(statsd(sink, names.HISTORY), DomainNames(Domains()))
    task = transfer(r.TRANSFER_ACTIVITY)
    queue.taken(1, task)
    queue.finished(1, task, time.monotonic(), RuntimeError("store down"))
    queue.taken(1, task)  # read again by the next round: still the same task
    queue.finished(1, task, time.monotonic(), RuntimeError("store down"))
    queue.taken(1, task)
    queue.finished(1, task, time.monotonic(), None)
    got = parsed(sink.pending())
    keys = [key for key, _ in got]
    op = "operation.TransferActiveTaskActivity"
    assert keys.count(f"cadence.task_requests.{HISTORY}.{op}") == 3
    assert keys.count(f"cadence.task_errors.{HISTORY}.{op}") == 2
    assert keys.count(f"cadence.task_errors_per_domain.{HISTORY}.domain.orders.{op}") == 2
    attempts = [value for key, value in got
                if key == f"cadence.task_attempt_per_domain.{HISTORY}.domain.orders.{op}"]
    assert attempts == ["2.000000|ms"]  # two failed attempts before it succeeded
    # The rollups carry no domain, and a rolled-up timer is not sent again as domain=all.
    assert not any(".domain.all." in key for key in keys)
    assert f"cadence.task_latency.{HISTORY}.{op}" in keys


def test_unknown_types_and_domains(sink: UdpSink) -> None:
    queue = transfer_queue_metrics(statsd(sink, names.HISTORY), DomainNames(Domains()))
    task = transfer(99, domain_id="gone")
    queue.taken(7, task)
    queue.finished(7, task, time.monotonic(), None)
    keys = [key for key, _ in parsed(sink.pending())]
    assert (f"cadence.task_requests_per_domain.{HISTORY}.domain._unknown_"
            ".operation.TransferActiveQueueProcessor") in keys


def test_lag_gauges(sink: UdpSink) -> None:
    timers = timer_queue_metrics(statsd(sink, names.HISTORY), None)
    timers.report()
    assert parsed(sink.pending()) == [
        (f"cadence.shardinfo_timer_active_pending_task.{HISTORY}.operation.ShardInfo", "0|g"),
        (f"cadence.shardinfo_timer_lag.{HISTORY}.operation.ShardInfo", "0|g")]
    due = time.time_ns() - 3_000_000_000  # fired three seconds ago, not handled yet
    for task_id in (1, 2):
        task = r.TimerTask(type=r.TIMER_USER, domain_id="d-1", workflow_id="wf",
                           run_id="run", fire_time=due + task_id, task_id=task_id)
        timers.taken((task.fire_time, task_id), task)
    timers.report()
    gauges = dict(parsed(sink.pending()))
    assert gauges[f"cadence.shardinfo_timer_active_pending_task.{HISTORY}"
                  ".operation.ShardInfo"] == "2|g"
    lag = int(gauges[f"cadence.shardinfo_timer_lag.{HISTORY}.operation.ShardInfo"][:-2])
    assert 3_000 <= lag < 10_000  # milliseconds


def test_workflow_started_count_only_for_record_started(sink: UdpSink) -> None:
    queue = transfer_queue_metrics(statsd(sink, names.HISTORY), DomainNames(Domains()))
    for task_id, task_type in enumerate((r.TRANSFER_RECORD_STARTED, r.TRANSFER_CLOSE)):
        task = transfer(task_type, task_id)
        queue.taken(task_id, task)
        queue.finished(task_id, task, time.monotonic(), None)
    started = [key for key, _ in parsed(sink.pending()) if "workflow_started_count" in key]
    assert started == [f"cadence.workflow_started_count.{HISTORY}.domain.orders"
                       ".operation.TransferActiveTaskRecordWorkflowStarted"]


@pytest.fixture
def matching(tmp_path: Path, sink: UdpSink) -> Any:
    store = SQLiteStore(tmp_path / "tasks.db")
    engine = MatchingEngine(SQLiteTaskStore(store), MatchingMetrics(
        statsd(sink, names.MATCHING), Domains()))
    yield engine
    engine.shutdown()
    store.close()


def add(engine: MatchingEngine, task_id: int, task_type: int = r.TRANSFER_ACTIVITY) -> None:
    engine.add_task(r.TransferTask(type=task_type, domain_id="d-1", workflow_id="wf",
                                   run_id="run", task_id=task_id, task_list="tl",
                                   schedule_id=5))


def test_polls_backlog_and_matches(matching: MatchingEngine, sink: UdpSink) -> None:
    tl = f"{MATCHING}.domain.orders.operation.TaskListMgr.tasklist.tl.tasklistType.activity"
    report = GaugeReporter()
    report.add(matching.metrics.gauges(matching.managers))

    assert matching.poll("d-1", "tl", 1, timeout=0.05) is None
    add(matching, 1)
    add(matching, 2)
    report.report()
    report.report()  # unchanged backlog: not sent again
    got = parsed(sink.pending())
    assert (f"cadence.poll_timeouts_per_tl.{tl}", "1|c") in got
    assert (f"cadence.poll_timeouts.{MATCHING}.operation.TaskListMgr", "1|c") in got
    assert [value for key, value in got if key == f"cadence.task_backlog_per_tl.{tl}"] \
        == ["2|g"]
    assert (f"cadence.tasklist_managers.{MATCHING}.operation.TaskListMgr", "1|g") in got
    add_op = f"{MATCHING}.domain.orders.operation.AddActivityTask.tasklist.tl" \
             ".tasklistType.activity"
    assert [key for key, _ in got].count(f"cadence.cadence_requests_per_tl.{add_op}") == 2
    assert [key for key, _ in got].count(
        f"cadence.cadence_requests.{MATCHING}.operation.AddActivityTask") == 2

    gevent.sleep(0.01)
    assert matching.poll("d-1", "tl", 1, timeout=1).task_id == 1  # from the backlog
    got = parsed(sink.pending())
    assert (f"cadence.poll_success_per_tl.{tl}", "1|c") in got
    waited = [float(v[:-3]) for k, v in got if k == f"cadence.asyncmatch_latency_per_tl.{tl}"]
    assert len(waited) == 1 and waited[0] >= 10
    assert f"cadence.asyncmatch_latency.{MATCHING}.operation.TaskListMgr" in dict(got)

    matching.poll("d-1", "tl", 1, timeout=1)  # drains the backlog
    poller = gevent.spawn(matching.poll, "d-1", "tl", 1, 5)
    gevent.sleep(0.01)
    adder = gevent.spawn(add, matching, 3)  # handed straight to the waiting poll...
    task = poller.get(timeout=5)
    assert task.task_id == 3
    matching.complete("d-1", "tl", 1, task)  # ...which started it
    adder.get(timeout=5)
    report.report()
    got = parsed(sink.pending())
    assert (f"cadence.poll_success_sync_per_tl.{tl}", "1|c") in got
    assert (f"cadence.task_backlog_per_tl.{tl}", "0|g") in got
    assert not any("error" in key for key, _ in got)


def test_a_failed_add_counts_an_error_and_still_raises(matching: MatchingEngine,
                                                       sink: UdpSink) -> None:
    manager = matching.task_list("d-1", "tl", 0)

    def broken(*_: Any) -> None:
        raise OSError("disk full")

    manager.store = SimpleNamespace(create_tasks=broken)
    with pytest.raises(OSError):
        add(matching, 9, r.TRANSFER_DECISION)
    keys = [key for key, _ in parsed(sink.pending())]
    assert (f"cadence.cadence_errors_per_tl.{MATCHING}.domain.orders.operation"
            ".AddDecisionTask.tasklist.tl.tasklistType.decision") in keys
    assert f"cadence.cadence_errors.{MATCHING}.operation.AddDecisionTask" in keys


class Exploding(Metrics):
    """A reporter that fails on every metric."""

    enabled = True

    def emit(self, *args: Any) -> None:
        raise RuntimeError("metrics are broken")


def test_metrics_failures_never_reach_the_caller(tmp_path: Path) -> None:
    broken = Exploding(names.HISTORY)
    queue = transfer_queue_metrics(broken, DomainNames(Domains()))
    task = transfer(r.TRANSFER_DECISION)
    queue.taken(1, task)
    queue.finished(1, task, time.monotonic(), None)
    queue.taken(2, object())  # not even a task
    queue.finished(2, object(), time.monotonic(), None)
    WorkflowMetrics(broken, DomainNames(Domains())).committed(object())

    store = SQLiteStore(tmp_path / "tasks.db")
    engine = MatchingEngine(SQLiteTaskStore(store), MatchingMetrics(
        Exploding(names.MATCHING), Domains()))
    add(engine, 1)
    assert engine.poll("d-1", "tl", 1, timeout=1).task_id == 1
    assert engine.poll("d-1", "tl", 1, timeout=0) is None
    reporter = GaugeReporter()
    reporter.add(engine.metrics.gauges(engine.managers))
    reporter.add(queue.report)
    reporter.report()  # logged, not raised
    store.close()


def test_disabled_metrics_cost_no_lines(tmp_path: Path, sink: UdpSink) -> None:
    store = SQLiteStore(tmp_path / "tasks.db")
    engine = MatchingEngine(SQLiteTaskStore(store))
    add(engine, 1)
    assert engine.poll("d-1", "tl", 1, timeout=1).task_id == 1
    queue = transfer_queue_metrics(Metrics(), None)
    queue.taken(1, transfer(r.TRANSFER_DECISION))
    queue.report()
    assert queue._pending == {}  # nothing tracked either
    assert sink.pending() == []
    store.close()
