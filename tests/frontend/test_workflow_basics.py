"""A workflow driven by a hand-written worker over the real TChannel/Thrift path."""

from __future__ import annotations

import time
import uuid

import gevent
import pytest

from cadence_py.rpc import ThriftClient


@pytest.fixture
def domain(frontend, shared) -> str:  # type: ignore[no-untyped-def]
    name = "wf-" + uuid.uuid4().hex[:8]
    frontend.call("RegisterDomain", shared.RegisterDomainRequest(
        name=name, workflowExecutionRetentionPeriodInDays=1))
    return name


def start(frontend, shared, domain, workflow_id="wf1", **extra):  # type: ignore[no-untyped-def]
    request = shared.StartWorkflowExecutionRequest(
        domain=domain, workflowId=workflow_id, workflowType=shared.WorkflowType(name="hello"),
        taskList=shared.TaskList(name="tl"), input=b'"world"',
        executionStartToCloseTimeoutSeconds=60, taskStartToCloseTimeoutSeconds=10,
        identity="test", requestId=str(uuid.uuid4()), **extra)
    return frontend.call("StartWorkflowExecution", request).runId, request


def poll_decision(frontend, shared, domain):  # type: ignore[no-untyped-def]
    return frontend.call("PollForDecisionTask", shared.PollForDecisionTaskRequest(
        domain=domain, taskList=shared.TaskList(name="tl"), identity="worker"), ttl_ms=5000)


def poll_activity(frontend, shared, domain):  # type: ignore[no-untyped-def]
    return frontend.call("PollForActivityTask", shared.PollForActivityTaskRequest(
        domain=domain, taskList=shared.TaskList(name="tl"), identity="worker"), ttl_ms=5000)


def history_types(frontend, shared, domain, workflow_id, run_id):  # type: ignore[no-untyped-def]
    page = frontend.call("GetWorkflowExecutionHistory", shared.GetWorkflowExecutionHistoryRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId=workflow_id, runId=run_id)))
    names = shared.EventType._VALUES_TO_NAMES
    return [names[e.eventType] for e in page.history.events], page.history.events


def decision(shared, kind: str, **attrs):  # type: ignore[no-untyped-def]
    field = kind[0].lower() + kind[1:] + "DecisionAttributes"
    return shared.Decision(decisionType=getattr(shared.DecisionType, kind),
                           **{field: getattr(shared, f"{kind}DecisionAttributes")(**attrs)})


def test_hello_world_with_one_activity(frontend: ThriftClient, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, _ = start(frontend, shared, domain)
    task = poll_decision(frontend, shared, domain)
    assert task.taskToken and task.workflowExecution.runId == run_id
    assert [e.eventId for e in task.history.events] == [1, 2, 3]
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker", decisions=[decision(
            shared, "ScheduleActivityTask", activityId="0",
            activityType=shared.ActivityType(name="greet"), taskList=shared.TaskList(name="tl"),
            input=b"world", scheduleToCloseTimeoutSeconds=30, startToCloseTimeoutSeconds=20)]))
    activity = poll_activity(frontend, shared, domain)
    assert activity.activityType.name == "greet" and activity.input == b"world"
    frontend.call("RespondActivityTaskCompleted", shared.RespondActivityTaskCompletedRequest(
        taskToken=activity.taskToken, result=b"hello world", identity="worker"))
    task = poll_decision(frontend, shared, domain)
    assert task.previousStartedEventId == 3
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker", decisions=[decision(
            shared, "CompleteWorkflowExecution", result=b"hello world")]))
    types, events = history_types(frontend, shared, domain, "wf1", run_id)
    assert types == [
        "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
        "DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted",
        "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
        "DecisionTaskCompleted", "WorkflowExecutionCompleted"]
    assert [e.eventId for e in events] == list(range(1, 12))
    assert events[-1].workflowExecutionCompletedEventAttributes.result == b"hello world"
    described = frontend.call("DescribeWorkflowExecution", shared.DescribeWorkflowExecutionRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId="wf1")))
    assert described.workflowExecutionInfo.closeStatus == shared.WorkflowExecutionCloseStatus.COMPLETED
    assert described.workflowExecutionInfo.historyLength == 11


