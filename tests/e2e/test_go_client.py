"""The real Cadence Go client (go.uber.org/cadence over TChannel) against cadence-py.

Each test runs one scenario of our Go program ``cadence-py-e2e`` (tests/e2e/go): it starts a
worker on a fresh task list, starts the scenario's workflow, drives it, waits for the outcome and
prints one JSON line with the result and the event types of the history. The tests check both.

Expected histories are the upstream Cadence server's. Where the order of some events depends on
timing (e.g. a child completing while the parent's decision is in flight) only the essential
subsequence is asserted.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import require
from tests.harness import go_client
from tests.harness.go_client import Report
from tests.harness.server import ServerProcess

# Event type names, as the Go client prints them.
WES = "WorkflowExecutionStarted"
WEC = "WorkflowExecutionCompleted"
DTS, DTST, DTC, DTF = ("DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
                       "DecisionTaskFailed")
ATS, ATST, ATC = "ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"
DECISION = [DTS, DTST, DTC]
FIRST_DECISION = [WES, *DECISION]

HELLO_EVENTS = [*FIRST_DECISION, ATS, ATST, ATC, *DECISION, WEC]
SIGNALLED_EVENTS = [*FIRST_DECISION, "WorkflowExecutionSignaled", *DECISION, WEC]
CONTINUED_RUN = [*FIRST_DECISION, "WorkflowExecutionContinuedAsNew"]

Run = Callable[..., Report]


@pytest.fixture(scope="session")
def go_e2e_bin() -> Path:
    """cadence-py-e2e built from tests/e2e/go (cached by source hash)."""
    path = go_client.binary_path()
    if not path.exists():
        require(go_client.go_tool() is not None, "no Go toolchain to build cadence-py-e2e")
        try:
            go_client.build()
        except subprocess.CalledProcessError as exc:
            require(False, f"cannot build cadence-py-e2e: {exc}")
    return path


@pytest.fixture
def go_run(go_e2e_bin: Path, server: ServerProcess) -> Run:
    """``go_run("run", "hello", budget=30)``: one invocation against ``server``."""
    domain = f"go-e2e-{uuid.uuid4().hex[:8]}"

    def run(*args: str, budget: float = 60, flags: Sequence[str] = ()) -> Report:
        return go_client.invoke(go_e2e_bin, server.address, *args, domain=domain, budget=budget,
                                extra_flags=tuple(flags))
    return run


def scenario(go_run: Run, name: str, budget: float = 45, flags: Sequence[str] = ()) -> Report:
    report = go_run("run", name, budget=budget, flags=flags)
    assert report.data, f"no JSON report\n{report.explain()}"
    assert report["scenario"] == name
    assert report.code == 0 and report["ok"], report.explain()
    return report


def is_subsequence(expected: Sequence[str], events: Sequence[str]) -> bool:
    remaining = iter(events)
    return all(any(e == want for e in remaining) for want in expected)


def assert_events(report: Report, exact: Sequence[str] | None = None,
                  essential: Sequence[str] = (), events: Sequence[str] | None = None) -> None:
    events = report["events"] if events is None else events
    if exact is not None:
        assert list(events) == list(exact), report.explain()
    assert is_subsequence(essential, events), (
        f"missing essential events {essential} in {events}\n{report.explain()}")


# ---------------------------------------------------------------- works today

def test_register_and_describe_domain(go_run: Run) -> None:
    """RegisterDomain and DescribeDomain through the Go client's DomainClient."""
    first = go_run("register-domain", "--retention-days", "2", "--description", "go smoke",
                   budget=20)
    assert first.code == 0 and first["ok"], first.explain()
    assert first["details"]["alreadyRegistered"] is False
    desc = first["result"]
    assert desc["name"] == first["domain"]
    assert desc["status"] == "REGISTERED"
    assert desc["retentionDays"] == 2
    assert desc["description"] == "go smoke"
    assert desc["isGlobalDomain"] is False
    assert desc["activeClusterName"] == "cluster0"
    assert first["firstRpcs"] == ["WorkflowService::RegisterDomain",
                                  "WorkflowService::DescribeDomain"]

    again = go_run("register-domain", budget=20)
    assert again.code == 0 and again["ok"], again.explain()
    assert again["details"]["alreadyRegistered"] is True
    assert again["result"]["retentionDays"] == 2  # unchanged by the second register

    described = go_run("describe-domain", budget=20)
    assert described.code == 0, described.explain()
    assert described["result"]["uuid"] == desc["uuid"]


def test_describe_missing_domain_fails_fast(go_run: Run) -> None:
    report = go_run("describe-domain", budget=20)
    assert report.code == 1 and report["ok"] is False, report.explain()
    assert "EntityNotExistsError" in report["error"]
    assert report["elapsedMs"] < 10_000


