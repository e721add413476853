"""The Cassandra node fails under load: killed with kill -9 and started again after 20 s
(three times in a row), or frozen with SIGSTOP for 30 s. The promises checked, with the
real Go client driving 300 hello-world workflows each time (bench/go, `-persevere`):

- every workflow completes, and the close event the Go client was given is the one the
  history ends with (nothing delivered is taken back);
- every history read while the node was failing is a prefix of the history read after it
  (byte for byte, event by event);
- no call hangs: each of the sampler's calls gets an answer (a result or an error) before
  its deadline, and the server stops promptly at the end with no call left running;
- the transfer and timer queues run again within 10 s of the node's return, without a
  server restart: a workflow started after the return (no worker on its task list) gets
  its decision task scheduled and times out on time.

The node runs without ``cassandra.unsafesystem`` (see CassandraNode ``durable_system``):
with it, a killed node loses every keyspace made since it started.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.rpc.codec import encode
from cadence_py.transport import TChannelClient
from cadence_py.transport.errors import ErrorCode, TChannelError
from tests.conftest import require, setup_cadence_keyspaces
from tests.harness import cassandra as cassandra_harness
from tests.harness.server import CASSANDRA_CONFIG, ServerProcess

pytestmark = [pytest.mark.cassandra]

DOMAIN = "faults"
N = 300
START_RATE = 30  # starts per second: the fault lands while most runs are in flight
FAULT_AFTER_S = 3.0
DOWN_S = 20.0
FROZEN_S = 30.0
CALL_TTL_MS = 4000


def _bench_binary() -> Path:
    from bench import driver

    try:
        return driver.build()
    except (OSError, subprocess.SubprocessError) as exc:
        require(False, f"cannot build the Go bench driver: {exc}")
        raise


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cassandra_harness.CassandraNode]:
    """A node of our own (the session's node is shared and must not be killed)."""
    require(cassandra_harness.jdk_tool("java") is not None, "no java on PATH for Cassandra")
    try:
        cassandra_harness.fetch()
    except Exception as exc:  # noqa: BLE001 - reported as skip/fail reason
        require(False, f"cannot fetch Cassandra jars: {exc}")
    node = cassandra_harness.CassandraNode(tmp_path_factory.mktemp("outage-node"), heap="1G",
                                           durable_system=True)
    node.start()
    yield node
    try:
        node.signal(signal.SIGCONT)
    except cassandra_harness.CassandraError:
        pass
    node.stop()


@pytest.fixture(scope="module")
def server(node: cassandra_harness.CassandraNode, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerProcess]:
    setup_cadence_keyspaces(node, "cadence", "cadence_visibility")
    workdir = tmp_path_factory.mktemp("outage-server")
    config = workdir / "config.yaml"
    config.write_text(CASSANDRA_CONFIG.format(log_level="info", host=node.contact_point,
                                              port=node.port, keyspace="cadence",
                                              visibility="cadence_visibility"))
    proc = ServerProcess(config, workdir / "data").start()
    binary = _bench_binary()
    subprocess.run([str(binary), "-address", proc.address, "-domain", DOMAIN,
                    "register-domain"], check=True, capture_output=True, timeout=60)
    yield proc
    proc.stop()


class HistorySampler:
    """Reads the histories of the round's workflows over and over, in a thread of its own
    (its own gevent hub), while the node fails; keeps the longest history seen of each,
    as encoded events, and every call that got no answer before its deadline."""

    def __init__(self, port: int, ids: list[str]) -> None:
        self.port = port
        self.ids = ids
        self.seen: dict[str, list[bytes]] = {}
        self.hung: list[str] = []
        self.calls = 0
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "HistorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        channel = TChannelClient("127.0.0.1", self.port, caller="fault-sampler")
        client = ThriftClient(channel, idl.workflow_service().WorkflowService,
                              "WorkflowService")
        try:
            while not self._stop.is_set():
                for workflow_id in self.ids:
                    if self._stop.is_set():
                        return
                    self._sample(channel, client, workflow_id)
        finally:
            channel.close()

    def _sample(self, channel: TChannelClient, client: ThriftClient, workflow_id: str) -> None:
        self.calls += 1
        began = time.monotonic()
        try:
            events = read_history(client, workflow_id)
        except TChannelError as exc:
            self.errors += 1
            if exc.code == ErrorCode.TIMEOUT and "no response within" in exc.message:
                self.hung.append(f"{workflow_id}: {exc.message} after "
                                 f"{time.monotonic() - began:.1f}s")
            if exc.code == ErrorCode.NETWORK:
                channel.close()  # reconnect on the next call
            return
        except Exception:  # noqa: BLE001 - declared Cadence errors: not started yet, busy
            self.errors += 1
            return
        if len(events) > len(self.seen.get(workflow_id, ())):
            self.seen[workflow_id] = events


def read_history(client: ThriftClient, workflow_id: str) -> list[bytes]:
    """The run's whole history, each event Thrift-encoded (what a client would see)."""
    shared = idl.shared()
    events: list[bytes] = []
    token = None
    while True:
        response = client.call("GetWorkflowExecutionHistory",
                               shared.GetWorkflowExecutionHistoryRequest(
                                   domain=DOMAIN,
                                   execution=shared.WorkflowExecution(workflowId=workflow_id),
                                   maximumPageSize=1000, nextPageToken=token),
                               ttl_ms=CALL_TTL_MS)
        events.extend(encode(event) for event in response.history.events or [])
        token = response.nextPageToken
        if not token:
            return events


def stuck_histories(server: ServerProcess, failed: list[dict[str, Any]]) -> dict[str, Any]:
    """The event types of each failed workflow's history, to tell where it stopped."""
    channel = TChannelClient("127.0.0.1", server.port, caller="fault-diagnosis")
    client = ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService")
    found: dict[str, Any] = {}
    try:
        for outcome in failed:
            try:
                found[outcome["id"]] = [close_event_type(e)
                                        for e in read_history(client, outcome["id"])]
            except Exception as exc:  # noqa: BLE001 - a diagnosis, not a check
                found[outcome["id"]] = repr(exc)
    finally:
        channel.close()
    return found


def close_event_type(encoded: bytes) -> str:
    from cadence_py.rpc.codec import decode

    shared = idl.shared()
    event = decode(shared.HistoryEvent(), encoded)
    return shared.EventType._VALUES_TO_NAMES[event.eventType]


def run_driver(server: ServerProcess, prefix: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(_bench_binary()), "-address", server.address, "-domain", DOMAIN, "-n", str(N),
         "-warmup", "0", "-start-rate", str(START_RATE), "-verify=false", "-persevere",
         "-outcomes", "-id-prefix", prefix, "-timeout", "240s", "-decision-timeout", "10s",
         # An activity whose completion was lost in the outage is retried after this
         # (a 240 s timeout outlived the test's budget).
         "-activity-timeout", "20s",
         "-progress", "5s", "run"],
        stdout=subprocess.PIPE, stderr=open(log, "ab"))


