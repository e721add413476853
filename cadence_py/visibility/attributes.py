"""Search attributes: which keys exist, their types, and checking values written to them.

Cadence keeps the valid keys in dynamic config (``frontend.validSearchAttributes``); we
keep the upstream defaults plus the keys operators add with AdminService
AddSearchAttribute, persisted in the main store (``SearchAttributeStore``), so every
process of a cluster sees the same set. Values travel as JSON inside
``SearchAttributes.indexedFields`` (one JSON document per key).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Protocol

STRING, KEYWORD, INT, DOUBLE, BOOL, DATETIME = range(6)  # IndexedValueType (Thrift)
TYPE_NAMES = {STRING: "STRING", KEYWORD: "KEYWORD", INT: "INT", DOUBLE: "DOUBLE",
              BOOL: "BOOL", DATETIME: "DATETIME"}

SYSTEM_KEYS: dict[str, int] = {
    "DomainID": KEYWORD, "WorkflowID": KEYWORD, "RunID": KEYWORD, "WorkflowType": KEYWORD,
    "StartTime": INT, "ExecutionTime": INT, "CloseTime": INT, "CloseStatus": INT,
    "HistoryLength": INT, "TaskList": KEYWORD, "IsCron": BOOL, "NumClusters": INT,
    "UpdateTime": INT, "CronSchedule": KEYWORD, "ExecutionStatus": INT,
    "ScheduledExecutionTime": INT, "ClusterAttributeScope": KEYWORD,
    "ClusterAttributeName": KEYWORD,
}
TIME_KEYS = frozenset({"StartTime", "ExecutionTime", "CloseTime", "UpdateTime",
                       "ScheduledExecutionTime"})

PREDEFINED_KEYS: dict[str, int] = {
    "CustomStringField": STRING, "CustomKeywordField": KEYWORD, "CustomIntField": INT,
    "CustomBoolField": BOOL, "CustomDoubleField": DOUBLE, "CustomDatetimeField": DATETIME,
    "CadenceChangeVersion": KEYWORD, "BinaryChecksums": KEYWORD, "CustomDomain": STRING,
    "Operator": STRING, "CadenceScheduleID": KEYWORD, "CadenceScheduleTime": DATETIME,
    "CadenceScheduleIsBackfill": BOOL, "CadenceScheduleState": KEYWORD,
    "CadenceScheduleCron": KEYWORD, "CadenceScheduleWorkflowType": KEYWORD,
    "CadenceScheduleBackfillID": KEYWORD,
}

# Upstream's dynamic-config defaults for the write-side limits.
MAX_KEYS = 100
MAX_VALUE_BYTES = 2 * 1024
MAX_TOTAL_BYTES = 40 * 1024


def default_search_attributes() -> dict[str, int]:
    return {**PREDEFINED_KEYS, **SYSTEM_KEYS}


def is_system_key(name: str) -> bool:
    return name in SYSTEM_KEYS


_FRACTION = re.compile(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$")


def parse_time(text: str) -> int:
    """RFC3339 (with any fraction, ``Z`` or an offset) to unix nanoseconds."""
    nanos = 0
    match = _FRACTION.match(text)
    if match:
        head, fraction, tail = match.groups()
        nanos = int((fraction + "000000000")[:9])
        text = head + tail
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "T" not in text and "t" not in text:
        raise ValueError(f"{text!r} is not an RFC3339 time")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone (RFC3339 needs Z or an offset)")
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    delta = moment - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + nanos


def format_time(nanos: int) -> str:
    """Unix nanoseconds as RFC3339 in UTC (what a Datetime attribute is indexed as)."""
    seconds, rest = divmod(nanos, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{moment}.{rest:09d}Z" if rest else f"{moment}Z"


def _scalar_ok(value: Any, kind: int) -> bool:
    if kind in (STRING, KEYWORD):
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool) and \
            -2**63 <= value < 2**63
    if kind == DOUBLE:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == DATETIME:
        if not isinstance(value, str):
            return False
        try:
            parse_time(value)
        except ValueError:
            return False
        return True
    return False


def decode_value(raw: bytes, kind: int) -> Any:
    """The JSON value of one indexed field, checked against its type (ValueError if not).

    As upstream, a value may also be a JSON array of values of the type.
    """
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("not JSON") from None
    items = value if isinstance(value, list) else [value]
    if not all(_scalar_ok(item, kind) for item in items):
        raise ValueError(f"not a {TYPE_NAMES.get(kind, kind)}")
    return value


def validate_upsert(fields: dict[str, bytes], valid: dict[str, int]) -> str | None:
    """Why these search attributes cannot be written, or None (upstream's checks/messages)."""
    if len(fields) > MAX_KEYS:
        return f"number of keys {len(fields)} exceed limit"
    total = 0
    for key, raw in fields.items():
        raw = raw or b""
        if key not in valid:
            return f"{key} is not a valid search attribute key"
        try:
            decode_value(raw, valid[key])
        except ValueError:
            return (f"{raw.decode('utf-8', 'replace')} is not a valid search attribute "
                    f"value for key {key}")
        if is_system_key(key):
            return f"{key} is read-only Cadence reserved attribute"
        if len(raw) > MAX_VALUE_BYTES:
            return f"size limit exceed for key {key}"
        total += len(key) + len(raw)
    if total > MAX_TOTAL_BYTES:
        return f"total size {total} exceed limit"
    return None


class SearchAttributeStore(Protocol):
    """Where keys added by operators live (the main store)."""

    def load_search_attributes(self) -> dict[str, int]: ...

    def save_search_attributes(self, added: dict[str, int]) -> None:
        """Merge ``added`` into the stored keys (types of existing keys never change)."""


class SearchAttributes:
    """The valid keys: defaults plus those stored; refreshed from the store on demand."""

    def __init__(self, store: SearchAttributeStore | None = None) -> None:
        self.store = store
        self._added: dict[str, int] = {}
        self._valid: dict[str, int] = {}
        self.refresh()

    def refresh(self) -> None:
        if self.store is not None:
            self._added = dict(self.store.load_search_attributes())
        self._rebuild()

    def _rebuild(self) -> None:
        self._valid = {**default_search_attributes(), **self._added}

    def valid(self) -> dict[str, int]:
        """The valid keys (a shared mapping, built once per change: callers read it on
        every query, start and upsert, and must not modify it)."""
        return self._valid

    def add(self, keys: dict[str, int]) -> str | None:
        """Add keys (AdminService.AddSearchAttribute); an error message or None."""
        current = self.valid()
        for name, kind in keys.items():
            if is_system_key(name):
                return f"Key [{name}] is reserved by system"
            if name in current and current[name] != kind:
                return f"Key [{name}] is already whitelisted as a different type"
            if kind not in TYPE_NAMES:
                return f"Unknown value type, IndexedValueType({kind})"
        if self.store is not None:
            self.store.save_search_attributes(dict(keys))
        self._added.update(keys)
        self._rebuild()
        return None


def encode_json(value: Any) -> bytes:
    """A search attribute value back to the JSON bytes clients decode."""
    return json.dumps(value, separators=(",", ":")).encode()
