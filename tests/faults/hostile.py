"""What the hostile-input tests and the fuzzer share: a real server subprocess on SQLite
or Cassandra, raw calls that report exactly what came back, a victim client in its own
process, and the server's RSS.

The victim runs in a separate process so that what the test process does (building a
19 MiB request, mutating bytes) can never show up as the victim's latency: a pause it
sees is the server's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.rpc.codec import decode
from cadence_py.rpc.dispatch import MethodSpec, method_specs
from cadence_py.transport import TChannelClient
from cadence_py.transport.codec import encode_headers16
from cadence_py.transport.errors import TChannelError
from tests.conftest import drop_keyspaces, new_keyspace, setup_cadence_keyspaces
from tests.harness.server import CASSANDRA_CONFIG, SQLITE_CONFIG, ServerProcess

HEADERS = {"cadence-client-name": "cli", "cadence-client-feature-version": "1.7.0"}
SERVICES = {"WorkflowService": idl.workflow_service().WorkflowService,
            "AdminService": idl.admin().AdminService}
VICTIM_LIMIT_MS = 100.0
#: The victim's DescribeDomain reads the store. On Cassandra it shares the one test node
#: with the test's own writes (the fuzzer's domain LWTs among them), and on a 2-core
#: machine at load 4-8 the node's reads took up to 230 ms while the server answered every
#: other call in 1-3 ms: the node's latency, not a pause of the server. So there it must
#: only never fail and never hang (the paging-state fault made calls fail or wait 10 s);
#: the victim's health probe (no store) holds the server itself to 100 ms everywhere.
DESCRIBE_LIMIT_MS = {"sqlite": VICTIM_LIMIT_MS, "cassandra": 1000.0}


#: Where the SQLite file goes: a SQLite server waits for each group commit's fsync on
#: the hub (persistence/sqlite/group_commit.py, by design), and on a disk shared with
#: other jobs one fsync took over 100 ms now and then. That is no fault of the input, so
#: these tests keep the file in memory (tmpfs) when they can: what they bound is what
#: hostile input does to the hub.
MEMORY_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None


@contextmanager
def serve(backend: str, workdir: Path, request: pytest.FixtureRequest
          ) -> Iterator[ServerProcess]:
    """A cadence-py subprocess on ``backend`` ("sqlite" or "cassandra": fresh keyspaces on
    the session's node), stopped (and its keyspaces dropped) on exit."""
    config = workdir / "config.yaml"
    node = None
    keyspaces: tuple[str, ...] = ()
    if backend == "sqlite":
        config.write_text(SQLITE_CONFIG.format(log_level="info"))
    else:
        node = request.getfixturevalue("cassandra_node")
        keyspaces = (new_keyspace("cadence"), new_keyspace("cadence_visibility"))
        setup_cadence_keyspaces(node, *keyspaces)
        config.write_text(CASSANDRA_CONFIG.format(
            log_level="info", host=node.contact_point, port=node.port,
            keyspace=keyspaces[0], visibility=keyspaces[1]))
    with tempfile.TemporaryDirectory(dir=MEMORY_DIR) as data:
        proc = ServerProcess(config, Path(data)).start()
        raise_priority(proc.proc.pid)  # type: ignore[union-attr]
        try:
            yield proc
        finally:
            proc.stop()
            shutil.copy(proc.log_path, workdir / "server.log")  # kept for a failure
            if node is not None:
                drop_keyspaces(node, *keyspaces)


def raise_priority(pid: int) -> None:
    """Round-robin real-time priority for the server's and the victim's main thread (the
    hub), else nice -5, when we may. On a 2-core machine shared with other jobs (load
    average near 4), victim calls measured the scheduler: 110-250 ms while the server
    answered the fuzzer's calls in 3 ms each and gevent's monitor thread saw no blocked
    hub. With the hubs first in line, a pause that remains is the server's."""
    try:
        os.sched_setscheduler(pid, os.SCHED_RR, os.sched_param(1))
        return
    except (OSError, AttributeError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, pid, -5)
    except OSError:
        pass  # not permitted: measure as we are


@dataclass
class Outcome:
    """What one call got: "ok" (result), "declared" (error: the exception struct) or
    "frame" (error: the TChannelError of an error frame)."""

    kind: str
    value: Any = None
    seconds: float = 0.0

    def describe(self) -> str:
        if self.kind == "declared":
            return f"{type(self.value).__name__}: {getattr(self.value, 'message', '')}"
        if self.kind == "frame":
            return f"error frame {self.value.code!r}: {self.value}"
        return "ok"


class RawClient:
    """Calls any WorkflowService/AdminService method with any bytes as arg3."""

    def __init__(self, port: int) -> None:
        self.channel = TChannelClient("127.0.0.1", port, caller="hostile-test")
        self.specs: dict[str, dict[str, MethodSpec]] = {
            name: method_specs(service) for name, service in SERVICES.items()}
        self.frontend = ThriftClient(self.channel, SERVICES["WorkflowService"],
                                     "WorkflowService", headers=HEADERS)

    def call(self, service: str, method: str, arg3: bytes, ttl_ms: int = 10_000) -> Outcome:
        spec = self.specs[service][method]
        started = time.perf_counter()
        try:
            response = self.channel.call("cadence-frontend", f"{service}::{method}",
                                         encode_headers16(HEADERS), arg3, ttl_ms=ttl_ms)
        except TChannelError as exc:
            return Outcome("frame", exc, time.perf_counter() - started)
        seconds = time.perf_counter() - started
        result = decode(spec.result_cls(), response.arg3)
        for _, field_name in spec.exceptions:
            exc = getattr(result, field_name, None)
            if exc is not None:
                return Outcome("declared", exc, seconds)
        return Outcome("ok", getattr(result, "success", None), seconds)  # None: void

    def close(self) -> None:
        self.channel.close()


def register_domain(port: int, name: str) -> None:
    shared = idl.shared()
    with TChannelClient("127.0.0.1", port, caller="hostile-setup") as channel:
        client = ThriftClient(channel, SERVICES["WorkflowService"], "WorkflowService",
                              headers=HEADERS)
        client.call("RegisterDomain", shared.RegisterDomainRequest(
            name=name, workflowExecutionRetentionPeriodInDays=1), ttl_ms=30_000)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Victim:
    """``python -m tests.faults.victim`` beside the test, on its own connection, until
    ``stop``, which returns its reports: ``describe`` (DescribeDomain, a store read) and
    ``health`` (Meta::health, the hub alone), each with calls, errors, max_ms and slow
    (the calls over 100 ms)."""

    def __init__(self, port: int, domain: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.victim", str(port), domain],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        raise_priority(self.proc.pid)
        ready = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert ready.strip() == "ready", ready

    def stop(self) -> dict[str, Any]:
        out, _ = self.proc.communicate("stop\n", timeout=60)
        return json.loads(out.strip().splitlines()[-1])


def victim_problems(reports: dict[str, Any], describe_limit_ms: float = VICTIM_LIMIT_MS
                    ) -> list[str]:
    """What the victim saw that it must not: any error, a health call over 100 ms, a
    DescribeDomain over ``describe_limit_ms``."""
    problems = []
    for name, limit in (("health", VICTIM_LIMIT_MS), ("describe", describe_limit_ms)):
        report = reports[name]
        if report["errors"]:
            problems.append(f"{name}: errors {report['errors']}")
        if report["max_ms"] > limit:
            problems.append(f"{name}: max {report['max_ms']:.1f} ms > {limit:.0f} ms, "
                            f"slow calls [start, ms]: {report['slow']}")
    return problems


def victim_summary(reports: dict[str, Any]) -> str:
    return ", ".join(f"{name} {r['calls']} calls max {r['max_ms']:.1f} ms"
                     for name, r in reports.items())


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def tracebacks(server: ServerProcess) -> list[str]:
    """The server log's tracebacks, each with the lines before it."""
    lines = Path(server.log_path).read_text(errors="replace").splitlines()
    return ["\n".join(lines[max(0, i - 3):i + 12]) for i, line in enumerate(lines)
            if "Traceback" in line]