def test_activity_local_dispatch(frontend: ThriftClient, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """requestLocalDispatch (what the Go worker sets when it has a free activity slot): the
    activity starts with the decision's completion, its ActivityTaskStarted in the same
    batch, and the response carries its task token; no task goes to the task list."""
    run_id, _ = start(frontend, shared, domain, "lda")
    task = poll_decision(frontend, shared, domain)
    response = frontend.call("RespondDecisionTaskCompleted",
                             shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker-1", decisions=[decision(
            shared, "ScheduleActivityTask", activityId="a1",
            activityType=shared.ActivityType(name="greet"), taskList=shared.TaskList(name="tl"),
            input=b"world", scheduleToCloseTimeoutSeconds=30, startToCloseTimeoutSeconds=20,
            requestLocalDispatch=True)]))
    (info,) = response.activitiesToDispatchLocally.values()
    assert info.activityId == "a1" and info.taskToken
    assert info.scheduledTimestamp == info.scheduledTimestampOfThisAttempt
    assert info.startedTimestamp >= info.scheduledTimestamp
    types, events = history_types(frontend, shared, domain, "lda", run_id)
    assert types[3:] == ["DecisionTaskCompleted", "ActivityTaskScheduled", "ActivityTaskStarted"]
    assert events[5].activityTaskStartedEventAttributes.identity == "worker-1"
    pending = frontend.call("DescribeWorkflowExecution", shared.DescribeWorkflowExecutionRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId="lda"))).pendingActivities
    assert [p.state for p in pending] == [shared.PendingActivityState.STARTED]
    empty = frontend.call("PollForActivityTask", shared.PollForActivityTaskRequest(
        domain=domain, taskList=shared.TaskList(name="tl"), identity="w"), ttl_ms=3000)
    assert not empty.taskToken  # nothing went to the task list
    frontend.call("RespondActivityTaskCompleted", shared.RespondActivityTaskCompletedRequest(
        taskToken=info.taskToken, result=b"hello", identity="worker-1"))
    types, _ = history_types(frontend, shared, domain, "lda", run_id)
    assert types[6:] == ["ActivityTaskCompleted", "DecisionTaskScheduled"]


def test_duplicate_start_and_request_id_dedup(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, request = start(frontend, shared, domain, "dup")
    assert frontend.call("StartWorkflowExecution", request).runId == run_id
    with pytest.raises(shared.WorkflowExecutionAlreadyStartedError) as err:
        start(frontend, shared, domain, "dup")
    assert err.value.runId == run_id


def test_id_reuse_policies(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """The create is tried first as if the id were new; each policy then decides on the run
    the store reports (history/api/start.py)."""
    policy = shared.WorkflowIdReusePolicy
    first, _ = start(frontend, shared, domain, "reuse")
    # running: TerminateIfRunning replaces it, and the old run is terminated
    second, _ = start(frontend, shared, domain, "reuse",
                      workflowIdReusePolicy=policy.TerminateIfRunning)
    assert second != first
    assert history_types(frontend, shared, domain, "reuse", first)[0][-1] == \
        "WorkflowExecutionTerminated"
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="reuse"),
        reason="test"))
    # closed (terminated counts as failed): RejectDuplicate refuses, FailedOnly allows
    with pytest.raises(shared.WorkflowExecutionAlreadyStartedError) as err:
        start(frontend, shared, domain, "reuse", workflowIdReusePolicy=policy.RejectDuplicate)
    assert err.value.runId == second
    third, request = start(frontend, shared, domain, "reuse",
                           workflowIdReusePolicy=policy.AllowDuplicateFailedOnly)
    assert third not in (first, second)
    assert frontend.call("StartWorkflowExecution", request).runId == third  # a retried start


