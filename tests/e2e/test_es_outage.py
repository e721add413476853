"""Elasticsearch stopped for a minute under load, then started: no record is missing.

cadence-py runs as a real subprocess (gevent, monkey-patched) with a node of its own, so
stopping that node disturbs no other test. Workflows keep starting, and some keep being
terminated, before, during and after the outage. The writes during the outage wait in
the main store's outbox; once the node is back, every workflow must be findable with its
final state (open or terminated), and the outbox must be empty.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from tests.conftest import require
from tests.e2e.conftest import write_es_config
from tests.harness import elasticsearch as es_harness
from tests.harness.server import ServerProcess

OUTAGE_SECONDS = float(os.environ.get("CADENCE_PY_ES_OUTAGE_SECONDS", "60"))
HEADERS = {"cadence-client-name": "cli", "cadence-client-feature-version": "1.7.0"}


@pytest.fixture
def own_node(tmp_path: Path) -> Iterator[es_harness.ElasticsearchNode]:
    require(es_harness.jdk_tool("java") is not None and
            (es_harness.is_fetched() or shutil.which("mvn") is not None),
            "needs java (and mvn to fetch Elasticsearch)")
    node = es_harness.ElasticsearchNode(tmp_path / "es").start()
    yield node
    node.stop()


def test_writes_survive_an_elasticsearch_outage(own_node, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = write_es_config(tmp_path / "config.yaml", own_node, "cadence-visibility-outage")
    server = ServerProcess(config, tmp_path / "data").start()
    channel = TChannelClient("127.0.0.1", server.port, caller="cadence-client")
    frontend = ThriftClient(channel, idl.workflow_service().WorkflowService,
                            "WorkflowService", headers=HEADERS)
    shared = idl.shared()
    domain = "outage"
    started: list[str] = []
    terminated: set[str] = set()
    phase = {"name": "before"}
    try:
        frontend.call("RegisterDomain", shared.RegisterDomainRequest(
            name=domain, workflowExecutionRetentionPeriodInDays=1))

        def load() -> None:  # ~20 starts/s, every 4th run terminated a moment later
            i = 0
            while phase["name"] != "done":
                wid = f"{phase['name']}-{i:05d}"
                frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
                    domain=domain, workflowId=wid, workflowType=shared.WorkflowType(name="w"),
                    taskList=shared.TaskList(name="tl"), requestId=str(uuid.uuid4()),
                    executionStartToCloseTimeoutSeconds=3600,
                    taskStartToCloseTimeoutSeconds=10), ttl_ms=30000)
                started.append(wid)
                if i % 4 == 0:
                    frontend.call("TerminateWorkflowExecution",
                                  shared.TerminateWorkflowExecutionRequest(
                                      domain=domain, workflowExecution=shared.WorkflowExecution(
                                          workflowId=wid)), ttl_ms=30000)
                    terminated.add(wid)
                i += 1
                gevent.sleep(0.05)

        worker = gevent.spawn(load)
        gevent.sleep(5)
        port = own_node.port
        own_node.stop()
        phase["name"] = "during"
        outage_ends = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < outage_ends:
            gevent.sleep(1)
            assert not worker.dead, worker.exception  # the server keeps serving
        during = sum(1 for w in started if w.startswith("during"))
        restarted = es_harness.ElasticsearchNode(own_node.workdir, http_port=port)
        gevent.get_hub().threadpool.spawn(restarted.start).get()
        phase["name"] = "after"
        gevent.sleep(5)
        phase["name"] = "done"
        worker.join(timeout=30)
        assert worker.successful(), worker.exception
        assert during >= OUTAGE_SECONDS * 5, f"only {during} starts during the outage"

        def visible() -> tuple[set[str], set[str]]:
            ids, closed, token = set(), set(), None
            while True:
                page = frontend.call("ListWorkflowExecutions",
                                     shared.ListWorkflowExecutionsRequest(
                                         domain=domain, pageSize=1000, nextPageToken=token),
                                     ttl_ms=30000)
                for e in page.executions:
                    ids.add(e.execution.workflowId)
                    if e.closeStatus is not None:
                        closed.add(e.execution.workflowId)
                token = page.nextPageToken
                if not token:
                    return ids, closed

        deadline = time.monotonic() + 120
        while True:
            ids, closed = visible()
            if (ids, closed) == (set(started), terminated) or time.monotonic() > deadline:
                break
            gevent.sleep(1)
        assert ids == set(started), f"missing {sorted(set(started) - ids)[:5]}"
        assert closed == terminated, f"not closed {sorted(terminated - closed)[:5]}"
        restarted.stop()
    finally:
        phase["name"] = "done"
        channel.close()
        server.stop()
