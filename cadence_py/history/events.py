"""Building HistoryEvent structs.

Every event type has an attributes struct named ``<EventType>EventAttributes`` stored in
the HistoryEvent field ``<eventType>EventAttributes`` (first letter lower-cased); one
generic constructor covers all of them.
"""

from __future__ import annotations

from typing import Any

from cadence_py.rpc import idl


def attributes_field(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def new_event(event_type: str, **attributes: Any) -> Any:
    """An event without id, timestamp, version or task id (RunUpdate assigns those)."""
    shared = idl.shared()
    event = shared.HistoryEvent(eventType=getattr(shared.EventType, event_type))
    attrs = getattr(shared, f"{event_type}EventAttributes")(**attributes)
    setattr(event, attributes_field(event_type), attrs)
    return event


def event_type_name(event: Any) -> str:
    return idl.shared().EventType._VALUES_TO_NAMES[event.eventType]


def attributes_of(event: Any) -> Any:
    return getattr(event, attributes_field(event_type_name(event)))


CLOSE_EVENT_TYPES = frozenset({
    "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionTimedOut",
    "WorkflowExecutionCanceled", "WorkflowExecutionTerminated",
    "WorkflowExecutionContinuedAsNew",
})


def is_close_event(event: Any) -> bool:
    return event_type_name(event) in CLOSE_EVENT_TYPES
