"""A well-behaved client beside hostile ones: DescribeDomain in a loop on its own
connection; on a line on stdin it stops and prints one JSON report (``slow``: [wall-clock start,
ms] of each call over the limit, to match with what else ran then).

``python -m tests.faults.victim PORT DOMAIN``; used by tests/faults/hostile.py.
"""

from __future__ import annotations

import json
import sys
import time

import gevent
from gevent.fileobject import FileObjectThread

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient

LIMIT_MS = 100.0


def main(port: int, domain: str) -> None:
    channel = TChannelClient("127.0.0.1", port, caller="victim")
    client = ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService",
                          headers={"cadence-client-name": "cli",
                                   "cadence-client-feature-version": "1.7.0"})
    request = idl.shared().DescribeDomainRequest(name=domain)
    client.call("DescribeDomain", request)  # connected and warm before "ready"
    report: dict = {"calls": 0, "errors": [], "max_ms": 0.0, "slow": []}
    stopping = False

    def loop() -> None:
        while not stopping:
            started = time.perf_counter()
            try:
                client.call("DescribeDomain", request, ttl_ms=5000)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                if len(report["errors"]) < 20:
                    report["errors"].append(f"{type(exc).__name__}: {exc}")
            ms = (time.perf_counter() - started) * 1000
            report["calls"] += 1
            report["max_ms"] = max(report["max_ms"], ms)
            if ms > LIMIT_MS and len(report["slow"]) < 20:
                report["slow"].append([round(time.time() - ms / 1000, 3), round(ms, 1)])
            gevent.sleep(0.002)

    worker = gevent.spawn(loop)
    print("ready", flush=True)
    FileObjectThread(sys.stdin).readline()
    stopping = True
    worker.join(timeout=10)
    channel.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