def test_signal_while_decision_running_is_buffered(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, _ = start(frontend, shared, domain, "sig")
    task = poll_decision(frontend, shared, domain)
    frontend.call("SignalWorkflowExecution", shared.SignalWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="sig"),
        signalName="go", input=b"1", identity="test", requestId=str(uuid.uuid4())))
    # completing now would lose the signal: the decision fails as UNHANDLED_DECISION
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(shared, "CompleteWorkflowExecution")]))
    task = poll_decision(frontend, shared, domain)
    types = [shared.EventType._VALUES_TO_NAMES[e.eventType] for e in task.history.events]
    assert types[-4:] == ["DecisionTaskFailed", "WorkflowExecutionSignaled",
                          "DecisionTaskScheduled", "DecisionTaskStarted"]
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(shared, "CompleteWorkflowExecution")]))
    assert history_types(frontend, shared, domain, "sig", run_id)[0][-1] == \
        "WorkflowExecutionCompleted"


def test_timer_fires(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, _ = start(frontend, shared, domain, "timer")
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(
            shared, "StartTimer", timerId="t1", startToFireTimeoutSeconds=1)]))
    task = poll_decision(frontend, shared, domain)
    types = [shared.EventType._VALUES_TO_NAMES[e.eventType] for e in task.history.events]
    assert types[-4:] == ["TimerStarted", "TimerFired", "DecisionTaskScheduled",
                          "DecisionTaskStarted"]


def test_long_poll_history_waits_for_close(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, _ = start(frontend, shared, domain, "wait")
    waiter = gevent.spawn(frontend.call, "GetWorkflowExecutionHistory",
                          shared.GetWorkflowExecutionHistoryRequest(
                              domain=domain, execution=shared.WorkflowExecution(workflowId="wait"),
                              waitForNewEvent=True, HistoryEventFilterType=1), ttl_ms=10000)
    gevent.sleep(0.3)
    assert not waiter.ready()
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="wait"),
        reason="stop", identity="test"))
    page = waiter.get(timeout=5)
    assert [shared.EventType._VALUES_TO_NAMES[e.eventType] for e in page.history.events] == \
        ["WorkflowExecutionTerminated"]
    assert not page.nextPageToken


def test_bad_task_token_and_bad_decision(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(shared.BadRequestError) as err:
        frontend.call("RespondActivityTaskCompleted", shared.RespondActivityTaskCompletedRequest(
            taskToken=b"garbage"))
    assert err.value.message == "Invalid TaskToken."
    run_id, _ = start(frontend, shared, domain, "bad")
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(shared, "ScheduleActivityTask",
                                                      activityId="")]))
    types, events = history_types(frontend, shared, domain, "bad", run_id)
    assert types[3] == "DecisionTaskFailed"
    assert events[3].decisionTaskFailedEventAttributes.cause == \
        shared.DecisionTaskFailedCause.BAD_SCHEDULE_ACTIVITY_ATTRIBUTES
    with pytest.raises(shared.EntityNotExistsError):  # the old token is stale now
        frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
            taskToken=task.taskToken, decisions=[]))


def test_retry_policies_are_validated(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """Upstream's ValidateRetryPolicy rules and messages, on start and on an activity."""
    cases = [
        (dict(backoffCoefficient=2.0, maximumAttempts=3),
         "InitialIntervalInSeconds must be greater than 0 on retry policy."),
        (dict(initialIntervalInSeconds=1, backoffCoefficient=0.5, maximumAttempts=3),
         "BackoffCoefficient cannot be less than 1 on retry policy."),
        (dict(initialIntervalInSeconds=1, backoffCoefficient=float("nan"), maximumAttempts=3),
         "BackoffCoefficient must be a finite number on retry policy."),
        (dict(initialIntervalInSeconds=1, backoffCoefficient=float("inf"), maximumAttempts=3),
         "BackoffCoefficient must be a finite number on retry policy."),
        (dict(initialIntervalInSeconds=5, backoffCoefficient=2.0, maximumIntervalInSeconds=2,
              maximumAttempts=3),
         "MaximumIntervalInSeconds cannot be less than InitialIntervalInSeconds on retry "
         "policy."),
        (dict(initialIntervalInSeconds=1, backoffCoefficient=2.0, maximumAttempts=-1),
         "MaximumAttempts cannot be less than 0 on retry policy."),
        (dict(initialIntervalInSeconds=1, backoffCoefficient=2.0),
         "MaximumAttempts and ExpirationIntervalInSeconds are both 0. At least one of them "
         "must be specified."),
    ]
    for attrs, message in cases:
        with pytest.raises(shared.BadRequestError) as err:
            start(frontend, shared, domain, "retry-bad",
                  retryPolicy=shared.RetryPolicy(**attrs))
        assert err.value.message == message
    run_id, _ = start(frontend, shared, domain, "retry-ok", retryPolicy=shared.RetryPolicy(
        initialIntervalInSeconds=1, backoffCoefficient=1.0, expirationIntervalInSeconds=30))
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(
            shared, "ScheduleActivityTask", activityId="a", activityType=shared.ActivityType(
                name="act"), taskList=shared.TaskList(name="tl"),
            scheduleToCloseTimeoutSeconds=30,
            retryPolicy=shared.RetryPolicy(initialIntervalInSeconds=1, backoffCoefficient=0.5,
                                           maximumAttempts=2))]))
    types, events = history_types(frontend, shared, domain, "retry-ok", run_id)
    assert types[3] == "DecisionTaskFailed"
    attrs = events[3].decisionTaskFailedEventAttributes
    assert attrs.cause == shared.DecisionTaskFailedCause.BAD_SCHEDULE_ACTIVITY_ATTRIBUTES
    assert attrs.details == b"BackoffCoefficient cannot be less than 1 on retry policy."


