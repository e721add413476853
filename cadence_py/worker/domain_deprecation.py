"""The domain deprecation workflow that Cadence CLI 1.3.1+ starts for ``domain deprecate``.

The CLI no longer calls DeprecateDomain: it starts ``domain-deprecation-workflow`` in the
``cadence-system`` domain on ``domain-deprecation-tasklist`` with the JSON input
``{"domain_name": ..., "security_token": ...}``, and upstream's worker service runs it:

1. ``disableArchival``: describe the domain (a missing one fails the workflow, not
   retried) and turn history and visibility archival off if either is on;
2. ``deprecateDomain``: DeprecateDomain;
3. up to three rounds of: terminate every open workflow of the domain (reason "domain is
   deprecated"), wait for visibility to catch up (3 minutes), count the open ones
   (``checkOpenWorkflows``); done when none are left, failed after the third round.

Upstream runs step 3's terminations as a child batch workflow
(``cadence-sys-batch-workflow``); here they are one activity of the same workflow,
named after the batcher's activity (``cadence-sys-batch-activity``), so the history is
flatter but the effect is the same. Activities retry as upstream's (10 s doubling by
1.7 up to 5 min, for a day; "domain does not exist" and AccessDeniedError are final).

``decide`` is a pure function of the run's history, so a decision task that is lost or
retried decides the same again; ``ACTIVITIES`` does the work through the frontend API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cadence_py.persistence.domains import SYSTEM_DOMAIN_NAME
from cadence_py.rpc import ThriftClient, idl

SYSTEM_DOMAIN = SYSTEM_DOMAIN_NAME
WORKFLOW_TYPE = "domain-deprecation-workflow"
TASK_LIST = "domain-deprecation-tasklist"
DISABLE_ARCHIVAL = "disableArchival"
DEPRECATE_DOMAIN = "deprecateDomain"
TERMINATE_OPEN = "cadence-sys-batch-activity"
CHECK_OPEN = "checkOpenWorkflows"
DOMAIN_MISSING = "domain does not exist"
TERMINATE_REASON = "domain is deprecated"
BATCH_IDENTITY = "cadence-sys-batch-workflow"
OPEN_QUERY = "CloseTime = missing"
ROUNDS = 3
VISIBILITY_WAIT_S = 180  # upstream's VisibilityRefreshWaitTime
GENERIC_FAILURE = "cadenceInternal:Generic"
BAD_REQUEST = "BadRequestError"
ACCESS_DENIED = "AccessDeniedError"
# Final failures: retrying cannot help. Upstream's list has the first two; a bad request
# (e.g. the system domain itself, or input without a domain) is final here too.
NON_RETRIABLE = [DOMAIN_MISSING, ACCESS_DENIED, BAD_REQUEST]


class ActivityFailure(Exception):
    """An activity's failure reason (and details), as RespondActivityTaskFailed carries."""

    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


@dataclass
class Progress:
    """What the history says has happened so far."""

    completed: dict[str, list[bytes]]  # activity type -> results, in order
    failure: tuple[str, str] | None  # (reason, details) of a failed activity
    pending: bool  # an activity or timer is still outstanding
    timers_fired: int


def read_progress(events: list[Any]) -> Progress:
    shared = idl.shared()
    kinds = shared.EventType
    scheduled: dict[int, str] = {}
    open_ids: set[int] = set()
    completed: dict[str, list[bytes]] = {}
    failure = None
    timers_started = timers_fired = 0
    for event in events:
        kind = event.eventType
        if kind == kinds.ActivityTaskScheduled:
            attrs = event.activityTaskScheduledEventAttributes
            scheduled[event.eventId] = attrs.activityType.name
            open_ids.add(event.eventId)
        elif kind == kinds.ActivityTaskCompleted:
            attrs = event.activityTaskCompletedEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            completed.setdefault(scheduled[attrs.scheduledEventId], []).append(
                attrs.result or b"")
        elif kind == kinds.ActivityTaskFailed:
            attrs = event.activityTaskFailedEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            failure = (attrs.reason or GENERIC_FAILURE,
                       (attrs.details or b"").decode(errors="replace"))
        elif kind == kinds.ActivityTaskTimedOut:
            attrs = event.activityTaskTimedOutEventAttributes
            open_ids.discard(attrs.scheduledEventId)
            failure = ("cadenceInternal:Timeout", f"activity {scheduled[attrs.scheduledEventId]}"
                       " timed out")
        elif kind == kinds.TimerStarted:
            timers_started += 1
        elif kind == kinds.TimerFired:
            timers_fired += 1
    return Progress(completed, failure, bool(open_ids) or timers_started > timers_fired,
                    timers_fired)


