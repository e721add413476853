"""The real Cadence Java client (com.uber.cadence:cadence-client over TChannel) against cadence-py.

Our Java program ``cadence-py-java-e2e`` (tests/e2e/java) registers the domain unless it exists,
starts a worker on a fresh task list and runs hello world: the workflow calls one activity,
then waits for a signal that the program sends once a query has answered that the workflow is
waiting for it. The program prints one JSON line with the result, the query answer and the
event types of the final history; the tests check all three.

Java-specific wire behaviour this covers (docs: wire-protocol §9, §10): 30 s long-poll TTLs,
checksum type 0, ``as=thrift`` in responses, success vs exception by the call-res code byte
(DescribeDomain of a missing domain must reach the client as EntityNotExistsError), and the
sticky pollers the Java worker runs by default.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import require
from tests.harness import java_client
from tests.harness.java_client import Report
from tests.harness.server import ServerProcess

WES, WEC = "WorkflowExecutionStarted", "WorkflowExecutionCompleted"
SIGNALED = "WorkflowExecutionSignaled"
DECISION = ["DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted"]
ACTIVITY = ["ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted"]
# Upstream's history for this workflow; the query leaves no event.
HELLO_EVENTS = [WES, *DECISION, *ACTIVITY, *DECISION, SIGNALED, *DECISION, WEC]
ESSENTIAL = [WES, "ActivityTaskCompleted", SIGNALED, WEC]

RESULT = "Hello, cadence-py! Signal: from-java"
QUERY_ANSWER = "waiting for signal, greeting=Hello, cadence-py!"

Run = Callable[..., Report]


@pytest.fixture(scope="session")
def java_e2e_jar() -> Path:
    """cadence-py-java-e2e.jar built from tests/e2e/java (cached by source hash)."""
    path = java_client.jar_path()
    require(java_client.java_tool() is not None,
            "no java (JAVA_HOME or PATH) to run the Java client")
    if not path.exists():
        require(java_client.mvn_tool() is not None, "no mvn to build cadence-py-java-e2e")
        try:
            java_client.build()
        except (java_client.BuildError, OSError) as exc:
            require(False, f"cannot build cadence-py-java-e2e: {exc}")
    return path


@pytest.fixture
def java_run(java_e2e_jar: Path, server: ServerProcess) -> Run:
    """``java_run("--no-sticky", budget=60)``: one run of the program against ``server``."""
    domain = f"java-e2e-{uuid.uuid4().hex[:8]}"

    def run(*args: str, budget: float = 60) -> Report:
        return java_client.invoke(java_e2e_jar, server.address, *args, domain=domain,
                                  budget=budget)
    return run


def is_subsequence(expected: Sequence[str], events: Sequence[str]) -> bool:
    remaining = iter(events)
    return all(any(e == want for e in remaining) for want in expected)


def check_hello(report: Report) -> None:
    assert report.data, f"no JSON report\n{report.explain()}"
    assert report.code == 0 and report["ok"] is True, report.explain()
    assert report["error"] is None, report.explain()
    assert report["result"] == RESULT, report.explain()
    assert report["queryResult"] == QUERY_ANSWER, report.explain()
    events = report["events"]
    assert is_subsequence(ESSENTIAL, events), f"missing {ESSENTIAL} in order\n{report.explain()}"
    assert events == HELLO_EVENTS, report.explain()


@pytest.mark.parametrize("sticky", [True, False], ids=["sticky", "no-sticky"])
def test_hello_activity_signal_query(java_run: Run, sticky: bool) -> None:
    report = java_run(*([] if sticky else ["--no-sticky"]))
    check_hello(report)
    details = report["details"]
    assert details["stickyExecution"] is sticky
    # DescribeDomain answered EntityNotExistsError (code byte 0x01), then RegisterDomain.
    assert details["domainRegistered"] is True, report.explain()
    # The whole run is a few seconds; anything near a 30 s poll TTL means a poll hung.
    assert details["elapsedMs"] < 25_000, report.explain()


def test_second_run_reuses_the_domain(java_run: Run) -> None:
    first = java_run()
    check_hello(first)
    again = java_run()
    check_hello(again)
    assert again["details"]["domainRegistered"] is False, again.explain()
    assert again["details"]["runId"] != first["details"]["runId"]