def test_query_goes_to_a_decision_poller(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    start(frontend, shared, domain, "q")
    first = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=first.taskToken, decisions=[]))

    def worker() -> None:
        task = poll_decision(frontend, shared, domain)
        assert task.query.queryType == "state" and task.history.events
        frontend.call("RespondQueryTaskCompleted", shared.RespondQueryTaskCompletedRequest(
            taskToken=task.taskToken, completedType=0, queryResult=b'"ok"'))
    answering = gevent.spawn(worker)
    response = frontend.call("QueryWorkflow", shared.QueryWorkflowRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId="q"),
        query=shared.WorkflowQuery(queryType="state")), ttl_ms=10000)
    answering.get(timeout=5)
    assert response.queryResult == b'"ok"'
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="q")))
    rejected = frontend.call("QueryWorkflow", shared.QueryWorkflowRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId="q"),
        query=shared.WorkflowQuery(queryType="state"), queryRejectCondition=0))
    assert rejected.queryRejected.closeStatus == shared.WorkflowExecutionCloseStatus.TERMINATED


def test_refresh_tasks_and_task_lists_by_domain(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    start(frontend, shared, domain, "refresh")
    frontend.call("RefreshWorkflowTasks", shared.RefreshWorkflowTasksRequest(
        domain=domain, execution=shared.WorkflowExecution(workflowId="refresh")))
    task = poll_decision(frontend, shared, domain)  # still exactly one usable decision
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(shared, "CompleteWorkflowExecution")]))
    lists = frontend.call("GetTaskListsByDomain",
                          shared.GetTaskListsByDomainRequest(domainName=domain))
    assert "tl" in lists.decisionTaskListMap
    assert lists.decisionTaskListMap["tl"].pollers[0].identity == "worker"


def test_reset_to_first_decision(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    run_id, _ = start(frontend, shared, domain, "reset")
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(
            shared, "StartTimer", timerId="t", startToFireTimeoutSeconds=100)]))
    frontend.call("SignalWorkflowExecution", shared.SignalWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="reset"),
        signalName="later", requestId=str(uuid.uuid4())))
    with pytest.raises(shared.BadRequestError):
        frontend.call("ResetWorkflowExecution", shared.ResetWorkflowExecutionRequest(
            domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="reset"),
            reason="x", decisionFinishEventId=2, requestId=str(uuid.uuid4())))
    new_run = frontend.call("ResetWorkflowExecution", shared.ResetWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="reset"),
        reason="try again", decisionFinishEventId=4, requestId=str(uuid.uuid4()))).runId
    assert new_run != run_id
    old_types, _ = history_types(frontend, shared, domain, "reset", run_id)
    assert old_types[-1] == "WorkflowExecutionTerminated"
    types, events = history_types(frontend, shared, domain, "reset", new_run)
    assert types == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted",
                     "DecisionTaskFailed", "WorkflowExecutionSignaled", "DecisionTaskScheduled"]
    failed = events[3].decisionTaskFailedEventAttributes
    assert (failed.baseRunId, failed.newRunId, failed.reason) == (run_id, new_run, "try again")
    task = poll_decision(frontend, shared, domain)
    assert task.workflowExecution.runId == new_run


