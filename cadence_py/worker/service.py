"""The worker role: runs the system workflows that upstream's worker service runs.

Two of them, both started by Cadence CLI 1.4.1: the domain deprecation workflow
(``domain_deprecation``; ``domain deprecate`` no longer calls DeprecateDomain) and batch
jobs (``batcher``; ``workflow batch start``). Like upstream's worker service it is a
client of the frontend: it long-polls each task list over TChannel (to this process's
own port) and answers with the calls a Go worker makes, so the runs have ordinary
histories, survive restarts, and can be shown, described and terminated with the CLI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

import gevent
from gevent.pool import Pool

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from cadence_py.worker import batcher
from cadence_py.worker import domain_deprecation as dd
from cadence_py.worker.decisions import GENERIC_FAILURE, ActivityFailure, ActivityStopped, fail

log = logging.getLogger(__name__)

POLL_TTL_MS = 70_000  # the server answers an empty poll before this
PAUSE_S, MAX_PAUSE_S = 1.0, 30.0  # after a failed round, doubling while they keep failing
ACTIVITY_SLOTS = 10  # activities run at once per task list (upstream's pollers: 10)
NO_QUERIES = "system workflows have no query handlers"


@dataclass(frozen=True)
class TaskListSpec:
    """One system task list: its workflow type's decider and its activities."""

    domain: str
    task_list: str
    workflow_type: str
    decide: Callable[[list[Any]], list[Any]]
    run_activity: Callable[["ActivityContext", str, bytes | None], Any]


class ActivityContext:
    """What an activity gets: the frontend client, the details its previous attempt
    heartbeated (``details``), ``heartbeat`` to record progress, and ``keep_alive`` to
    heartbeat the latest progress every half heartbeat timeout while it works; ``check``
    raises ActivityStopped once the run no longer wants the activity."""

    def __init__(self, client: ThriftClient, task: Any, identity: str) -> None:
        self.client = client
        self.details: bytes | None = task.heartbeatDetails or None
        self._token = task.taskToken
        self._identity = identity
        self._every = (task.heartbeatTimeoutSeconds or 0) / 2
        self._stopped = False

    def heartbeat(self, details: Any) -> None:
        shared = idl.shared()
        try:
            answer = self.client.call("RecordActivityTaskHeartbeat",
                                      shared.RecordActivityTaskHeartbeatRequest(
                                          taskToken=self._token, identity=self._identity,
                                          details=json.dumps(details).encode()))
        except shared.EntityNotExistsError:
            self._stopped = True
            raise ActivityStopped() from None
        if answer.cancelRequested:
            self._stopped = True
            raise ActivityStopped()

    def check(self) -> None:
        if self._stopped:
            raise ActivityStopped()

    @contextlib.contextmanager
    def keep_alive(self, details: Callable[[], Any]) -> Iterator[None]:
        ticker = gevent.spawn(self._tick, details) if self._every else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.kill(block=False)

    def _tick(self, details: Callable[[], Any]) -> None:
        while not self._stopped:
            gevent.sleep(self._every)
            try:
                self.heartbeat(details())
            except ActivityStopped:
                return
            except Exception as exc:  # noqa: BLE001 - the next tick tries again
                log.warning("system worker: heartbeat failed: %s", exc)


