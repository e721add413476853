"""What each timer task does when it fires (upstream's timer active task executor)."""

from __future__ import annotations

import logging
from typing import Any

from cadence_py.history import continue_as_new as can
from cadence_py.history import mutations as m
from cadence_py.history.api.activity_tasks import retry_activity, write_started_event
from cadence_py.history.decisions import schedule_activity_dispatch
from cadence_py.history.run_update import RunUpdate
from cadence_py.persistence import records as r
from cadence_py.persistence.errors import StaleReadError

log = logging.getLogger(__name__)
TIMEOUT_NAMES = {m.START_TO_CLOSE: "START_TO_CLOSE", m.SCHEDULE_TO_START: "SCHEDULE_TO_START",
                 m.SCHEDULE_TO_CLOSE: "SCHEDULE_TO_CLOSE", m.HEARTBEAT: "HEARTBEAT"}


def fire(engine: Any, task: r.TimerTask) -> None:
    """Apply one due timer task to its run (a no-op when it is no longer relevant)."""
    if task.type == r.TIMER_DELETE_HISTORY:
        engine.store.delete_workflow(task.domain_id, task.workflow_id, task.run_id)
        if getattr(engine, "visibility_writer", None) is not None:
            engine.visibility_writer.delete(task.domain_id, task.workflow_id, task.run_id)
        return
    handler = HANDLERS.get(task.type)
    if handler is None:
        log.warning("unknown timer task type %s", task.type)
        return
    try:
        engine.update(task.domain_id, task.workflow_id, task.run_id,
                      lambda upd: handler(engine, upd, task))
    except Exception as exc:  # noqa: BLE001 - closed/deleted runs make timers moot
        if type(exc).__name__ == "EntityNotExistsError":
            return
        raise


def _decision_timeout(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    info = upd.info
    if info.decision_schedule_id != task.event_id or info.decision_attempt != task.attempt:
        return
    if task.timeout_type == m.SCHEDULE_TO_START:
        # the sticky worker did not pick it up: fall back to the normal task list
        if info.decision_started_id != r.EMPTY_EVENT_ID or not info.decision_task_list:
            return
        upd.add_event("DecisionTaskTimedOut", scheduledEventId=info.decision_schedule_id,
                      startedEventId=r.EMPTY_EVENT_ID, timeoutType=m.SCHEDULE_TO_START)
        info.sticky_task_list = ""
        m.clear_decision(upd)
        m.schedule_decision(upd)
        return
    if info.decision_started_id == r.EMPTY_EVENT_ID:
        # This timer is written only with the decision's start, for this schedule id and
        # attempt: a state where that decision is not started is older than the task (its
        # write was still being applied when the run was read, as after a Cassandra node
        # froze mid-write). Dropping the task would leave the decision started for good.
        suspect = getattr(engine.store, "suspect", None)
        if suspect is not None:
            suspect(info.domain_id, info.workflow_id, info.run_id)
        raise StaleReadError(f"decision {info.decision_schedule_id} of {info.workflow_id} "
                             "is not started in the state read; reading it again")
    if not m.is_transient(info):  # only the first timeout is recorded, as upstream
        upd.add_event("DecisionTaskTimedOut", scheduledEventId=info.decision_schedule_id,
                      startedEventId=info.decision_started_id, timeoutType=m.START_TO_CLOSE)
    upd.state_changed = True
    attempt = info.decision_attempt + 1
    info.sticky_task_list = ""
    m.clear_decision(upd)
    upd.flush_buffered()
    m.schedule_decision(upd, attempt=attempt)


def _activity_timeout(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    activity = upd.state.activities.get(task.event_id)
    if activity is None or activity.attempt != task.attempt:
        return
    started = activity.started_id != r.EMPTY_EVENT_ID
    kind = task.timeout_type
    if kind == m.SCHEDULE_TO_START and started:
        return
    if kind in (m.START_TO_CLOSE, m.HEARTBEAT) and not started:
        return
    if kind == m.HEARTBEAT:
        due = activity.last_heartbeat_time + activity.heartbeat_timeout * m.NANOS
        if due > upd.now:
            m.activity_timer(upd, activity, m.HEARTBEAT, due)
            return
    reason = f"cadenceInternal:Timeout {TIMEOUT_NAMES[kind]}"
    if kind != m.SCHEDULE_TO_CLOSE and retry_activity(upd, activity, reason, activity.details):
        return
    started_id = write_started_event(upd, activity) if started else r.EMPTY_EVENT_ID
    upd.add_event("ActivityTaskTimedOut", buffer_if_decision_running=True,
                  details=activity.details or None, scheduledEventId=activity.schedule_id,
                  startedEventId=started_id, timeoutType=kind,
                  lastFailureReason=activity.last_failure_reason or None,
                  lastFailureDetails=activity.last_failure_details or None)
    del upd.state.activities[activity.schedule_id]
    m.schedule_decision(upd)


def _activity_retry(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    activity = upd.state.activities.get(task.event_id)
    if activity is None or activity.attempt != task.attempt:
        return
    if activity.started_id != r.EMPTY_EVENT_ID:
        return
    schedule_activity_dispatch(upd, activity)


def _user_timer(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    timer = next((t for t in upd.state.timers.values() if t.started_id == task.event_id), None)
    if timer is None or timer.expiry_time > upd.now:
        return
    upd.add_event("TimerFired", buffer_if_decision_running=True, timerId=timer.timer_id,
                  startedEventId=timer.started_id)
    del upd.state.timers[timer.timer_id]
    m.schedule_decision(upd)


def _workflow_timeout(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    info = upd.info
    if task.fire_time < info.start_time:
        return  # a timer of an earlier attempt
    m.fail_in_flight_decision(upd, 16)  # FORCE_CLOSE_DECISION
    upd.flush_buffered()
    domain = engine.domains.by_id(info.domain_id)
    if info.has_retry_policy or info.cron_schedule:
        first = engine.read_events(info, 1, 2)[0].workflowExecutionStartedEventAttributes
        reason = "cadenceInternal:Timeout START_TO_CLOSE"
        nxt = can.retry_successor(info, upd.now, reason, None, first.input)
        if nxt is None and info.cron_schedule:
            nxt = can.cron_successor(info, upd.now, input=first.input, failure_reason=reason,
                                     last_completion_result=first.lastCompletionResult)
        if nxt is not None:
            nxt.header = first.header
            can.continue_as_new(engine, upd, domain, nxt, None)
            return
    upd.add_event("WorkflowExecutionTimedOut", timeoutType=m.START_TO_CLOSE)
    m.close_workflow(upd, r.CLOSE_TIMED_OUT, domain.config.retention_days)


def _workflow_backoff(engine: Any, upd: RunUpdate, task: r.TimerTask) -> None:
    m.schedule_decision(upd)


HANDLERS = {
    r.TIMER_DECISION_TIMEOUT: _decision_timeout,
    r.TIMER_ACTIVITY_TIMEOUT: _activity_timeout,
    r.TIMER_ACTIVITY_RETRY: _activity_retry,
    r.TIMER_USER: _user_timer,
    r.TIMER_WORKFLOW_TIMEOUT: _workflow_timeout,
    r.TIMER_WORKFLOW_BACKOFF: _workflow_backoff,
}
