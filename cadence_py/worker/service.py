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

SYSTEM_DOMAIN = "cadence-system"
POLL_TTL_MS = 70_000  # the server answers an empty poll before this
RETRY_PAUSE_S = 1.0


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
        while not self._stopping:
            try:
                once()
            except Exception:  # noqa: BLE001 - keep polling; the server retries the task
                if self._stopping:
                    return
                log.exception("system worker: handling %s failed", what)
                gevent.sleep(RETRY_PAUSE_S)

    # ------------------------------------------------------------ decisions
    def _poll(self, method: str, request_type: str) -> Any:
        """One long poll of the task list; None when it ended empty or we are stopping."""
        shared, client = idl.shared(), self._client
        assert client is not None
        task = client.call(method, getattr(shared, request_type)(
            domain=SYSTEM_DOMAIN, taskList=shared.TaskList(name=dd.TASK_LIST),
            identity=self._identity), ttl_ms=POLL_TTL_MS)
        return task if task.taskToken and not self._stopping else None

    def _decide_once(self) -> None:
        shared, client = idl.shared(), self._client
        task = self._poll("PollForDecisionTask", "PollForDecisionTaskRequest")
        if task is None or client is None:
            return
        events = list(task.history.events if task.history else [])
        token = task.nextPageToken
        while token:  # the rest of a long history
            page = client.call("GetWorkflowExecutionHistory",
                               shared.GetWorkflowExecutionHistoryRequest(
                                   domain=SYSTEM_DOMAIN, execution=task.workflowExecution,
                                   nextPageToken=token))
            events += page.history.events or []
            token = page.nextPageToken
        if task.workflowType.name != dd.WORKFLOW_TYPE:
            client.call("RespondDecisionTaskFailed", shared.RespondDecisionTaskFailedRequest(
                taskToken=task.taskToken, cause=shared.DecisionTaskFailedCause.UNHANDLED_DECISION,
                identity=self._identity,
                details=f"unknown workflow type {task.workflowType.name}".encode()))
            return
        client.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
            taskToken=task.taskToken, identity=self._identity,
            decisions=dd.decide(events, self._wait_s)))

    # ----------------------------------------------------------- activities
    def _work_once(self) -> None:
        shared, client = idl.shared(), self._client
        task = self._poll("PollForActivityTask", "PollForActivityTaskRequest")
        if task is None or client is None:
            return
        activity = dd.ACTIVITIES.get(task.activityType.name)
        try:
            if activity is None:
                raise dd.ActivityFailure("unknown activity type", task.activityType.name)
            params = json.loads(task.input or b"{}")
            result = activity(client, params if isinstance(params, dict) else {})
        except dd.ActivityFailure as failure:
            self._fail(task, failure.reason, failure.details)
            return
        except Exception as exc:  # noqa: BLE001 - reported to the server, which retries
            reason = type(exc).__name__ if isinstance(exc, shared.AccessDeniedError) \
                else dd.GENERIC_FAILURE
            self._fail(task, reason, f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")
            return
        client.call("RespondActivityTaskCompleted", shared.RespondActivityTaskCompletedRequest(
            taskToken=task.taskToken, identity=self._identity,
            result=json.dumps(result).encode()))

    def _fail(self, task: Any, reason: str, details: str) -> None:
        shared, client = idl.shared(), self._client
        assert client is not None
        log.warning("system worker: activity %s of %s failed: %s %s", task.activityType.name,
                    task.workflowExecution.workflowId, reason, details)
        client.call("RespondActivityTaskFailed", shared.RespondActivityTaskFailedRequest(
            taskToken=task.taskToken, reason=reason, details=details.encode(),
            identity=self._identity))
