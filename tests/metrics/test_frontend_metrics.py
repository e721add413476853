"""Frontend RPC and persistence metrics from an in-process server (SQLite, real
TChannel client), received on a loopback UDP socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cadence_py.metrics import MetricsConfig, StatsdConfig
from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ServerConfig
from cadence_py.transport import TChannelClient
from tests.frontend.conftest import CLI_HEADERS
from tests.metrics.conftest import UdpSink

SHARED = idl.shared()
TAGS = "cadence_service.cadence-frontend.caller.metrics-test"


@pytest.fixture
def frontend(tmp_path: Path, sink: UdpSink) -> Iterator[ThriftClient]:
    metrics = MetricsConfig(statsd=StatsdConfig(port=sink.port, flush_interval=0))
    app = CadenceServer(ServerConfig(port=0, data_dir=tmp_path, metrics=metrics))
    app.start()
    channel = TChannelClient("127.0.0.1", app.address[1], caller="metrics-test")
    yield ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService",
                       headers=CLI_HEADERS)
    channel.close()
    app.stop(grace=1)


def counters(lines: list[str]) -> dict[str, int]:
    return {line.split(":")[0]: int(line.split(":")[1].split("|")[0])
            for line in lines if line.endswith("|c")}


def register(frontend: ThriftClient, name: str) -> None:
    frontend.call("RegisterDomain", SHARED.RegisterDomainRequest(
        name=name, workflowExecutionRetentionPeriodInDays=3))


def test_register_domain(frontend: ThriftClient, sink: UdpSink) -> None:
    register(frontend, "orders")
    lines = sink.pending()
    op = "domain._unknown_.operation.RegisterDomain.transport.tchannel"
    assert f"cadence.cadence_requests.{TAGS}.{op}:1|c" in lines
    timers = [line for line in lines if line.startswith("cadence.cadence_latency.")]
    assert [t.split(":")[0] for t in timers] == [
        f"cadence.cadence_latency.{TAGS}.{op}",
        f"cadence.cadence_latency.{TAGS}.{op}".replace("_unknown_", "all")]
    assert all(float(t.split(":")[1].split("|")[0]) > 0 for t in timers)
    # RegisterDomain looks the name up (not found, expected), then creates it.
    persistence = counters([line for line in lines if ".persistence_" in line])
    ops = {key.split(".operation.")[1] for key in persistence}
    assert {"GetDomain", "CreateDomain"} <= ops
    assert not any("cadence_errors" in line for line in lines)


def test_errors_by_type(frontend: ThriftClient, sink: UdpSink) -> None:
    register(frontend, "dup")
    sink.pending()
    with pytest.raises(SHARED.DomainAlreadyExistsError):
        register(frontend, "dup")
    with pytest.raises(SHARED.EntityNotExistsError):
        frontend.call("DescribeDomain", SHARED.DescribeDomainRequest(name="ghost"))
    with pytest.raises(SHARED.BadRequestError):
        register(frontend, "has space")
    got = counters(sink.pending())
    svc = "cadence.{}." + TAGS + ".domain._unknown_.operation.{}.transport.tchannel"
    assert got[svc.format("cadence_errors_domain_already_exists", "RegisterDomain")] == 1
    assert got[svc.format("cadence_errors_entity_not_exists", "DescribeDomain")] == 1
    assert got[svc.format("cadence_errors_bad_request", "RegisterDomain")] == 1
    assert got[svc.format("cadence_requests", "RegisterDomain")] == 1  # per line
    assert not any(".cadence_errors." in key for key in got)  # none were internal
    # The store saw the duplicate and the missing domain as typed, expected outcomes.
    persistence = [key for key in got if key.startswith("cadence.persistence_errors")]
    assert "cadence.persistence_errors_entity_not_exists.cadence_service.cadence-frontend" \
        ".operation.GetDomain" in persistence
    assert "cadence.persistence_errors.cadence_service.cadence-frontend" \
        ".operation.GetDomain" not in persistence


def test_domain_tag_comes_from_the_request(frontend: ThriftClient, sink: UdpSink) -> None:
    register(frontend, "orders")
    sink.pending()
    request = SHARED.StartWorkflowExecutionRequest(
        domain="orders", workflowId="wf-1", workflowType=SHARED.WorkflowType(name="t"),
        taskList=SHARED.TaskList(name="tl"), executionStartToCloseTimeoutSeconds=10,
        taskStartToCloseTimeoutSeconds=5, requestId="r1")
    frontend.call("StartWorkflowExecution", request)
    keys = [line.split(":")[0] for line in sink.pending()]
    assert f"cadence.cadence_requests.{TAGS}.domain.orders.operation.StartWorkflowExecution" \
        ".transport.tchannel" in keys


def test_list_domains_uses_cadence_operation_name(frontend: ThriftClient,
                                                  sink: UdpSink) -> None:
    frontend.call("ListDomains", SHARED.ListDomainsRequest(pageSize=10))
    keys = [line.split(":")[0] for line in sink.pending()]
    assert f"cadence.cadence_requests.{TAGS}.domain._unknown_.operation.ListDomain" \
        ".transport.tchannel" in keys
    assert "cadence.persistence_requests.cadence_service.cadence-frontend" \
        ".operation.ListDomain" in keys
