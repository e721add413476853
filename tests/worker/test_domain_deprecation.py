"""The domain deprecation workflow (cadence_py/worker), started the way Cadence CLI 1.4.1
starts it, run by the server's own worker role; and its decider on hand-made histories."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import gevent
import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.worker import domain_deprecation as dd
from tests.frontend.test_workflow_basics import history_types, start

SYSTEM = "cadence-system"


def start_deprecation(frontend: ThriftClient, shared: Any, domain: str) -> tuple[str, str]:
    """What `cadence --do <domain> domain deprecate` sends (CLI 1.4.1)."""
    workflow_id = f"domain-deprecation-{domain}-{uuid.uuid4()}"
    run_id = frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
        domain=SYSTEM, workflowId=workflow_id,
        workflowType=shared.WorkflowType(name="domain-deprecation-workflow"),
        taskList=shared.TaskList(name="domain-deprecation-tasklist"),
        input=json.dumps({"domain_name": domain, "security_token": ""}).encode(),
        executionStartToCloseTimeoutSeconds=2592000, taskStartToCloseTimeoutSeconds=300,
        requestId=str(uuid.uuid4()))).runId
    return workflow_id, run_id


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        gevent.sleep(0.1)


def test_deprecation_deprecates_and_terminates_open_workflows(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    domain = "going-" + uuid.uuid4().hex[:6]
    frontend.call("RegisterDomain", shared.RegisterDomainRequest(
        name=domain, workflowExecutionRetentionPeriodInDays=1))
    runs = [start(frontend, shared, domain, f"open-{i}")[0] for i in range(2)]
    window = shared.StartTimeFilter(earliestTime=0, latestTime=2**62)
    wait_for(lambda: len(frontend.call("ListOpenWorkflowExecutions",
                                       shared.ListOpenWorkflowExecutionsRequest(
                                           domain=domain, StartTimeFilter=window)).executions) == 2)
    workflow_id, run_id = start_deprecation(frontend, shared, domain)

    wait_for(lambda: frontend.call("DescribeDomain", shared.DescribeDomainRequest(
        name=domain)).domainInfo.status == shared.DomainStatus.DEPRECATED)
    for i, run in enumerate(runs):
        types, events = wait_for(lambda: (lambda h: h if h[0][-1] == "WorkflowExecutionTerminated"
                                          else None)(history_types(frontend, shared, domain,
                                                                   f"open-{i}", run)))
        attrs = events[-1].workflowExecutionTerminatedEventAttributes
        assert (attrs.reason, attrs.identity) == ("domain is deprecated",
                                                  "cadence-sys-batch-workflow")
    types, events = wait_for(lambda: (lambda h: h if "TimerStarted" in h[0] else None)(
        history_types(frontend, shared, SYSTEM, workflow_id, run_id)))
    scheduled = [e.activityTaskScheduledEventAttributes.activityType.name for e in events
                 if e.activityTaskScheduledEventAttributes]
    assert scheduled == ["disableArchival", "deprecateDomain", "cadence-sys-batch-activity"]
    assert types.count("ActivityTaskCompleted") == 3
    with pytest.raises(shared.QueryFailedError, match="no query handlers"):
        frontend.call("QueryWorkflow", shared.QueryWorkflowRequest(
            domain=SYSTEM, execution=shared.WorkflowExecution(workflowId=workflow_id),
            query=shared.WorkflowQuery(queryType="__stack_trace")), ttl_ms=20000)
    # It then waits 3 minutes for visibility before counting what is still open.
    described = frontend.call("DescribeWorkflowExecution", shared.DescribeWorkflowExecutionRequest(
        domain=SYSTEM, execution=shared.WorkflowExecution(workflowId=workflow_id)))
    assert described.workflowExecutionInfo.closeStatus is None  # waits for visibility


@pytest.mark.parametrize("domain, reason", [("never-registered", "domain does not exist"),
                                            ("cadence-system", "BadRequestError")])
def test_deprecating_a_missing_or_the_system_domain_fails_the_workflow(  # type: ignore[no-untyped-def]
        frontend, shared, domain, reason) -> None:
    workflow_id, run_id = start_deprecation(frontend, shared, domain)
    types, events = wait_for(lambda: (lambda h: h if h[0][-1] == "WorkflowExecutionFailed"
                                      else None)(history_types(frontend, shared, SYSTEM,
                                                               workflow_id, run_id)))
    assert "ActivityTaskFailed" in types  # at once: neither is retried
    assert events[-1].workflowExecutionFailedEventAttributes.reason == reason


# ------------------------------------------------------------------ the decider alone
def event(kind: str, event_id: int, **attrs: Any) -> Any:
    shared = idl.shared()
    field = kind[0].lower() + kind[1:] + "EventAttributes"
    return shared.HistoryEvent(eventId=event_id, eventType=getattr(shared.EventType, kind),
                               **{field: getattr(shared, f"{kind}EventAttributes")(**attrs)})


class History:
    def __init__(self) -> None:
        self.events = [event("WorkflowExecutionStarted", 1, input=b'{"domain_name": "d"}')]

    def add(self, kind: str, **attrs: Any) -> int:
        self.events.append(event(kind, len(self.events) + 1, **attrs))
        return len(self.events)

    def activity(self, name: str, result: Any) -> None:
        shared = idl.shared()
        scheduled = self.add("ActivityTaskScheduled", activityType=shared.ActivityType(name=name))
        self.add("ActivityTaskCompleted", scheduledEventId=scheduled,
                 result=json.dumps(result).encode())

    def next(self) -> Any:
        decisions = dd.decide(self.events, wait_s=7)
        assert len(decisions) == 1
        return decisions[0]


def test_the_decider_walks_the_steps_and_gives_up_after_three_rounds() -> None:
    shared = idl.shared()
    history = History()
    for name in ("disableArchival", "deprecateDomain"):
        decision = history.next()
        assert decision.scheduleActivityTaskDecisionAttributes.activityType.name == name
        assert decision.scheduleActivityTaskDecisionAttributes.input == b'{"domain_name": "d"}'
        history.activity(name, None)
    for round_ in range(3):
        assert history.next().scheduleActivityTaskDecisionAttributes.activityType.name == \
            "cadence-sys-batch-activity"
        history.activity("cadence-sys-batch-activity", 2)
        timer = history.next().startTimerDecisionAttributes
        assert timer.startToFireTimeoutSeconds == 7
        history.add("TimerStarted", timerId=timer.timerId)
        assert dd.decide(history.events) == []  # the timer is pending
        history.add("TimerFired", timerId=timer.timerId)
        assert history.next().scheduleActivityTaskDecisionAttributes.activityType.name == \
            "checkOpenWorkflows"
        history.activity("checkOpenWorkflows", True)  # some are still open
    failed = history.next()
    assert failed.decisionType == shared.DecisionType.FailWorkflowExecution
    assert failed.failWorkflowExecutionDecisionAttributes.details == \
        b"failed to terminate all workflows after 3 attempts"


def test_the_decider_completes_once_none_are_open_and_fails_on_a_failed_activity() -> None:
    shared = idl.shared()
    history = History()
    for name, result in (("disableArchival", None), ("deprecateDomain", None),
                         ("cadence-sys-batch-activity", 0)):
        history.activity(name, result)
    history.add("TimerStarted", timerId="t")
    history.add("TimerFired", timerId="t")
    history.activity("checkOpenWorkflows", False)
    assert history.next().decisionType == shared.DecisionType.CompleteWorkflowExecution

    failing = History()
    scheduled = failing.add("ActivityTaskScheduled",
                            activityType=shared.ActivityType(name="disableArchival"))
    assert dd.decide(failing.events) == []  # still running
    failing.add("ActivityTaskFailed", scheduledEventId=scheduled, reason="domain does not exist",
                details=b"")
    failed = failing.next().failWorkflowExecutionDecisionAttributes
    assert failed.reason == "domain does not exist"
