"""A workflow run's mutable state and its queue tasks, as the stores keep them.

These mirror Cadence's persistence model (WorkflowMutableState: execution info plus maps
of pending activities, timers, children, cancels and signals; transfer and timer tasks)
so that the Cassandra store can lay them out in Cadence's ``executions`` table. The
history engine changes them; stores only persist them.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

EMPTY_EVENT_ID = -23  # upstream common.EmptyEventID
FIRST_EVENT_ID = 1

# workflow_execution.state
STATE_CREATED, STATE_RUNNING, STATE_COMPLETED, STATE_ZOMBIE = 0, 1, 2, 3
# workflow_execution.close_status (persistence enum; the API enum is one lower)
CLOSE_NONE, CLOSE_COMPLETED, CLOSE_FAILED, CLOSE_CANCELED = 0, 1, 2, 3
CLOSE_TERMINATED, CLOSE_CONTINUED_AS_NEW, CLOSE_TIMED_OUT = 4, 5, 6

# transfer task types (upstream values)
TRANSFER_DECISION, TRANSFER_ACTIVITY, TRANSFER_CLOSE, TRANSFER_CANCEL = 0, 1, 2, 3
TRANSFER_START_CHILD, TRANSFER_SIGNAL, TRANSFER_RECORD_STARTED = 4, 5, 6
TRANSFER_UPSERT_SEARCH_ATTRIBUTES, TRANSFER_RECORD_CLOSED = 8, 9
TRANSFER_RECORD_CHILD_COMPLETED = 10

# timer task types (upstream values)
TIMER_DECISION_TIMEOUT, TIMER_ACTIVITY_TIMEOUT, TIMER_USER, TIMER_WORKFLOW_TIMEOUT = 0, 1, 2, 3
TIMER_DELETE_HISTORY, TIMER_ACTIVITY_RETRY, TIMER_WORKFLOW_BACKOFF = 4, 5, 6


@dataclass
class ExecutionInfo:
    domain_id: str
    workflow_id: str
    run_id: str
    first_run_id: str = ""
    parent_domain_id: str = ""
    parent_workflow_id: str = ""
    parent_run_id: str = ""
    initiated_id: int = EMPTY_EVENT_ID
    task_list: str = ""
    workflow_type: str = ""
    workflow_timeout: int = 0
    decision_timeout: int = 0  # the workflow's task start-to-close timeout
    state: int = STATE_CREATED
    close_status: int = CLOSE_NONE
    next_event_id: int = FIRST_EVENT_ID
    last_first_event_id: int = FIRST_EVENT_ID
    # The transaction id (txn_id) of the last history batch this state was written with;
    # 0: not known (states written before it was kept). History reads take no node row
    # above it: such a row was written by a write that did not land (or not yet).
    last_event_task_id: int = 0
    last_processed_event: int = EMPTY_EVENT_ID
    start_time: int = 0  # unix nanos
    last_updated_time: int = 0
    create_request_id: str = ""
    # the pending or running decision
    decision_schedule_id: int = EMPTY_EVENT_ID
    decision_started_id: int = EMPTY_EVENT_ID
    decision_request_id: str = ""
    decision_task_timeout: int = 0
    decision_attempt: int = 0
    decision_scheduled_time: int = 0
    decision_started_time: int = 0
    decision_original_scheduled_time: int = 0
    decision_task_list: str = ""  # the list the pending decision was sent to ("" = normal)
    decision_identity: str = ""  # who started it (for the transient started event)
    cancel_requested: bool = False
    cancel_request_id: str = ""
    sticky_task_list: str = ""
    sticky_schedule_to_start_timeout: int = 0
    execution_context: bytes = b""
    attempt: int = 0
    has_retry_policy: bool = False
    retry_initial_interval: int = 0
    retry_backoff_coefficient: float = 0.0
    retry_max_interval: int = 0
    retry_max_attempts: int = 0
    retry_expiration_seconds: int = 0
    retry_non_retriable_errors: list[str] = field(default_factory=list)
    expiration_time: int = 0
    cron_schedule: str = ""
    signal_count: int = 0
    history_size: int = 0
    completion_event_id: int = EMPTY_EVENT_ID
    memo: dict[str, bytes] = field(default_factory=dict)
    search_attributes: dict[str, bytes] = field(default_factory=dict)
    identity: str = ""


@dataclass
class ActivityInfo:
    schedule_id: int
    activity_id: str
    activity_type: str
    task_list: str
    scheduled_time: int = 0
    started_id: int = EMPTY_EVENT_ID
    started_time: int = 0
    request_id: str = ""
    started_identity: str = ""
    input: bytes = b""
    header: dict[str, bytes] = field(default_factory=dict)
    domain_id: str = ""
    schedule_to_start_timeout: int = 0
    schedule_to_close_timeout: int = 0
    start_to_close_timeout: int = 0
    heartbeat_timeout: int = 0
    details: bytes = b""
    last_heartbeat_time: int = 0
    cancel_requested: bool = False
    cancel_request_id: int = EMPTY_EVENT_ID
    timer_task_status: int = 0  # bit set of timeout kinds whose timer task exists
    attempt: int = 0
    has_retry_policy: bool = False
    retry_initial_interval: int = 0
    retry_backoff_coefficient: float = 0.0
    retry_max_interval: int = 0
    retry_max_attempts: int = 0
    retry_expiration_seconds: int = 0
    retry_non_retriable_errors: list[str] = field(default_factory=list)
    expiration_time: int = 0
    last_failure_reason: str = ""
    last_failure_details: bytes = b""
    scheduled_time_of_this_attempt: int = 0


@dataclass
class TimerInfo:
    timer_id: str
    started_id: int
    expiry_time: int  # unix nanos
    task_created: bool = False


@dataclass
class ChildInfo:
    initiated_id: int
    workflow_id: str
    workflow_type: str
    domain_name: str
    create_request_id: str = ""
    started_id: int = EMPTY_EVENT_ID
    started_run_id: str = ""
    parent_close_policy: int = 0


@dataclass
class RequestCancelInfo:
    initiated_id: int
    cancel_request_id: str = ""


@dataclass
class SignalInfo:
    initiated_id: int
    signal_request_id: str = ""
    signal_name: str = ""
    input: bytes = b""
    control: bytes = b""


@dataclass
class MutableState:
    """Everything the history role knows about one run besides its event history."""

    info: ExecutionInfo
    activities: dict[int, ActivityInfo] = field(default_factory=dict)
    timers: dict[str, TimerInfo] = field(default_factory=dict)
    children: dict[int, ChildInfo] = field(default_factory=dict)
    request_cancels: dict[int, RequestCancelInfo] = field(default_factory=dict)
    signals: dict[int, SignalInfo] = field(default_factory=dict)
    signals_requested: list[str] = field(default_factory=list)
    # Events that arrived while a decision was running (encoded History blobs).
    buffered_events: list[bytes] = field(default_factory=list)


@dataclass
class TransferTask:
    type: int
    domain_id: str
    workflow_id: str
    run_id: str
    task_id: int = 0
    visibility_time: int = 0
    task_list: str = ""
    schedule_id: int = EMPTY_EVENT_ID
    target_domain_id: str = ""
    target_workflow_id: str = ""
    target_run_id: str = ""
    target_child_workflow_only: bool = False
    record_visibility: bool = False


@dataclass
class TimerTask:
    type: int
    domain_id: str
    workflow_id: str
    run_id: str
    fire_time: int  # unix nanos
    task_id: int = 0
    event_id: int = EMPTY_EVENT_ID
    timeout_type: int = 0
    attempt: int = 0


@dataclass
class CurrentExecution:
    """The current-run pointer of a workflow id."""

    run_id: str
    create_request_id: str
    state: int
    close_status: int
    start_request_ids: list[str] = field(default_factory=list)


@dataclass
class HistoryBatch:
    """One append to a run's history: consecutive events, encoded as a History blob."""

    first_event_id: int
    next_event_id: int  # first id after this batch
    data: bytes
    encoding: str = "thriftrw"
    txn_id: int = 0


