"""Elasticsearch unreachable: queries fail with InternalServiceError saying so, while
workflows still start (their visibility writes wait in the outbox).

List/Count declare no InternalServiceError in Cadence's IDL, so, as from the Go server, it
reaches the client as a TChannel error frame carrying the message."""

from __future__ import annotations

import uuid
from pathlib import Path

import gevent
import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ElasticsearchConfig, ServerConfig
from cadence_py.transport import TChannelClient
from cadence_py.transport.errors import TChannelError
from tests.harness.server import free_port


def test_queries_say_elasticsearch_failed_and_starts_go_on(tmp_path: Path) -> None:
    config = ServerConfig(port=0, data_dir=tmp_path, elasticsearch=ElasticsearchConfig(
        url=f"http://127.0.0.1:{free_port()}", index="cadence-visibility-down", timeout=2))
    server = CadenceServer(config)
    server.start()
    channel = TChannelClient("127.0.0.1", server.address[1], caller="cadence-client")
    frontend = ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService",
                            headers={"cadence-client-name": "cli",
                                     "cadence-client-feature-version": "1.7.0"})
    shared = idl.shared()
    try:
        frontend.call("RegisterDomain", shared.RegisterDomainRequest(
            name="down", workflowExecutionRetentionPeriodInDays=1))
        frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
            domain="down", workflowId="w", workflowType=shared.WorkflowType(name="t"),
            taskList=shared.TaskList(name="tl"), requestId=str(uuid.uuid4()),
            executionStartToCloseTimeoutSeconds=60, taskStartToCloseTimeoutSeconds=10))
        with pytest.raises(TChannelError) as err:
            frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
                domain="down", query="WorkflowID = 'w'"))
        assert "InternalServiceError: ListWorkflowExecutions failed, " in str(err.value)
        assert "Connection refused" in str(err.value)
        with pytest.raises(TChannelError) as err:
            frontend.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
                domain="down"))
        assert "InternalServiceError: CountWorkflowExecutions failed. Error: " in str(err.value)
        # the basic record still serves the open list
        window = shared.StartTimeFilter(earliestTime=0, latestTime=2**62)
        for _ in range(100):
            opened = frontend.call("ListOpenWorkflowExecutions",
                                   shared.ListOpenWorkflowExecutionsRequest(
                                       domain="down", StartTimeFilter=window)).executions
            if opened:
                break
            gevent.sleep(0.05)
        assert [e.execution.workflowId for e in opened] == ["w"]
        assert server.visibility_parts.queue.oldest_enqueued_at() is not None  # kept
    finally:
        channel.close()
        server.stop(grace=1)
