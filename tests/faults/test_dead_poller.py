"""Issue 15, dead pollers: a worker killed mid long poll must not take the next task.

The dead worker is a real process holding real long polls (decision and activity) on its
own TChannel connection; it is killed with SIGKILL, so nothing tells the server but the
socket closing. A live worker polls the same task list on another connection, behind the
dead one. The promise: each next task reaches the live poller within 1 s, as the first
attempt (nothing timed out on the way).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest

from cadence_py.rpc import idl
from tests.faults.tchannel_peers import (frontend, poll, poller_identities, register_domain,
                                         start_server, start_workflow, tracebacks)
from tests.harness.server import ServerProcess

DOMAIN, TASK_LIST = "dead-poller", "dead-poller-tl"
DECISION, ACTIVITY = 0, 1

# The doomed worker: both long polls at once on one connection, then wait to be killed.
DEAD_WORKER = """
import sys
import gevent
from tests.faults.tchannel_peers import frontend, poll
port, domain, task_list = int(sys.argv[1]), sys.argv[2], sys.argv[3]
_, client = frontend(port, "dead-worker")
polls = [gevent.spawn(poll, client, method, domain, task_list, "dead-poller", 50_000)
         for method in ("PollForDecisionTask", "PollForActivityTask")]
for done in gevent.iwait(polls):
    print("dead poller got", done.value, flush=True)  # only if never killed
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path)
    yield proc
    proc.stop()


def _wait_for_pollers(client, kind: int, identities: set[str]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while not identities <= poller_identities(client, DOMAIN, TASK_LIST, kind):
        assert time.monotonic() < deadline, f"pollers {identities} never showed up"
        gevent.sleep(0.05)


def test_killed_poller_takes_no_task(server: ServerProcess, tmp_path: Path) -> None:
    channel, client = frontend(server.port, "test-driver")
    register_domain(client, DOMAIN)
    dead = subprocess.Popen([sys.executable, "-c", DEAD_WORKER, str(server.port), DOMAIN,
                             TASK_LIST], cwd=Path(__file__).resolve().parents[2],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    live_channel, live = frontend(server.port, "live-worker")
    try:
        _wait_for_pollers(client, DECISION, {"dead-poller"})
        _wait_for_pollers(client, ACTIVITY, {"dead-poller"})
        # The live polls queue up behind the dead ones.
        decision_poll = gevent.spawn(poll, live, "PollForDecisionTask", DOMAIN, TASK_LIST,
                                     "live-poller", 20_000)
        activity_poll = gevent.spawn(poll, live, "PollForActivityTask", DOMAIN, TASK_LIST,
                                     "live-poller", 20_000)
        _wait_for_pollers(client, DECISION, {"live-poller"})
        _wait_for_pollers(client, ACTIVITY, {"live-poller"})

        os.kill(dead.pid, signal.SIGKILL)
        assert dead.wait(timeout=10) == -signal.SIGKILL
        assert dead.stdout is not None
        assert b"dead poller got" not in dead.stdout.read()

        started = time.monotonic()
        run_id = start_workflow(client, DOMAIN, TASK_LIST, "wf-after-kill")
        task = decision_poll.get(timeout=15)
        took = time.monotonic() - started
        assert task.taskToken, "the live poller got no decision task"
        assert task.workflowExecution.runId == run_id
        assert task.attempt == 0 and task.startedEventId == 3  # first try, nothing timed out
        assert took < 1.0, f"decision task reached the live poller after {took:.2f}s"

        s = idl.shared()
        started = time.monotonic()
        client.call("RespondDecisionTaskCompleted", s.RespondDecisionTaskCompletedRequest(
            taskToken=task.taskToken, identity="live-poller", decisions=[s.Decision(
                decisionType=s.DecisionType.ScheduleActivityTask,
                scheduleActivityTaskDecisionAttributes=s.ScheduleActivityTaskDecisionAttributes(
                    activityId="a1", activityType=s.ActivityType(name="work"),
                    taskList=s.TaskList(name=TASK_LIST), scheduleToCloseTimeoutSeconds=60,
                    scheduleToStartTimeoutSeconds=60, startToCloseTimeoutSeconds=30))]))
        activity = activity_poll.get(timeout=15)
        took = time.monotonic() - started
        assert activity.taskToken, "the live poller got no activity task"
        assert activity.activityId == "a1" and activity.attempt == 0
        assert took < 1.0, f"activity task reached the live poller after {took:.2f}s"
    finally:
        if dead.poll() is None:
            dead.kill()
            dead.wait(timeout=10)
        live_channel.close()
        channel.close()
    assert tracebacks(server) == []