# ---------------------------------------------------------------- JSON documents
def dump_document(obj: Any) -> str:
    """A record (or a value of records) as JSON text: ``json.dumps(to_document(obj))``.

    orjson writes dataclasses natively, about 8x faster than walking them here and calling
    json (a run's state on every write was ~5% of the server's time on SQLite). It writes
    NaN and infinities as null, though, and no record field is ever None: so output with
    a null in it (or a string containing "null", rarely) is written again by the walk,
    which keeps them. So is anything orjson refuses (odd dict keys, ints past 64 bits)."""
    try:
        text = orjson.dumps(obj, default=_orjson_default, option=orjson.OPT_NON_STR_KEYS)
        if b"null" not in text:
            return text.decode()
    except TypeError:  # orjson.JSONEncodeError is one
        pass
    return json.dumps(to_document(obj), separators=(",", ":"))


def _orjson_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    raise TypeError(f"not a document value: {type(value).__name__}")


def load_document(kind: Any, text: str | bytes) -> Any:
    """The inverse of dump_document: parse, then ``from_document(kind, ...)``."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. NaN, which json.dumps writes and orjson refuses
        data = json.loads(text)
    return from_document(kind, data)


def to_document(obj: Any) -> Any:
    """Dataclasses -> JSON-able values (bytes become {"b64": ...}). A dataclass goes
    through its type's encoder; other values are walked by their run-time type."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _encoder(type(obj))(obj)
    if isinstance(obj, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(obj)).decode()}
    if isinstance(obj, dict):
        return {str(k): to_document(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_document(v) for v in obj]
    return obj


_PLAIN = (int, str, float, bool)


def _bytes_document(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    return to_document(value)


@functools.lru_cache(maxsize=None)
def _encoder(kind: Any) -> Callable[[Any], Any]:
    """One encoding function per declared type, built once (the mirror of ``_decoder``):
    every state write encodes the whole state, and walking it generically with
    ``dataclasses.fields`` and isinstance checks per value showed in profiles. Fields of
    plain types (and lists of them) pass through as they are; anything the hints don't pin
    down (Any, unions) takes the generic path."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        names, special = _field_plan(kind, _encoder)

        def document_of(obj: Any) -> Any:
            if type(obj) is not kind:  # a subclass or a stray value: no shortcuts
                return to_document(obj)
            doc = {n: getattr(obj, n) for n in names}
            for n, encode in special:
                doc[n] = encode(doc[n])
            return doc
        return document_of
    if kind in _PLAIN:
        return _identity  # trusted: json.dumps writes them as they are
    if kind is bytes:
        return _bytes_document
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        item = _encoder(item_kind)
        if item is _identity:
            return _identity  # json.dumps writes lists (and tuples) of plain values
        return lambda data: [item(v) for v in data]
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        value = _encoder(value_kind)
        return lambda data: {str(k): value(v) for k, v in data.items()}
    return to_document


def _field_plan(kind: Any, make: Callable[[Any], Callable[[Any], Any]]
                ) -> tuple[tuple[str, ...], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    """A dataclass's field names, and (name, function) for the fields whose function (from
    ``make``: _encoder or _cloner) is not the identity."""
    hints, _ = _fields_of(kind)
    names = tuple(f.name for f in dataclasses.fields(kind))
    made = ((n, make(hints[n])) for n in names)
    return names, tuple((n, fn) for n, fn in made if fn is not _identity)


def clone(obj: Any) -> Any:
    """A deep copy of a record (dataclass), several times faster than ``copy.deepcopy``
    or a pickle round trip: the state cache hands out a copy on every load."""
    return _cloner(type(obj))(obj)


@functools.lru_cache(maxsize=None)
def _cloner(kind: Any) -> Callable[[Any], Any]:
    """One copying function per declared type, built once. Immutable values are shared;
    anything the hints don't pin down is deep-copied."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        _, special = _field_plan(kind, _cloner)
        new = object.__new__

        def copy_of(obj: Any) -> Any:
            if type(obj) is not kind:
                return copy.deepcopy(obj)
            values = obj.__dict__.copy()
            for n, copy_value in special:
                values[n] = copy_value(values[n])
            twin = new(kind)
            twin.__dict__ = values
            return twin
        return copy_of
    if kind in _PLAIN or kind is bytes:
        return _identity
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        item = _cloner(item_kind)
        return list if item is _identity else (lambda data: [item(v) for v in data])
    if origin is dict:
        value = _cloner(typing.get_args(kind)[1])
        return dict if value is _identity else (
            lambda data: {k: value(v) for k, v in data.items()})
    return copy.deepcopy


@functools.lru_cache(maxsize=None)
def _fields_of(kind: type) -> tuple[dict[str, Any], frozenset[str]]:
    """Type hints and field names of a dataclass, computed once (get_type_hints compiles
    every annotation string: it dominated state loads in profiles)."""
    return typing.get_type_hints(kind), frozenset(f.name for f in dataclasses.fields(kind))


def from_document(kind: Any, data: Any) -> Any:
    """The inverse of to_document, guided by type hints."""
    return _decoder(kind)(data)


def _identity(data: Any) -> Any:
    return data


def _bytes(data: Any) -> bytes:
    return base64.b64decode(data["b64"]) if isinstance(data, dict) else bytes(data or b"")


@functools.lru_cache(maxsize=None)
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """One decoding function per type, built once: state loads decode thousands of
    documents, and re-inspecting type hints per value dominated their profile."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        hints, known = _fields_of(kind)
        fields = {name: _decoder(hints[name]) for name in known}

        def dataclass_of(data: Any) -> Any:
            return kind(**{k: fields[k](v) for k, v in data.items() if k in fields})
        return dataclass_of
    if kind is bytes:
        return _bytes
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        value = _decoder(value_kind)
        if key_kind is str and value is _identity:
            return lambda data: {str(k): v for k, v in data.items()}
        return lambda data: {key_kind(k): value(v) for k, v in data.items()}
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        item = _decoder(item_kind)
        return _identity if item is _identity else (lambda data: [item(v) for v in data])
    return _identity