def decide(events: list[Any], wait_s: int = VISIBILITY_WAIT_S) -> list[Any]:
    """The decisions for a run whose history is ``events``."""
    progress = read_progress(events)
    if progress.failure is not None:
        return [fail(*progress.failure)]
    if progress.pending:
        return []
    params = events[0].workflowExecutionStartedEventAttributes.input or b"{}"
    done = progress.completed
    for step in (DISABLE_ARCHIVAL, DEPRECATE_DOMAIN):
        if step not in done:
            return [_schedule(step, params, len(events))]
    terminated, checks = len(done.get(TERMINATE_OPEN, [])), done.get(CHECK_OPEN, [])
    if checks and json.loads(checks[-1] or b"false") is False:
        return [_complete()]
    if len(checks) >= ROUNDS:
        return [fail(GENERIC_FAILURE,
                      f"failed to terminate all workflows after {ROUNDS} attempts")]
    if terminated == len(checks):
        return [_schedule(TERMINATE_OPEN, params, len(events))]
    if progress.timers_fired < terminated:
        return [_timer(f"visibility-wait-{terminated}", wait_s)]
    return [_schedule(CHECK_OPEN, params, len(events))]


def _decision(kind: str, **attributes: Any) -> Any:
    shared = idl.shared()
    field = kind[0].lower() + kind[1:] + "DecisionAttributes"
    return shared.Decision(decisionType=getattr(shared.DecisionType, kind),
                           **{field: getattr(shared, f"{kind}DecisionAttributes")(**attributes)})


def _schedule(activity: str, params: bytes, event_count: int) -> Any:
    shared = idl.shared()
    retry = shared.RetryPolicy(initialIntervalInSeconds=10, backoffCoefficient=1.7,
                               maximumIntervalInSeconds=300, expirationIntervalInSeconds=86400,
                               nonRetriableErrorReasons=NON_RETRIABLE)
    return _decision("ScheduleActivityTask", activityId=str(event_count),
                     activityType=shared.ActivityType(name=activity),
                     taskList=shared.TaskList(name=TASK_LIST), input=params,
                     scheduleToStartTimeoutSeconds=300,
                     startToCloseTimeoutSeconds=300,
                     scheduleToCloseTimeoutSeconds=86400, retryPolicy=retry)


def _timer(timer_id: str, seconds: int) -> Any:
    return _decision("StartTimer", timerId=timer_id, startToFireTimeoutSeconds=seconds)


def _complete() -> Any:
    return _decision("CompleteWorkflowExecution", result=None)


def fail(reason: str, details: str) -> Any:
    return _decision("FailWorkflowExecution", reason=reason, details=details.encode())


# ------------------------------------------------------------------- activities
Activity = Callable[[ThriftClient, dict[str, Any]], Any]


def _describe(client: ThriftClient, name: str) -> Any:
    shared = idl.shared()
    try:
        return client.call("DescribeDomain", shared.DescribeDomainRequest(name=name))
    except shared.EntityNotExistsError:
        raise ActivityFailure(DOMAIN_MISSING) from None


