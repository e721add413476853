"""Batch jobs: ``cadence workflow batch start|describe|list|terminate`` (upstream's batcher).

The CLI counts the matching runs, asks, and starts ``cadence-sys-batch-workflow`` in the
``cadence-batcher`` domain on ``cadence-sys-batcher-tasklist`` with ``BatchParams`` as JSON
(Go field names: ``DomainName``, ``Query``, ``Reason``, ``BatchType``, ``TerminateParams``
..., ``RPS``, ``Concurrency``, ``PageSize``, ``AttemptsOnRetryableError``,
``ActivityHeartBeatTimeout`` in nanoseconds, ``MaxActivityRetries``), the reason in the
memo and ``CustomDomain`` / ``Operator`` as search attributes (that is how ``batch list``
finds a domain's jobs). The workflow runs one activity, ``cadence-sys-batch-activity``:

* scan the query's runs page by page (``ScanWorkflowExecutions``), and apply the
  operation to each, ``Concurrency`` at a time and at most ``RPS`` per second:
  terminate, cancel (with children when asked) or signal; a run that is gone counts as
  done, other failures are retried up to ``AttemptsOnRetryableError`` times and then
  counted as errors (a run that already completed counts as an error at once: retrying
  it cannot help, where upstream retries it);
* after each page, heartbeat the progress (``HeartBeatDetails``: ``PageToken``,
  ``CurrentPage``, ``TotalEstimate``, ``SuccessCount``, ``ErrorCount``, ``RPS``,
  ``Concurrency``), which ``batch describe`` shows and a retried attempt resumes from.

The job's result is the final progress. ``replicate`` needs another cluster and fails.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any, Callable

import gevent
from gevent.pool import Pool

from cadence_py.rpc import ThriftClient, idl
from cadence_py.worker import decisions as d

DOMAIN = "cadence-batcher"
DOMAIN_ID = "3116607e-419b-4783-85fc-47726a4c3fe9"
TASK_LIST = "cadence-sys-batcher-tasklist"
WORKFLOW_TYPE = "cadence-sys-batch-workflow"
ACTIVITY = "cadence-sys-batch-activity"
IDENTITY = "cadence-sys-batch-workflow"
NON_RETRIABLE = "non-retriable-error"
INFINITE_S = 20 * 365 * 24 * 3600
BATCH_TYPES = ("terminate", "cancel", "signal", "replicate")
DEFAULTS = {"RPS": 50, "Concurrency": 5, "PageSize": 1000, "AttemptsOnRetryableError": 50,
            "ActivityHeartBeatTimeout": 10 * 10**9}


def params_problem(params: dict[str, Any]) -> str | None:
    """Upstream's validation of BatchParams, with its messages."""
    if not all(params.get(k) for k in ("BatchType", "Reason", "DomainName", "Query")):
        return "must provide required parameters: BatchType/Reason/DomainName/Query"
    for key in ("TerminateParams", "CancelParams", "SignalParams", "ReplicateParams"):
        if params.get(key) is not None and not isinstance(params[key], dict):
            return f"invalid params: {key} must be an object"
    for key in (*DEFAULTS, "MaxActivityRetries"):
        value = params.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return f"invalid params: {key} must be an integer"
    kind = params["BatchType"]
    if kind == "signal" and not (params.get("SignalParams") or {}).get("SignalName"):
        return "must provide signal name"
    if kind == "replicate":
        replicate = params.get("ReplicateParams") or {}
        if not replicate.get("SourceCluster"):
            return "must provide source cluster"
        if not replicate.get("TargetCluster"):
            return "must provide target cluster"
    if kind not in BATCH_TYPES:
        return f"not supported batch type: {kind}"
    return None