def test_list_open_and_closed(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    start(frontend, shared, domain, "vis-open")
    start(frontend, shared, domain, "vis-closed")
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="vis-closed")))
    window = shared.StartTimeFilter(earliestTime=0, latestTime=2**62)
    deadline = time.monotonic() + 5
    while True:  # the transfer queue writes visibility records asynchronously
        opened = frontend.call("ListOpenWorkflowExecutions",
                               shared.ListOpenWorkflowExecutionsRequest(
                                   domain=domain, StartTimeFilter=window)).executions
        closed = frontend.call("ListClosedWorkflowExecutions",
                               shared.ListClosedWorkflowExecutionsRequest(
                                   domain=domain, StartTimeFilter=window)).executions
        if (len(opened), len(closed)) == (1, 1) or time.monotonic() > deadline:
            break
        gevent.sleep(0.05)
    assert [e.execution.workflowId for e in opened] == ["vis-open"]
    assert [e.execution.workflowId for e in closed] == ["vis-closed"]
    assert closed[0].closeStatus == shared.WorkflowExecutionCloseStatus.TERMINATED
    everything = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
        domain=domain, pageSize=1))
    ids = [e.execution.workflowId for e in everything.executions]
    while everything.nextPageToken:
        everything = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain=domain, pageSize=1, nextPageToken=everything.nextPageToken))
        ids += [e.execution.workflowId for e in everything.executions]
    assert ids == ["vis-closed", "vis-open"]  # newest start first, as Elasticsearch sorts
    assert frontend.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
        domain=domain)).count == 2
    assert frontend.call("CountWorkflowExecutions", shared.CountWorkflowExecutionsRequest(
        domain=domain, query="CloseTime = missing")).count == 1
    with pytest.raises(shared.BadRequestError) as err:
        frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain=domain, query="NoSuchKey = 'x'"))
    assert err.value.message == 'invalid search attribute "NoSuchKey"'
    import base64
    with pytest.raises(shared.BadRequestError) as err:  # a well-encoded but foreign token
        frontend.call("ListOpenWorkflowExecutions", shared.ListOpenWorkflowExecutionsRequest(
            domain=domain, StartTimeFilter=window, nextPageToken=base64.b64encode(b"5")))
    assert err.value.message == "Invalid NextPageToken."


def test_oversize_input_and_history_limit(app, frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(shared.BadRequestError) as err:
        frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
            domain=domain, workflowId="big", workflowType=shared.WorkflowType(name="w"),
            taskList=shared.TaskList(name="tl"), input=b"x" * (2 * 1024 * 1024 + 1),
            executionStartToCloseTimeoutSeconds=60, taskStartToCloseTimeoutSeconds=10,
            requestId=str(uuid.uuid4())), ttl_ms=20000)
    assert "exceeds limit" in err.value.message
    app.history.config.history_count_limit_error = 6
    run_id, _ = start(frontend, shared, domain, "long")
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, decisions=[decision(
            shared, "RecordMarker", markerName=f"m{i}") for i in range(5)]))
    types, events = history_types(frontend, shared, domain, "long", run_id)
    assert types[-1] == "WorkflowExecutionTerminated"
    assert events[-1].workflowExecutionTerminatedEventAttributes.reason == \
        "Workflow history size / count exceeds limit."


