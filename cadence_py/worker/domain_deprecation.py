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
1.7 up to 5 min, for a day; "domain does not exist" and AccessDeniedError are final, and
so is a bad request here, such as deprecating the system domain itself).

``decide`` is a pure function of the run's history, so a decision task that is lost or
retried decides the same again; ``ACTIVITIES`` does the work through the frontend API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cadence_py.persistence.domains import SYSTEM_DOMAIN_NAME
from cadence_py.rpc import idl
from cadence_py.worker import batcher
from cadence_py.worker import decisions as d
from cadence_py.worker.decisions import ActivityFailure, ActivityStopped

SYSTEM_DOMAIN = SYSTEM_DOMAIN_NAME
WORKFLOW_TYPE = "domain-deprecation-workflow"
TASK_LIST = "domain-deprecation-tasklist"
DISABLE_ARCHIVAL = "disableArchival"
DEPRECATE_DOMAIN = "deprecateDomain"
TERMINATE_OPEN = batcher.ACTIVITY
CHECK_OPEN = "checkOpenWorkflows"
DOMAIN_MISSING = "domain does not exist"
TERMINATE_REASON = "domain is deprecated"
OPEN_QUERY = "CloseTime = missing"
ROUNDS = 3
VISIBILITY_WAIT_S = 180  # upstream's VisibilityRefreshWaitTime
GENERIC_FAILURE = d.GENERIC_FAILURE
BAD_REQUEST = "BadRequestError"
ACCESS_DENIED = "AccessDeniedError"
# Final failures: retrying cannot help. Upstream's list has the first two; a bad request
# (e.g. the system domain itself, or input without a domain) is final here too.
NON_RETRIABLE = [DOMAIN_MISSING, ACCESS_DENIED, BAD_REQUEST]


def decide(events: list[Any], wait_s: int = VISIBILITY_WAIT_S) -> list[Any]:
    """The decisions for a run whose history is ``events``."""
    progress = d.read_progress(events)
    if progress.failure is not None:
        return [d.fail(*progress.failure)]
    if progress.pending:
        return []
    params = d.started_input(events)
    done = progress.completed
    for step in (DISABLE_ARCHIVAL, DEPRECATE_DOMAIN):
        if step not in done:
            return [_schedule(step, params, len(events))]
    terminated, checks = len(done.get(TERMINATE_OPEN, [])), done.get(CHECK_OPEN, [])
    if checks and json.loads(checks[-1] or b"false") is False:
        return [d.complete()]
    if len(checks) >= ROUNDS:
        return [d.fail(GENERIC_FAILURE,
                       f"failed to terminate all workflows after {ROUNDS} attempts")]
    if terminated == len(checks):
        return [_schedule(TERMINATE_OPEN, params, len(events))]
    if progress.timers_fired < terminated:
        return [d.timer(f"visibility-wait-{terminated}", wait_s)]
    return [_schedule(CHECK_OPEN, params, len(events))]


def _schedule(activity: str, params: bytes, event_count: int) -> Any:
    retry = idl.shared().RetryPolicy(
        initialIntervalInSeconds=10, backoffCoefficient=1.7, maximumIntervalInSeconds=300,
        expirationIntervalInSeconds=86400, nonRetriableErrorReasons=NON_RETRIABLE)
    return d.schedule(activity, TASK_LIST, params, str(event_count), start_to_close=300,
                      schedule_to_close=86400, retry=retry)


# ------------------------------------------------------------------- activities
Activity = Callable[[Any, dict[str, Any]], Any]  # (ActivityContext, params)


def _describe(client: Any, name: str) -> Any:
    shared = idl.shared()
    try:
        return client.call("DescribeDomain", shared.DescribeDomainRequest(name=name))
    except shared.EntityNotExistsError:
        raise ActivityFailure(DOMAIN_MISSING) from None


def disable_archival(ctx: Any, params: dict[str, Any]) -> None:
    shared, client = idl.shared(), ctx.client
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


def deprecate_domain(ctx: Any, params: dict[str, Any]) -> None:
    ctx.client.call("DeprecateDomain", idl.shared().DeprecateDomainRequest(
        name=params.get("domain_name", ""), securityToken=params.get("security_token") or None))
    return None


def terminate_open_workflows(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Upstream's child batch job, run in place: terminate the domain's open runs and
    their pending children."""
    return batcher.run(ctx, {"DomainName": params.get("domain_name", ""),
                             "Query": OPEN_QUERY, "Reason": TERMINATE_REASON,
                             "BatchType": "terminate",
                             "TerminateParams": {"TerminateChildren": True}})


def check_open_workflows(ctx: Any, params: dict[str, Any]) -> bool:
    count = ctx.client.call("CountWorkflowExecutions", idl.shared().CountWorkflowExecutionsRequest(
        domain=params.get("domain_name", ""), query=OPEN_QUERY)).count
    return bool(count)


ACTIVITIES: dict[str, Activity] = {
    DISABLE_ARCHIVAL: disable_archival,
    DEPRECATE_DOMAIN: deprecate_domain,
    TERMINATE_OPEN: terminate_open_workflows,
    CHECK_OPEN: check_open_workflows,
}


def run_activity(ctx: Any, name: str, data: bytes | None) -> Any:
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
        return activity(ctx, params)
    except (ActivityFailure, ActivityStopped):
        raise
    except shared.EntityNotExistsError:
        raise ActivityFailure(DOMAIN_MISSING) from None
    except (shared.BadRequestError, shared.AccessDeniedError) as exc:
        raise ActivityFailure(type(exc).__name__, exc.message or "") from None
    except Exception as exc:  # noqa: BLE001 - the server retries it
        raise ActivityFailure(GENERIC_FAILURE,
                              f"{type(exc).__name__}: {getattr(exc, 'message', exc)}") from None