def with_defaults(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key, value in DEFAULTS.items():
        if not isinstance(out.get(key), (int, float)) or out[key] <= 0:
            out[key] = value
    if not isinstance(out.get("MaxActivityRetries"), int) or out["MaxActivityRetries"] < 0:
        out["MaxActivityRetries"] = 4  # 0 stays 0: unlimited
    terminate = dict(out.get("TerminateParams") or {})
    if terminate.get("TerminateChildren") is None:
        terminate["TerminateChildren"] = True
    out["TerminateParams"] = terminate
    return out


def decide(events: list[Any]) -> list[Any]:
    progress = d.read_progress(events)
    if progress.failure is not None:
        return [d.fail(*progress.failure)]
    if progress.pending:
        return []
    if ACTIVITY in progress.completed:
        return [d.complete(progress.completed[ACTIVITY][-1])]
    try:
        params = json.loads(d.started_input(events))
        problem = params_problem(params) if isinstance(params, dict) else "invalid params"
        if not problem:
            params = with_defaults(params)
    except Exception as exc:  # noqa: BLE001 - whatever the input, the job must end
        problem = f"invalid params: {exc}"
    if problem:  # final: the CLI's retry policy would start it again and again
        return [d.fail(NON_RETRIABLE, problem)]
    shared = idl.shared()
    retry = shared.RetryPolicy(initialIntervalInSeconds=10, backoffCoefficient=1.7,
                               maximumIntervalInSeconds=300,
                               expirationIntervalInSeconds=INFINITE_S,
                               maximumAttempts=params["MaxActivityRetries"],
                               nonRetriableErrorReasons=[NON_RETRIABLE])
    heartbeat = min(max(1, int(params["ActivityHeartBeatTimeout"]) // 10**9), INFINITE_S)
    return [d.schedule(ACTIVITY, TASK_LIST, json.dumps(params).encode(), str(len(events)),
                       start_to_close=INFINITE_S, schedule_to_close=INFINITE_S, retry=retry,
                       heartbeat=heartbeat)]


# ------------------------------------------------------------------ the activity
class RateLimiter:
    """At most ``rate`` acquisitions per second, spread evenly, shared by greenlets."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = time.monotonic()

    def wait(self) -> None:
        now = time.monotonic()
        slot = max(self.next, now)
        self.next = slot + self.interval
        if slot > now:
            gevent.sleep(slot - now)


def operation(client: ThriftClient, kind: str, params: dict[str, Any],
              identity: str = IDENTITY) -> tuple[Callable[[str, Any], None], bool]:
    """(apply to one run, whether to follow its pending children) for a batch type."""
    shared = idl.shared()
    reason = params.get("Reason", "")
    if kind == "terminate":
        return (lambda domain, execution: client.call(
            "TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
                domain=domain, workflowExecution=execution, reason=reason,
                identity=identity)),
            bool((params.get("TerminateParams") or {}).get("TerminateChildren")))
    if kind == "cancel":
        return (lambda domain, execution: client.call(
            "RequestCancelWorkflowExecution", shared.RequestCancelWorkflowExecutionRequest(
                domain=domain, workflowExecution=execution, identity=identity,
                requestId=str(uuid.uuid4()))),
            bool((params.get("CancelParams") or {}).get("CancelChildren")))
    if kind == "signal":
        signal = params.get("SignalParams") or {}
        return (lambda domain, execution: client.call(
            "SignalWorkflowExecution", shared.SignalWorkflowExecutionRequest(
                domain=domain, workflowExecution=execution, identity=identity,
                requestId=str(uuid.uuid4()), signalName=signal.get("SignalName"),
                input=(signal.get("Input") or "").encode())), False)
    raise d.ActivityFailure(NON_RETRIABLE, f"batch type {kind} needs another cluster; "
                                           "this one runs alone")


def apply(client: ThriftClient, domain: str, execution: Any,
          act: Callable[[str, Any], None], children: bool,
          pace: Callable[[], None] = lambda: None) -> None:
    """Act on one run, then on its pending children (and theirs) when asked, ``pace``
    before each. A run that is gone is skipped, as upstream's batcher skips it; so is a
    child that closed meanwhile (its parent's close policy may have ended it). A top
    run that already completed raises WorkflowExecutionAlreadyCompletedError."""
    shared = idl.shared()
    queue = [(domain, execution, True)]
    while queue:
        target_domain, target, top = queue.pop()
        pace()
        try:
            act(target_domain, target)
        except shared.EntityNotExistsError:
            continue
        except shared.WorkflowExecutionAlreadyCompletedError:
            if top:
                raise
            continue
        if not children:
            continue
        try:
            described = client.call("DescribeWorkflowExecution",
                                    shared.DescribeWorkflowExecutionRequest(
                                        domain=target_domain, execution=target))
        except shared.EntityNotExistsError:
            continue
        queue += [(child.domain or target_domain, shared.WorkflowExecution(
            workflowId=child.workflowID, runId=child.runID), False)
            for child in described.pendingChildren or [] if child.runID]


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The batch activity (see the module doc); ``ctx`` heartbeats and holds the details
    of an earlier attempt, which this one resumes from."""
    shared, client = idl.shared(), ctx.client
    params = with_defaults(params)
    domain, query = params["DomainName"], params["Query"]
    act, children = operation(client, params["BatchType"], params)
    progress = json.loads(ctx.details) if ctx.details else None
    with ctx.keep_alive(lambda: progress):
        client.call("DescribeDomain", shared.DescribeDomainRequest(name=domain))
        if not isinstance(progress, dict):
            total = client.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
                domain=domain, query=query)).count
            progress = {"PageToken": None, "CurrentPage": 0, "TotalEstimate": total or 0,
                        "SuccessCount": 0, "ErrorCount": 0, "RPS": 0, "Concurrency": 0}
        limiter = RateLimiter(params["RPS"])
        attempts = int(params["AttemptsOnRetryableError"])

        def one(execution: Any) -> bool:
            for attempt in range(1, attempts + 1):
                ctx.check()
                try:
                    apply(client, domain, execution, act, children, limiter.wait)
                    return True
                except shared.WorkflowExecutionAlreadyCompletedError:
                    return False  # retrying cannot help (upstream retries it anyway)
                except Exception:  # noqa: BLE001 - counted once the attempts run out
                    if attempt == attempts:
                        return False
            return False

        pool = Pool(int(params["Concurrency"]))
        try:
            while True:
                token = progress["PageToken"]
                page = client.call("ScanWorkflowExecutions",
                                   shared.ListWorkflowExecutionsRequest(
                                       domain=domain, pageSize=int(params["PageSize"]),
                                       query=query,
                                       nextPageToken=base64.b64decode(token) if token else None))
                executions = [info.execution for info in page.executions or []]
                if not executions:
                    break
                results = pool.map(one, executions)
                ctx.check()
                next_token = page.nextPageToken
                progress = dict(progress, CurrentPage=progress["CurrentPage"] + 1,
                                SuccessCount=progress["SuccessCount"] + sum(results),
                                ErrorCount=progress["ErrorCount"] + len(results) - sum(results),
                                PageToken=base64.b64encode(next_token).decode()
                                if next_token else None)
                ctx.heartbeat(progress)
                if not next_token:
                    break
        finally:
            pool.kill()
    return progress


def run_activity(ctx: Any, name: str, data: bytes | None) -> Any:
    if name != ACTIVITY:
        raise d.ActivityFailure(NON_RETRIABLE, f"unknown activity type {name}")
    try:
        params = json.loads(data or b"{}")
    except ValueError as exc:
        raise d.ActivityFailure(NON_RETRIABLE, f"invalid params: {exc}") from None
    try:
        return run(ctx, params)
    except (d.ActivityFailure, d.ActivityStopped):
        raise
    except Exception as exc:  # noqa: BLE001 - the server retries it
        raise d.ActivityFailure(d.GENERIC_FAILURE,
                                f"{type(exc).__name__}: {getattr(exc, 'message', exc)}") from None
