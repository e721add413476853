"""Helpers for the connection fault tests (dead pollers, idle and partial connections):
a real server subprocess on loopback, and Thrift clients on their own connections."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from tests.harness.server import SQLITE_CONFIG, ServerProcess


def start_server(workdir: Path, rpc: dict[str, str] | None = None) -> ServerProcess:
    """cadence-py on SQLite; ``rpc`` adds keys to services.frontend.rpc."""
    text = SQLITE_CONFIG.format(log_level="info")
    if rpc:
        text += "services:\n  frontend:\n    rpc:\n" + "".join(
            f"      {key}: {value}\n" for key, value in rpc.items())
    config = workdir / "config.yaml"
    config.write_text(text)
    return ServerProcess(config, workdir / "data").start()


def frontend(port: int, caller: str) -> tuple[TChannelClient, ThriftClient]:
    """A WorkflowService client on a connection of its own."""
    channel = TChannelClient("127.0.0.1", port, caller=caller)
    return channel, ThriftClient(channel, idl.workflow_service().WorkflowService,
                                 "WorkflowService")


def register_domain(client: ThriftClient, name: str) -> None:
    client.call("RegisterDomain", idl.shared().RegisterDomainRequest(
        name=name, workflowExecutionRetentionPeriodInDays=1))


def start_workflow(client: ThriftClient, domain: str, task_list: str, workflow_id: str
                   ) -> str:
    s = idl.shared()
    return client.call("StartWorkflowExecution", s.StartWorkflowExecutionRequest(
        domain=domain, workflowId=workflow_id, workflowType=s.WorkflowType(name="wf"),
        taskList=s.TaskList(name=task_list), executionStartToCloseTimeoutSeconds=300,
        taskStartToCloseTimeoutSeconds=10, requestId=str(uuid.uuid4()),
        identity="starter")).runId


def poll(client: ThriftClient, method: str, domain: str, task_list: str, identity: str,
         ttl_ms: int) -> Any:
    """PollForDecisionTask or PollForActivityTask; the response (empty: no task)."""
    s = idl.shared()
    request_cls = (s.PollForDecisionTaskRequest if method == "PollForDecisionTask"
                   else s.PollForActivityTaskRequest)
    return client.call(method, request_cls(domain=domain, taskList=s.TaskList(name=task_list),
                                           identity=identity), ttl_ms=ttl_ms)


def poller_identities(client: ThriftClient, domain: str, task_list: str, kind: int
                      ) -> set[str]:
    """Who polled ``task_list`` lately (kind 0: decision, 1: activity)."""
    s = idl.shared()
    response = client.call("DescribeTaskList", s.DescribeTaskListRequest(
        domain=domain, taskList=s.TaskList(name=task_list), taskListType=kind))
    return {p.identity for p in response.pollers or []}


def tracebacks(server: ServerProcess) -> list[str]:
    """Lines of the server log that start a Python traceback."""
    text = Path(server.log_path).read_text(errors="replace")
    return [line for line in text.splitlines() if "Traceback" in line]
