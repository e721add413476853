"""Two servers on one SQLite data dir: the second refuses to start, naming the first.

Before, both started and each served reads from its own caches, missing the other's
writes. Real server processes; the kill is a real SIGKILL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from tests.harness.server import SQLITE_CONFIG, ServerProcess, free_port

#: Seconds the refused server may take to say so (it imports the server first).
REFUSAL_WITHIN = 15.0


def frontend(server: ServerProcess) -> tuple[TChannelClient, ThriftClient]:
    channel = TChannelClient("127.0.0.1", server.port, caller="test")
    return channel, ThriftClient(channel, idl.workflow_service().WorkflowService,
                                 "WorkflowService")


def register(server: ServerProcess, name: str) -> None:
    channel, client = frontend(server)
    try:
        client.call("RegisterDomain", idl.shared().RegisterDomainRequest(
            name=name, workflowExecutionRetentionPeriodInDays=1))
    finally:
        channel.close()


def describe(server: ServerProcess, name: str) -> str:
    channel, client = frontend(server)
    try:
        return client.call("DescribeDomain", idl.shared().DescribeDomainRequest(
            name=name)).domainInfo.name
    finally:
        channel.close()


def start_second(config: Path, data_dir: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cadence_py.server.cli", "server", "start", "--config",
         str(config), "--port", str(free_port()), "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60)
    return done, time.monotonic() - began


@pytest.mark.parametrize("writer_process", [False, True], ids=["inline", "writer-process"])
def test_second_server_is_refused_and_a_killed_one_does_not_block(
        tmp_path: Path, writer_process: bool) -> None:
    text = SQLITE_CONFIG.format(log_level="info")
    if writer_process:
        text = text.replace("{path: cadence.db}", "{path: cadence.db, writerProcess: true}")
    config = tmp_path / "config.yaml"
    config.write_text(text)
    data_dir = tmp_path / "data"
    first = ServerProcess(config, data_dir).start()
    try:
        register(first, "before")
        assert first.proc is not None
        holder = first.proc.pid

        done, took = start_second(config, data_dir)
        assert done.returncode != 0, done.stdout + done.stderr
        assert took < REFUSAL_WITHIN
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("cadence-py: ")
        assert f"pid {holder}" in lines[0] and "cadence_py.server.cli" in lines[0]
        assert str(data_dir / "cadence.db") in lines[0]

        assert first.proc.poll() is None  # the first keeps serving, reads and writes
        assert describe(first, "before") == "before"
        register(first, "after")

        first.stop(signal.SIGKILL)  # no shutdown: the kernel drops the lock
        restarted = ServerProcess(config, data_dir, port=free_port()).start()
        try:
            assert describe(restarted, "before") == "before"
            assert describe(restarted, "after") == "after"
        finally:
            assert restarted.stop(signal.SIGTERM) == 0
    finally:
        first.stop(signal.SIGKILL)
