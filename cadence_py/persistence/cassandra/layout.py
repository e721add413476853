"""The on-disk contract of Cadence's ``executions`` table, and small value helpers.

``executions`` has one partition per history shard; its clustering key
``(type, domain_id, workflow_id, run_id, visibility_ts, task_id)`` multiplexes several row
kinds. Rows that are not about a real workflow use fixed "magic" ids so that each kind
sorts into its own contiguous range (transfer tasks by task id, timers by fire time).
The values below are Cadence's (``nosqlplugin/cassandra/constants.go``); a keyspace we
write must read the same to the upstream Go server, so they must never change.

Also here:

* ``shard_of``: which shard a workflow id lives in. Upstream computes
  ``farm.Fingerprint32(workflowID) % numHistoryShards``; we use the same function from
  the ``pyfarmhash`` package (its ``fingerprint32`` is FarmHash's fingerprint, which is
  what Go's ``dgryski/go-farm`` implements; checked against go-farm on sample ids).
  Matching shard numbers matters: with another hash, the upstream server would look for
  our workflows in the wrong partition.
* ``Extras``: the JSON document kept in a row's ``data`` blob for what Cadence's columns
  cannot hold exactly (sub-millisecond parts of times, ids that are not canonical UUIDs)
  or at all (fields Cadence has no column for).
* ``UdtPacker``: frozen UDT values are bound as tuples in the type's field order; that
  order is read from the live schema so a field added upstream cannot shift our values.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import typing
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from cassandra import (
    DriverException,
    OperationTimedOut,
    RequestExecutionException,
    RequestValidationException,
)
from cassandra.cluster import NoHostAvailable, ResponseFuture, Session
from cassandra.query import BatchStatement, BatchType

from cadence_py.persistence.errors import PersistenceError
from cadence_py.persistence.records import from_document, to_document

# ---------------------------------------------------------------- row kinds (type)
ROW_SHARD = 0
ROW_EXECUTION = 1  # a run's mutable state, and the workflow's current-run pointer
ROW_TRANSFER = 2
ROW_TIMER = 3

SHARD_TASK_ID = -11
EXECUTION_TASK_ID = -10

# (domain_id, workflow_id, run_id) of the non-workflow row kinds.
SHARD_KEY = (uuid.UUID("10000000-1000-f000-f000-000000000000"),
             "20000000-1000-f000-f000-000000000000",
             uuid.UUID("30000000-1000-f000-f000-000000000000"))
TRANSFER_KEY = (uuid.UUID("10000000-3000-f000-f000-000000000000"),
                "20000000-3000-f000-f000-000000000000",
                uuid.UUID("30000000-3000-f000-f000-000000000000"))
TIMER_KEY = (uuid.UUID("10000000-4000-f000-f000-000000000000"),
             "20000000-4000-f000-f000-000000000000",
             uuid.UUID("30000000-4000-f000-f000-000000000000"))

# The current-run pointer of a workflow id is the row with this "permanent" run id.
CURRENT_RUN_KEY = uuid.UUID("30000000-0000-f000-f000-000000000001")
EMPTY_RUN_ID = uuid.UUID("30000000-0000-f000-f000-000000000000")
EMPTY_DOMAIN_ID = uuid.UUID("10000000-0000-f000-f000-000000000000")

# 2000-01-01T00:00:00Z in ms: visibility_ts of every row that is not a timer.
DEFAULT_VISIBILITY_TS = 946_684_800_000
EMPTY_VERSION = -24  # upstream common.EmptyVersion: local (non-replicated) domains
EVENT_STORE_VERSION_V2 = 2  # history lives in history_tree/history_node

NANOS_PER_MS = 1_000_000
JSON_ENCODING = "json"
DEFAULT_NUM_SHARDS = 4

_EPOCH = datetime.datetime(1970, 1, 1)
_F = TypeVar("_F", bound=Callable[..., Any])
DRIVER_ERRORS = (DriverException, RequestExecutionException, RequestValidationException,
                 OperationTimedOut, NoHostAvailable)


def driver_errors_as_persistence_errors(fn: _F) -> _F:
    """Store methods raise PersistenceError for driver failures (timeouts, lost
    connections): callers depend on the store interface, not on the driver."""
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DRIVER_ERRORS as exc:
            raise PersistenceError(f"cassandra {fn.__name__}: {exc}") from exc
    return call  # type: ignore[return-value]


# ---------------------------------------------------------------- sharding
DELETES_PER_BATCH = 40  # ~4 KiB of keys: under Cassandra's 5 KiB batch-size warning


def delete_in_one_partition(session: Session, statement: Any,
                            keys: list[tuple[Any, ...]]) -> list[ResponseFuture]:
    """Send ``statement`` once per key, as unlogged batches: the keys are of one partition,
    so each batch is one mutation (no batchlog) and one request instead of one per row.
    Returns the futures; the caller waits for them."""
    futures = []
    for i in range(0, len(keys), DELETES_PER_BATCH):
        chunk = keys[i:i + DELETES_PER_BATCH]
        if len(chunk) == 1:
            futures.append(session.execute_async(statement, chunk[0]))
            continue
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for key in chunk:
            batch.add(statement, key)
        futures.append(session.execute_async(batch))
    return futures


def shard_of(workflow_id: str, num_shards: int) -> int:
    """Upstream's WorkflowIDToHistoryShard: FarmHash Fingerprint32 of the UTF-8 id."""
    try:
        import farmhash
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("the Cassandra store needs the pyfarmhash package (shard ids "
                           "must match upstream's farm.Fingerprint32)") from exc
    return farmhash.fingerprint32(workflow_id.encode()) % num_shards