def driver_report(proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=timeout)
    lines = [line for line in out.decode().splitlines() if line.startswith("{")]
    assert lines, f"driver printed no report (exit {proc.returncode})"
    return json.loads(lines[-1])


def check_round(server: ServerProcess, sampler: HistorySampler, report: dict[str, Any]
                ) -> None:
    outcomes = report.get("outcomes") or []
    failed = [o for o in outcomes if o.get("error") or
              o.get("closeType") != "WorkflowExecutionCompleted"]
    assert len(outcomes) == N and not failed, (
        f"{len(failed)} of {N} workflows did not complete: {failed[:5]}\n"
        f"their histories now: {stuck_histories(server, failed[:5])}")
    assert not sampler.hung, f"calls with no answer before their deadline: {sampler.hung[:5]}"
    channel = TChannelClient("127.0.0.1", server.port, caller="fault-check")
    client = ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService")
    try:
        for outcome in outcomes:
            workflow_id = outcome["id"]
            final = read_history(client, workflow_id)
            before = sampler.seen.get(workflow_id, [])
            assert final[:len(before)] == before, (
                f"{workflow_id}: a history served during the fault was changed afterwards "
                f"({len(before)} events then, {len(final)} now)")
            assert close_event_type(final[-1]) == outcome["closeType"], (
                f"{workflow_id}: the client was given {outcome['closeType']}, the history "
                f"now ends with {close_event_type(final[-1])}")
    finally:
        channel.close()
    assert sum(1 for events in sampler.seen.values() if events) > N // 3, (
        "the sampler saw too few histories to test anything")


