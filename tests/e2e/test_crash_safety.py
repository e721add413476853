"""kill -9 the server with workflows mid-flight; after restart every workflow completes
with a correct history, nothing lost and nothing applied twice."""

from __future__ import annotations

import signal
import time
from collections import Counter

from cadence_py.rpc import idl
from tests.e2e.pyworker import PyWorker
from tests.harness.server import ServerProcess

N = 20


def test_kill_9_mid_flight(server: ServerProcess, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("--do", "crash", "d", "re").code == 0
    worker = PyWorker(server.port, "crash")
    ids = [f"crash-{i}" for i in range(N)]
    for workflow_id in ids:
        worker.start(workflow_id)
    decided = 0
    while decided < N:  # first decisions: every run now has an activity and a timer
        decided += worker.decide_once()
    started = [worker.take_activity() for _ in range(N // 2)]  # half the activities running
    assert all(started)
    worker.close()

    server.stop(signal.SIGKILL)
    server.start()
    worker = PyWorker(server.port, "crash")
    shared = idl.shared()
    names = shared.EventType._VALUES_TO_NAMES
    deadline = time.monotonic() + 90
    done: set[str] = set()
    while len(done) < N and time.monotonic() < deadline:
        activity = worker.take_activity(ttl_ms=2500)
        if activity is not None:
            worker.complete_activity(activity)
        while worker.decide_once(ttl_ms=2500):
            pass
        for workflow_id in ids:
            if workflow_id not in done:
                events = worker.history(workflow_id)
                if names[events[-1].eventType] == "WorkflowExecutionCompleted":
                    done.add(workflow_id)
    assert done == set(ids), f"{N - len(done)} workflows did not complete"
    for workflow_id in ids:
        events = worker.history(workflow_id)
        assert [e.eventId for e in events] == list(range(1, len(events) + 1))
        counts = Counter(names[e.eventType] for e in events)
        assert counts["ActivityTaskScheduled"] == 1
        assert counts["ActivityTaskCompleted"] == 1
        assert counts["TimerStarted"] == 1 and counts["TimerFired"] == 1
        assert counts["WorkflowExecutionCompleted"] == 1
    worker.close()