# ---------------------------------------------------------------- value helpers
def ms_of(value: Any) -> int | None:
    """A CQL timestamp as read by the driver (naive UTC datetime) -> unix ms."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return (value - _EPOCH) // datetime.timedelta(milliseconds=1)


#: Parsing a UUID costs microseconds, and a run's ids are parsed for every statement.
_parsed_uuid = functools.lru_cache(maxsize=16384)(uuid.UUID)


def strict_uuid(value: str, what: str) -> uuid.UUID:
    """Ids that are part of a row's key: they must be UUIDs (we generate them so)."""
    try:
        return _parsed_uuid(value)
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"{what} {value!r} is not a UUID (the Cassandra column is uuid)"
                         ) from None


def uuid_text(value: Any) -> str:
    """A uuid column read back: null and Cadence's "empty" markers read as ""."""
    if value is None or value in (EMPTY_RUN_ID, EMPTY_DOMAIN_ID):
        return ""
    return str(value)


class Extras:
    """One row's side document: exact values and column-less fields, by field name.

    Nested documents (one per activity, timer, ...) are made with ``sub``. Only values
    that need it are written, so a row whose values all fit Cadence's columns has no
    ``data`` blob. On read, an exact value is used only while it still agrees with its
    column: if the upstream server rewrote the column, the column wins.
    """

    def __init__(self, doc: dict[str, Any] | None = None) -> None:
        self.doc: dict[str, Any] = doc if doc is not None else {}

    @classmethod
    def load(cls, data: bytes | None, encoding: str | None) -> "Extras":
        if not data or encoding != JSON_ENCODING:
            return cls()  # none, or a blob some other writer put there
        try:
            doc = json.loads(bytes(data))
        except ValueError:
            return cls()
        return cls(doc if isinstance(doc, dict) else {})

    def dump(self) -> tuple[bytes | None, str | None]:
        """(data, data_encoding) column values; (None, None) when nothing is needed."""
        doc = _prune(self.doc)
        if not doc:
            return None, None
        return json.dumps(doc, separators=(",", ":")).encode(), JSON_ENCODING

    def sub(self, *path: str) -> "Extras":
        doc = self.doc
        for key in path:
            child = doc.get(key)
            if not isinstance(child, dict):
                child = {}
                doc[key] = child
            doc = child
        return Extras(doc)

    def put(self, key: str, value: Any) -> None:
        self.doc[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.doc.get(key, default)

    # --- unix-nanos times in millisecond timestamp columns
    def time_ms(self, key: str, nanos: int) -> int | None:
        """Column value for ``nanos`` (0 = unset = null); keeps the exact value aside."""
        if not nanos:
            return None
        if nanos % NANOS_PER_MS:
            self.doc[key] = nanos
        return nanos // NANOS_PER_MS

    def time_ns(self, key: str, column: Any) -> int:
        ms = ms_of(column)
        if ms is None:
            return 0
        exact = self.doc.get(key)
        if isinstance(exact, int) and exact // NANOS_PER_MS == ms:
            return exact
        return ms * NANOS_PER_MS

    # --- free-form ids in uuid columns
    def uuid(self, key: str, text: str, empty: uuid.UUID | None = None) -> uuid.UUID | None:
        """Column value for an id; one that is not a canonical UUID is kept aside (the
        column then holds its parsed form, or ``empty`` when it does not parse)."""
        if not text:
            return empty
        try:
            value = uuid.UUID(text)
        except ValueError:
            self.doc[key] = text
            return empty
        if str(value) != text:
            self.doc[key] = text
        return value

    def uuid_str(self, key: str, column: Any) -> str:
        exact = self.doc.get(key)
        if isinstance(exact, str):
            try:
                agrees = column in (None, EMPTY_RUN_ID, EMPTY_DOMAIN_ID) or \
                    uuid.UUID(exact) == column
            except ValueError:
                agrees = column in (None, EMPTY_RUN_ID, EMPTY_DOMAIN_ID)
            if agrees:
                return exact
        return uuid_text(column)


def _prune(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            value = _prune(value)
            if not value:
                continue
        out[key] = value
    return out


class UdtPacker:
    """Builds bind values for frozen UDTs from name -> value mappings.

    The driver takes a UDT as a tuple in declared field order (not a dict). Unknown
    names are an error: a misspelt field must not be silently dropped.
    """

    def __init__(self, session: Any, keyspace: str) -> None:
        meta = session.cluster.metadata.keyspaces.get(keyspace)
        if meta is None:
            raise ValueError(f"keyspace {keyspace!r} not found in cluster metadata")
        self._fields = {name: tuple(t.field_names) for name, t in meta.user_types.items()}

    def pack(self, type_name: str, values: dict[str, Any]) -> tuple[Any, ...]:
        fields = self._fields[type_name]
        unknown = set(values) - set(fields)
        if unknown:
            raise KeyError(f"{type_name} has no field(s) {sorted(unknown)}")
        return tuple(values.get(name) for name in fields)


# ---------------------------------------------------------------- record fields
def field_of(udt: Any, name: str, default: Any) -> Any:
    """A UDT field, with nulls (unset by any writer) read as the record's default."""
    value = getattr(udt, name, None) if udt is not None else None
    return default if value is None else value


def columnless(kind: type, mapped: str) -> tuple[str, ...]:
    """The fields of ``kind`` without a Cadence column (``mapped`` lists the others).
    Derived rather than listed, so a field added to a record later is kept in the data
    blob from the start instead of being silently dropped."""
    names = {f.name for f in dataclasses.fields(kind)}
    columns = set(mapped.split())
    if columns - names:
        raise AssertionError(f"{kind.__name__} has no field(s) {sorted(columns - names)}")
    return tuple(sorted(names - columns))


def put_columnless(ex: Extras, obj: Any, names: tuple[str, ...]) -> None:
    for name in names:
        ex.put(name, to_document(getattr(obj, name)))


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    """Field types of a record class (resolving string annotations is slow: cache it)."""
    return typing.get_type_hints(kind)


def get_columnless(ex: Extras, kind: type, names: tuple[str, ...]) -> dict[str, Any]:
    hints = _hints(kind)
    return {n: from_document(hints[n], ex.get(n)) for n in names if ex.get(n) is not None}
