"""A small Python worker speaking the raw WorkflowService API, for server-level tests.

Its workflow ("crashy"): the first decision schedules one activity (with a retry policy)
and a 2 s timer; once both the activity completed and the timer fired, it completes.
Deterministic, so tests can check exact histories.
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient

TASK_LIST = "py-worker-tl"


class PyWorker:
    def __init__(self, port: int, domain: str) -> None:
        self.channel = TChannelClient("127.0.0.1", port, caller="py-worker")
        self.client = ThriftClient(self.channel, idl.workflow_service().WorkflowService,
                                   "WorkflowService")
        self.domain = domain
        self.shared = idl.shared()

    def close(self) -> None:
        self.channel.close()

    def start(self, workflow_id: str) -> str:
        s = self.shared
        return self.client.call("StartWorkflowExecution", s.StartWorkflowExecutionRequest(
            domain=self.domain, workflowId=workflow_id, workflowType=s.WorkflowType(name="crashy"),
            taskList=s.TaskList(name=TASK_LIST), executionStartToCloseTimeoutSeconds=300,
            taskStartToCloseTimeoutSeconds=5, requestId=str(uuid.uuid4()),
            identity="py-starter")).runId

    def _decisions(self, events: list[Any]) -> list[Any]:
        s = self.shared
        names = [s.EventType._VALUES_TO_NAMES[e.eventType] for e in events]
        if "ActivityTaskScheduled" not in names:
            return [
                s.Decision(decisionType=s.DecisionType.ScheduleActivityTask,
                           scheduleActivityTaskDecisionAttributes=s.
                           ScheduleActivityTaskDecisionAttributes(
                               activityId="a1", activityType=s.ActivityType(name="work"),
                               taskList=s.TaskList(name=TASK_LIST),
                               scheduleToCloseTimeoutSeconds=120,
                               startToCloseTimeoutSeconds=3,
                               retryPolicy=s.RetryPolicy(initialIntervalInSeconds=1,
                                                         backoffCoefficient=1.0,
                                                         maximumAttempts=10))),
                s.Decision(decisionType=s.DecisionType.StartTimer,
                           startTimerDecisionAttributes=s.StartTimerDecisionAttributes(
                               timerId="t1", startToFireTimeoutSeconds=2))]
        if "ActivityTaskCompleted" in names and "TimerFired" in names:
            return [s.Decision(decisionType=s.DecisionType.CompleteWorkflowExecution,
                               completeWorkflowExecutionDecisionAttributes=s.
                               CompleteWorkflowExecutionDecisionAttributes(result=b'"done"'))]
        return []

    def decide_once(self, ttl_ms: int = 3000) -> bool:
        s = self.shared
        task = self.client.call("PollForDecisionTask", s.PollForDecisionTaskRequest(
            domain=self.domain, taskList=s.TaskList(name=TASK_LIST), identity="py-worker"),
            ttl_ms=ttl_ms)
        if not task.taskToken:
            return False
        self.client.call("RespondDecisionTaskCompleted", s.RespondDecisionTaskCompletedRequest(
            taskToken=task.taskToken, identity="py-worker",
            decisions=self._decisions(task.history.events)))
        return True

    def take_activity(self, ttl_ms: int = 3000) -> Any:
        s = self.shared
        task = self.client.call("PollForActivityTask", s.PollForActivityTaskRequest(
            domain=self.domain, taskList=s.TaskList(name=TASK_LIST), identity="py-worker"),
            ttl_ms=ttl_ms)
        return task if task.taskToken else None

    def complete_activity(self, task: Any) -> None:
        s = self.shared
        self.client.call("RespondActivityTaskCompleted", s.RespondActivityTaskCompletedRequest(
            taskToken=task.taskToken, result=b'"ok"', identity="py-worker"))

    def history(self, workflow_id: str) -> list[Any]:
        s = self.shared
        return self.client.call("GetWorkflowExecutionHistory",
                                s.GetWorkflowExecutionHistoryRequest(
                                    domain=self.domain,
                                    execution=s.WorkflowExecution(workflowId=workflow_id))
                                ).history.events
