"""The worker role: runs the system workflows that upstream's worker service runs.

Today that is the domain deprecation workflow (``domain_deprecation``), which Cadence
CLI 1.3.1 and later start for ``domain deprecate`` instead of calling DeprecateDomain.
Like upstream's worker service it is a client of the frontend: it long-polls its task
list in the ``cadence-system`` domain over TChannel (to this process's own port) and
answers with the same calls a Go worker makes, so its runs have ordinary histories, are
durable across restarts, and can be shown, described and terminated with the CLI.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import gevent

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from cadence_py.worker import domain_deprecation as dd

log = logging.getLogger(__name__)

SYSTEM_DOMAIN = dd.SYSTEM_DOMAIN
POLL_TTL_MS = 70_000  # the server answers an empty poll before this
PAUSE_S, MAX_PAUSE_S = 1.0, 30.0  # after a failed round, doubling while they keep failing
NO_QUERIES = "the domain deprecation workflow has no query handlers"


class SystemWorker:
    """One decision poller and one activity poller on the deprecation task list."""

    def __init__(self, host: str, port: int, wait_s: int = dd.VISIBILITY_WAIT_S) -> None:
        self._address = ("127.0.0.1" if host in ("", "0.0.0.0", "::") else host, port)
        self._wait_s = wait_s
        self._identity = f"cadence-py-worker@{socket.gethostname()}"
        self._channel: TChannelClient | None = None
        self._client: ThriftClient | None = None
        self._loops: list[gevent.Greenlet] = []
        self._stopping = False

    def start(self) -> None:
        self._channel = TChannelClient(*self._address, caller="cadence-worker")
        self._client = ThriftClient(self._channel, idl.workflow_service().WorkflowService,
                                    "WorkflowService")
        self._loops = [gevent.spawn(self._run, self._decide_once, "decisions"),
                       gevent.spawn(self._run, self._work_once, "activities")]

    def request_stop(self) -> None:
        """No new polls; the caller then wakes pending ones (matching's shutdown)."""
        self._stopping = True

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        gevent.joinall(self._loops, timeout=timeout)
        gevent.killall([g for g in self._loops if not g.dead], block=False)
        if self._channel is not None:
            self._channel.close()

    def _run(self, once: Any, what: str) -> None:
        pause = PAUSE_S
        while not self._stopping:
            try:
                once()
                pause = PAUSE_S
            except Exception as exc:  # noqa: BLE001 - keep polling; the server retries
                if self._stopping:
                    return
                if pause == PAUSE_S:
                    log.exception("system worker: handling %s failed", what)
                else:
                    log.warning("system worker: handling %s failed again: %s", what, exc)
                gevent.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE_S)

    def _poll(self, method: str, request_type: str) -> Any:
        """One long poll of the task list; None when it ended empty or we are stopping."""
        shared, client = idl.shared(), self._client
        assert client is not None
        task = client.call(method, getattr(shared, request_type)(
            domain=SYSTEM_DOMAIN, taskList=shared.TaskList(name=dd.TASK_LIST),
            identity=self._identity), ttl_ms=POLL_TTL_MS)
        return task if task.taskToken and not self._stopping else None

    # ------------------------------------------------------------ decisions
    def _decide_once(self) -> None:
        shared, client = idl.shared(), self._client
        task = self._poll("PollForDecisionTask", "PollForDecisionTaskRequest")
        if task is None or client is None:
            return
        if task.query is not None:  # a query task: no handlers to answer it
            client.call("RespondQueryTaskCompleted", shared.RespondQueryTaskCompletedRequest(
                taskToken=task.taskToken, completedType=shared.QueryTaskCompletedType.FAILED,
                errorMessage=NO_QUERIES))
            return
        try:
            decisions = self._decisions(task)
        except Exception as exc:  # noqa: BLE001 - fail the task now, not at its timeout
            log.exception("system worker: deciding %s failed", task.workflowExecution.workflowId)
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

    def _decisions(self, task: Any) -> list[Any]:
        shared, client = idl.shared(), self._client
        assert client is not None
        if task.workflowType.name != dd.WORKFLOW_TYPE:
            return [dd.fail(dd.GENERIC_FAILURE,
                            f"unknown workflow type {task.workflowType.name}")]
        events = list(task.history.events if task.history else [])
        token = task.nextPageToken
        while token:  # the rest of a long history
            page = client.call("GetWorkflowExecutionHistory",
                               shared.GetWorkflowExecutionHistoryRequest(
                                   domain=SYSTEM_DOMAIN, execution=task.workflowExecution,
                                   nextPageToken=token))
            events += page.history.events or []
            token = page.nextPageToken
        return dd.decide(events, self._wait_s)

    # ----------------------------------------------------------- activities
    def _work_once(self) -> None:
        shared, client = idl.shared(), self._client
        task = self._poll("PollForActivityTask", "PollForActivityTaskRequest")
        if task is None or client is None:
            return
        try:
            result = dd.run_activity(client, task.activityType.name, task.input)
        except dd.ActivityFailure as failure:
            log.warning("system worker: activity %s of %s failed: %s %s",
                        task.activityType.name, task.workflowExecution.workflowId,
                        failure.reason, failure.details)
            client.call("RespondActivityTaskFailed", shared.RespondActivityTaskFailedRequest(
                taskToken=task.taskToken, reason=failure.reason,
                details=failure.details.encode(), identity=self._identity))
            return
        client.call("RespondActivityTaskCompleted", shared.RespondActivityTaskCompletedRequest(
            taskToken=task.taskToken, identity=self._identity,
            result=json.dumps(result).encode()))