# ---------------------------------------------------------------- issue 3

def test_hello_activity(go_run: Run) -> None:
    report = scenario(go_run, "hello")
    assert report["result"] == "Hello, cadence-py!"
    assert_events(report, exact=HELLO_EVENTS)


def test_signal(go_run: Run) -> None:
    report = scenario(go_run, "signal")
    assert report["result"] == "received: hello-signal"
    assert_events(report, exact=SIGNALLED_EVENTS)


def test_timer(go_run: Run) -> None:
    report = scenario(go_run, "timer")
    assert report["result"] >= 2000  # workflow clock, from the decision events' timestamps
    assert report["details"]["timerStartToFireTimeoutSeconds"] == 2
    assert_events(report, exact=[*FIRST_DECISION, "TimerStarted", "TimerFired", *DECISION, WEC])


def test_activity_retry(go_run: Run) -> None:
    report = scenario(go_run, "retry")
    assert report["result"] == "succeeded on attempt 2"
    # Attempts of a retrying activity are not in the history; the started event of the
    # successful attempt carries its number.
    assert_events(report, exact=HELLO_EVENTS)
    assert report["details"]["activityStartedAttempt"] == 2
    assert report["details"]["retryPolicyMaximumAttempts"] == 5


def test_heartbeating_activity_cancelled(go_run: Run) -> None:
    report = scenario(go_run, "heartbeat-cancel")
    assert report["result"] == "activity cancelled"
    assert report["details"]["activityObservedCancel"] is True
    # The program signals once the activity heartbeats; the workflow then cancels it.
    assert_events(report, exact=[*FIRST_DECISION, ATS, ATST, "WorkflowExecutionSignaled",
                                 *DECISION, "ActivityTaskCancelRequested",
                                 "ActivityTaskCanceled", *DECISION, WEC])


def test_heartbeat_timeout(go_run: Run) -> None:
    report = scenario(go_run, "heartbeat-timeout")
    assert report["result"] == 'timeout HEARTBEAT, last heartbeat "progress-1"'
    assert report["details"]["timeoutType"] == "HEARTBEAT"
    assert_events(report, exact=[*FIRST_DECISION, ATS, ATST, "ActivityTaskTimedOut", *DECISION,
                                 WEC])


def test_child_workflow(go_run: Run) -> None:
    report = scenario(go_run, "child")
    assert report["result"] == "child said: hi parent"
    # The child may complete before the parent's second decision is scheduled, between its
    # scheduling and its start (the event goes straight into history, as upstream), or
    # while it runs (buffered, then the third decision).
    assert report["events"][:4] == FIRST_DECISION, report.explain()
    assert_events(report, essential=["StartChildWorkflowExecutionInitiated",
                                     "ChildWorkflowExecutionStarted", "DecisionTaskScheduled",
                                     "DecisionTaskStarted", "DecisionTaskCompleted", WEC])
    assert_events(report, essential=["ChildWorkflowExecutionStarted",
                                     "ChildWorkflowExecutionCompleted", "DecisionTaskStarted",
                                     "DecisionTaskCompleted", WEC])
    assert report["events"][-1] == WEC
    assert report["details"]["childEvents"] == [*FIRST_DECISION, WEC]
    assert report["details"]["childParentWorkflowId"] == report["workflowId"]


def test_continue_as_new_three_times(go_run: Run) -> None:
    report = scenario(go_run, "continue-as-new")
    assert report["result"] == "done after 3 continue-as-new"
    runs = report["runs"]
    assert [r["events"] for r in runs] == [CONTINUED_RUN] * 3 + [[*FIRST_DECISION, WEC]]
    assert len({r["runId"] for r in runs}) == 4
    assert runs[0]["runId"] == report["runId"]
    assert report["events"] == [*FIRST_DECISION, WEC]


def test_cron_runs_twice(go_run: Run) -> None:
    report = scenario(go_run, "cron", budget=60)
    # Run n hands its result to run n+1 as lastCompletionResult.
    assert report["result"] == [1, 2]
    runs = report["runs"]
    assert len(runs) == 3, report.explain()
    # A cron run closes by continuing as new (initiator CronSchedule); the program terminates
    # the third run while it waits for its schedule.
    assert runs[0]["events"] == CONTINUED_RUN
    assert runs[1]["events"] == CONTINUED_RUN
    assert runs[2]["events"][0] == WES and runs[2]["events"][-1] == "WorkflowExecutionTerminated"
    assert report["details"]["run1Initiator"] == "CronSchedule"
    assert report["details"]["run2Initiator"] == "CronSchedule"


def test_local_activity(go_run: Run) -> None:
    report = scenario(go_run, "local-activity")
    assert report["result"] == "Hello from a local activity, cadence-py!"
    assert_events(report, exact=[*FIRST_DECISION, "MarkerRecorded", WEC])


