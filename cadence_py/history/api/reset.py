"""ResetWorkflowExecution: a new run that replays a prefix of an old run's history.

The new history is the base run's events up to the chosen decision's
DecisionTaskStarted, then DecisionTaskFailed (cause RESET_WORKFLOW, naming the base and
new runs), the base run's later signals re-applied (unless skipped), and a fresh
DecisionTaskScheduled. A running current run is terminated first.
"""

from __future__ import annotations

import uuid
from typing import Any

from cadence_py.common import errors
from cadence_py.history import mutations as m
from cadence_py.history.api.control import ControlAPI
from cadence_py.history.codec import encode_events
from cadence_py.history.decisions import schedule_activity_dispatch
from cadence_py.history.events import attributes_of, event_type_name
from cadence_py.history.rebuild import rebuild
from cadence_py.persistence import records as r
from cadence_py.persistence.domains import DomainRecord

RESET_WORKFLOW = 19
FINISH_TYPES = ("DecisionTaskCompleted", "DecisionTaskFailed", "DecisionTaskTimedOut")


class ResetAPI(ControlAPI):
    def reset(self, domain: DomainRecord, workflow_id: str, run_id: str | None, reason: str,
              finish_event_id: int, request_id: str | None, skip_signal_reapply: bool,
              identity: str) -> str:
        base = self.load(domain.info.id, workflow_id, run_id)
        base_run = base.info.run_id
        events = self.read_events(base.info, 1, base.info.next_event_id)
        by_id = {e.eventId: e for e in events}
        finish = by_id.get(finish_event_id)
        started = by_id.get(finish_event_id - 1)
        if (finish is None or event_type_name(finish) not in FINISH_TYPES or started is None
                or event_type_name(started) != "DecisionTaskStarted"):
            raise errors.bad_request(
                "Reset event ID is invalid: it must be the ID of a DecisionTaskCompleted, "
                "DecisionTaskFailed or DecisionTaskTimedOut event that follows "
                "DecisionTaskStarted.")
        current = self.store.get_current(domain.info.id, workflow_id)
        if current.state in (r.STATE_CREATED, r.STATE_RUNNING):
            self.terminate(domain, workflow_id, current.run_id, reason=f"reset: {reason}",
                           details=None, identity=identity)
        prefix = [e for e in events if e.eventId < finish_event_id]
        new_run_id = str(uuid.uuid4())
        state = rebuild(domain.info.id, workflow_id, new_run_id, prefix)
        info = state.info
        info.first_run_id = base.info.first_run_id or base_run
        info.parent_domain_id = base.info.parent_domain_id
        info.create_request_id = request_id or str(uuid.uuid4())
        info.history_size = 0
        upd = self.new_update(state, domain)
        upd.add_event("DecisionTaskFailed", scheduledEventId=info.decision_schedule_id,
                      startedEventId=info.decision_started_id, cause=RESET_WORKFLOW,
                      reason=reason, identity=identity, baseRunId=base_run,
                      newRunId=new_run_id, forkEventVersion=started.version,
                      requestId=str(uuid.uuid4()))
        m.clear_decision(upd)
        if not skip_signal_reapply:
            for event in events[finish_event_id - 1:]:
                if event_type_name(event) == "WorkflowExecutionSignaled":
                    a = attributes_of(event)
                    upd.add_event("WorkflowExecutionSignaled", signalName=a.signalName,
                                  input=a.input, identity=a.identity, requestId=a.requestId)
        m.schedule_decision(upd)
        self._regenerate_tasks(upd)
        upd.transfer(r.TRANSFER_RECORD_STARTED)
        batches, txn_id = upd.history_batch()
        data = encode_events(prefix + upd.events)
        info.history_size = len(data)
        batch = r.HistoryBatch(1, info.next_event_id, data, txn_id=txn_id)
        info.last_updated_time = upd.now
        self.store.create_workflow(state, batch, upd.transfer_tasks, upd.timer_tasks,
                                   previous_run_id=current.run_id)
        self.committed(upd)
        return new_run_id

    def _regenerate_tasks(self, upd: Any) -> None:
        info = upd.info
        for activity in upd.state.activities.values():
            activity.started_id = r.EMPTY_EVENT_ID  # the worker of the old run is gone
            activity.scheduled_time_of_this_attempt = upd.now
            schedule_activity_dispatch(upd, activity)
        for timer in upd.state.timers.values():
            upd.timer(r.TIMER_USER, max(timer.expiry_time, upd.now), event_id=timer.started_id)
        upd.timer(r.TIMER_WORKFLOW_TIMEOUT, info.start_time + info.workflow_timeout * m.NANOS)
