"""A well-behaved client beside hostile ones, on a connection of its own; on a line on
stdin it stops and prints one JSON report.

Two probes run side by side on that connection:
- ``describe``: DescribeDomain in a loop, a call that reads the store (on Cassandra, over
  the driver connection that a garbage paging state once got closed);
- ``health``: ``Meta::health``, which touches no store, so its latency is the server's
  hub alone (a pause there is the server's, whatever the store is doing).

Each probe reports calls, errors, max_ms and ``slow``: [wall-clock start, ms] of each
call over the limit, to match with what else ran then.

``python -m tests.faults.victim PORT DOMAIN``; used by tests/faults/hostile.py.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable

import gevent
from gevent.fileobject import FileObjectThread

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient

LIMIT_MS = 100.0


def probe(call: Callable[[], Any], report: dict[str, Any], running: Callable[[], bool]
          ) -> None:
    while running():
        started = time.perf_counter()
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            if len(report["errors"]) < 20:
                report["errors"].append(f"{type(exc).__name__}: {exc}")
        ms = (time.perf_counter() - started) * 1000
        report["calls"] += 1
        report["max_ms"] = max(report["max_ms"], ms)
        if ms > LIMIT_MS and len(report["slow"]) < 20:
            report["slow"].append([round(time.time() - ms / 1000, 3), round(ms, 1)])
        gevent.sleep(0.002)


def main(port: int, domain: str) -> None:
    channel = TChannelClient("127.0.0.1", port, caller="victim")
    frontend = ThriftClient(channel, idl.workflow_service().WorkflowService,
                            "WorkflowService",
                            headers={"cadence-client-name": "cli",
                                     "cadence-client-feature-version": "1.7.0"})
    meta = ThriftClient(channel, idl.health().Meta, "Meta")
    request = idl.shared().DescribeDomainRequest(name=domain)
    calls = {"describe": lambda: frontend.call("DescribeDomain", request, ttl_ms=5000),
             "health": lambda: meta.call("health", ttl_ms=5000)}
    for call in calls.values():
        call()  # connected and warm before "ready"
    reports = {name: {"calls": 0, "errors": [], "max_ms": 0.0, "slow": []} for name in calls}
    stopping = False
    probes = [gevent.spawn(probe, call, reports[name], lambda: not stopping)
              for name, call in calls.items()]
    print("ready", flush=True)
    FileObjectThread(sys.stdin).readline()
    stopping = True
    gevent.joinall(probes, timeout=10)
    channel.close()
    print(json.dumps(reports), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