def test_restart_runs_the_workflow_again_from_its_start(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    restart = shared.RestartWorkflowExecutionRequest
    execution = shared.WorkflowExecution
    for request, error, message in (
            (restart(), shared.BadRequestError, "Domain not set on request."),
            (restart(domain=domain), shared.BadRequestError, "Execution is not set on request."),
            (restart(domain=domain, workflowExecution=execution(workflowId="r", runId="x")),
             shared.BadRequestError, "Invalid RunId."),
            (restart(domain="nope", workflowExecution=execution(workflowId="r")),
             shared.EntityNotExistsError, "Domain nope does not exist."),
            (restart(domain=domain, workflowExecution=execution(workflowId="never")),
             shared.BadRequestError, "Requested workflow history not found, may have passed "
                                     "retention period.")):
        with pytest.raises(error, match=message):
            frontend.call("RestartWorkflowExecution", request)

    first, _ = start(frontend, shared, domain, "r", memo=shared.Memo(fields={"k": b'"v"'}),
                     cronSchedule="")
    # Running: the current run is terminated and a new one starts with the same input.
    second = frontend.call("RestartWorkflowExecution", restart(
        domain=domain, workflowExecution=execution(workflowId="r", runId=first),
        identity="cli-user", reason="try again")).runId
    assert second and second != first
    types, events = history_types(frontend, shared, domain, "r", first)
    assert types[-1] == "WorkflowExecutionTerminated"
    assert events[-1].workflowExecutionTerminatedEventAttributes.reason == \
        "TerminateIfRunning Policy"
    types, events = history_types(frontend, shared, domain, "r", second)
    assert types == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    started = events[0].workflowExecutionStartedEventAttributes
    assert (started.workflowType.name, started.taskList.name, started.input) == \
        ("hello", "tl", b'"world"')
    assert (started.executionStartToCloseTimeoutSeconds,
            started.taskStartToCloseTimeoutSeconds) == (60, 10)
    assert started.identity == "cli-user" and started.memo.fields == {"k": b'"v"'}
    assert started.originalExecutionRunId == second and not started.continuedExecutionRunId

    # Closed: no run id means the current run; the restart simply follows it.
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=execution(workflowId="r"), reason="done"))
    third = frontend.call("RestartWorkflowExecution", restart(
        domain=domain, workflowExecution=execution(workflowId="r"))).runId
    assert third not in (first, second)
    described = frontend.call("DescribeWorkflowExecution", shared.DescribeWorkflowExecutionRequest(
        domain=domain, execution=execution(workflowId="r")))
    assert described.workflowExecutionInfo.execution.runId == third