class SystemWorker:
    """A decision poller and an activity poller per system task list."""

    def __init__(self, host: str, port: int, wait_s: int = dd.VISIBILITY_WAIT_S) -> None:
        self._address = ("127.0.0.1" if host in ("", "0.0.0.0", "::") else host, port)
        self._identity = f"cadence-py-worker@{socket.gethostname()}"
        self._specs = [
            TaskListSpec(dd.SYSTEM_DOMAIN, dd.TASK_LIST, dd.WORKFLOW_TYPE,
                         lambda events: dd.decide(events, wait_s), dd.run_activity),
            TaskListSpec(batcher.DOMAIN, batcher.TASK_LIST, batcher.WORKFLOW_TYPE,
                         batcher.decide, batcher.run_activity),
        ]
        self._channel: TChannelClient | None = None
        self._client: ThriftClient | None = None
        self._loops: list[gevent.Greenlet] = []
        self._running = {spec.task_list: Pool(ACTIVITY_SLOTS) for spec in self._specs}
        self._stopping = False

    def start(self) -> None:
        self._channel = TChannelClient(*self._address, caller="cadence-worker")
        self._client = ThriftClient(self._channel, idl.workflow_service().WorkflowService,
                                    "WorkflowService")
        for spec in self._specs:
            self._loops += [gevent.spawn(self._run, self._decide_once, spec),
                            gevent.spawn(self._run, self._work_once, spec)]

    def request_stop(self) -> None:
        """No new polls; the caller then wakes pending ones (matching's shutdown)."""
        self._stopping = True

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        gevent.joinall(self._loops, timeout=timeout)
        gevent.killall([g for g in self._loops if not g.dead], block=False)
        for pool in self._running.values():  # the server retries them after their timeout
            pool.kill(block=False)
        if self._channel is not None:
            self._channel.close()

    def _run(self, once: Callable[[TaskListSpec], None], spec: TaskListSpec) -> None:
        pause = PAUSE_S
        while not self._stopping:
            try:
                once(spec)
                pause = PAUSE_S
            except Exception as exc:  # noqa: BLE001 - keep polling; the server retries
                if self._stopping:
                    return
                if pause == PAUSE_S:
                    log.exception("system worker: %s failed", spec.task_list)
                else:
                    log.warning("system worker: %s failed again: %s", spec.task_list, exc)
                gevent.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE_S)

    def _poll(self, spec: TaskListSpec, method: str, request_type: str) -> Any:
        """One long poll of the task list; None when it ended empty or we are stopping."""
        shared, client = idl.shared(), self._client
        assert client is not None
        task = client.call(method, getattr(shared, request_type)(
            domain=spec.domain, taskList=shared.TaskList(name=spec.task_list),
            identity=self._identity), ttl_ms=POLL_TTL_MS)
        return task if task.taskToken and not self._stopping else None

    # ------------------------------------------------------------ decisions
    def _decide_once(self, spec: TaskListSpec) -> None:
        shared, client = idl.shared(), self._client
        task = self._poll(spec, "PollForDecisionTask", "PollForDecisionTaskRequest")
        if task is None or client is None:
            return
        if task.query is not None:  # a query task: no handlers to answer it
            client.call("RespondQueryTaskCompleted", shared.RespondQueryTaskCompletedRequest(
                taskToken=task.taskToken, completedType=shared.QueryTaskCompletedType.FAILED,
                errorMessage=NO_QUERIES))
            return
        try:
            decisions = self._decisions(spec, task)
        except Exception as exc:  # noqa: BLE001 - fail the task now, not at its timeout
            client.call("RespondDecisionTaskFailed", shared.RespondDecisionTaskFailedRequest(
                taskToken=task.taskToken, identity=self._identity,
                cause=shared.DecisionTaskFailedCause.WORKFLOW_WORKER_UNHANDLED_FAILURE,
                details=f"{type(exc).__name__}: {exc}".encode()))
            raise
        failed = shared.WorkflowQueryResult(resultType=shared.QueryResultType.FAILED,
                                            errorMessage=NO_QUERIES)
        client.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
            taskToken=task.taskToken, identity=self._identity, decisions=decisions,
            queryResults={name: failed for name in task.queries or {}} or None))

    def _decisions(self, spec: TaskListSpec, task: Any) -> list[Any]:
        shared, client = idl.shared(), self._client
        assert client is not None
        if task.workflowType.name != spec.workflow_type:
            return [fail(GENERIC_FAILURE, f"unknown workflow type {task.workflowType.name}")]
        events = list(task.history.events if task.history else [])
        token = task.nextPageToken
        while token:  # the rest of a long history
            page = client.call("GetWorkflowExecutionHistory",
                               shared.GetWorkflowExecutionHistoryRequest(
                                   domain=spec.domain, execution=task.workflowExecution,
                                   nextPageToken=token))
            events += page.history.events or []
            token = page.nextPageToken
        return spec.decide(events)

    # ----------------------------------------------------------- activities
    def _work_once(self, spec: TaskListSpec) -> None:
        """Poll when a slot is free; the activity runs beside the next polls."""
        running = self._running[spec.task_list]
        running.wait_available()
        task = self._poll(spec, "PollForActivityTask", "PollForActivityTaskRequest")
        if task is not None:
            running.spawn(self._work, spec, task)

    def _work(self, spec: TaskListSpec, task: Any) -> None:
        shared, client = idl.shared(), self._client
        if client is None:
            return
        context = ActivityContext(client, task, self._identity)
        try:
            result = spec.run_activity(context, task.activityType.name, task.input)
        except ActivityStopped:
            return
        except ActivityFailure as failure:
            log.warning("system worker: activity %s of %s failed: %s %s",
                        task.activityType.name, task.workflowExecution.workflowId,
                        failure.reason, failure.details)
            client.call("RespondActivityTaskFailed", shared.RespondActivityTaskFailedRequest(
                taskToken=task.taskToken, reason=failure.reason,
                details=failure.details.encode(), identity=self._identity))
            return
        except Exception:  # noqa: BLE001 - run_activity maps failures; this is a bug
            log.exception("system worker: activity %s crashed", task.activityType.name)
            return
        try:
            client.call("RespondActivityTaskCompleted",
                        shared.RespondActivityTaskCompletedRequest(
                            taskToken=task.taskToken, identity=self._identity,
                            result=json.dumps(result).encode()))
        except shared.EntityNotExistsError:
            pass  # the run ended meanwhile
