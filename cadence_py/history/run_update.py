"""One atomic change to a run: new events, new queue tasks, the state they lead to.

The engine mutates ``state`` and calls ``add_event``; ``RunUpdate`` numbers the events,
or holds them back while a decision task is running (Cadence's buffered events: they are
numbered and written when that decision finishes, so a worker never sees ids move under
it). ``commit`` turns it all into one conditional store write.
"""

from __future__ import annotations

import time
from typing import Any

from cadence_py.history.codec import decode_event, encode_event, encode_events
from cadence_py.history.events import attributes_of, event_type_name, new_event
from cadence_py.history.shard import TaskIdAllocator
from cadence_py.persistence.executions import ExecutionStore, NewRun
from cadence_py.persistence.records import (
    EMPTY_EVENT_ID,
    HistoryBatch,
    MutableState,
    TimerTask,
    TransferTask,
)


ACTIVITY_CLOSE_EVENTS = frozenset({"ActivityTaskCompleted", "ActivityTaskFailed",
                                   "ActivityTaskTimedOut", "ActivityTaskCanceled"})
CHILD_CLOSE_EVENTS = frozenset({
    "ChildWorkflowExecutionCompleted", "ChildWorkflowExecutionFailed",
    "ChildWorkflowExecutionCanceled", "ChildWorkflowExecutionTimedOut",
    "ChildWorkflowExecutionTerminated"})
PLACEHOLDER_IDS = frozenset({-124, -125})  # mutations.TRANSIENT_EVENT_ID, BUFFERED_EVENT_ID


class RunUpdate:
    def __init__(self, state: MutableState, version: int, ids: TaskIdAllocator,
                 now: int | None = None) -> None:
        self.state = state
        self.version = version
        self.ids = ids
        self.now = now or time.time_ns()
        self.expected_next_event_id = state.info.next_event_id
        self.events: list[Any] = []
        self.transfer_tasks: list[TransferTask] = []
        self.timer_tasks: list[TimerTask] = []
        self.state_changed = False
        self.new_run: NewRun | None = None

    @property
    def info(self):  # type: ignore[no-untyped-def]
        return self.state.info

    @property
    def decision_in_flight(self) -> bool:
        return self.info.decision_started_id != EMPTY_EVENT_ID

    def add_event(self, event_type: str, buffer_if_decision_running: bool = False,
                  **attributes: Any) -> Any:
        """Append an event; with ``buffer_if_decision_running`` it waits for the decision."""
        event = new_event(event_type, **attributes)
        event.timestamp = self.now
        event.version = self.version
        if buffer_if_decision_running and self.decision_in_flight:
            self.state.buffered_events.append(encode_event(event))
            self.state_changed = True
            return event
        self._number(event)
        return event

    def append(self, event: Any) -> Any:
        """Number and append an already built event (keeps its timestamp)."""
        event.version = self.version if event.version is None else event.version
        self._number(event)
        return event

    def _number(self, event: Any) -> None:
        event.eventId = self.info.next_event_id
        self.info.next_event_id += 1
        self.events.append(event)

    def flush_buffered(self) -> int:
        """Number and append events held back during the decision; return how many.

        Activity events written while their ActivityTaskStarted was itself buffered
        carry a placeholder started id; it is replaced by the real id here.
        """
        buffered = self.state.buffered_events
        self.state.buffered_events = []
        started_ids: dict[int, int] = {}
        for blob in buffered:
            event = decode_event(blob)
            self._number(event)
            name = event_type_name(event)
            attrs = attributes_of(event)
            if name == "ActivityTaskStarted":
                started_ids[attrs.scheduledEventId] = event.eventId
                activity = self.state.activities.get(attrs.scheduledEventId)
                if activity is not None and activity.started_id < 0:
                    activity.started_id = event.eventId
            elif name in ACTIVITY_CLOSE_EVENTS and attrs.startedEventId in PLACEHOLDER_IDS:
                attrs.startedEventId = started_ids.get(attrs.scheduledEventId,
                                                       attrs.startedEventId)
            elif name == "ChildWorkflowExecutionStarted":
                started_ids[-attrs.initiatedEventId] = event.eventId
                child = self.state.children.get(attrs.initiatedEventId)
                if child is not None and child.started_id < 0:
                    child.started_id = event.eventId
            elif name in CHILD_CLOSE_EVENTS and attrs.startedEventId in PLACEHOLDER_IDS:
                attrs.startedEventId = started_ids.get(-attrs.initiatedEventId,
                                                       attrs.startedEventId)
        return len(buffered)

    @property
    def has_buffered(self) -> bool:
        return bool(self.state.buffered_events)

    def add_transfer(self, task: TransferTask) -> None:
        self.transfer_tasks.append(task)

    def add_timer(self, task: TimerTask) -> None:
        self.timer_tasks.append(task)

    def transfer(self, task_type: int, **fields: Any) -> None:
        info = self.info
        self.add_transfer(TransferTask(type=task_type, domain_id=info.domain_id,
                                       workflow_id=info.workflow_id, run_id=info.run_id,
                                       visibility_time=self.now, **fields))

    def timer(self, task_type: int, fire_time: int, **fields: Any) -> None:
        info = self.info
        self.add_timer(TimerTask(type=task_type, domain_id=info.domain_id,
                                 workflow_id=info.workflow_id, run_id=info.run_id,
                                 fire_time=fire_time, **fields))

    @property
    def empty(self) -> bool:
        return not (self.events or self.transfer_tasks or self.timer_tasks
                    or self.state_changed or self.new_run)

    def history_batch(self) -> tuple[list[HistoryBatch], int]:
        """Assign task ids and encode the new events; returns (batches, txn id)."""
        ids = self.ids.next_ids(1 + len(self.transfer_tasks) + len(self.timer_tasks))
        txn_id, task_ids = ids[0], ids[1:]
        for task, task_id in zip([*self.transfer_tasks, *self.timer_tasks], task_ids):
            task.task_id = task_id
        if not self.events:
            return [], txn_id
        for event in self.events:
            event.taskId = txn_id
        data = encode_events(self.events)
        self.info.history_size += len(data)
        self.info.last_first_event_id = self.events[0].eventId
        self.info.last_event_task_id = txn_id
        batch = HistoryBatch(first_event_id=self.events[0].eventId,
                             next_event_id=self.events[-1].eventId + 1, data=data, txn_id=txn_id)
        return [batch], txn_id

    def commit(self, store: ExecutionStore) -> None:
        self.info.last_updated_time = self.now
        batches, _ = self.history_batch()
        store.update_workflow(self.state, self.expected_next_event_id, batches,
                              self.transfer_tasks, self.timer_tasks, self.new_run)