def test_query_and_stack_trace(go_run: Run) -> None:
    report = scenario(go_run, "query")
    assert report["details"]["queryResult"] == "waiting for greeting"
    assert report["details"]["stackTraceMentionsWorkflow"] is True
    assert report["result"] == "query workflow got: finish"
    assert_events(report, exact=SIGNALLED_EVENTS)  # queries leave no events


def test_signal_with_start(go_run: Run) -> None:
    report = scenario(go_run, "signal-with-start")
    assert report["result"] == "received: hello-sws"
    assert_events(report, exact=[WES, "WorkflowExecutionSignaled", *DECISION, WEC])


def test_cancel_workflow(go_run: Run) -> None:
    report = scenario(go_run, "cancel")
    assert report["result"] == "cancelled"
    # Upstream: WES DTS DTSt DTC TimerStarted WorkflowExecutionCancelRequested DTS DTSt DTC
    #           TimerCanceled WorkflowExecutionCanceled
    assert_events(report, essential=[*FIRST_DECISION, "TimerStarted",
                                     "WorkflowExecutionCancelRequested", *DECISION,
                                     "WorkflowExecutionCanceled"])
    assert report["events"][-1] == "WorkflowExecutionCanceled"


def test_terminate_workflow(go_run: Run) -> None:
    report = scenario(go_run, "terminate")
    assert report["result"] == "terminated"
    assert report["details"]["terminateReason"] == "e2e terminate"
    assert_events(report, exact=[*FIRST_DECISION, "WorkflowExecutionTerminated"])


def test_panic_then_worker_fix(go_run: Run) -> None:
    report = scenario(go_run, "panic-recover")
    assert report["result"] == "recovered after the fix"
    assert report["details"]["decisionFailedCause"] == "WORKFLOW_WORKER_UNHANDLED_FAILURE"
    assert report["details"]["failureMentionsPanic"] is True
    # Only the first failure is recorded; retried (transient) decisions that fail or time out
    # leave no events until one completes.
    assert_events(report, exact=[WES, DTS, DTST, DTF, *DECISION, WEC])


def test_fifty_parallel_workflows_sticky(go_run: Run) -> None:
    # ~15 s on SQLite on the 2-core machine.
    report = scenario(go_run, "parallel-50", budget=240)
    assert report["result"] == {"completed": 50, "failed": 0}
    details = report["details"]
    # 3 decisions each; after the first, they go to the worker's sticky task list. On a
    # loaded machine a sticky task can miss its 5 s schedule-to-start timeout and fall
    # back to the normal list (DecisionTaskTimedOut + a new DecisionTaskScheduled), as
    # upstream does; so most, not all, must be sticky, and the event sequence is either
    # the plain one or that plus fallbacks.
    assert details["decisionTasks"] >= 150
    assert details["stickyDecisionTasks"] >= 50
    if details["distinctEventSequences"] == 1:
        assert_events(report, exact=[*FIRST_DECISION, ATS, ATST, ATC, *DECISION, ATS, ATST,
                                     ATC, *DECISION, WEC])


# ---------------------------------------------------------------- issue 4

@pytest.mark.parametrize("backend", ["es", "sqlite"])  # Elasticsearch, main-store fallback
def test_upserted_search_attributes_find_the_workflow(go_run: Run, backend: str) -> None:
    """UpsertSearchAttributes plus start-time search attributes; ListWorkflow and
    CountWorkflow find the run by them while it is open and once it completed."""
    report = scenario(go_run, "search-attributes")
    details = report["details"]
    assert report["result"] == f"found by: {details['query']}"
    assert_events(report, exact=[*FIRST_DECISION, "UpsertWorkflowSearchAttributes",
                                 "WorkflowExecutionSignaled", *DECISION, WEC])
    keyword = details["query"].split("'")[1]
    upserted = {"CustomKeywordField": keyword, "CustomIntField": 7}
    at_start = {"CustomBoolField": True, "CustomDoubleField": 2.5,
                "CustomStringField": "started by the go e2e program"}
    assert details["upsertedSearchAttributes"] == upserted
    assert details["startedSearchAttributes"] == at_start
    # The listed run carries both sets, open and closed.
    assert details["listedRunId"] == details["closedRunId"] == report["runId"]
    assert details["listedType"] == "e2e.SearchAttributes" and details["listedOpen"] is True
    assert details["listedSearchAttributes"] == {**at_start, **upserted}
    assert details["closedSearchAttributes"] == {**at_start, **upserted}
    assert details["counts"] == {"open": 1, "startTime": 1, "intTooLow": 0,
                                 "otherKeyword": 0, "closed": 1}
