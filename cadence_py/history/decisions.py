"""Applying a decision task's decisions to a run.

``validate`` checks every decision's attributes first (a bad one fails the whole
decision task with the matching DecisionTaskFailed cause, as upstream does); ``apply``
then turns each decision into events and queue tasks in order.
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.common.retry_policy import retry_policy_problem
from cadence_py.history import continue_as_new as can
from cadence_py.history import cron
from cadence_py.history import mutations as m
from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r
from cadence_py.persistence.domains import DomainRecord
from cadence_py.rpc import idl
from cadence_py.visibility.attributes import validate_upsert

# DecisionTaskFailedCause values
BAD_SCHEDULE_ACTIVITY = 1
BAD_REQUEST_CANCEL_ACTIVITY = 2
BAD_START_TIMER = 3
BAD_CANCEL_TIMER = 4
BAD_RECORD_MARKER = 5
BAD_COMPLETE_WORKFLOW = 6
BAD_FAIL_WORKFLOW = 7
BAD_CANCEL_WORKFLOW = 8
BAD_CONTINUE_AS_NEW = 10
START_TIMER_DUPLICATE_ID = 11
BAD_REQUEST_CANCEL_EXTERNAL = 9
BAD_SIGNAL_EXTERNAL = 14
BAD_START_CHILD = 15
BAD_SEARCH_ATTRIBUTES = 22
SCHEDULE_ACTIVITY_DUPLICATE_ID = 21

CLOSING = {"CompleteWorkflowExecution", "FailWorkflowExecution", "CancelWorkflowExecution",
           "ContinueAsNewWorkflowExecution"}
MAX_ID_LENGTH = 1000
#: history.activityMaxScheduleToStartTimeoutForRetry (upstream's default, 30 minutes)
MAX_SCHEDULE_TO_START_FOR_RETRY = 30 * 60
#: The failure reason of a schedule-to-start timeout, as a retry policy names it
SCHEDULE_TO_START_REASON = "cadenceInternal:Timeout SCHEDULE_TO_START"


class DecisionFailure(Exception):
    def __init__(self, cause: int, details: str) -> None:
        super().__init__(details)
        self.cause = cause
        self.details = details


def decision_type(decision: Any) -> str:
    return idl.shared().DecisionType._VALUES_TO_NAMES.get(decision.decisionType, "")


def _attributes(decision: Any) -> Any:
    name = decision_type(decision)
    return getattr(decision, name[0].lower() + name[1:] + "DecisionAttributes", None)


def activity_timeouts(a: Any, workflow_timeout: int) -> tuple[int, int, int, int]:
    """(schedule-to-close, schedule-to-start, start-to-close, heartbeat) seconds of a
    ScheduleActivityTask decision whose timeouts passed validation, filled in as upstream's
    decision checker does: each capped at the workflow timeout, the missing ones deduced
    from the others, and with a retry policy, schedule-to-start stretched towards the
    retry expiration (at most MAX_SCHEDULE_TO_START_FOR_RETRY, unless that timeout is
    non-retriable) and schedule-to-close to the expiration."""
    values = [a.scheduleToCloseTimeoutSeconds or 0, a.scheduleToStartTimeoutSeconds or 0,
              a.startToCloseTimeoutSeconds or 0, a.heartbeatTimeoutSeconds or 0]
    if workflow_timeout > 0:
        values = [min(v, workflow_timeout) for v in values]
    to_close, to_start, start_to_close, heartbeat = values
    if to_close > 0:
        to_start = to_start if to_start > 0 else to_close
        start_to_close = start_to_close if start_to_close > 0 else to_close
    else:  # validation made sure both of these are set
        to_close = to_start + start_to_close
        if workflow_timeout > 0:
            to_close = min(to_close, workflow_timeout)
    policy = a.retryPolicy
    if policy is not None:
        expiration = policy.expirationIntervalInSeconds or 0
        if workflow_timeout > 0 and (expiration == 0 or expiration > workflow_timeout):
            expiration = workflow_timeout
        if SCHEDULE_TO_START_REASON not in (policy.nonRetriableErrorReasons or ()):
            to_start = max(to_start, min(expiration, MAX_SCHEDULE_TO_START_FOR_RETRY))
        to_close = max(to_close, expiration)
    return to_close, to_start, start_to_close, heartbeat


class DecisionHandler:
    def __init__(self, engine: Any, upd: RunUpdate, domain: DomainRecord, identity: str) -> None:
        self.engine = engine
        self.upd = upd
        self.domain = domain
        self.identity = identity
        self.needs_decision = False
        #: Activities started for the worker to run itself (requestLocalDispatch)
        self.local_dispatches: list[r.ActivityInfo] = []

    # ------------------------------------------------------------- validation
    def closes_workflow(self, decisions: list[Any]) -> bool:
        return any(decision_type(d) in CLOSING for d in decisions)

    def validate(self, decisions: list[Any]) -> None:
        activity_ids = {a.activity_id for a in self.upd.state.activities.values()}
        timer_ids = set(self.upd.state.timers)
        for decision in decisions:
            name = decision_type(decision)
            attrs = _attributes(decision) if name else None
            check = getattr(self, f"_check_{name}", None)
            if check is None:
                raise DecisionFailure(BAD_START_CHILD if name == "StartChildWorkflowExecution"
                                      else BAD_SCHEDULE_ACTIVITY,
                                      f"Unknown or unsupported decision type: {name or decision.decisionType}")
            if attrs is None:
                raise DecisionFailure(self._missing_cause(name),
                                      f"{name}DecisionAttributes is not set on decision.")
            check(attrs, activity_ids, timer_ids)

    @staticmethod
    def _missing_cause(name: str) -> int:
        return {"ScheduleActivityTask": BAD_SCHEDULE_ACTIVITY, "StartTimer": BAD_START_TIMER,
                "CancelTimer": BAD_CANCEL_TIMER, "RecordMarker": BAD_RECORD_MARKER,
                "CompleteWorkflowExecution": BAD_COMPLETE_WORKFLOW,
                "FailWorkflowExecution": BAD_FAIL_WORKFLOW,
                "CancelWorkflowExecution": BAD_CANCEL_WORKFLOW,
                "RequestCancelActivityTask": BAD_REQUEST_CANCEL_ACTIVITY,
                "ContinueAsNewWorkflowExecution": BAD_CONTINUE_AS_NEW,
                "UpsertWorkflowSearchAttributes": BAD_SEARCH_ATTRIBUTES}.get(name, 0)

    def _check_ScheduleActivityTask(self, a: Any, activity_ids: set[str], _: set[str]) -> None:
        if not a.activityId:
            raise DecisionFailure(BAD_SCHEDULE_ACTIVITY, "ActivityId is not set on decision.")
        if len(a.activityId) > MAX_ID_LENGTH:
            raise DecisionFailure(BAD_SCHEDULE_ACTIVITY, "ActivityID exceeds length limit.")
        if a.activityType is None or not a.activityType.name:
            raise DecisionFailure(BAD_SCHEDULE_ACTIVITY, "ActivityType is not set on decision.")
        self._check_retry_policy(a.retryPolicy, BAD_SCHEDULE_ACTIVITY)
        if a.activityId in activity_ids:
            raise DecisionFailure(SCHEDULE_ACTIVITY_DUPLICATE_ID,
                                  f"Activity with id {a.activityId} already exists.")
        activity_ids.add(a.activityId)
        to_close = a.scheduleToCloseTimeoutSeconds or 0
        to_start = a.scheduleToStartTimeoutSeconds or 0
        start_to_close = a.startToCloseTimeoutSeconds or 0
        if min(to_close, to_start, start_to_close, a.heartbeatTimeoutSeconds or 0) < 0:
            raise DecisionFailure(BAD_SCHEDULE_ACTIVITY, "A valid timeout may not be negative.")
        if to_close <= 0 and (to_start <= 0 or start_to_close <= 0):
            raise DecisionFailure(BAD_SCHEDULE_ACTIVITY,
                                  "A valid ScheduleToCloseTimeout is not set on decision.")

    def _check_RequestCancelActivityTask(self, a: Any, *_: Any) -> None:
        if not a.activityId:
            raise DecisionFailure(BAD_REQUEST_CANCEL_ACTIVITY,
                                  "ActivityId is not set on decision.")

    def _check_StartTimer(self, a: Any, _: set[str], timer_ids: set[str]) -> None:
        if not a.timerId:
            raise DecisionFailure(BAD_START_TIMER, "TimerId is not set on decision.")
        if (a.startToFireTimeoutSeconds or 0) <= 0:
            raise DecisionFailure(BAD_START_TIMER,
                                  "A valid StartToFireTimeoutSeconds is not set on decision.")
        if a.timerId in timer_ids:
            raise DecisionFailure(START_TIMER_DUPLICATE_ID,
                                  f"Timer with id {a.timerId} already exists.")
        timer_ids.add(a.timerId)

    def _check_CancelTimer(self, a: Any, *_: Any) -> None:
        if not a.timerId:
            raise DecisionFailure(BAD_CANCEL_TIMER, "TimerId is not set on decision.")

    def _check_RecordMarker(self, a: Any, *_: Any) -> None:
        if not a.markerName:
            raise DecisionFailure(BAD_RECORD_MARKER, "MarkerName is not set on decision.")

    def _check_CompleteWorkflowExecution(self, a: Any, *_: Any) -> None:
        pass

    def _check_FailWorkflowExecution(self, a: Any, *_: Any) -> None:
        if not a.reason:
            raise DecisionFailure(BAD_FAIL_WORKFLOW, "Reason is not set on decision.")

    def _check_CancelWorkflowExecution(self, a: Any, *_: Any) -> None:
        pass

    def _check_ContinueAsNewWorkflowExecution(self, a: Any, *_: Any) -> None:
        self._check_search_attributes(a.searchAttributes, BAD_CONTINUE_AS_NEW)
        if (a.executionStartToCloseTimeoutSeconds or 0) < 0 or \
                (a.taskStartToCloseTimeoutSeconds or 0) < 0:
            raise DecisionFailure(BAD_CONTINUE_AS_NEW, "A valid timeout may not be negative.")
        if a.cronSchedule:
            try:
                cron.validate(a.cronSchedule)
            except cron.InvalidCronSchedule as exc:
                raise DecisionFailure(BAD_CONTINUE_AS_NEW, str(exc)) from None

    def _check_StartChildWorkflowExecution(self, a: Any, *_: Any) -> None:
        self._check_search_attributes(a.searchAttributes, BAD_START_CHILD)
        if not a.workflowId:
            raise DecisionFailure(BAD_START_CHILD, "Required field WorkflowID is not set on "
                                  "decision.")
        if len(a.workflowId) > MAX_ID_LENGTH:
            raise DecisionFailure(BAD_START_CHILD, "WorkflowId exceeds length limit.")
        if a.workflowType is None or not a.workflowType.name:
            raise DecisionFailure(BAD_START_CHILD, "Required field WorkflowType is not set "
                                  "on decision.")
        if a.domain:
            self._known_domain(a.domain, BAD_START_CHILD)
        self._check_retry_policy(a.retryPolicy, BAD_START_CHILD)
        if a.cronSchedule:
            try:
                cron.validate(a.cronSchedule)
            except cron.InvalidCronSchedule as exc:
                raise DecisionFailure(BAD_START_CHILD, str(exc)) from None

    @staticmethod
    def _check_retry_policy(policy: Any, cause: int) -> None:
        problem = retry_policy_problem(policy)
        if problem:
            raise DecisionFailure(cause, problem)

    def _known_domain(self, name: str, cause: int) -> None:
        try:
            self.engine.domains.by_name(name)
        except Exception:  # noqa: BLE001 - any lookup failure is the decision's fault
            raise DecisionFailure(cause, f"Domain {name} does not exist.") from None

    def _check_SignalExternalWorkflowExecution(self, a: Any, *_: Any) -> None:
        if a.execution is None or not a.execution.workflowId:
            raise DecisionFailure(BAD_SIGNAL_EXTERNAL, "WorkflowId is not set on decision.")
        if not a.signalName:
            raise DecisionFailure(BAD_SIGNAL_EXTERNAL, "SignalName is not set on decision.")
        if a.domain:
            self._known_domain(a.domain, BAD_SIGNAL_EXTERNAL)

    def _check_RequestCancelExternalWorkflowExecution(self, a: Any, *_: Any) -> None:
        if not a.workflowId:
            raise DecisionFailure(BAD_REQUEST_CANCEL_EXTERNAL,
                                  "WorkflowId is not set on decision.")
        if a.domain:
            self._known_domain(a.domain, BAD_REQUEST_CANCEL_EXTERNAL)

    def _check_UpsertWorkflowSearchAttributes(self, a: Any, *_: Any) -> None:
        if a.searchAttributes is None or not a.searchAttributes.indexedFields:
            raise DecisionFailure(BAD_SEARCH_ATTRIBUTES,
                                  "IndexedFields is empty on decision.")
        self._check_search_attributes(a.searchAttributes, BAD_SEARCH_ATTRIBUTES)

    def _check_search_attributes(self, search: Any, cause: int) -> None:
        """Upstream's search-attribute validator: known keys, typed values, limits."""
        registry = getattr(self.engine, "search_attributes", None)
        if registry is None or search is None or not search.indexedFields:
            return
        problem = validate_upsert(dict(search.indexedFields), registry.valid())
        if problem:
            raise DecisionFailure(cause, problem)

    # ------------------------------------------------------------- applying
    def apply(self, decisions: list[Any], completed_id: int) -> None:
        for decision in decisions:
            if not m.is_running(self.upd.state):
                break  # nothing after a closing decision takes effect
            name = decision_type(decision)
            getattr(self, f"_apply_{name}")(_attributes(decision), completed_id)

    def _apply_ScheduleActivityTask(self, a: Any, completed_id: int) -> None:
        upd, info = self.upd, self.upd.info
        to_close, to_start, start_to_close, heartbeat = activity_timeouts(
            a, info.workflow_timeout)
        task_list = a.taskList.name if a.taskList and a.taskList.name else info.task_list
        shared = idl.shared()
        event = upd.add_event(
            "ActivityTaskScheduled", activityId=a.activityId, activityType=a.activityType,
            domain=a.domain or None, taskList=shared.TaskList(name=task_list), input=a.input,
            scheduleToCloseTimeoutSeconds=to_close, scheduleToStartTimeoutSeconds=to_start,
            startToCloseTimeoutSeconds=start_to_close, heartbeatTimeoutSeconds=heartbeat,
            decisionTaskCompletedEventId=completed_id, retryPolicy=a.retryPolicy,
            header=a.header)
        activity = r.ActivityInfo(
            schedule_id=event.eventId, activity_id=a.activityId,
            activity_type=a.activityType.name, task_list=task_list, scheduled_time=upd.now,
            input=a.input or b"", header=dict(a.header.fields or {}) if a.header else {},
            domain_id=info.domain_id, schedule_to_start_timeout=to_start,
            schedule_to_close_timeout=to_close, start_to_close_timeout=start_to_close,
            heartbeat_timeout=heartbeat, scheduled_time_of_this_attempt=upd.now)
        m.apply_retry_policy(activity, a.retryPolicy, **m.ACTIVITY_RETRY_DEFAULTS)
        if activity.retry_expiration_seconds:
            activity.expiration_time = upd.now + activity.retry_expiration_seconds * m.NANOS
        self.upd.state.activities[event.eventId] = activity
        if a.requestLocalDispatch and self.engine.config.activity_local_dispatch:
            self._start_locally(activity)
        else:
            schedule_activity_dispatch(upd, activity)

    def _start_locally(self, activity: r.ActivityInfo) -> None:
        """Upstream's activity local dispatch: the worker that made the decision offered
        to run the activity itself, so it is started now, in this batch (ActivityTaskStarted
        right after its ActivityTaskScheduled), with no task list round trip; the response
        hands the worker its task token (api/decision_tasks.py)."""
        upd = self.upd
        m.activity_timer(upd, activity, m.SCHEDULE_TO_CLOSE,
                         upd.now + activity.schedule_to_close_timeout * m.NANOS)
        m.start_activity(upd, activity, str(uuid.uuid4()), self.identity)
        self.local_dispatches.append(activity)

    def _apply_RequestCancelActivityTask(self, a: Any, completed_id: int) -> None:
        upd = self.upd
        activity = next((x for x in upd.state.activities.values()
                         if x.activity_id == a.activityId), None)
        if activity is None:
            upd.add_event("RequestCancelActivityTaskFailed", activityId=a.activityId,
                          cause="ACTIVITY_ID_UNKNOWN", decisionTaskCompletedEventId=completed_id)
            self.needs_decision = True
            return
        requested = upd.add_event("ActivityTaskCancelRequested", activityId=a.activityId,
                                  decisionTaskCompletedEventId=completed_id)
        if activity.started_id == r.EMPTY_EVENT_ID:
            # never started: cancel at once
            upd.add_event("ActivityTaskCanceled", latestCancelRequestedEventId=requested.eventId,
                          scheduledEventId=activity.schedule_id,
                          startedEventId=r.EMPTY_EVENT_ID, identity=self.identity)
            del upd.state.activities[activity.schedule_id]
            self.needs_decision = True
        else:
            activity.cancel_requested = True
            activity.cancel_request_id = requested.eventId

    def _apply_StartTimer(self, a: Any, completed_id: int) -> None:
        upd = self.upd
        event = upd.add_event("TimerStarted", timerId=a.timerId,
                              startToFireTimeoutSeconds=a.startToFireTimeoutSeconds,
                              decisionTaskCompletedEventId=completed_id)
        expiry = upd.now + a.startToFireTimeoutSeconds * m.NANOS
        upd.state.timers[a.timerId] = r.TimerInfo(a.timerId, event.eventId, expiry, True)
        upd.timer(r.TIMER_USER, expiry, event_id=event.eventId)

    def _apply_CancelTimer(self, a: Any, completed_id: int) -> None:
        upd = self.upd
        timer = upd.state.timers.pop(a.timerId, None)
        if timer is None:
            upd.add_event("CancelTimerFailed", timerId=a.timerId, cause="TIMER_ID_UNKNOWN",
                          decisionTaskCompletedEventId=completed_id, identity=self.identity)
            self.needs_decision = True
            return
        upd.add_event("TimerCanceled", timerId=a.timerId, startedEventId=timer.started_id,
                      decisionTaskCompletedEventId=completed_id, identity=self.identity)

    def _apply_RecordMarker(self, a: Any, completed_id: int) -> None:
        self.upd.add_event("MarkerRecorded", markerName=a.markerName, details=a.details,
                           decisionTaskCompletedEventId=completed_id, header=a.header)

    def _apply_UpsertWorkflowSearchAttributes(self, a: Any, completed_id: int) -> None:
        self.upd.add_event("UpsertWorkflowSearchAttributes",
                           decisionTaskCompletedEventId=completed_id,
                           searchAttributes=a.searchAttributes)
        self.upd.info.search_attributes.update(a.searchAttributes.indexedFields or {})
        self.upd.transfer(r.TRANSFER_UPSERT_SEARCH_ATTRIBUTES)

    def _started_attributes(self) -> Any:
        started = self.engine.read_events(self.upd.info, 1, 2)
        return started[0].workflowExecutionStartedEventAttributes

    def _apply_StartChildWorkflowExecution(self, a: Any, completed_id: int) -> None:
        upd, info = self.upd, self.upd.info
        shared = idl.shared()
        domain_name = a.domain or self.domain.info.name
        task_list = a.taskList if a.taskList and a.taskList.name else \
            shared.TaskList(name=info.task_list)
        event = upd.add_event(
            "StartChildWorkflowExecutionInitiated", domain=domain_name,
            workflowId=a.workflowId, workflowType=a.workflowType, taskList=task_list,
            input=a.input,
            executionStartToCloseTimeoutSeconds=a.executionStartToCloseTimeoutSeconds
            or info.workflow_timeout,
            taskStartToCloseTimeoutSeconds=a.taskStartToCloseTimeoutSeconds
            or info.decision_timeout,
            parentClosePolicy=a.parentClosePolicy, control=a.control,
            decisionTaskCompletedEventId=completed_id,
            workflowIdReusePolicy=a.workflowIdReusePolicy, retryPolicy=a.retryPolicy,
            cronSchedule=a.cronSchedule, header=a.header, memo=a.memo,
            searchAttributes=a.searchAttributes)
        target = self.engine.domains.by_name(domain_name)
        upd.state.children[event.eventId] = r.ChildInfo(
            initiated_id=event.eventId, workflow_id=a.workflowId,
            workflow_type=a.workflowType.name, domain_name=domain_name,
            create_request_id=str(uuid.uuid4()),
            parent_close_policy=a.parentClosePolicy or 0)
        upd.transfer(r.TRANSFER_START_CHILD, target_domain_id=target.info.id,
                     target_workflow_id=a.workflowId, schedule_id=event.eventId)

    def _apply_SignalExternalWorkflowExecution(self, a: Any, completed_id: int) -> None:
        upd = self.upd
        domain_name = a.domain or self.domain.info.name
        event = upd.add_event(
            "SignalExternalWorkflowExecutionInitiated",
            decisionTaskCompletedEventId=completed_id, domain=domain_name,
            workflowExecution=a.execution, signalName=a.signalName, input=a.input,
            control=a.control, childWorkflowOnly=a.childWorkflowOnly)
        upd.state.signals[event.eventId] = r.SignalInfo(
            initiated_id=event.eventId, signal_request_id=str(uuid.uuid4()),
            signal_name=a.signalName, input=a.input or b"", control=a.control or b"")
        target = self.engine.domains.by_name(domain_name)
        upd.transfer(r.TRANSFER_SIGNAL, target_domain_id=target.info.id,
                     target_workflow_id=a.execution.workflowId,
                     target_run_id=a.execution.runId or "", schedule_id=event.eventId,
                     target_child_workflow_only=bool(a.childWorkflowOnly))

    def _apply_RequestCancelExternalWorkflowExecution(self, a: Any, completed_id: int) -> None:
        upd = self.upd
        shared = idl.shared()
        domain_name = a.domain or self.domain.info.name
        event = upd.add_event(
            "RequestCancelExternalWorkflowExecutionInitiated",
            decisionTaskCompletedEventId=completed_id, domain=domain_name,
            workflowExecution=shared.WorkflowExecution(workflowId=a.workflowId,
                                                       runId=a.runId or None),
            control=a.control, childWorkflowOnly=a.childWorkflowOnly)
        upd.state.request_cancels[event.eventId] = r.RequestCancelInfo(
            initiated_id=event.eventId, cancel_request_id=str(uuid.uuid4()))
        target = self.engine.domains.by_name(domain_name)
        upd.transfer(r.TRANSFER_CANCEL, target_domain_id=target.info.id,
                     target_workflow_id=a.workflowId, target_run_id=a.runId or "",
                     schedule_id=event.eventId,
                     target_child_workflow_only=bool(a.childWorkflowOnly))

    def _apply_CompleteWorkflowExecution(self, a: Any, completed_id: int) -> None:
        info = self.upd.info
        if info.cron_schedule:
            first = self._started_attributes()
            nxt = can.cron_successor(info, self.upd.now, input=first.input, header=first.header,
                                     last_completion_result=a.result)
            can.continue_as_new(self.engine, self.upd, self.domain, nxt, completed_id)
            return
        self.upd.add_event("WorkflowExecutionCompleted", result=a.result,
                           decisionTaskCompletedEventId=completed_id)
        m.close_workflow(self.upd, r.CLOSE_COMPLETED, self.domain.config.retention_days)

    def _apply_FailWorkflowExecution(self, a: Any, completed_id: int) -> None:
        info = self.upd.info
        if info.has_retry_policy or info.cron_schedule:
            first = self._started_attributes()
            nxt = can.retry_successor(info, self.upd.now, a.reason, a.details, first.input)
            if nxt is None and info.cron_schedule:
                nxt = can.cron_successor(info, self.upd.now, input=first.input,
                                         failure_reason=a.reason, failure_details=a.details,
                                         last_completion_result=first.lastCompletionResult)
            if nxt is not None:
                nxt.header = first.header
                can.continue_as_new(self.engine, self.upd, self.domain, nxt, completed_id)
                return
        self.upd.add_event("WorkflowExecutionFailed", reason=a.reason, details=a.details,
                           decisionTaskCompletedEventId=completed_id)
        m.close_workflow(self.upd, r.CLOSE_FAILED, self.domain.config.retention_days)

    def _apply_ContinueAsNewWorkflowExecution(self, a: Any, completed_id: int) -> None:
        nxt = can.Successor(
            initiator=a.initiator or can.DECIDER, input=a.input,
            workflow_type=a.workflowType.name if a.workflowType else None,
            task_list=a.taskList.name if a.taskList and a.taskList.name else None,
            workflow_timeout=a.executionStartToCloseTimeoutSeconds or None,
            decision_timeout=a.taskStartToCloseTimeoutSeconds or None,
            backoff_seconds=max(a.backoffStartIntervalInSeconds or 0, 0),
            retry_policy=a.retryPolicy, cron_schedule=a.cronSchedule, header=a.header,
            memo=a.memo, search_attributes=a.searchAttributes,
            failure_reason=a.failureReason, failure_details=a.failureDetails,
            last_completion_result=a.lastCompletionResult)
        can.continue_as_new(self.engine, self.upd, self.domain, nxt, completed_id)

    def _apply_CancelWorkflowExecution(self, a: Any, completed_id: int) -> None:
        self.upd.add_event("WorkflowExecutionCanceled", details=a.details,
                           decisionTaskCompletedEventId=completed_id)
        m.close_workflow(self.upd, r.CLOSE_CANCELED, self.domain.config.retention_days)


def schedule_activity_dispatch(upd: RunUpdate, activity: r.ActivityInfo) -> None:
    """The transfer task that puts the activity on its task list, plus its timeouts."""
    upd.transfer(r.TRANSFER_ACTIVITY, task_list=activity.task_list,
                 schedule_id=activity.schedule_id)
    base = activity.scheduled_time_of_this_attempt or upd.now
    m.activity_timer(upd, activity, m.SCHEDULE_TO_START,
                     base + activity.schedule_to_start_timeout * m.NANOS)
    m.activity_timer(upd, activity, m.SCHEDULE_TO_CLOSE,
                     base + activity.schedule_to_close_timeout * m.NANOS)