def disable_archival(client: ThriftClient, params: dict[str, Any]) -> None:
    shared = idl.shared()
    name = params.get("domain_name", "")
    if name == SYSTEM_DOMAIN:  # it would refuse every later deprecation (and end this run)
        raise ActivityFailure(BAD_REQUEST, f"the system domain {SYSTEM_DOMAIN} stays")
    domain = _describe(client, name)
    disabled = shared.ArchivalStatus.DISABLED
    config = domain.configuration
    if config.historyArchivalStatus in (None, disabled) and \
            config.visibilityArchivalStatus in (None, disabled):
        return None
    client.call("UpdateDomain", shared.UpdateDomainRequest(
        name=name, securityToken=params.get("security_token") or None,
        configuration=shared.DomainConfiguration(historyArchivalStatus=disabled,
                                                 visibilityArchivalStatus=disabled)))
    return None


def deprecate_domain(client: ThriftClient, params: dict[str, Any]) -> None:
    client.call("DeprecateDomain", idl.shared().DeprecateDomainRequest(
        name=params.get("domain_name", ""), securityToken=params.get("security_token") or None))
    return None


def _open_workflows(client: ThriftClient, domain: str) -> list[Any]:
    shared = idl.shared()
    found: list[Any] = []
    token = None
    while True:
        page = client.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain=domain, pageSize=1000, nextPageToken=token, query=OPEN_QUERY))
        found += page.executions or []
        token = page.nextPageToken
        if not token:
            return found


def terminate_open_workflows(client: ThriftClient, params: dict[str, Any]) -> int:
    """Terminate the domain's open runs and their pending children; how many."""
    shared = idl.shared()
    domain = params.get("domain_name", "")
    _describe(client, domain)
    done = 0
    for info in _open_workflows(client, domain):
        targets = [(domain, info.execution)]
        try:
            described = client.call("DescribeWorkflowExecution",
                                    shared.DescribeWorkflowExecutionRequest(
                                        domain=domain, execution=info.execution))
            targets += [(child.domain or domain, shared.WorkflowExecution(
                workflowId=child.workflowID, runId=child.runID))
                for child in described.pendingChildren or []]
        except shared.EntityNotExistsError:
            continue
        for child_domain, execution in targets:
            if not execution.runId:
                continue  # a child not started yet: its id may name another run
            try:
                client.call("TerminateWorkflowExecution",
                            shared.TerminateWorkflowExecutionRequest(
                                domain=child_domain, workflowExecution=execution,
                                reason=TERMINATE_REASON, identity=BATCH_IDENTITY))
                done += 1
            except (shared.EntityNotExistsError,
                    shared.WorkflowExecutionAlreadyCompletedError):
                continue
    return done


def check_open_workflows(client: ThriftClient, params: dict[str, Any]) -> bool:
    count = client.call("CountWorkflowExecutions", idl.shared().CountWorkflowExecutionsRequest(
        domain=params.get("domain_name", ""), query=OPEN_QUERY)).count
    return bool(count)


ACTIVITIES: dict[str, Activity] = {
    DISABLE_ARCHIVAL: disable_archival,
    DEPRECATE_DOMAIN: deprecate_domain,
    TERMINATE_OPEN: terminate_open_workflows,
    CHECK_OPEN: check_open_workflows,
}


def run_activity(client: ThriftClient, name: str, data: bytes | None) -> Any:
    """Run one activity; its failures as ActivityFailure (reason and details)."""
    shared = idl.shared()
    activity = ACTIVITIES.get(name)
    if activity is None:
        raise ActivityFailure(BAD_REQUEST, f"unknown activity type {name}")
    try:
        params = json.loads(data or b"{}")
        if not isinstance(params, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        raise ActivityFailure(BAD_REQUEST, f"invalid input: {exc}") from None
    try:
        return activity(client, params)
    except ActivityFailure:
        raise
    except shared.EntityNotExistsError:
        raise ActivityFailure(DOMAIN_MISSING) from None
    except (shared.BadRequestError, shared.AccessDeniedError) as exc:
        raise ActivityFailure(type(exc).__name__, exc.message or "") from None
    except Exception as exc:  # noqa: BLE001 - the server retries it
        raise ActivityFailure(GENERIC_FAILURE,
                              f"{type(exc).__name__}: {getattr(exc, 'message', exc)}") from None