def check_queues_run(server: ServerProcess, returned_at: float) -> None:
    """A run started now, with nobody polling its task list: its first decision task is
    scheduled (transfer queue) and its 3 s execution timeout fires (timer queue) within
    10 s of the node's return."""
    shared = idl.shared()
    channel = TChannelClient("127.0.0.1", server.port, caller="fault-queues")
    client = ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService")
    workflow_id = f"queues-{uuid.uuid4().hex[:8]}"
    deadline = returned_at + 3 + 10 + 5  # the start itself may wait for the node
    try:
        while True:
            try:
                client.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
                    domain=DOMAIN, workflowId=workflow_id,
                    workflowType=shared.WorkflowType(name="nobody-runs-this"),
                    taskList=shared.TaskList(name=f"empty-{workflow_id}"),
                    executionStartToCloseTimeoutSeconds=3, taskStartToCloseTimeoutSeconds=3,
                    requestId=workflow_id, identity="fault-test"), ttl_ms=CALL_TTL_MS)
                break
            except Exception:  # noqa: BLE001 - still coming back: retry until the deadline
                assert time.monotonic() < deadline, "starts still fail after the node returned"
                time.sleep(0.5)
        started = time.monotonic()
        types: list[str] = []
        while time.monotonic() < started + 3 + 10:
            types = [close_event_type(e) for e in read_history(client, workflow_id)]
            if types[-1] == "WorkflowExecutionTimedOut":
                break
            time.sleep(0.5)
        assert types[:2] == ["WorkflowExecutionStarted", "DecisionTaskScheduled"], types
        assert types[-1] == "WorkflowExecutionTimedOut", (
            f"the timer queue did not fire a 3 s timeout within 13 s: {types}")
    finally:
        channel.close()


def fault_round(server: ServerProcess, prefix: str, log: Path,
                inflict: Callable[[], None]) -> None:
    """N workflows through the Go driver; ``inflict`` the fault FAULT_AFTER_S into the
    starts (it returns once the node is back); then check the promises."""
    driver = run_driver(server, prefix, log)
    try:
        with HistorySampler(server.port, [f"{prefix}-{i}" for i in range(N)]) as sampler:
            time.sleep(FAULT_AFTER_S)
            inflict()
            check_queues_run(server, time.monotonic())
            report = driver_report(driver, timeout=300)
    finally:
        if driver.poll() is None:
            driver.kill()
    check_round(server, sampler, report)


def test_node_killed_three_times_under_load(node: cassandra_harness.CassandraNode,
                                            server: ServerProcess, tmp_path: Path) -> None:
    def kill_and_restart() -> None:
        node.signal(signal.SIGKILL)
        time.sleep(DOWN_S)
        node.start()

    for round_no in range(1, 4):
        fault_round(server, f"kill{round_no}-{uuid.uuid4().hex[:6]}", tmp_path / "driver.log",
                    kill_and_restart)
    assert_stops_promptly(server)


def test_node_frozen_for_30s_under_load(node: cassandra_harness.CassandraNode,
                                        server: ServerProcess, tmp_path: Path) -> None:
    def freeze() -> None:
        node.signal(signal.SIGSTOP)
        try:
            time.sleep(FROZEN_S)
        finally:
            node.signal(signal.SIGCONT)

    fault_round(server, f"stop-{uuid.uuid4().hex[:6]}", tmp_path / "driver.log", freeze)
    assert_stops_promptly(server)


def assert_stops_promptly(server: ServerProcess) -> None:
    """SIGTERM: the server lets calls in flight finish (10 s grace) and exits; a call
    still hung on the store would show as 'calls still running'."""
    began = time.monotonic()
    code = server.stop(signal.SIGTERM, timeout=30)
    log = Path(server.log_path).read_text(errors="replace")
    assert "still running after" not in log, server.log_tail()
    assert code == 0 and time.monotonic() - began < 15, (code, server.log_tail())
    assert "Traceback" not in log, f"tracebacks in the server log:\n{server.log_tail(80)}"
    server.start()