def test_archival_is_not_configured(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    archived = shared.ListArchivedWorkflowExecutionsRequest
    for request, message in ((archived(), "Domain not set on request."),
                             (archived(domain=domain, pageSize=10001),
                              "Pagesize is larger than allowed 10000"),
                             (archived(domain=domain, query="WorkflowID = 'x'"),
                              "Cluster is not configured for visibility archival")):
        with pytest.raises(shared.BadRequestError, match=message):
            frontend.call("ListArchivedWorkflowExecutions", request)


def test_a_domain_with_workflows_is_not_deleted(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    start(frontend, shared, domain, "keeps-it")
    deadline = time.monotonic() + 10  # visibility is written by the transfer queue
    while not frontend.call("ListOpenWorkflowExecutions", shared.ListOpenWorkflowExecutionsRequest(
            domain=domain, StartTimeFilter=shared.StartTimeFilter(
                earliestTime=0, latestTime=2**62))).executions:
        assert time.monotonic() < deadline
        gevent.sleep(0.05)
    frontend.call("DeprecateDomain", shared.DeprecateDomainRequest(name=domain))
    with pytest.raises(shared.BadRequestError, match="Domain is deprecated."):
        start(frontend, shared, domain, "too-late")  # at once: this process forgot its copy
    with pytest.raises(shared.BadRequestError,
                       match="Domain still have workflow execution history."):
        frontend.call("DeleteDomain", shared.DeleteDomainRequest(name=domain))
    frontend.call("TerminateWorkflowExecution", shared.TerminateWorkflowExecutionRequest(
        domain=domain, workflowExecution=shared.WorkflowExecution(workflowId="keeps-it")))
    with pytest.raises(shared.BadRequestError,  # closed runs count until retention
                       match="Domain still have workflow execution history."):
        frontend.call("DeleteDomain", shared.DeleteDomainRequest(name=domain))
    assert frontend.call("DescribeDomain", shared.DescribeDomainRequest(name=domain))


def test_heartbeat_details_outlive_a_retry(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """The next attempt of a retried activity gets the last heartbeat's details, as
    upstream keeps them (a worker resumes from them)."""
    start(frontend, shared, domain, "resumable")
    task = poll_decision(frontend, shared, domain)
    frontend.call("RespondDecisionTaskCompleted", shared.RespondDecisionTaskCompletedRequest(
        taskToken=task.taskToken, identity="worker", decisions=[decision(
            shared, "ScheduleActivityTask", activityId="0",
            activityType=shared.ActivityType(name="long"), taskList=shared.TaskList(name="tl"),
            scheduleToCloseTimeoutSeconds=60, startToCloseTimeoutSeconds=30,
            retryPolicy=shared.RetryPolicy(initialIntervalInSeconds=1, backoffCoefficient=1.0,
                                           maximumAttempts=3))]))
    activity = poll_activity(frontend, shared, domain)
    assert not activity.heartbeatDetails
    frontend.call("RecordActivityTaskHeartbeat", shared.RecordActivityTaskHeartbeatRequest(
        taskToken=activity.taskToken, details=b"page 7"))
    frontend.call("RespondActivityTaskFailed", shared.RespondActivityTaskFailedRequest(
        taskToken=activity.taskToken, reason="boom"))
    retried = poll_activity(frontend, shared, domain)
    assert retried.attempt == 1 and retried.heartbeatDetails == b"page 7"



def test_a_negative_page_size_means_the_default(frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """Found by the fuzzer: pageSize -5 made the query back end index an empty page (an
    internal error). Upstream treats a page size of zero or less as the default."""
    start(frontend, shared, domain, "neg-page")
    deadline = time.monotonic() + 5
    while True:  # the transfer queue writes visibility records asynchronously
        listed = frontend.call("ListWorkflowExecutions", shared.ListWorkflowExecutionsRequest(
            domain=domain, pageSize=-5))
        if listed.executions or time.monotonic() > deadline:
            break
        gevent.sleep(0.05)
    assert [e.execution.workflowId for e in listed.executions] == ["neg-page"]
    assert listed.nextPageToken is None
    opened = frontend.call("ListOpenWorkflowExecutions", shared.ListOpenWorkflowExecutionsRequest(
        domain=domain, maximumPageSize=-5,
        StartTimeFilter=shared.StartTimeFilter(earliestTime=0, latestTime=2**62)))
    assert [e.execution.workflowId for e in opened.executions] == ["neg-page"]


def test_a_decision_timeout_older_than_the_state_read_is_retried_not_dropped(
        app, frontend, shared, domain) -> None:  # type: ignore[no-untyped-def]
    """A decision's start-to-close timer is written only with its start. Read against a
    state where that decision is not started (the write that added the timer was still
    being applied: a Cassandra node frozen mid-write), the task is retried after the run
    is read again (fenced), never dropped: dropped, the decision stayed started for good."""
    from cadence_py.history import mutations as m
    from cadence_py.history import timers
    from cadence_py.persistence import records as r
    from cadence_py.persistence.errors import StaleReadError

    run_id, _ = start(frontend, shared, domain, "stale-timer")
    state = app.history.load(app.domain_cache.by_name(domain).info.id, "stale-timer", run_id)
    info = state.info
    task = r.TimerTask(type=r.TIMER_DECISION_TIMEOUT, domain_id=info.domain_id,
                       workflow_id=info.workflow_id, run_id=run_id, fire_time=0,
                       event_id=info.decision_schedule_id, attempt=info.decision_attempt,
                       timeout_type=m.START_TO_CLOSE)
    with pytest.raises(StaleReadError):
        timers.fire(app.history, task)
    assert history_types(frontend, shared, domain, "stale-timer", run_id)[0] == [
        "WorkflowExecutionStarted", "DecisionTaskScheduled"]  # nothing written
    poll_decision(frontend, shared, domain)  # the start the task was written with lands
    timers.fire(app.history, task)
    # timed out; the retry (attempt 1) is transient, as upstream: not written yet
    assert history_types(frontend, shared, domain, "stale-timer", run_id)[0][2:] == [
        "DecisionTaskStarted", "DecisionTaskTimedOut"]
