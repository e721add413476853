"""Cadence's visibility index: the template every ``cadence-visibility-*`` index gets.

Field names and types are Cadence's (so dashboards and tools written for Cadence's index
keep working): times are unix nanoseconds in ``long`` fields, custom search attributes
sit under ``Attr``, and ``dynamic: false`` keeps unknown fields (Memo, Encoding) in
``_source`` only.
"""

from __future__ import annotations

from typing import Any

from cadence_py.visibility import attributes as sa

TEMPLATE_NAME = "cadence-visibility-template"

_KEYWORD = {"type": "keyword"}
_LONG = {"type": "long"}
_INTEGER = {"type": "integer"}
_SYSTEM_FIELDS: dict[str, dict[str, str]] = {
    **{name: _KEYWORD for name in ("DomainID", "WorkflowID", "RunID", "WorkflowType",
                                   "TaskList", "CronSchedule", "KafkaKey",
                                   "ClusterAttributeScope", "ClusterAttributeName")},
    **{name: _LONG for name in ("StartTime", "ExecutionTime", "CloseTime", "UpdateTime",
                                "ScheduledExecutionTime", "ShardID")},
    **{name: _INTEGER for name in ("CloseStatus", "HistoryLength", "NumClusters",
                                   "ExecutionStatus")},
    "IsCron": {"type": "boolean"},
}
_ES_TYPES = {sa.STRING: "text", sa.KEYWORD: "keyword", sa.INT: "long", sa.DOUBLE: "double",
             sa.BOOL: "boolean", sa.DATETIME: "date"}


def es_type(kind: int) -> str | None:
    """The mapping type of a search attribute type (None for an unknown type)."""
    return _ES_TYPES.get(kind)


def attr_properties(keys: dict[str, int]) -> dict[str, Any]:
    return {name: {"type": _ES_TYPES[kind]} for name, kind in keys.items()
            if not sa.is_system_key(name) and kind in _ES_TYPES}


def index_template(custom_keys: dict[str, int]) -> dict[str, Any]:
    """The legacy ``_template`` body: Cadence's fields plus ``Attr`` for ``custom_keys``."""
    return {
        "index_patterns": ["cadence-visibility-*"],
        "order": 0,
        "settings": {"index": {"number_of_shards": 5, "number_of_replicas": 0}},
        "mappings": {
            "dynamic": "false",
            "properties": {**_SYSTEM_FIELDS,
                           "Attr": {"properties": attr_properties(custom_keys)}},
        },
    }
